"""Countries: ISO 3166-1 alpha-3 codes (SDTM DM.COUNTRY) and their ClinicalTrials.gov names.

SDTM records a subject's country as the ISO 3166-1 alpha-3 code (SDTMIG v3.4, DM.COUNTRY);
ClinicalTrials.gov names countries in words — in a record's locations and in the results'
baseline measure *Region of Enrollment*, whose rows must use "the preferred Region or Country
name listed in PRS Region and Country Name Report" (RRSUploadSchema.xsd, MeasureRow.title).
The names are ClinicalTrials.gov's spelling as it appears in registry records (e.g. "Korea,
Republic of", "United States"); a code not in this table has no name here and is reported by the
caller, never guessed.
"""

from __future__ import annotations

__all__ = ["COUNTRY_NAMES", "country_code", "country_name", "location_country_code"]

#: ISO 3166-1 alpha-3 → ClinicalTrials.gov country name.
COUNTRY_NAMES: dict[str, str] = {
    "ARG": "Argentina",
    "AUS": "Australia",
    "AUT": "Austria",
    "BEL": "Belgium",
    "BRA": "Brazil",
    "CAN": "Canada",
    "CHE": "Switzerland",
    "CHL": "Chile",
    "CHN": "China",
    "DEU": "Germany",
    "DNK": "Denmark",
    "EGY": "Egypt",
    "ESP": "Spain",
    "FIN": "Finland",
    "FRA": "France",
    "GBR": "United Kingdom",
    "GRC": "Greece",
    "HKG": "Hong Kong",
    "HUN": "Hungary",
    "IND": "India",
    "IRL": "Ireland",
    "ISR": "Israel",
    "ITA": "Italy",
    "JPN": "Japan",
    "KOR": "Korea, Republic of",
    "MEX": "Mexico",
    "NLD": "Netherlands",
    "NOR": "Norway",
    "NZL": "New Zealand",
    "POL": "Poland",
    "PRT": "Portugal",
    "ROU": "Romania",
    "RUS": "Russian Federation",
    "SGP": "Singapore",
    "SWE": "Sweden",
    "THA": "Thailand",
    "TWN": "Taiwan",
    "USA": "United States",
    "ZAF": "South Africa",
}

_CODES = {name.lower(): code for code, name in COUNTRY_NAMES.items()}

#: Other spellings of a country in registry records' locations (older records and sponsors'
#: own entry); accepted when reading a location, never as a results table's row title, which
#: must be the PRS name.
_LOCATION_ALIASES: dict[str, str] = {"south korea": "KOR", "republic of korea": "KOR"}


def country_name(code: str) -> str | None:
    """The ClinicalTrials.gov name of an ISO 3166-1 alpha-3 code; None if not in the table."""
    return COUNTRY_NAMES.get(code.strip().upper())


def country_code(name: str) -> str | None:
    """The ISO 3166-1 alpha-3 code of a ClinicalTrials.gov country name; None if unknown."""
    return _CODES.get(name.strip().lower())


def location_country_code(name: str) -> str | None:
    """The ISO 3166-1 alpha-3 code of a registry location's country, its PRS name or an alias."""
    key = name.strip().lower()
    return _CODES.get(key) or _LOCATION_ALIASES.get(key)
