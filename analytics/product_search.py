"""Find a product by (part of) its name or stock code, tolerating typos and case.

Pure: takes the ``products`` table (or its :class:`ProductIndex`, built once) and a
query, returns ranked matches. Each word of
the query is matched to the closest word of each description (so "hart" finds
HEART and "lant" finds LANTERN); a description's score is the average over the query's
words. Equal scores go to the best-selling product, which is what a person typing
"white hanging heart" almost always means.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from rapidfuzz import fuzz, process

MIN_SCORE = 60.0  # below this a match is noise ("lamp" vs "lace")
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


def _word_scores(query_word: str, vocab: list[str]) -> np.ndarray:
    """0–100 closeness of one query word to every vocabulary word."""
    scores = process.cdist([query_word], vocab, scorer=fuzz.ratio)[0].astype(float)
    if len(query_word) >= 3:
        # A typed prefix ("lant") is as good as the whole word.
        prefix = np.fromiter(
            (w.startswith(query_word) for w in vocab), bool, len(vocab)
        )
        scores[prefix] = np.maximum(scores[prefix], 97.0)
    return scores


@dataclass(frozen=True)
class ProductIndex:
    """What a search needs from the products table, built once per table by
    :func:`build_index` (a search then only scores the query)."""

    products: pd.DataFrame
    codes: np.ndarray  # upper-case stock codes
    descs_lower: list[str]
    vocab: list[str]  # every description word, sorted
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
    desc_words = [sorted(set(_words(d))) for d in descs]
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
        products, codes, [d.lower() for d in descs], vocab, has, revenue
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
        for word in q_words:
            word_scores = _word_scores(word, ix.vocab)[None, :]
            best = ix.has.multiply(word_scores).tocsr().max(axis=1)
            score += np.asarray(best.todense()).ravel()
        score /= len(q_words)
        # Whole-phrase closeness separates "heart t-light" from "t-light ... heart".
        phrase = process.cdist(
            [text.lower()], ix.descs_lower, scorer=fuzz.partial_ratio
        )[0]
        score = 0.85 * score + 0.15 * phrase
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
