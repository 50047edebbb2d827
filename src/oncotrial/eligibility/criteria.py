"""Eligibility criteria as ordered items of text, split from a registration's criteria text.

The registration's text is kept verbatim (``Eligibility.text``) and split into items: one per
bullet, numbered line or paragraph, with the nesting depth and the bullet as written, so nothing
is lost and the order is the registration's. Computable rules attach to items later; an item
without rules is an investigator checklist item, never a silent pass.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from oncotrial.catalogue.durations import DAYS_PER_WEEK, DAYS_PER_YEAR
from oncotrial.eligibility.rules import Rule, iter_rules
from oncotrial.eligibility.scopes import criteria_heading, scope_label

__all__ = [
    "Age",
    "Criterion",
    "CriterionKind",
    "Eligibility",
    "parse_age",
    "split_criteria",
]


class CriterionKind(StrEnum):
    INCLUSION = "inclusion"
    EXCLUSION = "exclusion"


class Age(BaseModel):
    """An age limit as the registry states it ("18 Years", "6 Months")."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: float = Field(ge=0)
    unit: str = Field("years", pattern=r"^(years|months|weeks|days|hours|minutes)$")

    @property
    def years(self) -> float:
        # One year of 365.25 days throughout (oncotrial.catalogue.durations); weeks were once
        # 52.1775 per year, a Gregorian 365.2425-day year beside the Julian one of the days.
        per_year = {
            "years": 1.0,
            "months": 12.0,
            "weeks": DAYS_PER_YEAR / DAYS_PER_WEEK,
            "days": DAYS_PER_YEAR,
            "hours": DAYS_PER_YEAR * 24,
            "minutes": DAYS_PER_YEAR * 24 * 60,
        }
        return self.value / per_year[self.unit]

    def __str__(self) -> str:
        return f"{self.value:g} {self.unit}"


class Criterion(BaseModel):
    """One criterion item: its id (I3, I3.1, E2), text, nesting depth and bullet as written."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[IE]\d+(\.\d+)*$")
    kind: CriterionKind
    text: str = Field(min_length=1)
    depth: int = Field(0, ge=0)
    bullet: str | None = Field(None, description="The bullet or number as written ('*', 'a)').")
    rules: tuple[Rule, ...] = Field(
        (), description="Computable rules read from the text; none: an investigator checklist item."
    )
    unread: tuple[str, ...] = Field(
        (),
        description="Words of the text no rule reads, quoted (a number, an 'or', an 'except "
        "…'): the item is then an investigator checklist item whatever its rules say "
        "(oncotrial.eligibility.logic).",
    )
    sub_items: Literal["all", "any"] | None = Field(
        None,
        description="The item only introduces the list under it ('PATIENT CHARACTERISTICS:', "
        "'Adequate organ function as defined below:', 'one of the following:') and is decided by "
        "its sub-items: 'all' — every sub-item passes; 'any' — at least one does, the sub-items "
        "being alternatives (oncotrial.eligibility.sublists).",
    )

    @model_validator(mode="after")
    def _check_rules(self) -> Criterion:
        if self.sub_items is not None and self.rules:
            raise ValueError(
                f"item {self.id} is decided by its sub-items ({self.sub_items}); it has no rules "
                "of its own"
            )
        if self.sub_items == "any" and self.kind is CriterionKind.EXCLUSION:
            # "excluded only when one of the following holds" is any excluding item: 'all'
            raise ValueError(
                f"item {self.id}: an exclusion's sub-items each exclude; use sub_items 'all'"
            )
        seen: set[str] = set()
        for rule in iter_rules(self.rules):
            if not rule.id.startswith(self.id + "-"):
                raise ValueError(f"rule id {rule.id!r} must start with the item's id {self.id}-")
            if rule.id in seen:
                raise ValueError(f"rule id {rule.id!r} is used twice")
            seen.add(rule.id)
            span = rule.source
            if span is not None and self.text[span.start : span.end] != span.text:
                raise ValueError(
                    f"rule {rule.id}: source {span.start}-{span.end} is "
                    f"{self.text[span.start : span.end]!r} in the item's text, not {span.text!r}"
                )
        return self


class Eligibility(BaseModel):
    """Who may take part: the registry's limits and criteria items."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sex: str | None = Field(None, pattern=r"^(ALL|FEMALE|MALE)$")
    minimum_age: Age | None = None
    maximum_age: Age | None = None
    healthy_volunteers: bool | None = None
    standard_ages: tuple[str, ...] = ()
    study_population: str | None = Field(None, description="Observational studies only.")
    sampling_method: str | None = None
    inclusion: tuple[Criterion, ...] = ()
    exclusion: tuple[Criterion, ...] = ()
    text: str | None = Field(None, description="The registration's criteria text, verbatim.")

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        return self.inclusion + self.exclusion


