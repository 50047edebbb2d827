"""AJCC stage groups: one vocabulary, by edition and disease site, with the edition recorded.

A stage is recorded as its stage group (``SCORRES``/``SCSTRESC`` of SC ``STAGE``) with the edition
in ``SCCAT`` (``AJCC 8TH EDITION``, ``AJCC 9TH EDITION``). What each edition allows:

- **Lung, AJCC 8th edition** (Cancer Staging Manual, 2017; IASLC 8th TNM): 0, IA1, IA2, IA3, IB,
  IIA, IIB, IIIA, IIIB, IIIC, IVA (M1a, M1b), IVB (M1c).
- **Lung, AJCC version 9** (IASLC 9th TNM, in use from 1 January 2025): the same stage groups;
  N2 splits into N2a (one station) and N2b (several) and M1c into M1c1 (one organ system) and
  M1c2 (several), and some T/N combinations move between groups (T1 N1 IIA, T1 N2a IIB, T1 N2b
  IIIA). A group name therefore does not say which edition assigned it: the edition is recorded.
- **Colon and rectum, AJCC 8th edition**: 0, I, IIA, IIB, IIC, IIIA, IIIB, IIIC, IVA (one organ),
  IVB (several organs), IVC (peritoneum).
- **Liver (hepatocellular carcinoma), AJCC 8th edition**: IA, IB, II, IIIA, IIIB, IVA (N1),
  IVB (M1).

Version 9 is declared for lung only; the other sites are staged by the 8th edition. A parent
group (``IA`` for IA1–IA3, ``IV`` for IVA–IVC, …) is an accepted value when the subgroup is not
known — the simulator records early NSCLC as ``IA``/``IB`` — and eligibility reads ``IA`` as
allowing IA1, IA2 and IA3 (``oncotrial.eligibility``). Forms offer the specific groups.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from oncotrial.catalogue.vocabulary import Term, Vocabulary

__all__ = [
    "EDITIONS",
    "STAGE_ORDER",
    "STAGING_SYSTEMS",
    "StagingSystem",
    "edition_category",
    "edition_of_category",
    "stage_groups",
    "stage_vocabulary",
]

EDITIONS: Final = (8, 9)

#: Every stage group in clinical order (display order of tables and forms).
STAGE_ORDER: Final = (
    "0",
    "I",
    "IA",
    "IA1",
    "IA2",
    "IA3",
    "IB",
    "II",
    "IIA",
    "IIB",
    "IIC",
    "III",
    "IIIA",
    "IIIB",
    "IIIC",
    "IV",
    "IVA",
    "IVB",
    "IVC",
)


@dataclass(frozen=True)
class StagingSystem:
    site: str  # the PRIMSITE code(s) it stages
    edition: int
    groups: tuple[str, ...]  # the specific stage groups, in order
    t: tuple[str, ...]
    n: tuple[str, ...]
    m: tuple[str, ...]
    source: str
    sites: tuple[str, ...] = ()

    @property
    def parents(self) -> tuple[str, ...]:
        """Coarser groups a record may give when the subgroup is unknown (``IA``, ``IV``…)."""
        found = {p for group in self.groups for p in _ancestors(group)} - set(self.groups)
        return tuple(g for g in STAGE_ORDER if g in found)

    @property
    def accepted(self) -> tuple[str, ...]:
        accepted = set(self.groups) | set(self.parents)
        return tuple(g for g in STAGE_ORDER if g in accepted)


def _ancestors(group: str) -> tuple[str, ...]:
    """``IA1`` → ``IA``, ``I``; ``IVB`` → ``IV``: drop the subgroup digit, then the letter."""
    out = []
    while len(group) > 1 and (group[-1].isdigit() or group[-1] in "ABC"):
        group = group[:-1]
        out.append(group)
    return tuple(out)


_LUNG_T = ("TX", "T0", "Tis", "T1mi", "T1a", "T1b", "T1c", "T2a", "T2b", "T3", "T4")
_LUNG_GROUPS = (
    "0",
    "IA1",
    "IA2",
    "IA3",
    "IB",
    "IIA",
    "IIB",
    "IIIA",
    "IIIB",
    "IIIC",
    "IVA",
    "IVB",
)

STAGING_SYSTEMS: Final = (
    StagingSystem(
        "LUNG",
        8,
        _LUNG_GROUPS,
        _LUNG_T,
        ("NX", "N0", "N1", "N2", "N3"),
        ("M0", "M1a", "M1b", "M1c"),
        "AJCC Cancer Staging Manual, 8th edition (2017), Lung",
        ("LUNG",),
    ),
    StagingSystem(
        "LUNG",
        9,
        _LUNG_GROUPS,
        _LUNG_T,
        ("NX", "N0", "N1", "N2a", "N2b", "N3"),
        ("M0", "M1a", "M1b", "M1c1", "M1c2"),
        "AJCC Version 9 Lung (IASLC 9th edition TNM, 2024; effective 1 January 2025)",
        ("LUNG",),
    ),
    StagingSystem(
        "COLORECTAL",
        8,
        ("0", "I", "IIA", "IIB", "IIC", "IIIA", "IIIB", "IIIC", "IVA", "IVB", "IVC"),
        ("TX", "T0", "Tis", "T1", "T2", "T3", "T4a", "T4b"),
        ("NX", "N0", "N1a", "N1b", "N1c", "N2a", "N2b"),
        ("M0", "M1a", "M1b", "M1c"),
        "AJCC Cancer Staging Manual, 8th edition (2017), Colon and Rectum",
        ("COLON", "RECTUM"),
    ),
    StagingSystem(
        "LIVER",
        8,
        ("IA", "IB", "II", "IIIA", "IIIB", "IVA", "IVB"),
        ("TX", "T0", "T1a", "T1b", "T2", "T3", "T4"),
        ("NX", "N0", "N1"),
        ("M0", "M1"),
        "AJCC Cancer Staging Manual, 8th edition (2017), Liver (hepatocellular carcinoma)",
        ("LIVER",),
    ),
)


def edition_category(edition: int) -> str:
    """The ``SCCAT`` of a stage by ``edition``: ``AJCC 8TH EDITION``, ``AJCC 9TH EDITION``."""
    if edition not in EDITIONS:
        raise ValueError(f"AJCC edition {edition} is not one oncotrial records ({EDITIONS})")
    return f"AJCC {edition}TH EDITION"


def edition_of_category(category: object) -> int | None:
    """The edition an ``SCCAT`` names (None when it names none)."""
    for edition in EDITIONS:
        if isinstance(category, str) and category.strip().upper() == edition_category(edition):
            return edition
    return None


def stage_groups(
    edition: int, site: str | None = None, *, parents: bool = False
) -> tuple[str, ...]:
    """The stage groups ``edition`` defines for ``site`` (every site when None), in order."""
    systems = [
        s for s in STAGING_SYSTEMS if s.edition == edition and (site is None or site in s.sites)
    ]
    found = {g for s in systems for g in (s.accepted if parents else s.groups)}
    return tuple(g for g in STAGE_ORDER if g in found)


def stage_vocabulary(edition: int, site: str | None = None) -> Vocabulary:
    """The stage groups of ``edition`` (specific groups only) as a form's vocabulary."""
    terms = tuple(Term(g, g) for g in stage_groups(edition, site))
    sources = sorted({s.source for s in STAGING_SYSTEMS if s.edition == edition})
    return Vocabulary(f"AJCC {edition} stage group", terms, "; ".join(sources))
