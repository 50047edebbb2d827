"""Items that introduce a list: a criterion decided by the sub-items under it.

Registry criteria nest. "PATIENT CHARACTERISTICS:" stands over the limits of the NCI PDQ layout;
"Adequate organ function as defined below:" over the laboratory limits; "Patients must meet one
of the following:" over alternatives. Such an item says nothing its sub-items do not say. Read on
its own it has no rule, so it was an investigator checklist item (a clinician was asked to tick a
heading) — and its sub-items were each screened as required, so alternatives were AND-ed: a
patient meeting one alternative failed on the other (issue 12).

``Criterion.sub_items`` marks such an item, and this module decides it from its sub-items:

- ``all``: it passes when every sub-item passes. An inclusion is met when all are met; an
  exclusion is met — excludes — when any is, since under "Patients who meet the following
  criteria will be excluded:" each sub-item excludes.
- ``any``: an inclusion met when at least one sub-item is met. The sub-items are alternatives and
  are then not screened alone; the heading's verdict stands for them.

An item whose list is not a plain list is not marked: one that negates it ("No concurrent
serious illness including … any of the following:", the parser quotes the negation into the
sub-items), one that names a subgroup ("HIV-positive patients must have:"), one that defines a
term ("Nonmeasurable disease includes any of the following:"), one with content of its own
besides the alternatives ("Histologically confirmed NSCLC, meeting 1 of the following:" — its
sub-items are quoted as alternatives, ``alternatives_of``, and never decided alone).

The per-patient screen, the vectorised one and the prescreening SQL all combine headings with
``item_tree`` and ``combines_all``, and count in the overall verdict only ``ItemTree.deciding``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

from oncotrial.eligibility.criteria import Criterion, CriterionKind
from oncotrial.eligibility.logic import is_computable, kleene_and, kleene_or
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.text import normalise_text

__all__ = [
    "INTRODUCTIONS",
    "ItemTree",
    "ListIntroduction",
    "SubItems",
    "alternatives_of",
    "ancestor_ids",
    "combine_headings",
    "combines_all",
    "computable_items",
    "heading_status",
    "introduces_list",
    "item_tree",
    "lists_exclusions",
]

SubItems = Literal["all", "any"]
T = TypeVar("T")


@dataclass(frozen=True)
class ListIntroduction:
    """A way registry criteria introduce a list, as declared data: what it combines and why."""

    name: str
    combines: SubItems
    kinds: frozenset[CriterionKind]
    pattern: re.Pattern[str]
    description: str
    source: str


_BOTH = frozenset(CriterionKind)
_SUBJECT = r"(?:(?:all\s+)?(?:patients|subjects|participants)\s+(?:must|should|will|need\s+to)\s+"
_HAVE = r"(?:have|meet|fulfil+|satisfy|show)\s+)?"
# "The participant has adequate …", "Patients with adequate …" (the subject, then the adequacy)
_HOLDER = (
    r"(?:(?:the\s+)?(?:patients?|subjects?|participants?)\s+(?:(?:must|should|will)\s+)?"
    r"(?:has|have|with)\s+)?"
)

INTRODUCTIONS: tuple[ListIntroduction, ...] = (
    ListIntroduction(
        name="section in capitals",
        combines="all",
        kinds=_BOTH,
        # not a subgroup in capitals ("FOR PATIENTS WITH LIVER METASTASES:"): its limits hold
        # for the subgroup only, and the parser quotes the subgroup into them
        pattern=re.compile(
            r"(?!.*\b(?:FOR|IF|WITH|WHO|WHOSE|UNLESS|EXCEPT|WHEN|PATIENTS?|SUBJECTS?|WOMEN|MEN|"
            r"FEMALES?|MALES?|POSITIVE|NEGATIVE|NO|NOT|WITHOUT)\b)[A-Z][A-Z0-9 ,/&()'-]{2,60}:"
        ),
        description="a header in capitals over its criteria ('DISEASE CHARACTERISTICS:', "
        "'PATIENT CHARACTERISTICS:', 'PRIOR CONCURRENT THERAPY:'): each criterion under it "
        "holds on its own",
        source="NCI PDQ registry layout, e.g. NCT00602576 I1-I3, NCT00496756 I1-I3",
    ),
    ListIntroduction(
        name="PDQ section",
        combines="all",
        kinds=_BOTH,
        pattern=re.compile(
            r"(?:(?:(?:other|additional|general|key)\s+)?(?:(?:inclusion|exclusion|eligibility)"
            r"\s+)?criteria|disease\s+characteristics|patient\s+characteristics|"
            r"prior\s+(?:and\s+)?concurrent\s+therapy|age|performance\s+status|hematopoietic|"
            r"haematopoietic|hepatic|renal|cardiovascular|pulmonary|biologic\s+therapy|"
            r"chemotherapy|endocrine\s+therapy|radiotherapy|surgery)\s*:",
            re.I,
        ),
        description="a section name of the PDQ layout or 'Criteria:' over its criteria",
        source="NCI PDQ registry layout, e.g. NCT00509587 I1 ('Criteria:'), NCT00619541 E3",
    ),
    ListIntroduction(
        name="defined below",
        combines="all",
        kinds=frozenset({CriterionKind.INCLUSION}),
        pattern=re.compile(
            r"(?:" + _SUBJECT + _HAVE + "|" + _HOLDER + r")(?:adequate|normal)\s+"
            r"[\w\s,/-]{0,60}?functions?(?:\s+at\s+screening)?,?\s*(?:"
            r"as\s+defined\s+(?:below|as)|defined\s+as(?:\s+follows)?|as\s+follows|"
            r"(?:as\s+)?(?:assessed|evidenced|demonstrated|indicated|defined|measured)\s+by"
            r"(?:\s+(?:all\s+of\s+)?the\s+following(?:\s+[\w-]+){0,3})?|"
            r"(?:including|with|meeting)\s+(?:all\s+of\s+)?the\s+following(?:\s+[\w-]+){0,2})?\s*:",
            re.I,
        ),
        description="adequate organ function introduced as the limits that follow: the "
        "adequacy is the limits, every one required",
        source="NCT00634751 I4, NCT00619541 I1.10, NCT01336543 I8; 'Patients with adequate "
        "organ function as defined below:' (NCT04260022), 'The participant must have adequate "
        "organ function defined as:', 'Adequate organ function at screening, as defined by the "
        "following:', 'Subject has adequate bone marrow function as demonstrated by:' (records of "
        "jwlieb/clinical-trial-agent @387df17, tests/eligibility/test_sublists.py)",
    ),
    ListIntroduction(
        name="laboratory data meeting the following",
        combines="all",
        kinds=frozenset({CriterionKind.INCLUSION}),
        pattern=re.compile(
            r"(?:patients|subjects|participants)\s+whose\s+laboratory\s+(?:data|values|results)"
            r"(?:\s+at\s+screening)?\s+meets?\s+(?:all\s+of\s+)?the\s+following"
            r"(?:\s+criteria)?\s*:",
            re.I,
        ),
        description="'Participants whose laboratory data at screening meet the following "
        "criteria:' — the limits that follow, every one required",
        source="NCT05815173; records of jwlieb/clinical-trial-agent "
        "@387df17 (tests/eligibility/test_sublists.py)",
    ),
    ListIntroduction(
        name="inadequate function as defined by",
        combines="all",
        kinds=frozenset({CriterionKind.EXCLUSION}),
        pattern=re.compile(
            _HOLDER + r"(?:inadequate|insufficient)\s+[\w\s,/-]{0,60}?functions?,?\s*"
            r"(?:as\s+defined\s+(?:by|below|as)|defined\s+(?:by|as))(?:\s+the\s+following"
            r"(?:\s+[\w-]+){0,2})?\s*:",
            re.I,
        ),
        description="'Patients with inadequate organ function as defined by:' — each limit "
        "that follows excludes on its own",
        source="NCT06680661; records of jwlieb/clinical-trial-agent @387df17 "
        "(tests/eligibility/test_sublists.py)",
    ),
    ListIntroduction(
        name="eligible unless all of the following",
        combines="all",
        kinds=frozenset({CriterionKind.INCLUSION}),
        pattern=re.compile(
            r"an?\s+(?:patient|subject|participant)\s+cannot\s+be\s+(?:considered\s+)?eligible"
            r"(?:\s+for\s+(?:this|the)\s+(?:study|trial))?\s+unless\s+all\s+(?:of\s+)?the\s+"
            r"following\s+(?:conditions|criteria)\s+are\s+met\s*[.:]",
            re.I,
        ),
        description="'A patient cannot be considered eligible for this study unless all of the "
        "following conditions are met.' — every sub-item required",
        source="NCT05879926; records of jwlieb/clinical-trial-agent @387df17 "
        "(tests/eligibility/test_sublists.py)",
    ),
    ListIntroduction(
        name="all of the following",
        combines="all",
        kinds=frozenset({CriterionKind.INCLUSION}),
        pattern=re.compile(
            _SUBJECT + _HAVE + r"all\s+(?:of\s+)?the\s+following(?:\s+(?:criteria|conditions|"
            r"requirements))?\s*:",
            re.I,
        ),
        description="'Patients must meet all of the following:' — every sub-item required",
        source="ClinicalTrials.gov criteria layout",
    ),
    ListIntroduction(
        name="excluded if any of the following",
        combines="all",
        kinds=frozenset({CriterionKind.EXCLUSION}),
        pattern=re.compile(
            r"(?:(?:patients|subjects|participants)\s+(?:who|that|with)\s+(?:meet|have|fulfil+|"
            r"present)\s+|presence\s+of\s+)?(?:any\s+(?:one\s+)?of\s+)?the\s+following"
            r"(?:\s+(?:criteria|conditions))?(?:\s+at\s+the\s+time\s+of\s+(?:screening|"
            r"enrol+ment|registration))?(?:\s+(?:will\s+be|are)\s+(?:excluded|ineligible|not\s+"
            r"eligible)(?:\s+from\s+(?:the|this)\s+(?:study|trial))?)?\s*[:;]"
            r"(?:\s*excluded\s+[\w\s,]{0,40}:)?",
            re.I,
        ),
        description="'Patients who meet the following criteria will be excluded:' — each "
        "sub-item excludes on its own",
        source="NCT00619541 E1, NCT00079612 E1",
    ),
    ListIntroduction(
        name="one of the following",
        combines="any",
        kinds=frozenset({CriterionKind.INCLUSION}),
        pattern=re.compile(
            _SUBJECT + _HAVE + r"(?:at\s+least\s+)?(?:one|1|either|any\s+one)\s+of\s+the\s+"
            r"following(?:\s+(?:criteria|conditions|requirements))?\s*:",
            re.I,
        ),
        description="'Patients must meet one of the following:' — the sub-items are "
        "alternatives, one suffices",
        source="ClinicalTrials.gov criteria layout, e.g. NCT00619541 I1.2",
    ),
)

# Alternatives announced by an item with content of its own ("Histologically confirmed NSCLC,
# meeting 1 of the following stage criteria:", NCT00098540 I1): its sub-items must not be
# required each, and the item is not a plain heading either.
# "Participants should have any of the following indications for therapy:" (NCT04815356 I2,
# a development record of jwlieb/clinical-trial-agent data/demo @387df17) is one of them too: in
# an inclusion, having any one suffices ("must not have any of the following" is a negation,
# list_context._NEGATED_LIST, and comes first).
_ALTERNATIVES = re.compile(
    r"\b(?:(?:at\s+least\s+)?(?:one|1|either|any(?:\s+one)?)\s+of\s+the\s+following|"
    r"(?:one|1|either)\s+of\s*:\s*$)",
    re.I,
)
# An inclusion naming an illness and listing examples of it ("Uncontrolled current illness,
# including, but not limited to the following:" over "Unstable angina pectoris within 6 months",
# NCT04858256 I16, an exclusion filed under inclusion; "Diagnosis of … lymphoid cancer,
# including any of the following:"): a sub-item is an example of what the item names, not a
# requirement of its own — read alone it would fail every patient without unstable angina.
_EXAMPLES = re.compile(
    r"\b(?:illness(?:es)?|diseases?|disorders?|conditions?|cancers?|malignanc(?:y|ies)|"
    r"lymphomas?|leuka?emias?|symptoms?|infections?)\b[^:]{0,60}?\b(?:including|such\s+as|"
    r"(?:which|that)\s+includes?)\b",
    re.I,
)
# An exclusion announcing that its sub-items exclude only together ("Patients with both of the
# following are excluded:"): each read alone would exclude on one of them.
_TOGETHER = re.compile(r"\b(?:both|all)\s+(?:of\s+)?the\s+following\b", re.I)


# An exclusion whose sub-items are what it excludes: "Subjects with the following cardiac
# dysfunctions or clinically significant cardiac diseases:" (NCT05394831), "Patients with a known
# history of cardiac disease. This includes:" (NCT05154487), "Patients who have an uncontrolled
# intercurrent illness including, but not limited to any of the following:" (NCT07261657). It
# names no subgroup: each sub-item excludes on its own. Not when it names one ("HIV positive
# subjects with 1 or more of the following:"), makes an exception ("… except for the following:"),
# or qualifies the list with a time or a number the sub-items do not repeat ("Subjects with
# cardiomyopathy diagnosed within 6 months prior to treatment initiation including …:" — read
# alone, a sub-item would exclude a cardiomyopathy of any date).
_EXCLUDING_LIST = re.compile(
    r"(?:(?:(?:any|one\s+or\s+more|1\s+or\s+more)\s+of\s+)?the\s+following\b[^:]{0,90}|"
    r"\b(?:this|which)\s+includes?|\bincluding(?:,?\s+but\s+not\s+limited\s+to)?,?"
    r"(?:\s+(?:any\s+of\s+)?the\s+following)?)\s*:\s*$",
    re.I,
)
_NOT_A_PLAIN_LIST = re.compile(
    r"\b(?:if|unless|except|excluding|when|whose|positive|negative|infected|carriers?|"
    r"seropositive|hiv|hepatitis|hbv|hcv|women|men|females?|males?|childbearing|pregnan\w*|"
    r"who\s+are|both|all|within|before|after|since|during|days?|weeks?|months?|years?|"
    r"for|allowed|permitted|eligible|may)\b|\d",
    re.I,
)
# "… if applicable:", "… will be excluded if they fulfill any of the following:" name no subgroup
_BENIGN_IF = re.compile(
    r",?\s*\bif\s+(?:applicable|(?:they\s+|the\s+(?:patient|subject|participant)\s+)?"
    r"(?:fulfil+s?|meets?|ha(?:s|ve)|presents?\s+with)?\s*any\s+(?:one\s+)?of\s+the\s+"
    r"following)\b",
    re.I,
)


def lists_exclusions(parent: Criterion) -> bool:
    """Whether an exclusion item only introduces what excludes, each sub-item on its own
    ("Subjects with the following cardiac dysfunctions …:"), naming no subgroup."""
    if parent.kind is not CriterionKind.EXCLUSION:
        return False
    text = " ".join(normalise_text(parent.text).text.split())
    if not _EXCLUDING_LIST.search(text):
        return False
    return _NOT_A_PLAIN_LIST.search(_BENIGN_IF.sub(" ", text)) is None


def introduces_list(criterion: Criterion) -> SubItems | None:
    """``all`` or ``any`` when the item's whole text introduces a list (``INTRODUCTIONS``)."""
    text = " ".join(normalise_text(criterion.text).text.split())
    for introduction in INTRODUCTIONS:
        if criterion.kind in introduction.kinds and introduction.pattern.fullmatch(text):
            return introduction.combines
    return None


