"""ClinicalTrials.gov's results section (API v2 ``resultsSection``) as immutable objects.

Field names are the API's own keys in snake case (``num_subjects`` ↔ ``numSubjects``), so one
generic writer (:func:`to_api`) and reader (:func:`from_api`) cover every module; the reader
refuses a key the model does not know, naming its path, so that nothing of a registry record is
silently dropped. Counts and measurements are text, as in the API (``"NA"`` is a legal value of
a measurement, with its ``comment``); the adverse-event numbers are integers, as in the API.

The keys modelled are those of real records with results (``../shared/reference/ctgov``;
tests/results/test_keys.py checks both directions).
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from dataclasses import dataclass
from typing import Any, TypeVar

from oncotrial.errors import InputError

__all__ = [
    "Achievement",
    "AdverseEvent",
    "AdverseEventsModule",
    "Analysis",
    "BaselineCharacteristicsModule",
    "BaselineMeasure",
    "Category",
    "CertainAgreement",
    "Denom",
    "DenomCount",
    "DropWithdraw",
    "EventGroup",
    "EventStats",
    "Group",
    "LimitationsAndCaveats",
    "MeasureClass",
    "Measurement",
    "Milestone",
    "MoreInfoModule",
    "OutcomeMeasure",
    "OutcomeMeasuresModule",
    "ParticipantFlowModule",
    "Period",
    "PointOfContact",
    "Reason",
    "ResultsSection",
    "from_api",
    "to_api",
]


@dataclass(frozen=True)
class Group:
    id: str  # FG000 (flow), BG000 (baseline), OG000 (outcome), EG000 (adverse events)
    title: str
    description: str | None = None


@dataclass(frozen=True)
class Achievement:
    group_id: str
    num_subjects: str
    comment: str | None = None


@dataclass(frozen=True)
class Milestone:
    type: str  # STARTED, COMPLETED, NOT COMPLETED, or a milestone title of the team's
    achievements: tuple[Achievement, ...] = ()


@dataclass(frozen=True)
class Reason:
    group_id: str
    num_subjects: str


@dataclass(frozen=True)
class DropWithdraw:
    type: str
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class Period:
    title: str
    milestones: tuple[Milestone, ...] = ()
    drop_withdraws: tuple[DropWithdraw, ...] = ()


@dataclass(frozen=True)
class ParticipantFlowModule:
    pre_assignment_details: str | None = None
    recruitment_details: str | None = None
    groups: tuple[Group, ...] = ()
    periods: tuple[Period, ...] = ()


@dataclass(frozen=True)
class DenomCount:
    group_id: str
    value: str


@dataclass(frozen=True)
class Denom:
    units: str
    counts: tuple[DenomCount, ...] = ()


@dataclass(frozen=True)
class Measurement:
    group_id: str
    value: str | None = None
    spread: str | None = None
    lower_limit: str | None = None
    upper_limit: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class Category:
    title: str | None = None
    measurements: tuple[Measurement, ...] = ()


@dataclass(frozen=True)
class MeasureClass:
    title: str | None = None
    denoms: tuple[Denom, ...] = ()
    categories: tuple[Category, ...] = ()


@dataclass(frozen=True)
class BaselineMeasure:
    title: str
    description: str | None = None
    population_description: str | None = None
    param_type: str | None = None  # COUNT_OF_PARTICIPANTS, MEDIAN, MEAN, NUMBER, …
    dispersion_type: str | None = None  # FULL_RANGE, STANDARD_DEVIATION, …
    unit_of_measure: str | None = None
    classes: tuple[MeasureClass, ...] = ()


@dataclass(frozen=True)
class BaselineCharacteristicsModule:
    population_description: str | None = None
    groups: tuple[Group, ...] = ()
    denoms: tuple[Denom, ...] = ()
    measures: tuple[BaselineMeasure, ...] = ()


@dataclass(frozen=True)
class Analysis:
    group_ids: tuple[str, ...] = ()
    group_description: str | None = None
    non_inferiority_type: str | None = None  # SUPERIORITY, OTHER, …
    p_value: str | None = None
    statistical_method: str | None = None
    param_type: str | None = None
    param_value: str | None = None
    dispersion_type: str | None = None
    dispersion_value: str | None = None
    ci_pct_value: str | None = None
    ci_num_sides: str | None = None  # TWO_SIDED, ONE_SIDED
    ci_lower_limit: str | None = None
    ci_upper_limit: str | None = None
    estimate_comment: str | None = None


@dataclass(frozen=True)
class OutcomeMeasure:
    type: str  # PRIMARY, SECONDARY, OTHER_PRE_SPECIFIED, POST_HOC
    title: str
    description: str | None = None
    population_description: str | None = None
    reporting_status: str | None = None  # POSTED
    param_type: str | None = None
    dispersion_type: str | None = None  # "95% Confidence Interval", "Full Range", …
    unit_of_measure: str | None = None
    time_frame: str | None = None
    groups: tuple[Group, ...] = ()
    denoms: tuple[Denom, ...] = ()
    classes: tuple[MeasureClass, ...] = ()
    analyses: tuple[Analysis, ...] = ()


@dataclass(frozen=True)
class OutcomeMeasuresModule:
    outcome_measures: tuple[OutcomeMeasure, ...] = ()


@dataclass(frozen=True)
class EventGroup:
    id: str
    title: str
    description: str | None = None
    deaths_num_affected: int | None = None
    deaths_num_at_risk: int | None = None
    serious_num_affected: int | None = None
    serious_num_at_risk: int | None = None
    other_num_affected: int | None = None
    other_num_at_risk: int | None = None


@dataclass(frozen=True)
class EventStats:
    group_id: str
    num_events: int | None = None
    num_affected: int | None = None
    num_at_risk: int | None = None


@dataclass(frozen=True)
class AdverseEvent:
    term: str
    organ_system: str
    source_vocabulary: str | None = None
    assessment_type: str | None = None  # SYSTEMATIC_ASSESSMENT, NON_SYSTEMATIC_ASSESSMENT
    notes: str | None = None
    stats: tuple[EventStats, ...] = ()


@dataclass(frozen=True)
class AdverseEventsModule:
    frequency_threshold: str | None = None
    time_frame: str | None = None
    description: str | None = None
    event_groups: tuple[EventGroup, ...] = ()
    serious_events: tuple[AdverseEvent, ...] = ()
    other_events: tuple[AdverseEvent, ...] = ()


@dataclass(frozen=True)
class LimitationsAndCaveats:
    description: str | None = None


@dataclass(frozen=True)
class CertainAgreement:
    pi_sponsor_employee: bool | None = None
    restriction_type: str | None = None
    restrictive_agreement: bool | None = None
    other_details: str | None = None


@dataclass(frozen=True)
class PointOfContact:
    title: str | None = None
    organization: str | None = None
    email: str | None = None
    phone: str | None = None
    phone_ext: str | None = None


@dataclass(frozen=True)
class MoreInfoModule:
    limitations_and_caveats: LimitationsAndCaveats | None = None
    certain_agreement: CertainAgreement | None = None
    point_of_contact: PointOfContact | None = None


@dataclass(frozen=True)
class ResultsSection:
    participant_flow_module: ParticipantFlowModule | None = None
    baseline_characteristics_module: BaselineCharacteristicsModule | None = None
    outcome_measures_module: OutcomeMeasuresModule | None = None
    adverse_events_module: AdverseEventsModule | None = None
    more_info_module: MoreInfoModule | None = None


# --- the API's key names -----------------------------------------------------------------------


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", key).lower()


def to_api(value: Any) -> Any:
    """The object as API v2 JSON (camelCase keys); empty values are left out, as the API does."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for field in dataclasses.fields(value):
            item = to_api(getattr(value, field.name))
            if item is None or item == () or item == [] or item == {}:
                continue
            out[_camel(field.name)] = item
        return out
    if isinstance(value, tuple):
        return [to_api(v) for v in value]
    return value