_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(year|month|week|day|hour|minute)s?\s*$", re.I)


def parse_age(text: str | None) -> Age | None:
    """'18 Years' → Age(18, years); None or 'N/A' → None."""
    if not text or text.strip().upper() in {"N/A", "NA", "NONE"}:
        return None
    match = _AGE.match(text)
    if not match:
        return None
    return Age(value=float(match.group(1)), unit=match.group(2).lower() + "s")


_HEADING = re.compile(
    r"^\s*(?:[*#•-]\s*)?(?P<kind>inclusion|exclusion|key\s+inclusion|key\s+exclusion)"
    r"(?:\s+criteria|\s+criterion)?\s*:?\s*$",
    re.IGNORECASE,
)
# A heading with a qualifier, as registry records write them ("Exclusion Criteria All Arms:",
# NCT06062498; "Inclusion Criteria for Cohort 5:", "Exclusion Criteria Related to General
# Health:", "Key exclusion criteria for both phases:", "Inclusion criteria include:", "Exclusion
# Criteria --"; 60 of the 1,329 development records, jwlieb/clinical-trial-agent data/demo
# @387df17). Left unread, the items after "Exclusion Criteria All Arms:" were inclusion items,
# and "Patients who have received major surgery within 28 days" became a requirement. The
# qualifier is kept only when it names a cohort, part, arm, phase or step ("for Cohort 5"): the
# heading line then stays as the label over the items it scopes (eligibility.scopes). A heading
# ends with a colon or dashes, or its qualifier opens as one does ("for", "(", "- ", "specific
# to", "related to", "PHASE 1"); without the colon, never a sentence ("Exclusion criteria 6 and
# 7 are removed with …").
_QUALIFIED_HEADING = re.compile(
    r"^\s*(?:[*#•-]\s*)?(?P<kind>(?:key\s+)?(?:inclusion|exclusion))\s+criteri(?:a|on)\b"
    r"(?:(?P<ends>[^:.]{0,160}?\s*(?::|-{2,}))|(?P<open>\s*(?:\(|-\s|for\b|specific\b|related\b"
    r"|applicable\b|applying\b|only\b|all\b|(?:phase|part|cohort|arm|step)\b)[^:.]{0,160}))\s*$",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"\b(?:are|is|was|were|will|must|shall|do|does|apply|applies)\b", re.I)
# "Exclusion Criteria: Heel pain caused by …" — the heading and the first item on one line
_INLINE_HEADING = re.compile(
    r"^\s*(?:[*#•-]\s*)?(?P<kind>(?:key\s+)?(?:inclusion|exclusion))\s+criteri(?:a|on)\s*:"
    r"\s*(?P<text>\S.*)$",
    re.IGNORECASE,
)


def _heading(line: str) -> tuple[CriterionKind, str | None] | None:
    """The kind a heading line switches to, and the text of an item on the same line."""
    found = _HEADING.match(line) or _QUALIFIED_HEADING.match(line)
    if found is not None and not (
        found.groupdict().get("open") and _SENTENCE.search(found.group(0))
    ):
        text = None
    else:
        found = _INLINE_HEADING.match(line)
        if found is None:
            prefixed = criteria_heading(line)  # "General Exclusion Criteria:" (scopes)
            if prefixed is None:
                return None
            return CriterionKind(prefixed[0]), None
        text = found.group("text")
    kind = found.group("kind").lower()
    return (
        CriterionKind.EXCLUSION if "exclusion" in kind else CriterionKind.INCLUSION,
        text,
    )


# Bullets: *, -, •, ⁃, ·, ◦, ▪; numbers 1. 1) (1); letters a. a) (a); roman i. ii) (iv).
_BULLET = re.compile(
    r"^(?P<indent>[ \t]*)(?P<bullet>[*•⁃·◦▪‣∙-]|\(?\d{1,2}[.)]|\(?[a-z][.)]|\(?[ivx]{1,4}[.)])"
    r"(?=\s)\s+(?P<text>\S.*)$",
    re.IGNORECASE,
)
_SUB_BULLETS = {"⁃", "◦", "▪", "‣", "∙", "-"}


