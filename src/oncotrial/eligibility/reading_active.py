"""'Active' before a condition mention: the condition's clinical status (issue 12).

"Active autoimmune disease", "Has known active autoimmune disease", "active, non-infectious
pneumonitis", "Current or active pneumonitis": the condition with a clinical status of active,
recurrence or relapse (HL7 FHIR R4 Condition.clinicalStatus; ``ConditionRule.active``).
"Active or history of interstitial lung disease" asks for the condition at any time: the words
widen the rule to the plain one (a record ever), and are read as such.

Only the conditions whose mention ``reading_conditions`` reads and whose 'active' means the
clinical status are qualified so (``ACTIVE_CONDITIONS``). Any other qualifier ("requiring
systemic treatment", "uncontrolled") stays unread, and the item with it.

Hepatitis B/C, HIV and brain/CNS metastases or leptomeningeal disease have readings of 'active'
of their own when the item defines it: a viral load or antigen ("active hepatitis B (defined as
HBsAg positive …)", ``reading_viral``), untreated or unstable metastases ("… patients with
treated brain metastases are eligible if …", ``reading_cns``). Where the item does not define
it — Merck's "Has known active Hepatitis B or Hepatitis C", "Known active central nervous
system (CNS) metastases and/or carcinomatous meningitis" — 'active' is the sponsor's word, no
record field (a clinical status of 'active' is no viral load), and it only narrows the
condition. It is read as the rule's qualifier (``rules.QUALIFIER``, ``CONFIRMED_ACTIVE``) on the
condition now (not resolved): no current record of it is not met — a cured hepatitis C or a
resolved record is no active one —, a current record asks the screener to confirm 'active'
(unknown, never met on the record alone).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from oncotrial.eligibility.reading import _Reader

__all__ = [
    "ACTIVE_CONDITIONS",
    "CNS_NARROWED",
    "CONFIRMED_ACTIVE",
    "QUALIFIED",
    "Qualifier",
    "confirmed",
    "qualified",
    "qualifier_before",
]

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
        "inflammatory_bowel_disease",
    }
)

# The conditions whose 'active', undefined by the item, is the screener's to confirm (above).
CONFIRMED_ACTIVE: frozenset[str] = frozenset(
    {"hepatitis_b", "hepatitis_c", "hiv", "brain_metastases", "leptomeningeal_disease"}
)
QUALIFIED = ACTIVE_CONDITIONS | CONFIRMED_ACTIVE

# Brain/CNS metastases and leptomeningeal disease narrowed by words no record shows:
# "Symptomatic brain metastases or leptomeningeal involvement" (NCT03093116 E2), "Symptomatic,
# untreated, or actively progressing central nervous system (CNS) metastases" (NCT04802759 E13;
# development records of jwlieb/clinical-trial-agent data/demo @387df17). Each word, and any
# list of them, is a part of the metastases there now, so the words are the qualifier to confirm
# on the current condition, as an undefined 'active' is. Untreated metastases the item defines
# are reading_cns's, read before these mentions.
CNS_NARROWED: frozenset[str] = frozenset({"brain_metastases", "leptomeningeal_disease"})
_NARROWING_WORD = (
    r"(?:symptomatic|untreated|unstable|(?:actively\s+)?progressing|progressive|active|new|"
    r"uncontrolled)"
)
_NARROWING = re.compile(
    # never a negated word: "non-progressing", "not symptomatic"
    r"(?<![\w-])(?<!non\s)(?<!not\s)(?<!no\s)(?P<words>"
    + _NARROWING_WORD
    + r"(?:\s*,?\s*(?:(?:and/)?or\s+)?"
    + _NARROWING_WORD
    + r")*)\s*,?\s*$",
    re.I,
)

# where a qualifier begins, and what it asks for: 'active' (the clinical status), 'ever' (a
# record at any time) or 'narrow:<words>' (CNS_NARROWED, words to confirm)
Qualifier = tuple[int, str]

# just before the mention: "active", "known active", "clinically active", "concurrent active",
# "current or active", "ongoing or active", "active," ("active, non-infectious pneumonitis")
_ACTIVE = re.compile(
    r"\b(?:(?:current|ongoing)\s+or\s+|concurrent\s+|clinically\s+)?active\s*,?\s*$", re.I
)
# "active or history of", "active or prior": the condition at any time; the other way round too,
# "History of or active inflammatory bowel disease", "History of or current central nervous
# system metastases" (development records of jwlieb/clinical-trial-agent data/demo @387df17)
_HISTORY_OF = r"(?:(?:a\s+)?(?:prior\s+|past\s+|previous\s+)?history\s+of|prior|previous|past)"
_EVER = re.compile(
    r"\b(?:active\s+or\s+"
    + _HISTORY_OF
    + r"|(?:(?:any|known)\s+)?"
    + _HISTORY_OF
    + r"\s*,?\s*(?:and/)?or\s+(?:current|active|ongoing))\s+$",
    re.I,
)

# a qualifier of its own before "or active" ("untreated or active"); not a list's joint ("HIV
# infection or active hepatitis B", "active hepatitis B or active hepatitis C")
_ALTERNATIVE = re.compile(
    r"\b(?:untreated|symptomatic|progressing|progressive|unstable|uncontrolled|new)\s*,?\s*"
    r"(?:and/)?or\s*$",
    re.I,
)

# "history of active pneumonitis", "prior active TB": active once, at any time — not the
# status now, and not read as 'ever' either (whether an inactive record was once active is not
# recorded): left unread
_PAST = re.compile(r"\b(?:history\s+of|prior|previous|past|former)\s+(?:an?\s+)?$", re.I)


def qualifier_before(text: str, start: int, narrowing: bool = False) -> Qualifier | None:
    """The qualifier ending at ``start`` (a mention's first character): where it begins and
    what it asks for, 'active' (the clinical status) or 'ever' (a record at any time); with
    ``narrowing`` (a mention of CNS_NARROWED) also 'narrow:<words>', the words to confirm."""
    before = text[max(0, start - 60) : start]
    offset = start - len(before)
    ever = _EVER.search(before)
    if ever is not None:
        return offset + ever.start(), "ever"
    narrow = _NARROWING.search(before) if narrowing else None
    words = re.findall(_NARROWING_WORD, narrow["words"], re.I) if narrow is not None else []
    # more than 'active' alone (an 'active' of its own is read below, for every condition)
    if narrow is not None and any(w.lower() != "active" for w in words):
        return offset + narrow.start(), "narrow:" + " ".join(narrow["words"].split())
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
    """What each mention's qualifier asks ('active', 'ever', 'confirm:<words>', None): a qualifier
    reaches the mentions joined after it ("active ILD or pneumonitis"); it is read (consumed)
    only when every one of them is a condition 'active' qualifies in the same way (all of
    ``ACTIVE_CONDITIONS`` or all of ``CONFIRMED_ACTIVE``), else it stays unread. 'Confirm:active'
    is 'active' on a condition of ``CONFIRMED_ACTIVE``; narrowing words of ``CNS_NARROWED``
    mentions are confirmed the same way (``confirmed``)."""
    status: list[str | None] = [None] * len(hits)
    for i, q in enumerate(quals):
        if q is None or taken(r, q[0], hits[i][0]):
            continue
        run = [i]
        while run[-1] + 1 < len(hits) and joined[run[-1]] and quals[run[-1] + 1] is None:
            run.append(run[-1] + 1)
        if q[1].startswith("narrow:"):
            if not all(set(hits[k][2]) <= CNS_NARROWED for k in run):
                continue  # the words of metastases, before a mention of another condition
            r.consume(q[0], hits[i][0])
            for k in run:
                status[k] = "confirm:" + q[1].removeprefix("narrow:")
            continue
        # one kind of 'active' for the whole run: "active pneumonitis or HIV" would give each
        # mention its own, and whether the word reaches the second is not said
        kinds = [set(hits[k][2]) <= ACTIVE_CONDITIONS for k in run]
        if not all(set(hits[k][2]) <= QUALIFIED for k in run) or len(set(kinds)) > 1:
            continue
        # "untreated or active CNS metastases": 'active' one of two qualifiers, and the other
        # unread — the pair would widen what 'active' alone narrows (NCT05482568 E1)
        if not kinds[0] and _ALTERNATIVE.search(r.text, max(0, q[0] - 30), q[0]):
            continue
        r.consume(q[0], hits[i][0])
        for k in run:
            status[k] = q[1] if q[1] == "ever" or kinds[0] else "confirm:active"
    return status


def confirmed(asked: str | None) -> str | None:
    """The words a status of ``qualified`` asks the screener to confirm ('confirm:<words>'):
    'active' for an undefined 'active' (CONFIRMED_ACTIVE), the narrowing words of metastases
    (CNS_NARROWED); None for any other status."""
    if asked is not None and asked.startswith("confirm:"):
        return asked.removeprefix("confirm:")
    return None
