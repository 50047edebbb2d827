"""Items scoped to a cohort, part, step, arm, phase or sub-study: never decided for everyone.

Registry criteria of multi-cohort trials label the items that hold for some patients only:
"Part 1 Dose Escalation cohort ONLY:", "For Cohorts 1b and 2b:", "Step 2: Pre-Consolidative
Immunotherapy Phase Inclusion Criteria", "PRE-REGISTRATION:", "Cohort 1: Adenocarcinoma NSCLC",
"Arm 4 only - Has an untreated …". Read as any other item, "Patients with a known hypersensitivity
to pembrolizumab" under "For Cohorts 1b and 2b:" (NCT06343402 E4-E5) excluded every patient of
the monotherapy cohorts too: a wrong verdict. The screen does not know a patient's cohort, so an
item a label scopes keeps its rules but quotes the scope among its unread words ("applies to:
For Cohorts 1b and 2b: (item E4)") and goes to the investigator.

How far a label reaches:

- a label with items nested under it (the nested layout) scopes those items, at any depth;
- a label line alone with nothing nested under it (the flat layout: "For Arm 2" then the arm's
  items at the same depth) scopes the items after it — siblings and their sub-items — until the
  next label, a label that names every patient ("For all participants:", "For All Patients"), an
  item shallower than the label, or the end of the inclusion or exclusion list. A scope that ran
  on too far only leaves items to the investigator; one that stopped too early would decide a
  cohort's criterion for everyone;
- an item that opens with a label and says more ("Cohort 1: Adenocarcinoma NSCLC", "PART II:
  ECOG ≤ 2") is a criterion for that cohort only: it is scoped itself, and so are its sub-items.

A label line alone is a heading: it has no rule of its own to decide.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from oncotrial.eligibility.text import normalise_text

if TYPE_CHECKING:  # criteria.split_criteria asks this module whether a heading names a cohort
    from oncotrial.eligibility.criteria import Criterion

__all__ = [
    "REGISTRATION_STEP_PREFIX",
    "criteria_heading",
    "is_label",
    "item_scopes",
    "names_everyone",
    "scope_label",
]

# What a label names: a cohort, part, step, arm, phase, module, stratum, group or sub-study
_NOUN = (
    r"(?:sub[- ]?stud(?:y|ies)|substud(?:y|ies)|cohorts?|parts?|steps?|arms?|phases?|modules?|"
    r"strat(?:um|a)|groups?)"
)
# "1", "1b", "2A1", "II", "VII", "A", "B1", "4A^1" — the name of one cohort, part or arm
_IDENT = r"#?(?:\d{1,2}[a-z]?\d?|[ivx]{1,4}|[a-h]\d?)(?:\s*\\?\^\s*\d)?\\?\*?(?![\w-])"
_IDENTS = rf"{_IDENT}(?:\s*(?:,|and|or|&|/|-|to)\s*(?:{_NOUN}\s*)?{_IDENT})*(?:\s*\((?:closed)\))?"
# "For", "In addition, for participants in the", "Specific for", "In addition to the above and
# specific for" — the opening of a label that then names its cohorts
_FOR = (
    r"(?:(?:in\s+addition(?:\s+to\s+the\s+above)?,?\s+(?:and\s+)?)?(?:specific(?:ally)?\s+)?"
    r"(?:for|in)\s+(?:(?:participants|patients|subjects)\s+(?:in|of|enrol+ed\s+in)\s+)?"
    r"(?:(?:either|any|each)\s+(?:of\s+)?)?(?:the\s+)?)"
)
# Words naming the part of a trial before its cohort noun: "Dose Escalation Part 1B", "Phase 2a
# Expansion Cohort", "GBCA Arms", "Japan Cohort F"
_QUALIFIER = (
    r"(?:(?:dose[- ]?)?(?:escalation|expansion|optimi[sz]ation)(?:/\w+)?|phase\s*\d[a-z]?|"
    r"part\s*\d[a-z]?|part\s+[ivx]{1,4}|(?-i:[A-Z]{2,6})|japan|monotherapy|combination|safety\s+run-in)"
)
_LEADING = re.compile(
    rf"^[\s(*•\\-]*(?P<label>{_FOR}?(?:{_QUALIFIER}\s+){{0,3}}{_NOUN}\s*(?:[-\s]?{_IDENTS})"
    rf"(?:\s+(?:and\s+)?(?:{_QUALIFIER}\s+)?{_NOUN}\s*{_IDENTS})*"
    r"(?:\s+(?:arm\s+\w+\s+)?(?:only|specific))?(?:\s+(?:females?|males?)\s+only)?"
    r"(?:\s+(?:-\s+)?(?:(?:pre-?|treatment\s+)?registration|randomi[sz]ation|specimen\s+"
    r"submission))?)"
    # "Cohort D (MD Anderson Houston patients only)", "Part 1A monotherapy:", "Arm #3
    # (Combination):"
    r"(?:\s*\([^)]{0,80}\))?"
    r"(?P<end>\s*\)?\s*(?::|\s[-–—]\s|,(?=\s)|$)|\s+only\b|\s*\)"
    r"|(?:\s+[\w&/+-]+){1,3}(?:\s*\([^)]{0,40}\))?\s*(?::|\s[-–—]\s))",
    re.I,
)
# Other openings naming a part of the trial without an identifier: "For pembrolizumab combination
# cohorts, has a history of …" (NCT04130516 E17.1), "For participants with HCC- Cohort B (Part
# 2): …" (NCT05584670 E3), "Dose Expansion: Low grade serous ovarian cancer …" (NCT06400472
# I1.3), "[CRC Dose Escalation and Dose Expansion Parts] Participant has …" (NCT07094204 I4.1)
_OPENINGS = (
    re.compile(
        r"^\W*(?P<label>(?:for|in)\s+(?:the\s+)?(?:(?:participants|patients|subjects)\s+"
        r"(?:in|with)\s+)?(?:[\w-]+\s+){0,4}?(?:cohorts?|arms?|parts?|sub-?stud(?:y|ies)|"
        r"substud(?:y|ies)|modules?)\b[^,:;.]{0,40}?)\s*[,:]",
        re.I,
    ),
    # "Patients in Arm A must have …"
    re.compile(
        rf"^\W*(?P<label>(?:patients|participants|subjects)\s+(?:in|enrol+ed\s+in|assigned\s+to)"
        rf"\s+(?:the\s+)?(?:[\w-]+\s+){{0,3}}?{_NOUN}\s*{_IDENTS})\b",
        re.I,
    ),
    re.compile(
        r"^\W*(?P<label>(?:dose[- ](?:escalation|expansion|optimi[sz]ation)|escalation|expansion)"
        r"(?:\s+(?:cohorts?|parts?|phase))?)\s*:",
        re.I,
    ),
    re.compile(
        r"^\W*\\?\[(?P<label>[^\]]{0,80}\b(?:parts?|cohorts?|arms?|phases?|modules?)\b"
        r"[^\]]{0,40}?)\\?\]",
        re.I,
    ),
)
# A line of a few words naming a cohort: "SAFETY COHORT", "Primary Study Cohorts" (NCT04572451,
# NCT05059444)
_SHORT = re.compile(r"^\W*(?:[\w-]+\s+){0,3}(?:cohorts?|arms?)\W*$", re.I)
# Without an identifier, a short line that names a part of the trial and ends as a label does:
# "Phase 1B monotherapy expansion cohort:", "Cohort-specific inclusion criteria:",
# "PRE-REGISTRATION:", "HIGH-RISK STRATUM:", "Dose Escalation Module 3:"
_NAMED = re.compile(
    r"\b(?:sub[- ]?stud(?:y|ies)|substud(?:y|ies)|cohorts?|part\s+(?:\d|[a-h]\b|[ivx]+\b)|arms?|"
    r"phase\s+(?:\d|[ivx]+\b)|modules?|strat(?:um|a)|step\s+\d|dose\s+(?:escalation|expansion|"
    r"optimi[sz]ation))"
    r"|^\W*(?:pre-?|re-?)?(?:registration|randomi[sz]ation)\b",
    re.I,
)
_LABEL_END = re.compile(
    r"(?::|\bonly|\b(?:inclusion|exclusion|eligibility)?\s*(?:criteria|requirements)\s*"
    r"(?:\([^)]{0,40}\))?\s*:?)\s*$",
    re.I,
)
# A label over every patient ends a scope and opens none: "For all participants:", "All Arms:",
# "General Inclusion Criteria:", "Phase 1 and Phase 2 (all parts):"
_EVERYONE = re.compile(
    r"^(?!.*\bexcept\b)(?:\W*(?:(?:for|in)\s+)?(?:all|both|every|general|master)\b"
    r"|.*\bfor\s+(?:both|all)\b"
    r"|.*\ball\s+(?:the\s+)?(?:"
    r"participants|patients|subjects|cohorts|arms|parts|phases|modules|groups|strata|"
    r"sub[- ]?stud(?:y|ies)|substudies)\b)",
    re.I,
)
# The first step of a trial every patient goes through: "Step 1: Pre-Chemoradiation Inclusion
# Criteria" (NCT06124118 I1), "PRE-REGISTRATION:" (NCT05269381), "STEP 0 REGISTRATION",
# "Registration Eligibility Criteria". Its items are the ones screening decides (every patient
# must meet them, now); a later step ("Step 2: Pre-Consolidative …", "STEP 2 RANDOMIZATION",
# re-registration) is met, or not, after the first and stays scoped.
_FIRST_STEP = re.compile(
    r"^\W*(?:step\s*(?:0|1|i)(?![\w.])(?:\s*[:\-–—]?\s*(?:pre-?\s?)?registration\b)?"
    r"|(?:pre-?\s?)?registration\b)"
    r"(?!.*\b(?:step\s*(?:[2-9]|ii)|cohorts?|arms?|parts?|sub-?stud(?:y|ies)|substud(?:y|ies)|"
    r"modules?|strat(?:um|a)|groups?)\b)",
    re.I,
)
# The same first step written before an item's own words: "STEP 1: Leukocytes ≥ 3,000/mcL (these
# labs must be obtained ≤ 28 days prior to step 1 randomization)" (NCT06732401 I9.4;
# jwlieb/clinical-trial-agent data/demo @387df17), "STEP 1 REGISTRATION: …", "REGISTRATION: …".
# Only the registration itself, the day the screen decides: a pre-registration (step 0) is an
# earlier day, on which a value may have been met that no longer is, and stays quoted.
# (matched at the item's start, or after its own number)
REGISTRATION_STEP_PREFIX = re.compile(
    r"\W*(?:step\s*(?:1|i|one)(?:\s*[-–—]?\s*(?:registration|randomi[sz]ation))?"
    r"|registration)\s*:",
    re.I,
)
# A verb makes a sentence, not a label ("Cohorts 1, 2 and 3 are closed")
_VERB = re.compile(r"\b(?:must|should|will|are|is|has|have|may|can|was|were)\b", re.I)
# A list-introducing item that ends by naming the cohort it is for: "Patients who meet any of
# the following criteria will be excluded from participation in the study for Phase 2:"
_TRAILING = re.compile(
    rf"\b(?:for|in)\s+(?:the\s+)?(?:{_QUALIFIER}\s+){{0,2}}{_NOUN}\s*{_IDENTS}"
    r"(?:\s+(?:only|cohorts?|arms?))?\s*:\s*$",
    re.I,
)


# A criteria heading opened by words of its own: "The main exclusion criteria include but are
# not limited to the following:" (Merck's registry summaries, 18 development records), "General
# Exclusion Criteria:", "CNS Exclusion Criteria", "Parent inclusion criteria:", "Treatment
# Exclusion Criteria:" (91 of the 1,329 development records of jwlieb/clinical-trial-agent
# data/demo @387df17 have one). Unread, the kind did not switch: after "General Exclusion
# Criteria:" every exclusion was read as an inclusion, and "Received a live vaccine within 30
# days before the first dose" became a requirement (NCT04657068 I60). A colon or dashes end it,
# or nothing does, or what follows opens as a qualifier does; never a sentence ("Other inclusion
# criteria per study protocol.", "More exclusion criteria may apply.").
_CRITERIA_HEADING = re.compile(
    # ("Key Exclusion Criteria …" is criteria.py's own heading, whatever follows it)
    r"^\s*(?P<bullet>[*#•-]\s*)?(?!key\s+(?:inclusion|exclusion)\b)"
    r"(?P<prefix>(?:(?!(?:inclusion|exclusion|criteria|and|or)\b)"
    r"[\w#+/()&'-]+\s+){1,5}?)(?P<kind>inclusion|exclusion)\s+criteri(?:a|on)\b"
    r"(?P<rest>[^:.]{0,160}?)"
    # Merck's "… include but are not limited to the following:", "… are as follows:"
    r"(?P<tail>\s+(?:include|includes|are)\s*,?\s*(?:but\s+(?:are\s+)?not\s+limited\s+to"
    r"|as\s+follows)(?:\s+the\s+following)?)?"
    r"\s*(?P<end>:|-{2,})?\s*$",
    re.I,
)
_HEADING_QUALIFIER = re.compile(
    r"^\s*(?:\(|-\s|for\b|specific\b|related\b|applicable\b|applying\b|only\b|all\b|"
    r"apply\s+to\b|applies\s+to\b|(?:phase|part|cohort|arm|step)\b)",
    re.I,
)
# Opening words of an item that speaks of criteria, not of a heading ("Meets all inclusion
# criteria", "None of the exclusion criteria", "Other inclusion criteria per protocol")
_NOT_A_HEADING = re.compile(
    r"\b(?:all|any|meets?|met|of|fulfil\w*|satisf\w*|no|not|none|other|further|more|these|"
    r"those|each|every|per|see|above|below|with|without|remaining|incomplete)\b",
    re.I,
)
# Opening words that name no part of the trial: the heading is for every patient
_EVERY_PATIENT_OPENING = re.compile(
    r"^\W*(?:the\s+)?(?:general|main|key|selected|major|principal|core|common|master|study|"
    r"additional|patients?|subjects?|participants?|disease[-\s]specific)\s*$",
    re.I,
)


def criteria_heading(line: str) -> tuple[Literal["inclusion", "exclusion"], str | None] | None:
    """A criteria heading opened by words of its own: the kind it switches to, and the label
    it scopes the items after it to (None: every patient, "General Exclusion Criteria:")."""
    found = _CRITERIA_HEADING.match(line)
    if (
        found is None
        or _VERB.search(found.group("prefix"))
        or _NOT_A_HEADING.search(found.group("prefix"))
    ):
        return None
    rest, ends = found.group("rest"), found.group("end") is not None
    if found.group("bullet") and not ends:
        return None  # "* Incomplete inclusion criteria": an item of the list
    if not ends and rest.strip() and not _HEADING_QUALIFIER.match(rest):
        return None
    if _VERB.search(rest) and not re.match(r"\s*appl(?:y|ies)\s+to\b", rest, re.I):
        return None
    kind: Literal["inclusion", "exclusion"] = (
        "exclusion" if found.group("kind").lower() == "exclusion" else "inclusion"
    )
    words = " ".join(line.split()).strip(" *#•-")
    if _EVERYONE.search(words) or (
        _EVERY_PATIENT_OPENING.match(found.group("prefix")) and not rest.strip()
    ):
        return kind, None
    return kind, words.rstrip(": -")


def _text(criterion: Criterion | str) -> str:
    text = criterion if isinstance(criterion, str) else criterion.text
    return " ".join(normalise_text(text).text.split())


def scope_label(text: str) -> str | None:
    """The label words that open ``text`` ("Cohort 1", "For Cohorts 1b and 2b", "Arm 4 only"),
    or that close a list introduction ("… for Phase 2:"); None when it names no part of a trial
    or names every patient."""
    words = " ".join(normalise_text(text).text.split())
    if _EVERYONE.search(words) or _FIRST_STEP.match(words):
        return None
    heading = criteria_heading(words)
    if heading is not None and heading[1] is not None:
        return heading[1]
    found = _LEADING.match(words)
    if found is not None:
        return found.group("label").strip(" (*•\\-")
    for opening in _OPENINGS:
        found = opening.match(words)
        if found is not None:
            return found.group("label").strip()
    trailing = _TRAILING.search(words)
    if trailing is not None:
        return trailing.group(0).rstrip(": ").strip()
    if _label_only(words):
        return words.rstrip(": ")
    return None


def _label_only(words: str) -> bool:
    """A short line without a verb that names a part of the trial and ends as a label."""
    if _SHORT.match(words) and not _VERB.search(words):
        return True
    # "For high risk and very high risk CLL-IPI (Arms A and B) only:" (NCT03516617 E11, a
    # development record of jwlieb/clinical-trial-agent data/demo @387df17): longer, but "only"
    # closes it as a label
    longest = 20 if re.search(r"\bonly\s*:?\s*$", words, re.I) else 12
    return (
        len(words.split()) <= longest
        and _NAMED.search(words) is not None
        and _LABEL_END.search(words) is not None
        and _VERB.search(words) is None
    )


def is_label(criterion: Criterion | str) -> bool:
    """Whether the item is a label and nothing more ("Part 1 Dose Escalation cohort ONLY:",
    "For Arm 2", "Step 1: Pre-Chemoradiation Inclusion Criteria", "COHORT 5"): a heading."""
    words = _text(criterion)
    if _EVERYONE.search(words) or scope_label(words) is None:
        return False
    if criteria_heading(words) is not None or _label_only(words):
        return True
    found = _LEADING.match(words)
    if found is None:
        return False
    rest = words[found.end() :].strip(" :-–—")
    # "Part 1A monotherapy", "Dose escalation Part 1B", "Cohort 1A (CLOSED):"
    return not rest or (
        words.rstrip().endswith(":") and len(words.split()) <= 8 and not _VERB.search(words)
    )


def _everyone(criterion: Criterion) -> bool:
    """A label over every patient: "For all participants:", "For All Patients", and the first
    step every patient goes through ("PRE-REGISTRATION:")."""
    words = _text(criterion)
    if _FIRST_STEP.match(words) and len(words.split()) <= 12 and not _VERB.search(words):
        return True
    return (
        len(words.split()) <= 8
        and _EVERYONE.search(words) is not None
        and _VERB.search(words) is None
        and (
            words.endswith(":") or re.search(r"\b(?:participants|patients|subjects)$", words, re.I)
        )
        is not None
    )


_ALL_PATIENTS = re.compile(
    r"^\W*(?:for\s+)?all\s+(?:(?:the\s+)?(?:patients|participants|subjects|cohorts|arms|parts|"
    r"phases))\s*:?\s*$",
    re.I,
)


def names_everyone(text: str) -> bool:
    """Whether an item only says its sub-items hold for every patient ("For All Patients",
    NCT05661461 I1; "All cohorts:"): no subgroup, no scope."""
    return _ALL_PATIENTS.match(_text(text)) is not None


def item_scopes(items: Sequence[Criterion]) -> dict[str, str]:
    """For each item of one list (the inclusion or the exclusion items, in order) a label
    scopes, the quoted scope: "applies to: <label> (item <id>)"; the labels themselves are not
    scoped by their own words, only by labels over them."""
    notes: dict[str, list[str]] = {}
    ids = {c.id for c in items}
    flat: Criterion | None = None  # a label alone, scoping the items after it
    for criterion in items:
        depth = criterion.id.count(".")
        if flat is not None and (
            depth < flat.id.count(".")
            or (depth == flat.id.count(".") and (is_label(criterion) or _everyone(criterion)))
        ):
            flat = None
        found: list[str] = []
        if flat is not None:
            found.append(f"applies to: {_text(flat)} (item {flat.id})")
        for ancestor in _ancestors(criterion.id, ids):
            label = scope_label(_by_id(items, ancestor).text)
            if label is not None:
                found.append(f"applies to: {_text(_by_id(items, ancestor))} (item {ancestor})")
        own = scope_label(criterion.text)
        if own is not None:  # a label alone has no rules to quote it into
            found.append(f"applies to: {own} (item {criterion.id})")
        if found:
            notes[criterion.id] = found
        nested = any(other.startswith(criterion.id + ".") for other in ids)
        if is_label(criterion) and not nested:
            flat = criterion
    return {cid: "; ".join(dict.fromkeys(found)) for cid, found in notes.items()}


def _ancestors(criterion_id: str, ids: set[str]) -> list[str]:
    found = []
    parent = criterion_id
    while "." in parent:
        parent = parent.rsplit(".", 1)[0]
        if parent in ids:
            found.append(parent)
    return found


def _by_id(items: Sequence[Criterion], criterion_id: str) -> Criterion:
    return next(c for c in items if c.id == criterion_id)
