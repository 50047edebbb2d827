"""The extent of the disease now: localised, locally advanced or metastatic (issue 12).

Nearly every advanced-cancer trial asks for it ("histologically or cytologically confirmed locally
advanced or metastatic NSCLC"), and a patient record's stage does not answer it: the AJCC stage is
assigned at diagnosis and is not changed when the cancer progresses (AJCC Cancer Staging Manual,
8th edition, chapter 1, "Staging rules": a recurrence is staged apart, with the "r" prefix). A
patient staged II at diagnosis who relapsed with liver metastases has metastatic disease and
stage II on record. So:

- the record's ``Diagnosis.extent``, when the data manager records the extent at screening, decides;
- without it, a stage group IV or an M1 category at diagnosis is metastatic disease (distant
  metastasis, AJCC M1; stage IV is M1 in every AJCC 8th-edition solid-tumour chapter): it stays
  metastatic whatever came after; so is a condition record of distant metastases (liver, bone,
  brain or leptomeningeal: ICD-10 C78.7, C79.5, C79.3, ``concepts``) dated on or before the
  reference date — the record FHIR and OMOP sources most often hold;
- any other stage leaves the extent unknown — the disease may have spread since — never a guess.

"Locally advanced" is the tumour spread beyond its organ or to regional nodes without distant
metastasis; "localised" is confined to its organ. Which stages they are differs by cancer, so
they are never derived from a stage: only recorded.
"""

from __future__ import annotations

import re
from typing import Literal, get_args

__all__ = [
    "EXTENTS",
    "EXTENT_NAMES",
    "METASTASIS_CONDITIONS",
    "Extent",
    "current_extent",
    "extent_verdict",
]

Extent = Literal["localised", "locally_advanced", "metastatic"]
EXTENTS: tuple[Extent, ...] = get_args(Extent)
EXTENT_NAMES: dict[str, str] = {
    "localised": "localised",
    "locally_advanced": "locally advanced",
    "metastatic": "metastatic",
}


# condition concepts that are distant metastases whatever the primary (declared in concepts)
METASTASIS_CONDITIONS = frozenset(
    {"liver_metastases", "bone_metastases", "brain_metastases", "leptomeningeal_disease"}
)


def _is_m1(stage: str | None, m: str | None) -> bool:
    group = re.sub(r"(?i)^\s*stage\s*", "", stage or "").strip().upper()
    category = (m or "").strip().upper()
    # clinical, pathological, post-therapy prefixes: cM1, pM1a, ycM1
    category = category.lstrip("CPY")
    return group.startswith("IV") or category.startswith("M1")


def current_extent(
    extent: str | None, stage: str | None, m: str | None, metastases: bool = False
) -> str | None:
    """The extent now: the recorded one, else metastatic from a stage IV / M1 diagnosis or a
    record of distant metastases, else None (not known)."""
    if extent is not None:
        return extent
    return "metastatic" if metastases or _is_m1(stage, m) else None


def extent_verdict(
    allowed: tuple[str, ...],
    extent: str | None,
    stage: str | None,
    m: str | None,
    metastases: bool = False,
) -> tuple[bool | None, str]:
    """Whether the disease's extent now is one of ``allowed``, and what the answer rests on (the
    evidence's wording); None when it is not known. ``metastases``: a record of distant
    metastases (``METASTASIS_CONDITIONS``) on or before the reference date."""
    now = current_extent(extent, stage, m, metastases)
    if now is None:
        at_diagnosis = f"stage {stage}" if stage else "no stage"
        return None, f"{at_diagnosis} at diagnosis; the extent now is not recorded"
    if extent is not None:
        source = "recorded"
    elif _is_m1(stage, m):
        source = f"stage {stage or ''} M {m or ''} at diagnosis"
    else:
        source = "a record of distant metastases"
    return now in allowed, f"{EXTENT_NAMES.get(now, now)} ({' '.join(source.split())})"
