"""What a reviewer still has to look at: open assumptions and conflicts with the registration.

:func:`check_plan` compares a plan with its protocol by the declared rules :data:`CHECKS`, each
with an id, a description and a source, and lists

* every assumption (a value or a departure) that no reviewer has accepted;
* every **conflict** with the registration that the plan does not explain: a quote labelled
  registry text that the registration does not contain, a time zero or time frame other than the
  one the outcome's text names, a registered outcome the plan leaves out, …;
* every **departure** the plan records (explained, listed so that the report can state it);
* where the plan and the protocol's analysis settings disagree.

The registration's text is what the protocol holds with registry provenance (titles, summary,
arms, interventions, outcomes, criteria); reviewer wording in a protocol is not registration text.
Pure: plan and protocol in, an immutable result out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from oncotrial.endpoints.sensitivity import CENSORING_VARIANTS
from oncotrial.endpoints.tte import RuleSet
from oncotrial.plan.model import (
    AnalysisPlan,
    Departure,
    EndpointPlan,
    Population,
    TimeFrameUse,
    WindowStart,
)
from oncotrial.plan.provenance import Assumed, Derived, FromRegistry, Sourced
from oncotrial.plan.review import pending, sourced_values
from oncotrial.protocol.endpoints import origins_named
from oncotrial.protocol.model import FieldSource, Protocol
from oncotrial.protocol.timeframe import parse_duration
from oncotrial.protocol.vocabulary import InterventionType

__all__ = ["CHECKS", "Finding", "FindingKind", "PlanCheck", "check_plan", "registration_texts"]


class FindingKind(StrEnum):
    ASSUMPTION = "assumption not accepted"
    CONFLICT = "conflict with the registration"
    DEPARTURE = "departure from the registration"
    PROTOCOL = "differs from the protocol's analysis settings"


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    path: str
    message: str
    rule: str | None = None


@dataclass(frozen=True)
class PlanCheck:
    trial_id: str
    version: int
    findings: tuple[Finding, ...]

    def of(self, kind: FindingKind) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.kind is kind)

    @property
    def open(self) -> tuple[Finding, ...]:
        """What blocks a final plan: unaccepted assumptions and unexplained conflicts."""
        return tuple(
            f
            for f in self.findings
            if f.kind in {FindingKind.ASSUMPTION, FindingKind.CONFLICT, FindingKind.PROTOCOL}
        )


@dataclass(frozen=True)
class Check:
    """A declared consistency rule between a plan and its protocol."""

    id: str
    description: str
    source: str
    run: Callable[[AnalysisPlan, Protocol], Iterator[Finding]]


def _normal(text: str) -> str:
    # registries escape markdown (“\>1 cm”, “10\^9/L”): compare the words, not the escapes
    return re.sub(r"\s+", " ", re.sub(r"\\([^\w\s])", r"\1", text)).strip()


def registration_texts(protocol: Protocol) -> tuple[tuple[str, str], ...]:
    """(where, text) for every text field of the protocol that is the registration's own."""
    found: list[tuple[str, str]] = []

    def add(path: str, where: str, text: str | None) -> None:
        if text and protocol.provenance_of(path).source is FieldSource.REGISTRY:
            found.append((where, text))

    identity, description = protocol.identity, protocol.description
    add("identity.brief_title", "brief title", identity.brief_title)
    add("identity.official_title", "official title", identity.official_title)
    add("description.brief_summary", "brief summary", description.brief_summary)
    add(
        "description.detailed_description", "detailed description", description.detailed_description
    )
    for i, condition in enumerate(protocol.conditions):
        add(f"conditions[{i}]", "conditions", condition)
    for i, arm in enumerate(protocol.arms):
        add(f"arms[{i}].label", f"arm {i + 1}", arm.label)
        add(f"arms[{i}].description", f"arm {i + 1}", arm.description)
    for i, item in enumerate(protocol.interventions):
        add(f"interventions[{i}].name", f"intervention {i + 1}", item.name)
        add(f"interventions[{i}].description", f"intervention {i + 1}", item.description)
    for i, endpoint in enumerate(protocol.endpoints):
        where = f"{endpoint.level.value} outcome {_rank(protocol, i)}"
        add(f"endpoints[{i}].title", f"{where}, title", endpoint.title)
        add(f"endpoints[{i}].description", f"{where}, description", endpoint.description)
        add(f"endpoints[{i}].time_frame", f"{where}, time frame", endpoint.time_frame)
    add("eligibility.text", "eligibility criteria", protocol.eligibility.text)
    return tuple(found)


