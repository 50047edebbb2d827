"""The adverse event form (AE, CTCAE v5.0)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oncotrial.catalogue import common as cc
from oncotrial.catalogue import safety
from oncotrial.errors import OncotrialError
from oncotrial.store import models as db
from oncotrial.web.entry.base import (
    Choices,
    EntryContext,
    FieldSpec,
    Issue,
    _date_checks,
    _entity_spec,
    _iso,
    field_spec,
    parse_date,
    partial_bounds,
)

# Adverse events (AE, CTCAE v5.0).
_AE = safety.ADVERSE_EVENT
RELATED: Choices = (("", "—"), *safety.RELATEDNESS.choices())


def _ae_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    fields = [
        field_spec(_AE.field("term"), wide=True),
        FieldSpec(
            "verbatim",
            "Verbatim term (as reported)",
            wide=True,
            help="The investigator's words, kept as AETERM; the CTCAE term above codes it "
            "(AEDECOD). Empty: the CTCAE term.",
        ),
        field_spec(_AE.field("grade"), wide=True),
        # AESTDTC/AEENDTC may be partial (SDTMIG 3.4 §4.4.2): an event recalled as "September".
        field_spec(_AE.field("stdtc"), kind="partial-date"),
        field_spec(_AE.field("endtc"), kind="partial-date"),
        field_spec(_AE.field("serious")),
        field_spec(_AE.field("rel")),
    ]
    for n, intervention in enumerate(ctx.protocol.interventions, start=1):
        fields.append(
            FieldSpec(f"rel{n}", f"Related to {intervention.name}", "choice", choices=RELATED)
        )
    fields += [
        field_spec(_AE.field("acn")),
        field_spec(_AE.field("acnoth")),
        field_spec(_AE.field("outcome")),
    ]
    return tuple(fields)


def _ae_to(values: Mapping[str, Any], ctx: EntryContext) -> dict[str, Any]:
    entry = ctx.ctcae.lookup(values["term"])
    extra = {
        safety.relatedness_variable(n): values.get(f"rel{n}") or None
        for n in range(1, len(ctx.protocol.interventions) + 1)
    }
    start = values.get("stdtc")
    # SDTM EPOCH: screening ends when the subject is randomized (or enrolled) — or at the first
    # dose, when that came first; without a first dose recorded yet, an event after
    # randomization is in the treatment epoch, not screening (issue 13 item 11).
    starts = [d for d in (ctx.allocated, ctx.first_dose) if d is not None]
    # A partial start that may fall on or after the start of treatment counts as treatment
    # emergent (the conservative convention: an AE is not excluded on an unknown day).
    bounds = partial_bounds(start)
    epoch = (
        cc.EPOCH_TREATMENT
        if starts and bounds is not None and bounds[1] >= min(starts)
        else cc.EPOCH_SCREENING
    )
    meddra = int(entry.meddra_code) if entry.meddra_code.isdigit() else None
    return {
        "term": (values.get("verbatim") or "").strip()[:200] or values["term"].strip(),
        "llt": entry.term,
        "lltcd": meddra,
        "decod": entry.term,
        "bodsys": entry.soc,
        "grade": int(values["grade"]),
        "serious": values["serious"],
        "rel": values.get("rel") or None,
        "acn": values.get("acn") or None,
        "acnoth": (values.get("acnoth") or "").strip().upper() or None,
        "outcome": values.get("outcome") or None,
        "epoch": epoch,
        "stdtc": _iso(start),
        "endtc": _iso(values.get("endtc")),
        "extra": {k: v for k, v in extra.items() if v} or None,
    }


def _ae_checks(values: Mapping[str, Any], ctx: EntryContext) -> list[Issue]:
    issues = _date_checks(values, ctx, _AE, start="stdtc", end="endtc")
    term, grade = values.get("term"), values.get("grade")
    fatal = safety.FATAL_GRADE
    if term:
        try:
            entry = ctx.ctcae.lookup(term)
        except OncotrialError as exc:
            issues.append(Issue("term", str(exc), rule=safety.AE_TERM.id))
        else:
            problem = grade and safety.grade_problem(
                entry.term, int(grade), entry.defined_grades, version=ctx.ctcae.version
            )
            if problem:
                issues.append(Issue("grade", f"{problem}.", rule=safety.AE_GRADE_DEFINED.id))
    if grade == fatal and values.get("outcome") and values["outcome"] != safety.FATAL:
        issues.append(
            Issue(
                "outcome",
                "a grade 5 event is fatal (CTCAE v5.0: 'Death related to AE').",
                rule="AE-FATAL-GRADE",
            )
        )
    if values.get("outcome") == safety.FATAL and grade and grade != fatal:
        issues.append(
            Issue("grade", "a fatal event is grade 5 (CTCAE v5.0).", rule="AE-FATAL-GRADE")
        )
    if grade == fatal and values.get("serious") != cc.YES:
        issues.append(
            Issue("serious", "a fatal event is serious (ICH E2A).", rule="AE-FATAL-SERIOUS")
        )
    if values.get("outcome") == safety.RECOVERED and not values.get("endtc"):
        issues.append(Issue("endtc", "a resolved event has an end date.", True, "AE-RESOLVED-END"))
    return issues


AE = _entity_spec(
    _AE,
    plural="Adverse events",
    model=db.AdverseEvent,
    fields=_ae_fields,
    to_record=_ae_to,
    from_record=lambda r: {
        "term": r.decod or r.term,
        "verbatim": r.term if r.term and r.term != r.decod else "",
        "grade": str(r.grade) if r.grade else None,
        "stdtc": parse_date(r.stdtc) or r.stdtc,
        "endtc": parse_date(r.endtc) or r.endtc,
        "serious": r.serious or "N",
        "rel": r.rel or "",
        "acn": r.acn or "",
        "acnoth": r.acnoth or "",
        "outcome": r.outcome or "",
        **{
            f"rel{k[5:]}": v
            for k, v in (r.extra or {}).items()
            if k.startswith("AEREL") and k[5:].isdigit()
        },
    },
    checks=_ae_checks,
    queryset=lambda s: db.AdverseEvent.objects.filter(subject=s).order_by("stdtc", "seq"),
    columns=("Term", "Grade", "Start", "End", "Serious", "Related", "Outcome"),
    row=lambda r: (
        r.decod or r.term or "",
        str(r.grade or ""),
        r.stdtc or "",
        r.endtc or "ongoing",
        r.serious or "",
        r.rel or "",
        r.outcome or "",
    ),
)