def alternatives_of(criterion: Criterion, parent: Criterion) -> str | None:
    """The quoted parent when ``criterion`` is one of a list its parent does not let be decided
    item by item: alternatives under an inclusion with content of its own, examples of an
    illness an inclusion names, or the sub-items of an exclusion that excludes only on all of
    them together."""
    if introduces_list(parent) is not None:
        return None
    text = normalise_text(parent.text).text
    words = " ".join(parent.text.split())
    if criterion.kind is CriterionKind.INCLUSION and _ALTERNATIVES.search(text):
        return f"an alternative under item {parent.id}: {words}"
    if criterion.kind is CriterionKind.INCLUSION and _EXAMPLES.search(text):
        return f"an example of what item {parent.id} names: {words}"
    if criterion.kind is CriterionKind.EXCLUSION and _TOGETHER.search(text):
        return f"excludes only with the other sub-items of item {parent.id}: {words}"
    return None


def _parent_id(criterion_id: str, ids: Container[str]) -> str | None:
    """The nearest item a sub-item is nested under (I2.3.1: I2.3, else I2)."""
    parent = criterion_id
    while "." in parent:
        parent = parent.rsplit(".", 1)[0]
        if parent in ids:
            return parent
    return None


@dataclass(frozen=True)
class ItemTree:
    """How a protocol's headings combine: each heading's direct sub-items, the headings in the
    order to combine them (deepest first, so a heading's sub-headings are decided before it),
    and the items whose verdicts make the overall one."""

    sub_items: dict[str, tuple[str, ...]]
    order: tuple[str, ...]
    deciding: frozenset[str]