def _rank(protocol: Protocol, index: int) -> int:
    level = protocol.endpoints[index].level
    return sum(1 for e in protocol.endpoints[: index + 1] if e.level is level)


def _quotes(plan: AnalysisPlan) -> Iterator[tuple[str, str]]:
    for path, item in sourced_values(plan):
        if isinstance(item, Departure):
            yield f"{path}.registration", item.registration
        elif isinstance(item.source, FromRegistry | Derived) and item.source.quote:
            yield path, item.source.quote


def _check_quotes(plan: AnalysisPlan, protocol: Protocol) -> Iterator[Finding]:
    texts = [_normal(text) for _, text in registration_texts(protocol)]
    for path, quote in _quotes(plan):
        if not any(_normal(quote) in text for text in texts):
            yield Finding(
                FindingKind.CONFLICT,
                path,
                f"quoted as registration text, but the registration does not contain “{quote}”"
                " (reviewer wording must be marked as assumed)",
                "registry-quote",
            )


def _departure(endpoint: EndpointPlan, field: str) -> Departure | None:
    return next((d for d in endpoint.departures if d.field == field), None)


def _registered(plan: AnalysisPlan, protocol: Protocol) -> Iterator[tuple[EndpointPlan, int]]:
    for endpoint in plan.endpoints:
        index = endpoint.registration
        if (
            index is not None
            and 0 <= index < len(protocol.endpoints)
            and protocol.provenance_of(f"endpoints[{index}]").source is FieldSource.REGISTRY
        ):
            yield endpoint, index


def _check_outcomes(plan: AnalysisPlan, protocol: Protocol) -> Iterator[Finding]:
    linked = {e.registration for e in plan.endpoints}
    for index, outcome in enumerate(protocol.endpoints):
        if index not in linked:
            yield Finding(
                FindingKind.CONFLICT,
                "endpoints",
                f"the {outcome.level.value} outcome “{outcome.title}” has no endpoint in the plan",
                "registered-outcome",
            )
    for endpoint in plan.endpoints:
        link = endpoint.registration
        if link is None:
            continue
        index = link
        if not 0 <= index < len(protocol.endpoints):
            yield Finding(
                FindingKind.CONFLICT,
                f"endpoints.{endpoint.id}.registration",
                f"points to outcome {index}, but the protocol has {len(protocol.endpoints)}",
                "registered-outcome",
            )
        elif endpoint.level.value is not protocol.endpoints[index].level:
            yield Finding(
                FindingKind.CONFLICT,
                f"endpoints.{endpoint.id}.level",
                f"the plan makes it {endpoint.level.value.value}; the registration lists it as "
                f"{protocol.endpoints[index].level.value}",
                "outcome-level",
            )


def _conflict(endpoint: EndpointPlan, field: str, message: str, rule: str) -> Iterator[Finding]:
    if _departure(endpoint, field) is None:
        yield Finding(FindingKind.CONFLICT, f"endpoints.{endpoint.id}.{field}", message, rule)


def _check_time_zero(plan: AnalysisPlan, protocol: Protocol) -> Iterator[Finding]:
    for endpoint, index in _registered(plan, protocol):
        if endpoint.time_zero is None:
            continue
        outcome = protocol.endpoints[index]
        for part, text in (
            ("description", outcome.description),
            ("time frame", outcome.time_frame),
        ):
            for origin in origins_named(text):
                if origin is not endpoint.time_zero.value:
                    yield from _conflict(
                        endpoint,
                        "time_zero",
                        f"the outcome's {part} counts from {origin.value}; the plan from "
                        f"{endpoint.time_zero.value.value}",
                        "time-zero",
                    )