T = TypeVar("T")


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _read(kind: Any, value: Any, path: str, source: str) -> Any:
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        (inner,) = [a for a in typing.get_args(kind) if a is not type(None)]
        return _read(inner, value, path, source)
    if origin is tuple:
        if not isinstance(value, list):
            raise _bad(source, path, "a list")
        inner = typing.get_args(kind)[0]
        return tuple(_read(inner, v, f"{path}[{i}]", source) for i, v in enumerate(value))
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return from_api(kind, value, path=path, source=source)
    if kind is bool:
        if not isinstance(value, bool):
            raise _bad(source, path, "true or false")
        return value
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _bad(source, path, "a whole number")
        return value
    if kind is str:
        if not isinstance(value, str):
            raise _bad(source, path, "text")
        return value
    raise TypeError(f"no reader for {kind!r}")  # a defect of the model, not of the input


def _bad(source: str, path: str, expected: str) -> InputError:
    return InputError(
        f"{source}: {path} is not {expected}",
        field=path,
        hint="Correct the record: ClinicalTrials.gov API v2 gives this field as " + expected + ".",
    )


def from_api(cls: type[T], data: Any, *, path: str = "resultsSection", source: str = "") -> T:
    """``data`` (API v2 JSON) as ``cls``; an unknown key or a wrong type is an InputError."""
    if not isinstance(data, dict):
        raise _bad(source, path, "an object")
    hints = _hints(cls)
    names = {_camel(f.name): f.name for f in dataclasses.fields(typing.cast(Any, cls))}
    unknown = sorted(set(data) - set(names))
    if unknown:
        raise InputError(
            f"{source}: {path} has field(s) oncotrial does not know: {', '.join(unknown)}",
            field=f"{path}.{unknown[0]}",
            hint="oncotrial keeps a results section only whole; report the field so that the "
            "model can hold it.",
        )
    values = {
        names[key]: _read(hints[names[key]], value, f"{path}.{key}", source)
        for key, value in data.items()
    }
    try:
        return cls(**values)
    except TypeError as exc:  # a required field is missing
        raise InputError(
            f"{source}: {path} lacks a required field ({exc})",
            field=path,
            hint="Every group needs an id and title, every measure a title.",
        ) from exc