def item_tree(criteria: Sequence[Criterion]) -> ItemTree:
    """The headings of ``criteria`` (items with ``sub_items``) and what decides the overall.

    An ``all`` heading does not decide (its sub-items do, each on its own); the sub-items of an
    ``any`` heading, at any depth, do not decide (the heading does, for them). A heading
    without sub-items stays an investigator checklist item.
    """
    by_id = {c.id: c for c in criteria}
    kids: dict[str, list[str]] = {c.id: [] for c in criteria if c.sub_items is not None}
    for criterion in criteria:
        parent = _parent_id(criterion.id, by_id)
        if parent in kids:
            kids[parent].append(criterion.id)
    order = tuple(sorted(kids, key=lambda cid: -cid.count(".")))
    deciding: set[str] = set()
    for criterion in criteria:
        if criterion.sub_items == "all" and kids[criterion.id]:
            continue
        ancestors = ancestor_ids(criterion.id, by_id)
        if any(by_id[a].sub_items == "any" and kids[a] for a in ancestors):
            continue
        deciding.add(criterion.id)
    return ItemTree({k: tuple(v) for k, v in kids.items()}, order, frozenset(deciding))


def ancestor_ids(criterion_id: str, by_id: Container[str]) -> Iterator[str]:
    """The ids of the items a sub-item is nested under, nearest first (I2.3.1: I2.3, then I2)."""
    parent = _parent_id(criterion_id, by_id)
    while parent is not None:
        yield parent
        parent = _parent_id(parent, by_id)