def _check_time_frame(plan: AnalysisPlan, protocol: Protocol) -> Iterator[Finding]:
    for endpoint, index in _registered(plan, protocol):
        stated = parse_duration(protocol.endpoints[index].time_frame)
        if stated is None:
            continue
        planned = endpoint.time_frame.value if endpoint.time_frame else None
        if planned is None or abs(planned.days - stated.days) > 0.5:
            yield from _conflict(
                endpoint,
                "time_frame",
                f"the registration's time frame is {stated}; the plan has "
                f"{planned if planned else 'none'}",
                "time-frame",
            )
        elif endpoint.time_frame_use is None:
            yield from _conflict(
                endpoint,
                "time_frame_use",
                f"the registration's time frame ({stated}) is not given a use (landmark, "
                "assessment window or maximum follow-up)",
                "time-frame",
            )
        elif endpoint.time_frame_use.value is TimeFrameUse.NOT_APPLIED:
            yield from _conflict(
                endpoint,
                "time_frame_use",
                f"the registration's time frame ({stated}) is not applied",
                "time-frame",
            )


_EVALUABLE = re.compile(r"\b(?:assessable|evaluable|measurable)\b", re.IGNORECASE)


def _check_denominator(plan: AnalysisPlan, protocol: Protocol) -> Iterator[Finding]:
    for endpoint, index in _registered(plan, protocol):
        outcome = protocol.endpoints[index]
        text = f"{outcome.title} {outcome.description or ''}"
        match = _EVALUABLE.search(text)
        if (
            match
            and endpoint.denominator is not None
            and endpoint.denominator.value is not Population.RESPONSE_EVALUABLE
        ):
            yield from _conflict(
                endpoint,
                "denominator",
                f"the outcome's text says “{match.group(0)}”, which suggests the "
                f"response-evaluable denominator; the plan uses "
                f"{endpoint.denominator.value.value}",
                "denominator",
            )


def _check_safety(plan: AnalysisPlan, protocol: Protocol) -> Iterator[Finding]:
    planned = {role.name for role in plan.safety.interventions}
    for intervention in protocol.interventions:
        if intervention.name not in planned:
            yield Finding(
                FindingKind.CONFLICT,
                "safety.interventions",
                f"the protocol intervention {intervention.name!r} has no role in the safety "
                "analysis (window and attribution)",
                "safety-interventions",
            )
    local = [i.name for i in protocol.interventions if i.type is not InterventionType.DRUG]
    if local and plan.safety.window_start.value is WindowStart.FIRST_DOSE:
        yield Finding(
            FindingKind.CONFLICT,
            "safety.window_start",
            f"the window opens at the first dose, so AEs after {', '.join(local)} and before "
            "the first dose are not treatment-emergent",
            "safety-window",
        )
    for role in plan.safety.interventions:
        if role.name in local and not role.opens_window.value:
            yield Finding(
                FindingKind.CONFLICT,
                f"safety.interventions.{role.name}.opens_window",
                f"{role.name} is a protocol intervention but does not open the window",
                "safety-window",
            )


def _differs(path: str, plan_value: object, protocol_value: object, what: str) -> Finding:
    return Finding(
        FindingKind.PROTOCOL,
        path,
        f"{what}: the plan has {plan_value}, the protocol's analysis settings {protocol_value}",
        "protocol-settings",
    )


def _check_protocol(plan: AnalysisPlan, protocol: Protocol) -> Iterator[Finding]:
    analysis = protocol.analysis
    if analysis.reference_date is not None and plan.time_zero.value is not analysis.reference_date:
        yield _differs(
            "time_zero", plan.time_zero.value.value, analysis.reference_date.value, "time zero"
        )
    pairs = (
        ("assessment_interval_days", plan.assessment_interval_days, analysis.imaging_interval_days),
        ("assessment_window_days", plan.assessment_window_days, analysis.imaging_window_days),
        (
            "safety.window_days_after_last",
            plan.safety.window_days_after_last,
            analysis.teae_window_days,
        ),
    )
    for path, sourced, stored in pairs:
        if sourced is not None and stored is not None and sourced.value != stored:
            yield _differs(path, sourced.value, stored, path.replace("_", " "))
    settings = analysis.response
    if settings is None:
        return
    for endpoint in plan.endpoints:
        if endpoint.criteria is not None and endpoint.criteria.value is not settings.criteria:
            yield _differs(
                f"endpoints.{endpoint.id}.criteria",
                endpoint.criteria.value.value,
                settings.criteria.value,
                "response criteria",
            )
        if endpoint.confirmation_days is not None and endpoint.confirmation_days.value not in {
            0,
            settings.confirmation_days,
        }:
            yield _differs(
                f"endpoints.{endpoint.id}.confirmation_days",
                endpoint.confirmation_days.value,
                settings.confirmation_days,
                "confirmation interval",
            )


