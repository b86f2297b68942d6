"""Country names as the shop writes them → ISO 3166 alpha-3 codes for the world map.

Names that are not one country ("European Community", "Unspecified", "West Indies")
have no code and are left off the map (they stay in the bar chart).
"""

from __future__ import annotations

ISO3 = {
    "Australia": "AUS",
    "Austria": "AUT",
    "Bahrain": "BHR",
    "Belgium": "BEL",
    "Brazil": "BRA",
    "Bulgaria": "BGR",
    "Canada": "CAN",
    "Channel Islands": "GBR",
    "Croatia": "HRV",
    "Cyprus": "CYP",
    "Czech Republic": "CZE",
    "Denmark": "DNK",
    "EIRE": "IRL",
    "Ireland": "IRL",
    "Estonia": "EST",
    "Finland": "FIN",
    "France": "FRA",
    "Germany": "DEU",
    "Greece": "GRC",
    "Hong Kong": "HKG",
    "Hungary": "HUN",
    "Iceland": "ISL",
    "Isle of Man": "GBR",
    "Israel": "ISR",
    "Italy": "ITA",
    "Japan": "JPN",
    "Korea": "KOR",
    "Kuwait": "KWT",
    "Latvia": "LVA",
    "Lebanon": "LBN",
    "Liechtenstein": "LIE",
    "Lithuania": "LTU",
    "Luxembourg": "LUX",
    "Malta": "MLT",
    "Monaco": "MCO",
    "Netherlands": "NLD",
    "New Zealand": "NZL",
    "Nigeria": "NGA",
    "Norway": "NOR",
    "Oman": "OMN",
    "Poland": "POL",
    "Portugal": "PRT",
    "Qatar": "QAT",
    "RSA": "ZAF",
    "South Africa": "ZAF",
    "Romania": "ROU",
    "Russia": "RUS",
    "Saudi Arabia": "SAU",
    "Singapore": "SGP",
    "Slovakia": "SVK",
    "Slovenia": "SVN",
    "Spain": "ESP",
    "Sweden": "SWE",
    "Switzerland": "CHE",
    "Thailand": "THA",
    "Turkey": "TUR",
    "Ukraine": "UKR",
    "United Arab Emirates": "ARE",
    "United Kingdom": "GBR",
    "USA": "USA",
    "United States": "USA",
}


def iso3(country: str) -> str | None:
    """The alpha-3 code of a country name, or None when it names no one country."""
    return ISO3.get(country)
