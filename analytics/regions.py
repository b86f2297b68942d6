"""Country → region mapping for the region filter."""

from __future__ import annotations

import pandas as pd

_REGION_COUNTRIES = {
    "UK": ["United Kingdom", "Channel Islands", "Isle of Man"],
    "Western Europe": [
        "France",
        "Germany",
        "Netherlands",
        "Belgium",
        "Switzerland",
        "Austria",
        "Luxembourg",
        "Monaco",
        "Liechtenstein",
    ],
    "Northern Europe": [
        "EIRE",
        "Ireland",
        "Norway",
        "Sweden",
        "Denmark",
        "Finland",
        "Iceland",
        "Lithuania",
        "Latvia",
        "Estonia",
    ],
    "Southern Europe": [
        "Spain",
        "Portugal",
        "Italy",
        "Greece",
        "Malta",
        "Cyprus",
        "Croatia",
        "Slovenia",
    ],
    "Eastern Europe": [
        "Poland",
        "Czech Republic",
        "Hungary",
        "Romania",
        "Bulgaria",
        "Slovakia",
        "Russia",
        "Ukraine",
    ],
    "Middle East": [
        "Israel",
        "Lebanon",
        "United Arab Emirates",
        "Saudi Arabia",
        "Bahrain",
        "Qatar",
        "Kuwait",
        "Oman",
        "Jordan",
    ],
    "Asia-Pacific": [
        "Japan",
        "Hong Kong",
        "Singapore",
        "Australia",
        "Korea",
        "Thailand",
        "China",
        "New Zealand",
        "India",
        "Malaysia",
        "Taiwan",
    ],
    "Americas": ["USA", "Canada", "Brazil", "West Indies", "Bermuda", "Mexico"],
    "Africa": ["RSA", "South Africa", "Nigeria", "Egypt", "Kenya"],
    # "European Community" names no country, so it cannot be placed in a region.
    "Unspecified": ["Unspecified", "European Community"],
}

COUNTRY_REGION = {
    country: region
    for region, countries in _REGION_COUNTRIES.items()
    for country in countries
}


def region_of(countries: pd.Series) -> pd.Series:
    """Map country names to regions; unknown countries go to ``"Unspecified"``."""
    return countries.map(COUNTRY_REGION).fillna("Unspecified").astype(str)


def unmapped_countries(countries) -> list[str]:
    """Countries that the mapping does not know (reported in the manifest)."""
    return sorted({c for c in countries if c not in COUNTRY_REGION})