def combine_headings(
    criteria: Sequence[Criterion], values: dict[str, T], combine: Callable[[list[T], bool], T]
) -> ItemTree:
    """Set each heading's value in ``values`` from its sub-items' values, deepest first, with
    ``combine(parts, all_of)`` — a vectorised column or a SQL expression, so the batch screen and
    the prescreening query combine alike; the tree, for the overall verdict."""
    tree = item_tree(criteria)
    by_id = {c.id: c for c in criteria}
    for heading in tree.order:
        parts = [values[k] for k in tree.sub_items[heading]]
        sub_items = by_id[heading].sub_items
        if parts and sub_items is not None:
            values[heading] = combine(parts, combines_all(by_id[heading].kind, sub_items))
    return tree


def combines_all(kind: str, sub_items: SubItems) -> bool:
    """Whether a heading's status is the AND of its sub-items' statuses (else the OR).

    An inclusion's ``all``: every sub-item met. An exclusion's ``all``: met — it excludes —
    when any sub-item is met (an OR). An inclusion's ``any``: one sub-item met (an OR).
    """
    return kind == CriterionKind.INCLUSION and sub_items == "all"


def heading_status(kind: str, sub_items: SubItems, statuses: Iterable[Status]) -> Status:
    """A heading's status from its direct sub-items' statuses; none: a checklist item."""
    found = tuple(statuses)
    if not found:
        return Status.INVESTIGATOR
    return kleene_and(found) if combines_all(kind, sub_items) else kleene_or(found)


def computable_items(criteria: Sequence[Criterion]) -> frozenset[str]:
    """The items data can decide: computable rules and nothing unread, or a heading over
    sub-items that all are."""
    tree = item_tree(criteria)
    found = {c.id for c in criteria if is_computable(c.rules, c.unread)}
    for heading in tree.order:
        kids = tree.sub_items[heading]
        if kids and all(k in found for k in kids):
            found.add(heading)
    return frozenset(found)
