"""Find a product by (part of) its name or stock code, tolerating typos and case.

Pure: takes the ``products`` table (or its :class:`ProductIndex`, built once) and a
query, returns ranked matches. Each word of
the query is matched to the closest word of each description (so "hart" finds
HEART and "lant" finds LANTERN); a description's score is the average over the query's
words. Spacing does not matter: two adjacent words of a description also count as
one word and two adjacent query words may be read as one, so "cake stand" finds
CAKESTAND and "keyring" finds KEY RING. Equal scores go to the best-selling product,
which is what a person typing "white hanging heart" almost always means.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from rapidfuzz import fuzz, process

MIN_SCORE = 60.0  # below this a match is noise ("lamp" vs "lace")
PREFIX_SCORE = 97.0  # a typed prefix ("lant") is almost the whole word
# Two query words joined that begin a word ("cake sta" → CAKESTAND): one word matched
# whole and one begun, as when the words are matched apart.
PAIR_PREFIX_SCORE = (100.0 + PREFIX_SCORE) / 2
WORDS_WEIGHT = 0.85  # the rest of a score is the whole phrase's closeness
_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> list[str]:
    # Hyphens join ("t-light" = "tlight"), everything else separates words.
    return _WORD.findall(str(text).lower().replace("-", ""))


def _query_words(text: str) -> list[str]:
    """Query words, a one- or two-letter word glued to the next ("t light")."""
    words, out = _words(text), []
    i = 0
    while i < len(words):
        if len(words[i]) <= 2 and i + 1 < len(words) and words[i].isalpha():
            out.append(words[i] + words[i + 1])
            i += 2
        else:
            out.append(words[i])
            i += 1
    return out


def _compact(text: str) -> str:
    """Lower case letters and digits only: "Cake Stand" and "CAKESTAND" agree."""
    return "".join(_words(text))


def _word_scores(
    query_word: str, vocab: list[str], prefix: float = PREFIX_SCORE
) -> np.ndarray:
    """0–100 closeness of one query word to every vocabulary word (sorted);
    ``prefix``: the score of a word it begins."""
    scores = process.cdist([query_word], vocab, scorer=fuzz.ratio)[0].astype(float)
    if len(query_word) >= 3:
        # A typed prefix ("lant") is nearly as good as the whole word. The
        # vocabulary is sorted, so the words starting with it are one run.
        lo = bisect.bisect_left(vocab, query_word)
        hi = bisect.bisect_left(vocab, query_word + "\uffff", lo)
        scores[lo:hi] = np.maximum(scores[lo:hi], prefix)
    return scores


@dataclass(frozen=True)
class ProductIndex:
    """What a search needs from the products table, built once per table by
    :func:`build_index` (a search then only scores the query)."""

    products: pd.DataFrame
    codes: np.ndarray  # upper-case stock codes
    descs_lower: list[str]
    descs_compact: list[str]  # letters and digits only (see :func:`_compact`)
    vocab: list[str]  # every description word and adjacent pair of words, sorted
    has: sp.csr_matrix  # products × vocab: 1 where the description has the word
    revenue: np.ndarray


def build_index(products: pd.DataFrame) -> ProductIndex:
    """The search index of ``products`` (at least ``stock_code`` and
    ``description``; ``revenue`` (£) breaks ties)."""
    missing = {"stock_code", "description"} - set(products.columns)
    if missing:
        raise ValueError(
            f"products table lacks column(s): {', '.join(sorted(missing))}"
        )
    codes = products["stock_code"].astype("str").str.upper().to_numpy()
    descs = products["description"].fillna("").astype("str").to_numpy()
    # Each word and each pair of adjacent words written as one ("cake stand" →
    # "cakestand"), so a query spaced differently from the description matches.
    desc_words = []
    for d in descs:
        words = _words(d)
        pairs = [a + b for a, b in zip(words, words[1:], strict=False)]
        desc_words.append(sorted(set(words + pairs)))
    vocab = sorted({w for ws in desc_words for w in ws})
    index = {w: i for i, w in enumerate(vocab)}
    rows = np.repeat(np.arange(len(descs)), [len(ws) for ws in desc_words])
    cols = np.fromiter((index[w] for ws in desc_words for w in ws), np.int64)
    has = sp.csr_matrix(
        (np.ones(len(cols)), (rows, cols)), shape=(len(descs), len(vocab))
    )
    revenue = (
        products["revenue"].to_numpy("float64")
        if "revenue" in products
        else np.zeros(len(products))
    )
    return ProductIndex(
        products,
        codes,
        [d.lower() for d in descs],
        [_compact(d) for d in descs],
        vocab,
        has,
        revenue,
    )


def search_products(
    products: pd.DataFrame | ProductIndex, query: str, limit: int = 10
) -> pd.DataFrame:
    """Products best matching ``query``, best first.

    Parameters
    ----------
    products : DataFrame or ProductIndex
        At least ``stock_code`` and ``description``; ``revenue`` (£) breaks ties.
        Pass :func:`build_index` of the table when searching it many times.
    query : str
        Part of a description (any case, typos allowed) or a stock code.
    limit : int
        Most rows returned.

    Returns
    -------
    DataFrame
        The matching rows of ``products`` plus ``match_score`` (0–100); empty when
        nothing matches reasonably.
    """
    ix = products if isinstance(products, ProductIndex) else build_index(products)
    text = str(query or "").strip()
    empty = ix.products.iloc[0:0].assign(match_score=pd.Series(dtype="float64"))
    q_words = _query_words(text)
    if not text or not q_words or ix.products.empty or limit <= 0:
        return empty
    codes = ix.codes
    score = np.zeros(len(codes))
    if ix.vocab:
        score = _words_score(ix, q_words)
        # Whole-phrase closeness separates "heart t-light" from "t-light ... heart";
        # only where it can lift a product to MIN_SCORE (the rest stay below).
        phrase_weight = 1.0 - WORDS_WEIGHT
        near = np.flatnonzero(WORDS_WEIGHT * score + 100.0 * phrase_weight >= MIN_SCORE)
        phrase = np.zeros(len(codes))
        if near.size:
            phrase[near] = np.maximum(
                _phrase_scores(text.lower(), ix.descs_lower, near),
                _phrase_scores(_compact(text), ix.descs_compact, near),
            )
        score = WORDS_WEIGHT * score + phrase_weight * phrase
    upper = text.upper().replace(" ", "")
    score = np.where(codes == upper, 100.0, score)
    score = np.where(
        (codes != upper)
        & np.char.startswith(codes.astype(str), upper)
        & (len(upper) >= 3),
        np.maximum(score, 90.0),
        score,
    )
    keep = np.flatnonzero(score >= MIN_SCORE)
    if keep.size == 0:
        return empty
    revenue = ix.revenue
    # Scores within one point are a tie; the better seller wins it.
    order = np.lexsort((codes[keep], -revenue[keep], -np.floor(score[keep])))
    chosen = keep[order][:limit]
    out = ix.products.iloc[chosen].copy()
    out["match_score"] = np.round(score[chosen], 1)
    return out.reset_index(drop=True)


def _best_per_product(
    ix: ProductIndex, word: str, prefix: float = PREFIX_SCORE
) -> np.ndarray:
    """Per product, 0–100 closeness of its closest word (or pair) to ``word``."""
    word_scores = _word_scores(word, ix.vocab, prefix)[None, :]
    best = ix.has.multiply(word_scores).tocsr().max(axis=1)
    return np.asarray(best.todense()).ravel()


def _words_score(ix: ProductIndex, q_words: list[str]) -> np.ndarray:
    """Per product, the average closeness of the query's words, two adjacent query
    words counting as one where that fits better ("cake stand" → CAKESTAND)."""
    single = [_best_per_product(ix, w) for w in q_words]
    # total[i]: the best sum over the first i query words, each word alone or
    # joined with its neighbour (a joined pair counts as two words).
    total = [np.zeros(len(ix.codes)), single[0]]
    for i in range(1, len(q_words)):
        joined = _best_per_product(ix, q_words[i - 1] + q_words[i], PAIR_PREFIX_SCORE)
        total.append(np.maximum(total[i] + single[i], total[i - 1] + 2 * joined))
    return total[-1] / len(q_words)


def _phrase_scores(text: str, descs: list[str], rows: np.ndarray) -> np.ndarray:
    """0–100 closeness of ``text`` to the best-matching part of ``descs[rows]``."""
    if not text:
        return np.zeros(len(rows))
    chosen = [descs[i] for i in rows]
    return process.cdist([text], chosen, scorer=fuzz.partial_ratio)[0].astype(float)
