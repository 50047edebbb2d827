"""Performance status scales: the correspondence used when a record has another scale.

ECOG (Oken et al., Am J Clin Oncol 1982;5:649-55; the same scale as Zubrod's and the WHO's) has
six grades; Karnofsky (1949) eleven, in steps of 10. There is no exact mapping, and two
conventions are in use: Oken's table (Karnofsky 90–100 ↔ ECOG 0, 70–80 ↔ 1, 50–60 ↔ 2, 30–40 ↔
3, 10–20 ↔ 4, 0 ↔ 5) and the ECOG-ACRIN one (100 ↔ 0, 80–90 ↔ 1, 60–70 ↔ 2, 40–50 ↔ 3, 20–30 ↔ 4,
0 ↔ 5). A score is mapped to every grade *either* convention gives it (Karnofsky 90 is ECOG 0 or
1), and a rule is decided on a mapped score only when all those grades agree — Karnofsky 80
meets "ECOG 0–1"; Karnofsky 70 neither meets nor fails "ECOG 0–1" (unknown: ask for ECOG).

Lansky's play-performance scale (Lansky SB et al., Cancer 1987;60:1651-6; children under 16,
scored by a parent from play, 0–100 in steps of 10) rates other activities than the adult scales,
and no correspondence is validated: a Lansky rule is decided on a Lansky score only, and a Lansky
score never decides an ECOG or Karnofsky rule (unknown: ask for the score on the rule's scale).
"""

from __future__ import annotations

__all__ = ["ECOG_OF_KARNOFSKY", "KARNOFSKY_OF_ECOG", "SCALES", "mapped_from", "mapped_scores"]

SCALES = ("ECOG", "Karnofsky", "Lansky")

ECOG_OF_KARNOFSKY: dict[int, frozenset[int]] = {
    100: frozenset({0}),
    90: frozenset({0, 1}),
    80: frozenset({1}),
    70: frozenset({1, 2}),
    60: frozenset({2}),
    50: frozenset({2, 3}),
    40: frozenset({3}),
    30: frozenset({3, 4}),
    20: frozenset({4}),
    10: frozenset({4}),
    0: frozenset({5}),
}
KARNOFSKY_OF_ECOG: dict[int, frozenset[int]] = {
    grade: frozenset(k for k, grades in ECOG_OF_KARNOFSKY.items() if grade in grades)
    for grade in range(6)
}


_TABLES: dict[tuple[str, str], dict[int, frozenset[int]]] = {
    ("Karnofsky", "ECOG"): ECOG_OF_KARNOFSKY,
    ("ECOG", "Karnofsky"): KARNOFSKY_OF_ECOG,
}


def mapped_from(scale: str) -> frozenset[str]:
    """The scales whose scores are mapped onto ``scale`` when the record has none on it."""
    return frozenset(a for a, b in _TABLES if b == scale)


def mapped_scores(scale: str, score: int, to: str) -> frozenset[int]:
    """The scores on scale ``to`` that ``score`` on ``scale`` corresponds to (none when the
    two scales have no correspondence)."""
    return _TABLES.get((scale, to), {}).get(score, frozenset())
