"""The list an item stands in, and what it makes of the item (issue 12).

An item's words may be read right and still be decided wrongly by where they stand: next to an
"or" that joins it to its neighbour, under an inclusion that negates its list, under an exclusion
that states a requirement, among alternatives, for a subgroup its parent or a line before it names.
Each function here returns the quoted words that say so; the parser adds them to the item's
unread words, so the item is never decided alone (``parser.read_eligibility``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise

from oncotrial.eligibility.criteria import Criterion, CriterionKind
from oncotrial.eligibility.scopes import names_everyone
from oncotrial.eligibility.sublists import (
    alternatives_of,
    ancestor_ids,
    introduces_list,
    lists_exclusions,
)
from oncotrial.eligibility.text import normalise_text
from oncotrial.eligibility.unread import BENIGN_OR

__all__ = [
    "alternative_items",
    "alternative_parent",
    "flat_subgroups",
    "negated_parent",
    "required_parent",
    "subgroup_parent",
]


# "or" alone between two items may be set off by dashes or stars: "-OR-" (NCT06663072 I13, a
# development record of jwlieb/clinical-trial-agent data/demo @387df17, between "Creatinine
# <1.5 mg/dL" and "Creatinine Clearance ≥ 50 mL/min"), "— or —", "*OR*"
_ENDS_WITH_OR = re.compile(r"(?:\bor|\band/or)[\s,;:.*\-–—)]*$", re.I)
_STARTS_WITH_OR = re.compile(r"^[\s*\-–—(]*(?:or|and/or)\b", re.I)


def alternative_items(items: tuple[Criterion, ...]) -> dict[str, str]:
    """Items joined to a neighbour by "or" ("Creatinine ≤ 1.5 × ULN or" / "creatinine clearance
    ≥ 45 mL/min"): neither may be decided alone, so each carries the other's words as unread."""
    joined: dict[str, str] = {}
    for before, after in pairwise(items):
        if _ENDS_WITH_OR.search(before.text) or _STARTS_WITH_OR.search(after.text):
            joined[before.id] = f"or (item {after.id}): {after.text[:80]}"
            joined[after.id] = f"or (item {before.id}): {before.text[:80]}"
    return joined


# A parent item that names a subgroup its sub-items apply to: "HIV-positive patients must have:",
# "For patients with liver metastases:", "If on anticoagulation:"
_SUBGROUP = re.compile(
    r"\b(?:if|unless|except|when|whose|positive|negative|infected|carriers?|seropositive)\b"
    r"|\b(?:for|in)\s+(?:[\w-]+\s+){0,3}?(?:patients|subjects|participants|those|women|men)\b"
    r"|\b(?:patients|subjects|participants|those|women|men)\s+(?:with|who|on|receiving|taking)\b",
    re.I,
)


# An inclusion item that negates the list under it: "No concurrent serious illness including, but
# not limited to, any of the following:" over "Myocardial infarction within the past 6 months".
# Each sub-item names what excludes; read as an inclusion of its own it would require it (a
# patient without a myocardial infarction would fail), so it is never decided alone.
_NEGATED_LIST = re.compile(
    r"^\s*(?:no|none\s+of|without|absence\s+of|(?:patients?|subjects?|participants?)\s+"
    r"(?:must|should|may)\s+not\s+have|must\s+not\s+have)\b[^:]*(?::\s*$|\bfollowing\b)",
    re.I,
)


# An exclusion item that states a requirement over the list under it: "Subject has adequate bone
# marrow function as demonstrated by:" over "Platelet count ≥50 x 10^9/L" (NCT04266730 E20;
# NCT06634875 E8, NCT05566223 E21: inclusions filed among the exclusions in development records
# of jwlieb/clinical-trial-agent data/demo @387df17). Read as exclusions, the limits excluded
# every patient who met them; they are never decided alone.
_REQUIRED_LIST = re.compile(
    r"^\W*(?:(?:the\s+)?(?:patients?|subjects?|participants?)\s+(?:must\s+|should\s+)?"
    r"(?:has|have|demonstrates?|shows?)\s+|must\s+have\s+|demonstrates?\s+|ha(?:s|ve)\s+)?"
    r"(?:an?\s+)?(?:adequate|normal|acceptable|sufficient|appropriate)\b",
    re.I,
)


def required_parent(criterion: Criterion, by_id: dict[str, Criterion]) -> str | None:
    """The quoted exclusion parent that states a requirement over a sub-item, if one does."""
    if criterion.kind is not CriterionKind.EXCLUSION:
        return None
    for parent in _ancestors(criterion, by_id):
        if _REQUIRED_LIST.search(normalise_text(parent.text).text):
            words = " ".join(parent.text.split())
            return f"a requirement under item {parent.id}, listed among the exclusions: {words}"
    return None


def _ancestors(criterion: Criterion, by_id: dict[str, Criterion]) -> Iterator[Criterion]:
    """The items a sub-item is nested under, nearest first (I2.3.1: I2.3, then I2)."""
    for parent_id in ancestor_ids(criterion.id, by_id):
        yield by_id[parent_id]


def negated_parent(criterion: Criterion, by_id: dict[str, Criterion]) -> str | None:
    """The quoted inclusion parent that negates the list a sub-item belongs to, if one does."""
    if criterion.kind is not CriterionKind.INCLUSION:
        return None
    for parent in _ancestors(criterion, by_id):
        if _NEGATED_LIST.search(normalise_text(parent.text).text):
            return f"under the negation of item {parent.id}: {' '.join(parent.text.split())}"
    return None


# Words that make a list's introduction conditional on nothing: "Participants are eligible to be
# included in the study only if all of the following criteria apply:" (every participant must
# meet them), "All Patients (unless otherwise noted):"
_FOR_EVERYONE = re.compile(
    r"\bonly\s+if\s+all\s+(?:of\s+)?the\s+following|\bunless\s+otherwise\s+(?:noted|stated|"
    r"specified|indicated)|\bif\s+any\s+of\s+the\s+following\s+(?:criteria\s+)?appl(?:y|ies)",
    re.I,
)


def _names_subgroup(item: Criterion) -> bool:
    """Whether the item names a subgroup the items it introduces apply to."""
    if introduces_list(item) is not None or lists_exclusions(item) or names_everyone(item.text):
        # "Patients who meet the following criteria … will be excluded:", "Subjects with the
        # following cardiac dysfunctions …:", "For All Patients" name no subgroup: they
        # introduce the list (eligibility.sublists, eligibility.scopes)
        return False
    text = BENIGN_OR.sub(" ", normalise_text(item.text).text)
    # "Patients must have adequate organ and bone marrow function as defined below. If
    # laboratory values are …": a requirement of everyone, whatever its later "if"
    return (
        _SUBGROUP.search(text) is not None
        and _FOR_EVERYONE.search(text) is None
        and _REQUIRED_LIST.search(text) is None
    )


def subgroup_parent(criterion: Criterion, by_id: dict[str, Criterion]) -> str | None:
    """The quoted parent item whose subgroup a sub-item's limits apply to, if one does."""
    for parent in _ancestors(criterion, by_id):
        if _names_subgroup(parent):
            return f"for the subgroup of item {parent.id}: {' '.join(parent.text.split())}"
    return None


def flat_subgroups(items: tuple[Criterion, ...]) -> dict[str, str]:
    """The items after a flat line that names a subgroup and ends as a heading ("Or if the
    patient were to have bone marrow involved NHL, the hematological requirements should be as
    follows:" over "Absolute neutrophil count ≥ 500/μL" at the same depth, NCT04234048 I19; "…
    note: testing is required in patients with:" over "Age > 65 years' old", NCT03935893 E12;
    development records of jwlieb/clinical-trial-agent data/demo @387df17): each quotes the
    subgroup, as a sub-item does (``subgroup_parent``), until the next line ending as a heading
    or an item shallower than the label. Read alone, the marrow patients' limit held everyone and
    an age of 65 excluded every older patient. A scope that runs on too far only leaves items to
    the investigator."""
    ids = {c.id for c in items}
    notes: dict[str, str] = {}
    label: Criterion | None = None
    for criterion in items:
        depth = criterion.id.count(".")
        if label is not None and depth < label.id.count("."):
            label = None
        if normalise_text(criterion.text).text.rstrip().endswith(":"):
            nested = any(other.startswith(criterion.id + ".") for other in ids)
            label = criterion if not nested and _names_subgroup(criterion) else None
            continue
        if label is not None:
            words = " ".join(label.text.split())
            notes[criterion.id] = f"for the subgroup of item {label.id}: {words}"
    return notes


def alternative_parent(criterion: Criterion, by_id: dict[str, Criterion]) -> str | None:
    """The quoted parent whose list may not be decided item by item ("…, meeting 1 of the
    following:"), if one is over this sub-item."""
    for parent in _ancestors(criterion, by_id):
        found = alternatives_of(criterion, parent)
        if found is not None:
            return found
    return None
