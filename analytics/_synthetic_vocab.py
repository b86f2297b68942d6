"""Vocabulary and product catalogue for the synthetic Online Retail generator.

Descriptions are composed the way the real gift shop names its stock: an object, a
collection ("theme") and sometimes a colour or a size, all upper case. A theme is what
links products that customers buy together (the recommender's signal).
"""

from __future__ import annotations

import numpy as np

COLOURS = [
    "RED", "PINK", "BLUE", "WHITE", "GREEN", "IVORY", "CREAM", "BLACK", "PURPLE",
    "ORANGE", "YELLOW", "SILVER", "GOLD", "TURQUOISE", "LILAC",
]  # fmt: skip
SIZES = ["SMALL", "LARGE", "MINI", "JUMBO", "MEDIUM", "GIANT"]

# (name, theme-wide popularity weight); the first block are everyday collections.
THEMES = [
    ("RED RETROSPOT", 3.0), ("PANTRY", 2.2), ("VINTAGE DOILY", 1.6),
    ("REGENCY", 2.0), ("SPACEBOY", 1.5), ("DOLLY GIRL", 1.4), ("WOODLAND", 1.3),
    ("CHARLOTTE", 1.0), ("SKULLS", 1.1), ("PAISLEY PARK", 0.9),
    ("POPPY'S PLAYHOUSE", 1.0), ("ALPHABET", 0.7), ("ENGLISH ROSE", 1.0),
    ("LOVEBIRD", 0.8), ("VINTAGE UNION JACK", 1.1), ("RED GINGHAM", 0.8),
    ("JAM MAKING", 1.2), ("PARTY BUNTING", 1.4), ("BAROQUE", 0.9),
    ("CHERRY BLOSSOM", 0.7), ("STRAWBERRY", 0.8), ("POLKADOT", 1.0),
    ("CIRCUS PARADE", 0.9), ("SCANDINAVIAN", 0.6), ("WILD ROSE", 0.6),
    ("APPLES", 0.7), ("HEART OF WICKER", 1.3), ("BIRDHOUSE", 0.6),
    ("ANTIQUE SILVER", 0.9), ("VINTAGE PAISLEY", 0.7), ("FAIRY CAKE", 1.1),
    ("TEA TIME", 1.0), ("PARISIENNE", 0.6), ("LANDMARK", 0.5), ("DINER", 0.6),
    ("ZINC", 0.8), ("ENAMEL", 0.7), ("FELTCRAFT", 0.9), ("GLASS STAR", 0.6),
    ("FRENCH BLUE", 0.6), ("VINTAGE CARAVAN", 0.7), ("SWEETHEART", 0.8),
    ("GARDEN", 0.9), ("KITCHEN", 0.8), ("BATHROOM", 0.6), ("WRITING", 0.7),
    ("CHRISTMAS", 1.6), ("50'S CHRISTMAS", 1.0), ("NORDIC CHRISTMAS", 0.8),
    ("CHRISTMAS TREE", 0.9), ("SNOWFLAKE", 0.7), ("REINDEER", 0.7),
    ("VINTAGE CHRISTMAS", 0.9), ("ROBIN", 0.5),
]  # fmt: skip
XMAS_THEMES = {
    "CHRISTMAS", "50'S CHRISTMAS", "NORDIC CHRISTMAS", "CHRISTMAS TREE",
    "SNOWFLAKE", "REINDEER", "VINTAGE CHRISTMAS", "ROBIN",
}  # fmt: skip

# Every theme's popularity weight, and which themes are Christmas lines.
THEME_WEIGHTS = np.array([w for _, w in THEMES])
XMAS_MASK = np.array([name in XMAS_THEMES for name, _ in THEMES])

