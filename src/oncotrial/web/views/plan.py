"""The trial's reviewed analysis plan, read-only: every value with its provenance, and the
`sap check` findings (issue 14 item 1: "the web trial page shows the plan with the same
provenance" as ``oncotrial sap show``).

The values are walked with :func:`oncotrial.plan.review.sourced_values` and checked with
:func:`oncotrial.plan.check.check_plan`, the same functions the command line uses, so the page
and ``oncotrial sap show/check`` cannot disagree. The plan is a protocol-level document: it
holds no allocation, and this page shows no arm counts or subject data (anyone who may see the
trial page may see it, as they may see the registration it was written against).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse

from oncotrial.formats.plan_files import PlanFile, find_trial_plan
from oncotrial.plan.check import FindingKind, check_plan
from oncotrial.plan.model import Departure
from oncotrial.plan.provenance import Assumed
from oncotrial.plan.review import Reviewable, sourced_values
from oncotrial.web.access import TrialAccess, trial_view
from oncotrial.web.render import respond
from oncotrial.web.roles import Permission

__all__ = ["plan_page"]

# The order `oncotrial sap check` lists them in: what blocks a final plan first.
_FINDING_SECTIONS: tuple[tuple[FindingKind, str], ...] = (
    (FindingKind.CONFLICT, "Conflicts with the registration (not explained by the plan)"),
    (FindingKind.PROTOCOL, "Differences from the protocol's analysis settings"),
    (FindingKind.ASSUMPTION, "Assumptions a reviewer has not accepted"),
    (FindingKind.DEPARTURE, "Departures from the registration's wording (explained)"),
)


def _shown(item: Reviewable) -> str:
    """A value as words: a departure by what the plan does, a design by its fields."""
    if isinstance(item, Departure):
        return item.analysis
    value = item.value
    for attribute in ("description", "value"):
        text = getattr(value, attribute, None)
        if isinstance(text, str):
            return text
    if hasattr(value, "kind") and hasattr(value, "model_dump"):  # a study design
        fields = value.model_dump(mode="json", exclude_none=True)
        return ", ".join(f"{k} {v}" for k, v in fields.items())
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _row(path: str, label: str, item: Reviewable) -> dict[str, Any]:
    source = item.source
    status = None
    if isinstance(source, Assumed):
        status = "accepted" if source.accepted is not None else "not yet accepted"
    row: dict[str, Any] = {
        "path": path,
        "label": label.replace("_", " "),
        "value": _shown(item),
        # the plan's own provenance record, unchanged, and its one-line reading
        "source": source.model_dump(mode="json"),
        "provenance": source.describe(),
        "status": status,
    }
    if isinstance(item, Departure):
        row["registration"] = {"text": item.registration, "where": item.where}
    return row


def _plan_data(loaded: PlanFile, access: TrialAccess) -> dict[str, Any]:
    plan = loaded.plan
    general: list[dict[str, Any]] = []
    endpoints: dict[str, dict[str, Any]] = {
        e.id: {"id": e.id, "title": e.title, "values": []} for e in plan.endpoints
    }
    safety: list[dict[str, Any]] = []
    for path, item in sourced_values(plan):
        head, _, rest = path.partition(".")
        if head == "endpoints":
            endpoint_id, _, label = rest.partition(".")
            endpoints[endpoint_id]["values"].append(_row(path, label, item))
        elif head == "safety":
            safety.append(_row(path, rest, item))
        else:
            general.append(_row(path, path, item))
    result = check_plan(plan, access.protocol)
    findings = [
        {
            "kind": kind.name.lower(),
            "title": title,
            "items": [
                {"path": f.path, "message": f.message, "rule": f.rule} for f in result.of(kind)
            ],
        }
        for kind, title in _FINDING_SECTIONS
    ]
    return {
        "trial_id": plan.trial_id,
        "version": plan.version,
        "location": loaded.location,
        "registration": plan.registration,
        "general": general,
        "endpoints": list(endpoints.values()),
        "safety": safety,
        "reviews": [
            {
                "version": r.version,
                "by": r.by,
                "at": r.at,
                "accepted": list(r.accepted),
                "note": r.note,
            }
            for r in plan.reviews
        ],
        "check": {"open": len(result.open), "findings": findings},
    }


@trial_view(Permission.VIEW_TRIAL)
def plan_page(request: HttpRequest, access: TrialAccess) -> HttpResponse:
    identity = access.protocol.identity
    loaded = find_trial_plan(identity.local_id, identity.nct_id, access.trial.trial_id)
    data: dict[str, Any] = {
        "title": f"Analysis plan — {access.trial.trial_id}",
        "trial_id": access.trial.trial_id,
        "plan": _plan_data(loaded, access) if loaded is not None else None,
    }
    if loaded is None:
        data["absent"] = (
            "This trial has no reviewed statistical analysis plan: the trial report analyses "
            "it by the protocol's settings. A plan is written as YAML, starting from a seed plan's "
            "`oncotrial sap show --format yaml` (docs/analysis-plan.md)."
        )
    return respond(
        request,
        "web/plan.html",
        data,
        context={"access": access, "nav_section": "overview"},
    )
