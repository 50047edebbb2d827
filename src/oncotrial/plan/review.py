"""Walking a plan's sourced values by path, and recording a reviewer's acceptance.

A path names one value: ``time_zero``, ``endpoints.PFS.time_zero``,
``endpoints.ORR.hypothesis.null``, ``endpoints.PFS.subgroups.PDL1GR1``,
``endpoints.OS.departures.time-zero``, ``safety.interventions.Cryoablation.opens_window``.
Items of a list are named by their id (endpoints, sensitivity analyses, departures), their name
(interventions) or their text (subgroups, covariates, strata).

:func:`accept` returns a new plan (plans are immutable) with the named assumptions accepted by a
reviewer at a time the caller passes in (the core never reads the clock), the version raised by
one and a :class:`~oncotrial.plan.model.Review` entry appended.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from oncotrial.errors import ValueProblem
from oncotrial.plan.model import AnalysisPlan, Departure, Review
from oncotrial.plan.provenance import Acceptance, Assumed, Sourced

__all__ = ["Reviewable", "accept", "find", "pending", "sourced_values"]

#: A value that carries a source: a Sourced value or a Departure.
Reviewable = Sourced[Any] | Departure


def _key(item: Any, index: int) -> str:
    for holder in (item, getattr(item, "value", None)):
        for attribute in ("id", "name"):
            key = getattr(holder, attribute, None)
            if isinstance(key, str):
                return key
    value = getattr(item, "value", None)
    if isinstance(value, str) and "." not in value:
        return value
    return str(index)


def _children(model: BaseModel) -> Iterator[tuple[str, Any]]:
    for name in type(model).model_fields:
        value = getattr(model, name)
        if value is None:
            continue
        if isinstance(value, tuple):
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield f"{name}.{_key(item, index)}", item
        elif isinstance(value, BaseModel):
            yield name, value


def sourced_values(model: BaseModel, prefix: str = "") -> Iterator[tuple[str, Reviewable]]:
    """Every sourced value and departure in the plan, depth first, with its path."""
    for path, child in _children(model):
        full = f"{prefix}{path}"
        if isinstance(child, Sourced | Departure):
            yield full, child
            if isinstance(child, Sourced) and isinstance(child.value, BaseModel):
                yield from sourced_values(child.value, full + ".")
            continue
        if full.startswith("reviews"):
            continue
        yield from sourced_values(child, full + ".")


def pending(plan: AnalysisPlan) -> tuple[tuple[str, Reviewable], ...]:
    """Assumptions (values and departures) that no reviewer has accepted yet."""
    return tuple(
        (path, item)
        for path, item in sourced_values(plan)
        if isinstance(item.source, Assumed) and item.source.accepted is None
    )


def find(plan: AnalysisPlan, path: str) -> Reviewable:
    for candidate, item in sourced_values(plan):
        if candidate == path:
            return item
    known = [p for p, _ in sourced_values(plan)]
    near = [p for p in known if p.startswith(path.rsplit(".", 1)[0])][:8]
    raise ValueProblem(
        f"the plan of trial {plan.trial_id} has no value {path!r}",
        field=path,
        hint="Paths look like endpoints.PFS.time_zero"
        + (f"; near this one: {', '.join(near)}" if near else "")
        + ". `oncotrial sap check` lists the open ones.",
    )


def _replace(model: BaseModel, parts: list[str], new: Reviewable) -> BaseModel:
    """A copy of ``model`` with the value at ``parts`` replaced (structural sharing)."""
    if not parts:
        return new
    head = parts[0]
    if head in type(model).model_fields and not isinstance(getattr(model, head), tuple):
        child = getattr(model, head)
        return model.model_copy(update={head: _replace(child, parts[1:], new)})
    # a list item: field name, then the item's key
    field, key = head, parts[1]
    items = getattr(model, field)
    updated = tuple(
        _replace(item, parts[2:], new) if _key(item, index) == key else item
        for index, item in enumerate(items)
    )
    return model.model_copy(update={field: updated})


def accept(
    plan: AnalysisPlan,
    paths: Sequence[str],
    *,
    by: str,
    at: datetime,
    note: str | None = None,
) -> AnalysisPlan:
    """The plan with the assumptions at ``paths`` accepted by ``by`` at ``at``."""
    if not by.strip():
        raise ValueProblem("a reviewer's name is needed to accept an assumption", field="by")
    if not paths:
        raise ValueProblem("no assumption named", field="paths", hint="Name at least one path.")
    result: BaseModel = plan
    for path in dict.fromkeys(paths):
        item = find(plan, path)
        source = item.source
        if not isinstance(source, Assumed):
            raise ValueProblem(
                f"{path} is not an assumption (its source is the {source.kind.value}); only "
                "assumptions are accepted",
                field=path,
            )
        if source.accepted is not None:
            raise ValueProblem(
                f"{path} was already {source.accepted.describe()}",
                field=path,
                hint="Leave it out of the list.",
            )
        accepted = source.model_copy(update={"accepted": Acceptance(by=by, at=at, note=note)})
        replacement = item.model_copy(update={"source": accepted})
        result = _replace(result, _split(path), replacement)
    version = plan.version + 1
    review = Review(version=version, by=by, at=at, accepted=tuple(dict.fromkeys(paths)), note=note)
    return AnalysisPlan.model_validate(
        {**result.model_dump(), "version": version, "reviews": (*plan.reviews, review)}
    )


def _split(path: str) -> list[str]:
    return path.split(".")
