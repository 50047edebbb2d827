"""ECOG and Karnofsky performance status: the correspondence used when a record has the other scale.

ECOG (Oken et al., Am J Clin Oncol 1982;5:649-55; the same scale as Zubrod's and the WHO's) has
six grades; Karnofsky (1949) eleven, in steps of 10. There is no exact mapping, and two
conventions are in use: Oken's table (Karnofsky 90–100 ↔ ECOG 0, 70–80 ↔ 1, 50–60 ↔ 2, 30–40 ↔
3, 10–20 ↔ 4, 0 ↔ 5) and the ECOG-ACRIN one (100 ↔ 0, 80–90 ↔ 1, 60–70 ↔ 2, 40–50 ↔ 3, 20–30 ↔ 4,
0 ↔ 5). A score is mapped to every grade *either* convention gives it (Karnofsky 90 is ECOG 0 or
1), and a rule is decided on a mapped score only when all those grades agree — Karnofsky 80
meets "ECOG 0–1"; Karnofsky 70 neither meets nor fails "ECOG 0–1" (unknown: ask for ECOG).
"""

from __future__ import annotations

__all__ = ["ECOG_OF_KARNOFSKY", "KARNOFSKY_OF_ECOG", "mapped_scores"]

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


def mapped_scores(scale: str, score: int) -> frozenset[int]:
    """The scores on the *other* scale that ``score`` on ``scale`` corresponds to."""
    table = ECOG_OF_KARNOFSKY if scale == "Karnofsky" else KARNOFSKY_OF_ECOG
    return table.get(score, frozenset())