# (object, typical price £, template); templates: "OT" object+theme, "TO"
# theme+object, "CTO" colour+theme+object, "ST" set+theme design, "STO" size.
OBJECTS = [
    ("JUMBO BAG", 2.08, "OT"), ("LUNCH BAG", 1.65, "OT"), ("JUMBO SHOPPER", 2.1, "OT"),
    ("JUMBO STORAGE BAG", 2.1, "OT"), ("CHARLOTTE BAG", 0.85, "OT"),
    ("GIFT BAG LARGE", 0.42, "OT"), ("RECYCLING BAG", 2.1, "OT"),
    ("CAKESTAND 3 TIER", 12.75, "TO"), ("TEACUP AND SAUCER", 2.95, "CTO"),
    ("MUG", 1.25, "TO"), ("HOT WATER BOTTLE", 4.25, "TO"),
    ("T-LIGHT HOLDER", 2.55, "CTO"), ("HANGING HEART T-LIGHT HOLDER", 2.95, "CTO"),
    ("LANTERN", 3.75, "CTO"), ("PHOTO FRAME", 2.55, "STO"),
    ("CUSHION COVER", 3.75, "TO"), ("DOORSTOP", 4.25, "TO"),
    ("STORAGE JAR", 3.25, "STO"), ("BISCUIT TIN", 4.95, "TO"),
    ("SNACK BOXES", 2.95, "TO"), ("PLACEMAT", 1.45, "TO"), ("OVEN GLOVE", 1.45, "TO"),
    ("CHILDRENS APRON", 1.95, "TO"), ("TEA TOWELS", 2.95, "TO"),
    ("CHOPPING BOARD", 2.95, "TO"), ("BOTTLE OPENER", 1.25, "TO"),
    ("PURSE", 1.65, "CTO"), ("HAIR CLIPS", 0.65, "CTO"), ("NOTEBOOK", 1.65, "STO"),
    ("WRAP", 0.42, "OT"), ("GREETING CARD", 0.42, "TO"), ("BIRTHDAY CARD", 0.42, "TO"),
    ("PAPER CHAIN KIT", 2.95, "TO"), ("BUNTING", 4.95, "TO"),
    ("PARTY CUPS", 0.85, "TO"), ("PAPER PLATES", 0.85, "TO"), ("LUNCH BOX", 1.95, "TO"),
    ("WATER BOTTLE", 2.55, "TO"), ("PLASTERS IN TIN", 1.65, "TO"),
    ("STICKER SHEET", 0.85, "TO"), ("RIBBONS", 1.65, "TO"), ("CANDLE", 1.25, "CTO"),
    ("CHILDRENS CUP", 1.25, "TO"), ("BOWL", 1.25, "CTO"), ("JUG", 3.75, "TO"),
    ("COAT RACK", 7.95, "TO"), ("WALL CLOCK", 8.5, "CTO"), ("KEY RING", 0.65, "TO"),
    ("FRIDGE MAGNET", 0.85, "TO"), ("DRAWER KNOB", 1.25, "CTO"),
    ("TRINKET BOX", 2.1, "STO"), ("CANDLESTICK", 3.75, "CTO"),
    ("MIRROR", 4.95, "STO"), ("HANGING DECORATION", 0.85, "CTO"),
    ("MEMO BOARD", 4.95, "TO"), ("SHOPPING LIST", 1.45, "TO"),
    ("PENCILS", 0.42, "TO"), ("ALARM CLOCK BAKELIKE", 3.75, "CTO"),
    ("CAKE TINS", 4.95, "ST"), ("JELLY MOULDS", 1.65, "ST"), ("CAKE CASES", 0.55, "ST"),
    ("PAPER NAPKINS", 0.85, "ST"), ("STORAGE TINS", 4.95, "ST"),
    ("TEA SPOONS", 1.25, "ST"), ("PLANT POT", 1.65, "STO"),
    ("WATERING CAN", 2.95, "CTO"), ("UMBRELLA", 4.95, "CTO"),
    ("CABINET 2 DRAWERS", 16.95, "TO"), ("WOODEN FRAME", 6.95, "STO"),
]  # fmt: skip
XMAS_OBJECTS = [
    ("BAUBLE", 0.65, "CTO"), ("WREATH", 4.25, "STO"), ("STOCKING", 2.95, "TO"),
    ("ADVENT CALENDAR", 2.95, "TO"), ("CRACKERS", 4.95, "ST"),
    ("TREE DECORATION", 0.85, "CTO"), ("HANGING STAR", 0.85, "CTO"),
    ("GIFT TAGS", 0.65, "ST"), ("WRAP", 0.42, "OT"), ("CARD", 0.42, "TO"),
    ("CANDLE", 1.25, "CTO"), ("LIGHTS", 4.95, "TO"), ("TABLE DECORATION", 2.55, "TO"),
    ("SNOW GLOBE", 3.75, "STO"), ("PAPER CHAIN KIT", 2.95, "TO"),
]  # fmt: skip
SET_PREFIXES = [
    "SET OF 3",
    "SET OF 4",
    "SET OF 6",
    "SET/20",
    "PACK OF 12",
    "PACK OF 72",
]