def _indent(indent: str) -> int:
    return len(indent.replace("\t", "    "))


def _sub_glyph(bullet: str) -> bool:
    """A bullet that marks a sub-item even when the indentation was lost."""
    if bullet in _SUB_BULLETS and bullet != "-":
        return True
    # lettered items sit under numbered ones in registry criteria (roman numerals do not)
    return bool(
        re.fullmatch(r"\(?[a-z][.)]", bullet, re.I)
        and not re.fullmatch(r"\(?[ivx]+[.)]", bullet, re.I)
    )


def split_criteria(
    text: str | None, default: CriterionKind = CriterionKind.INCLUSION
) -> tuple[tuple[Criterion, ...], tuple[Criterion, ...]]:
    """Split criteria text into ordered inclusion and exclusion items.

    Headings ("Inclusion Criteria:", "Exclusion Criteria") switch the kind; before any heading
    items are ``default``. A line that starts with a bullet or number starts an item; a line
    without one continues the previous item unless a blank line came before it, in which case it
    is a paragraph item of its own (registry pages separate criteria by paragraphs).
    """
    items: dict[CriterionKind, list[tuple[int, bool, str | None, list[str]]]] = {
        CriterionKind.INCLUSION: [],
        CriterionKind.EXCLUSION: [],
    }
    kind = default
    current: tuple[int, bool, str | None, list[str]] | None = None
    blank_before = True
    for raw in (text or "").splitlines():
        line = raw.rstrip()
        if not line.strip():
            blank_before = True
            continue
        heading = _heading(line)
        if heading is not None:
            kind, inline = heading
            current = None
            blank_before = True
            if inline is not None and not re.search(r"\w", inline):
                # nothing but a bullet glyph after the heading ("Inclusion Criteria: ∙") is no
                # item: the items follow on the next lines
                inline = None
            if inline is None and scope_label(line) is None:
                continue
            # "Inclusion Criteria for Cohort 5:" switches the kind and stays, as an item, the
            # label over the cohort's items (eligibility.scopes): they are not for everyone
            line = line.strip() if inline is None else inline  # the first item, on its line
        bullet = _BULLET.match(line)
        if bullet:
            current = (
                _indent(bullet.group("indent")),
                _sub_glyph(bullet.group("bullet")),
                bullet.group("bullet"),
                [bullet.group("text").strip()],
            )
            items[kind].append(current)
        elif current is not None and not blank_before:
            current[3].append(line.strip())
        else:
            current = (0, False, None, [line.strip()])
            items[kind].append(current)
        blank_before = False
    return (
        _number(items[CriterionKind.INCLUSION], CriterionKind.INCLUSION),
        _number(items[CriterionKind.EXCLUSION], CriterionKind.EXCLUSION),
    )


def _number(
    raw: list[tuple[int, bool, str | None, list[str]]], kind: CriterionKind
) -> tuple[Criterion, ...]:
    """Ids follow the nesting: I1, I1.1, I1.2, I2 …; a jump in depth nests one level only.

    Nesting is read from the indentation *relative to the items before*: bullets indented alike
    are siblings, however deep the first one sits (the older ClinicalTrials.gov layout indents
    every bullet, "  -  ", and sub-bullets further, "       -  "). A sub-item glyph or a letter
    ("a.") at the margin nests one level under the item before.
    """
    prefix = "I" if kind is CriterionKind.INCLUSION else "E"
    counters: list[int] = []
    widths: list[int] = []  # the indentation of each open level
    result = []
    for indent, sub, bullet, lines in raw:
        while widths and widths[-1] > indent:
            widths.pop()
        if not widths or widths[-1] < indent - 1:  # one space more is not a new level
            widths.append(indent)
        depth = len(widths) - 1
        if sub and depth == 0 and counters:
            depth = 1
        level = min(depth, len(counters), 4)  # cannot nest deeper than one below the last item
        counters = counters[: level + 1]
        if len(counters) == level:
            counters.append(0)
        counters[level] += 1
        result.append(
            Criterion(
                id=prefix + ".".join(str(c) for c in counters),
                kind=kind,
                text=" ".join(lines),
                depth=level,
                bullet=bullet,
            )
        )
    return tuple(result)