def _check_rules(plan: AnalysisPlan, protocol: Protocol) -> Iterator[Finding]:
    known = {rule.value for rule in RuleSet}
    for endpoint in plan.endpoints:
        if endpoint.censoring is not None and endpoint.censoring.value not in known:
            yield Finding(
                FindingKind.CONFLICT,
                f"endpoints.{endpoint.id}.censoring",
                f"unknown censoring rule set {endpoint.censoring.value!r} (known: "
                f"{', '.join(sorted(known))})",
                "declared-rules",
            )
        for item in endpoint.sensitivity:
            variant = item.value.variant
            if variant is not None and variant not in CENSORING_VARIANTS:
                yield Finding(
                    FindingKind.CONFLICT,
                    f"endpoints.{endpoint.id}.sensitivity.{item.value.id}",
                    f"unknown censoring variant {variant!r} (known: "
                    f"{', '.join(CENSORING_VARIANTS)})",
                    "declared-rules",
                )


_E9 = "ICH E9 (R1) §5.1–5.2: the plan states how each registered estimand is analysed"
_FDA = "FDA Guidance, Clinical Trial Endpoints for Cancer Drugs and Biologics (2018)"

CHECKS: tuple[Check, ...] = (
    Check(
        "registry-quote",
        "a value labelled registry text quotes the registration verbatim",
        "oncotrial brief: reviewer wording is never labelled as registration text",
        _check_quotes,
    ),
    Check(
        "registered-outcome",
        "every registered outcome is in the plan, at its registered level",
        _E9,
        _check_outcomes,
    ),
    Check(
        "time-zero",
        "the time zero is the one the outcome's text names, or the departure is stated",
        _FDA,
        _check_time_zero,
    ),
    Check(
        "time-frame",
        "the registered time frame is in the plan and used (landmark, assessment window or "
        "maximum follow-up), or the departure is stated",
        _FDA,
        _check_time_frame,
    ),
    Check(
        "denominator",
        "an outcome whose text names assessable or evaluable patients has that denominator, "
        "or the departure is stated",
        "CONSORT 2010 item 16; RECIST 1.1 §4.1",
        _check_denominator,
    ),
    Check(
        "safety-window",
        "treatment emergence starts at the first protocol intervention of any kind, and every "
        "intervention has a role in the safety analysis",
        "ICH E9 glossary (treatment emergent); ICH E3 §12.2",
        _check_safety,
    ),
    Check(
        "declared-rules",
        "censoring rule sets and their sensitivity variants are ones oncotrial declares",
        "endpoints.tte and endpoints.sensitivity",
        _check_rules,
    ),
    Check(
        "protocol-settings",
        "the plan and the protocol's analysis settings agree",
        "oncotrial: one analysis plan per trial",
        _check_protocol,
    ),
)


def check_plan(plan: AnalysisPlan, protocol: Protocol) -> PlanCheck:
    """Every open assumption, conflict, departure and protocol difference (module docstring)."""
    findings: list[Finding] = []
    for path, item in pending(plan):
        source = item.source
        why = source.why if isinstance(source, Assumed) else ""
        value = item.analysis if isinstance(item, Departure) else _shown(item)
        findings.append(
            Finding(FindingKind.ASSUMPTION, path, f"{value} — {why} (by {source_by(item)})")
        )
    for check in CHECKS:
        findings.extend(check.run(plan, protocol))
    for path, item in sourced_values(plan):
        if isinstance(item, Departure):
            findings.append(
                Finding(
                    FindingKind.DEPARTURE,
                    path,
                    f"registration ({item.where}): “{item.registration}” → {item.analysis}",
                )
            )
    return PlanCheck(plan.trial_id, plan.version, tuple(findings))


def source_by(item: Sourced[object] | Departure) -> str:
    source = item.source
    return source.by if isinstance(source, Assumed) else source.kind.value


def _shown(item: Sourced[object]) -> str:
    value = item.value
    for attribute in ("description", "value"):
        text = getattr(value, attribute, None)
        if isinstance(text, str):
            return text
    if hasattr(value, "kind") and hasattr(value, "model_dump"):  # a study design
        fields = value.model_dump(mode="json", exclude_none=True)
        return ", ".join(f"{k} {v}" for k, v in fields.items())
    return str(value)
