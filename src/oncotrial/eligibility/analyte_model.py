"""What an analyte is: the model shared by the declared analytes (``analytes``,
``analytes_viral``)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Analyte", "Scale"]


class Scale(StrEnum):
    QUANTITATIVE = "quantitative"
    ORDINAL = "ordinal"  # ordered results: urine dipstick negative < trace < 1+ < 2+ …
    NOMINAL = "nominal"  # unordered results: pregnancy test negative / positive


@dataclass(frozen=True)
class Analyte:
    key: str
    name: str
    unit: str | None
    loinc: tuple[str, ...]
    synonyms: tuple[str, ...]
    molar_mass: float | None = None
    scale: Scale = Scale.QUANTITATIVE
    results: tuple[str, ...] = ()  # the ordered (or allowed) results of an ordinal/nominal test
