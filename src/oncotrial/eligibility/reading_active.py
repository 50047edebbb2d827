"""'Active' before a condition mention: the condition's clinical status (issue 12).

"Active autoimmune disease", "Has known active autoimmune disease", "active, non-infectious
pneumonitis", "Current or active pneumonitis": the condition with a clinical status of active,
recurrence or relapse (HL7 FHIR R4 Condition.clinicalStatus; ``ConditionRule.active``).
"Active or history of interstitial lung disease" asks for the condition at any time: the words
widen the rule to the plain one (a record ever), and are read as such.

Only the conditions whose mention ``reading_conditions`` reads and whose 'active' means the
clinical status are qualified here (``ACTIVE_CONDITIONS``): brain/CNS metastases have their own
reading of 'active' (``reading_cns``), hepatitis B/C and HIV theirs (a viral load,
``reading_viral``). Any other qualifier ("requiring systemic treatment", "uncontrolled") stays
unread, and the item with it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

from oncotrial.eligibility.reading import _Reader

__all__ = ["ACTIVE_CONDITIONS", "Qualifier", "qualified", "qualifier_before"]

# The conditions an 'active' before their mention qualifies: autoimmune disease (with the
# members reading_conditions reads for it), interstitial lung disease and pneumonitis.
ACTIVE_CONDITIONS: frozenset[str] = frozenset(
    {
        "autoimmune_disease",
        "vitiligo",
        "type_1_diabetes",
        "autoimmune_thyroiditis",
        "interstitial_lung_disease",
        "pneumonitis",
    }
)

Qualifier = tuple[int, Literal["active", "ever"]]

# just before the mention: "active", "known active", "clinically active", "concurrent active",
# "current or active", "ongoing or active", "active," ("active, non-infectious pneumonitis")
_ACTIVE = re.compile(
    r"\b(?:(?:current|ongoing)\s+or\s+|concurrent\s+|clinically\s+)?active\s*,?\s*$", re.I
)
# "active or history of", "active or prior": the condition at any time
_EVER = re.compile(
    r"\bactive\s+or\s+(?:(?:a\s+)?(?:prior\s+|past\s+|previous\s+)?history\s+of"
    r"|prior|previous|past)\s+$",
    re.I,
)


# "history of active pneumonitis", "prior active TB": active once, at any time — not the
# status now, and not read as 'ever' either (whether an inactive record was once active is not
# recorded): left unread
_PAST = re.compile(r"\b(?:history\s+of|prior|previous|past|former)\s+(?:an?\s+)?$", re.I)


def qualifier_before(text: str, start: int) -> Qualifier | None:
    """The qualifier ending at ``start`` (a mention's first character): where it begins and
    what it asks for, 'active' (the clinical status) or 'ever' (a record at any time)."""
    before = text[max(0, start - 60) : start]
    offset = start - len(before)
    ever = _EVER.search(before)
    if ever is not None:
        return offset + ever.start(), "ever"
    active = _ACTIVE.search(before)
    if active is not None and _PAST.search(before, 0, active.start()) is None:
        return offset + active.start(), "active"
    return None


def qualified(
    r: _Reader,
    hits: list[tuple[int, int, tuple[str, ...], bool]],
    quals: list[Qualifier | None],
    joined: list[bool],
    taken: Callable[[_Reader, int, int], bool],
) -> list[str | None]:
    """What each mention's qualifier asks ('active', 'ever', None): a qualifier reaches the
    mentions joined after it ("active ILD or pneumonitis"); it is read (consumed) only when
    every one of them is a condition 'active' qualifies, else it stays unread."""
    status: list[str | None] = [None] * len(hits)
    for i, q in enumerate(quals):
        if q is None or taken(r, q[0], hits[i][0]):
            continue
        run = [i]
        while run[-1] + 1 < len(hits) and joined[run[-1]] and quals[run[-1] + 1] is None:
            run.append(run[-1] + 1)
        if not all(set(hits[k][2]) <= ACTIVE_CONDITIONS for k in run):
            continue
        r.consume(q[0], hits[i][0])
        for k in run:
            status[k] = q[1]
    return status
