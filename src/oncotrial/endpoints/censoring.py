"""Time-to-event event and censoring rules, declared as objects that the ADTTE engine executes.

admiral's ``derive_param_tte`` takes ``event_source()`` and ``censor_source()`` objects (admiralonco
ships ``pd_event``, ``death_event``, ``lasta_censor``, ``rand_censor``, ``lastalive_censor``); the
engine (:func:`oncotrial.endpoints.tte.derive_adtte`) does the same with these:

- an :class:`EventSource` names a kind of event (progression, death, local progression);
- a :class:`CensorSource` names a censoring date (last tumour assessment, last *adequate*
  assessment, last known alive, time zero);
- a :class:`CensoredEvent` names a circumstance in which an event, or its absence, is censored
  at an earlier adequate assessment instead (FDA 2018 Table 4: new anticancer therapy, two or
  more missed assessments);
- a :class:`TteDefinition` puts them together for one parameter (OS, PFS, TTP, DoR, LPFS), and
  :class:`CensoringRules` is a named set of definitions.

How the engine executes a definition: the earliest event of the listed sources on or after time
zero is the event (a tie goes to the source listed first); without one, the latest date of the
censoring sources (a tie goes to the source listed last, as admiral's ``filter_extreme(mode =
"last")``); then the censored-event rules, in order, may replace the result by a censoring at
the last adequate assessment before their limit (time zero when there is none).

Variants are new declarations: e.g. an FDA 2018 sensitivity analysis that counts progression
after missed assessments as an event is :func:`fda_2018` with ``missed_applies_to`` set to
deaths only, or a set without the new-therapy rule (see ``docs/endpoints.md``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Final

from oncotrial.catalogue.rule import Rule

__all__ = [
    "ADMIRALONCO_RULES",
    "FDA_2018_RULES",
    "PARAM_LABELS",
    "CensorDate",
    "CensorSource",
    "CensoredEvent",
    "CensoringRules",
    "EventKind",
    "EventSource",
    "Param",
    "RuleSet",
    "TteDefinition",
    "Unless",
    "fda_2018",
    "rules_for",
]


class RuleSet(StrEnum):
    ADMIRALONCO = "admiralonco"
    FDA_2018 = "fda2018"


class Param(StrEnum):
    OS = "OS"
    PFS = "PFS"
    TTP = "TTP"
    DOR = "RSD"  # admiralonco's parameter code for duration of response
    LPFS = "LPFS"


PARAM_LABELS = {
    Param.OS: "Overall Survival",
    Param.PFS: "Progression Free Survival",
    Param.TTP: "Time to Progression",
    Param.DOR: "Duration of Response",
    Param.LPFS: "Local Progression Free Survival",
}


class EventKind(StrEnum):
    """What happened (EVNTDESC)."""

    PROGRESSION = "Disease Progression"
    DEATH = "Death"
    LOCAL_PROGRESSION = "Local Progression"


class CensorDate(StrEnum):
    """Which date a subject without an event is censored at."""

    LAST_ASSESSMENT = "last tumour assessment"  # ADRS LSTA, else the last OVR record
    LAST_ADEQUATE_ASSESSMENT = "last adequate tumour assessment"  # OVR not NE/ND/missing
    LAST_ALIVE = "last known alive date"  # ADSL LSTALVDT
    TIME_ZERO = "time zero"  # the reference date, or the start of response for DoR


class Unless(StrEnum):
    """The circumstances in which an event (or no event) is censored instead."""

    NEW_THERAPY = "new anticancer therapy"
    MISSED_ASSESSMENTS = "missed assessments"


@dataclass(frozen=True, kw_only=True)
class EventSource(Rule):
    """admiral ``event_source``: this kind of event, dated as recorded."""

    event: EventKind

    def __str__(self) -> str:
        return f"event: {self.event.value}"


@dataclass(frozen=True, kw_only=True)
class CensorSource(Rule):
    """admiral ``censor_source``: a date a subject without an event may be censored at.

    ``evntdesc`` and ``cnsdtdsc`` are written to ADTTE (time zero's are the reference's label).
    """

    date: CensorDate
    evntdesc: str = ""
    cnsdtdsc: str = ""

    def __str__(self) -> str:
        return f"censored at the {self.date.value}"


@dataclass(frozen=True, kw_only=True)
class CensoredEvent(Rule):
    """An event (or its absence) censored at the last adequate assessment before a limit.

    ``NEW_THERAPY``: a new anticancer therapy started before the event, or without one — censored
    at the last adequate assessment on or before the therapy's start. ``MISSED_ASSESSMENTS``: an
    event of ``applies_to`` more than ``max_gap_days`` after the last adequate assessment before
    it (time zero when there is none) — censored at that assessment. Time zero's descriptions
    are written when no adequate assessment qualifies.
    """

    unless: Unless
    cnsdtdsc: str
    evntdesc: str
    max_gap_days: int | None = None
    applies_to: frozenset[EventKind] = frozenset(EventKind)

    def __str__(self) -> str:
        if self.unless is Unless.NEW_THERAPY:
            return "censored at the last adequate assessment on or before a new anticancer therapy"
        kinds = (
            "an event"
            if self.applies_to == frozenset(EventKind)
            else " or ".join(sorted(k.value for k in self.applies_to))
        )
        return (
            f"{kinds} more than {self.max_gap_days} days after the last adequate assessment: "
            "censored at that assessment"
        )


@dataclass(frozen=True)
class TteDefinition:
    """One ADTTE parameter: its events, its censoring dates and the events it censors."""

    param: Param
    events: tuple[EventSource, ...]
    censors: tuple[CensorSource, ...]
    censored_events: tuple[CensoredEvent, ...] = ()

    def rules(self) -> Iterator[Rule]:
        yield from self.events
        yield from self.censors
        yield from self.censored_events

    def describe(self) -> str:
        parts = [
            f"{self.param.value}: first of {', '.join(e.event.value for e in self.events)}",
            f"else latest of {', '.join(c.date.value for c in self.censors)}",
        ]
        parts += [str(rule) for rule in self.censored_events]
        return "; ".join(parts)


@dataclass(frozen=True)
class CensoringRules:
    """A named rule set: one definition per parameter, printable for audit."""

    name: RuleSet
    definitions: tuple[TteDefinition, ...]
    source: str = ""
    notes: tuple[str, ...] = field(default=())

    def definition(self, param: Param) -> TteDefinition:
        for definition in self.definitions:
            if definition.param is param:
                return definition
        raise KeyError(f"the {self.name.value} rules define no {param.value}")

    @property
    def rules(self) -> tuple[Rule, ...]:
        """Every declared rule once, in the order of the definitions."""
        seen: dict[str, Rule] = {}
        for definition in self.definitions:
            for rule in definition.rules():
                seen.setdefault(rule.id, rule)
        return tuple(seen.values())

    def _censored(self, unless: Unless) -> CensoredEvent | None:
        for rule in self.rules:
            if isinstance(rule, CensoredEvent) and rule.unless is unless:
                return rule
        return None

    @property
    def censor_new_therapy(self) -> bool:
        return self._censored(Unless.NEW_THERAPY) is not None

    @property
    def censor_missed_assessments(self) -> bool:
        rule = self._censored(Unless.MISSED_ASSESSMENTS)
        return rule is not None and rule.max_gap_days is not None

    @property
    def missed_assessment_days(self) -> int | None:
        rule = self._censored(Unless.MISSED_ASSESSMENTS)
        return rule.max_gap_days if rule is not None else None

    def without(self, *unless: Unless) -> CensoringRules:
        """The same rules without the censored-event rules of these kinds (sensitivity variants,
        :mod:`oncotrial.endpoints.sensitivity`)."""
        definitions = tuple(
            replace(
                d, censored_events=tuple(e for e in d.censored_events if e.unless not in unless)
            )
            for d in self.definitions
        )
        return replace(self, definitions=definitions)

    def describe(self) -> str:
        lines = [f"Censoring rules: {self.name.value}"]
        lines += [f"- {rule.id}: {rule.description} [{rule.source}]" for rule in self.rules]
        lines += [f"  {definition.describe()}" for definition in self.definitions]
        if self.censor_missed_assessments:
            lines.append(
                f"  (two missed assessments = a gap of more than {self.missed_assessment_days} "
                "days)"
            )
        lines += [f"  {note}" for note in self.notes]
        return "\n".join(lines)


_ADMIRAL: Final = "admiralonco ADTTE template (ad_adtte.R), admiral derive_param_tte"
_FDA: Final = (
    "FDA Guidance: Clinical Trial Endpoints for Cancer Drugs and Biologics (2018), Table 4"
)

# --- admiralonco's source objects (R/onco_tte_sources.R) ---------------------------------------
PD_EVENT: Final = EventSource(
    "event-progression",
    "progression: the first PD (ADRS PD = Y), on or after time zero",
    f"{_ADMIRAL}: pd_event",
    event=EventKind.PROGRESSION,
)
DEATH_EVENT: Final = EventSource(
    "event-death",
    "death: ADRS DEATH = Y when the response data carry it, else ADSL DTHDT",
    f"{_ADMIRAL}: death_event",
    event=EventKind.DEATH,
)
LOCAL_PROGRESSION_EVENT: Final = EventSource(
    "event-local-progression",
    "local progression of a treated lesion (oncotrial.endpoints.local_progression)",
    "oncotrial LOCAL_PROGRESSION_RULES (RECIST 1.1 thresholds on the treated lesion)",
    event=EventKind.LOCAL_PROGRESSION,
)
LASTA_CENSOR: Final = CensorSource(
    "censor-last-assessment",
    "without an event: the last tumour assessment (ADRS LSTA, else the last OVR record)",
    f"{_ADMIRAL}: lasta_censor",
    date=CensorDate.LAST_ASSESSMENT,
    evntdesc="Last Tumor Assessment",
    cnsdtdsc="Last Tumor Assessment",
)
TIME_ZERO_CENSOR: Final = CensorSource(
    "censor-time-zero",
    "without an event or a later censoring date: time zero (randomization, first dose, or the "
    "start of response for DoR)",
    f"{_ADMIRAL}: rand_censor / trts_censor",
    date=CensorDate.TIME_ZERO,
)
LASTALIVE_CENSOR: Final = CensorSource(
    "censor-last-alive",
    "OS without a death: the last known alive date (ADSL LSTALVDT)",
    f"{_ADMIRAL}: lastalive_censor",
    date=CensorDate.LAST_ALIVE,
    evntdesc="Alive",
    cnsdtdsc="Alive During Study",
)

_OS: Final = TteDefinition(Param.OS, (DEATH_EVENT,), (LASTALIVE_CENSOR, TIME_ZERO_CENSOR))


def _tumour(
    censors: tuple[CensorSource, ...],
    dor_censors: tuple[CensorSource, ...],
    censored: tuple[CensoredEvent, ...] = (),
) -> tuple[TteDefinition, ...]:
    """PFS, TTP, DoR and LPFS with the given censoring (DoR starts at the first response)."""
    return (
        TteDefinition(Param.PFS, (PD_EVENT, DEATH_EVENT), censors, censored),
        TteDefinition(Param.TTP, (PD_EVENT,), censors, censored),
        TteDefinition(Param.DOR, (PD_EVENT, DEATH_EVENT), dor_censors, censored),
        TteDefinition(Param.LPFS, (LOCAL_PROGRESSION_EVENT, DEATH_EVENT), censors, censored),
    )


#: The admiralonco ADTTE template; reproduces the pharmaverse oracle ``adtte_onco.csv``. Time
#: zero is listed after the last assessment so that it wins a tie (admiral keeps the last-listed
#: of equal censoring dates); DoR lists it first (its time zero is a response assessment).
ADMIRALONCO_RULES: Final = CensoringRules(
    name=RuleSet.ADMIRALONCO,
    definitions=(
        _OS,
        *_tumour((LASTA_CENSOR, TIME_ZERO_CENSOR), (TIME_ZERO_CENSOR, LASTA_CENSOR)),
    ),
    source=_ADMIRAL,
)

LAST_ADEQUATE_CENSOR: Final = CensorSource(
    "censor-last-adequate-assessment",
    "no progression or death: censored at the last adequate assessment (not NE, ND or "
    "missing); no adequate post-baseline assessment: censored at time zero",
    _FDA,
    date=CensorDate.LAST_ADEQUATE_ASSESSMENT,
    evntdesc="Last Tumor Assessment",
    cnsdtdsc="Last Tumor Assessment",
)
NEW_THERAPY_CENSOR: Final = CensoredEvent(
    "censor-new-therapy",
    "new anticancer therapy started before progression or death: censored at the last "
    "adequate assessment on or before it",
    _FDA,
    unless=Unless.NEW_THERAPY,
    cnsdtdsc="New Anticancer Therapy",
    evntdesc="Last Tumor Assessment Before New Anticancer Therapy",
)


def missed_assessments(
    max_gap_days: int | None, applies_to: frozenset[EventKind] = frozenset(EventKind)
) -> CensoredEvent:
    """FDA 2018: an event after two or more missed assessments is censored before them.

    A death within the gap of time zero (before the first assessment was due twice) stays an
    event; ``max_gap_days`` None (no imaging schedule known) disables the rule.
    """
    return CensoredEvent(
        "censor-missed-assessments",
        "progression or death after two or more missed assessments: censored at the last "
        "adequate assessment before it; a death before the first assessment, within two "
        "assessment intervals of time zero, is an event",
        _FDA,
        unless=Unless.MISSED_ASSESSMENTS,
        cnsdtdsc="Event After Two or More Missed Assessments",
        evntdesc="Last Tumor Assessment Before Missed Assessments",
        max_gap_days=max_gap_days,
        applies_to=applies_to,
    )


def fda_2018(
    max_gap_days: int | None,
    *,
    new_therapy: bool = True,
    missed_applies_to: frozenset[EventKind] = frozenset(EventKind),
) -> CensoringRules:
    """FDA 2018 Table 4 (PFS censoring), with the switches a sensitivity analysis varies."""
    censored: tuple[CensoredEvent, ...] = (NEW_THERAPY_CENSOR,) if new_therapy else ()
    if max_gap_days is not None:
        censored += (missed_assessments(max_gap_days, missed_applies_to),)
    # Time zero first: an adequate assessment on the day of time zero wins the tie.
    censors = (TIME_ZERO_CENSOR, LAST_ADEQUATE_CENSOR)
    return CensoringRules(
        name=RuleSet.FDA_2018,
        definitions=(_OS, *_tumour(censors, censors, censored)),
        source=_FDA,
    )


FDA_2018_RULES: Final = fda_2018(None)


def rules_for(
    name: RuleSet | str,
    *,
    assessment_interval_days: int | None = None,
    assessment_window_days: int = 0,
) -> CensoringRules:
    """The named rule set; FDA 2018 takes the imaging schedule to define a missed assessment."""
    kind = RuleSet(name)
    if kind is RuleSet.ADMIRALONCO:
        return ADMIRALONCO_RULES
    gap = (
        2 * assessment_interval_days + assessment_window_days if assessment_interval_days else None
    )
    return fda_2018(gap)