# Non-product codes of the real file: (code, description, unit price £).
SPECIAL_CODES = [
    ("POST", "POSTAGE", 18.0),
    ("DOT", "DOTCOM POSTAGE", 150.0),
    ("M", "Manual", 2.5),
    ("C2", "CARRIAGE", 50.0),
    ("BANK CHARGES", "Bank Charges", 15.0),
]
# Leading digits of real stock codes (21xxx, 22xxx, 84xxx, 85xxx, ...).
# Descriptions with a colour, size or pack already get no colour variants.
_NO_VARIANT_WORDS = {*COLOURS, *SIZES, "SET", "PACK", "SET/20", "DESIGN"}
_CODE_BLOCKS = [20, 21, 22, 23, 35, 37, 47, 48, 71, 72, 79, 82, 84, 85, 90]


def _describe(obj: str, theme: str, template: str, rng: np.random.Generator) -> str:
    if template == "OT":
        return f"{obj} {theme}"
    if template == "CTO" and " " not in theme and rng.random() < 0.5:
        return f"{rng.choice(COLOURS)} {theme} {obj}"
    if template == "ST":
        return f"{rng.choice(SET_PREFIXES)} {obj} {theme} DESIGN"
    if template == "STO" and rng.random() < 0.6:
        return f"{rng.choice(SIZES)} {theme} {obj}"
    return f"{theme} {obj}"


def build_catalogue(seed: int, n_base: int = 3400) -> dict[str, np.ndarray]:
    """Compose about ``1.15 * n_base`` products grouped by theme, sorted by theme.

    Parameters
    ----------
    seed : int
        Catalogue seed (the generator's seed).
    n_base : int
        Base designs; about 12% come in two to four colour variants that share the
        5-digit code with a letter suffix (``85123A``, ``85123B``).

    Returns
    -------
    dict of arrays
        ``code``, ``description`` (object arrays), ``theme`` (int), ``price`` (£),
        ``popularity`` (relative weight within its theme; products are sorted by
        theme, most popular first), ``xmas`` (bool); special
        non-product codes follow the products (``theme`` -1).
    """
    rng = np.random.default_rng([seed, 101])
    share = THEME_WEIGHTS / THEME_WEIGHTS.sum()
    theme_of = rng.choice(len(THEMES), size=n_base, p=share)
    numbers = rng.choice(np.arange(len(_CODE_BLOCKS) * 1000), n_base, replace=False)
    numbers = np.array(_CODE_BLOCKS)[numbers // 1000] * 1000 + numbers % 1000
    codes, descs, themes, prices, seen = [], [], [], [], set()
    for number, t in zip(numbers, theme_of, strict=True):
        name = THEMES[t][0]
        pool = XMAS_OBJECTS if name in XMAS_THEMES else OBJECTS
        for _ in range(20):  # a few tries for an unused description
            obj, price, template = pool[rng.integers(len(pool))]
            desc = _describe(obj, name, template, rng)
            if desc not in seen:
                break
        else:
            continue
        price = price * float(np.exp(rng.normal(0.0, 0.3)))
        words = set(desc.split(" "))
        plain = not words & _NO_VARIANT_WORDS
        if plain and rng.random() < 0.2:  # colour variants: 85123A, 85123B, ...
            n_var = int(rng.integers(2, 5))
            colours = rng.choice(COLOURS, size=n_var, replace=False)
            for k, colour in enumerate(colours):
                variant = f"{colour} {desc}"
                if variant not in seen:
                    seen.add(variant)
                    codes.append(f"{number}{'ABCD'[k]}")
                    descs.append(variant)
                    themes.append(t)
                    prices.append(price)
        else:
            seen.add(desc)
            codes.append(str(number))
            descs.append(desc)
            themes.append(t)
            prices.append(price)
    theme = np.array(themes)
    popularity = rng.lognormal(0.0, 1.5, len(theme))
    order = np.lexsort((-popularity, theme))  # by theme, most popular first
    price = np.array(prices)[order]
    # Retail price points: pence below £1, five-pence steps above.
    price = np.where(price < 1, np.round(price, 2), np.round(price * 20) / 20)
    n = len(order)
    special = np.array([c for c, _, _ in SPECIAL_CODES], dtype=object)
    return {
        "code": np.concatenate([np.array(codes, dtype=object)[order], special]),
        "description": np.concatenate(
            [
                np.array(descs, dtype=object)[order],
                np.array([d for _, d, _ in SPECIAL_CODES], dtype=object),
            ]
        ),
        "theme": np.concatenate([theme[order], np.full(len(special), -1)]),
        "price": np.concatenate(
            [np.maximum(price, 0.1), [p for _, _, p in SPECIAL_CODES]]
        ),
        "popularity": np.concatenate([popularity[order], np.zeros(len(special))]),
        "xmas": np.concatenate(
            [
                np.array([THEMES[t][0] in XMAS_THEMES for t in theme[order]]),
                np.zeros(len(special), dtype=bool),
            ]
        ),
        "n_products": np.array(n),
    }
