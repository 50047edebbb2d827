"""Forms of baseline and repeated findings: ECOG, quality of life, height and weight, disease
at study entry, driver mutations, PD-L1, laboratory results (docs/catalogue.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oncotrial.catalogue import baseline, labs
from oncotrial.catalogue import common as cc
from oncotrial.catalogue.staging import edition_category, edition_of_category, stage_groups
from oncotrial.store import models as db
from oncotrial.store.mapping import model_fields
from oncotrial.web.entry.base import (
    Choices,
    EntryContext,
    FieldSpec,
    Issue,
    _date_checks,
    _entity_spec,
    _finding_values,
    _findings,
    _iso,
    _num_text,
    _range_check,
    _screening_finding,
    _visit_field,
    field_spec,
    parse_date,
    visit_number,
)

# ECOG (QS ECOG101) — docs/sdtm.md, QS.
_ECOG = baseline.ECOG
ECOG_GRADES: Choices = baseline.ECOG_GRADES.choices()


def _ecog_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    return (_visit_field(ctx), field_spec(_ECOG.field("dtc")), field_spec(_ECOG.field("score")))


def _ecog_to(values: Mapping[str, Any], ctx: EntryContext) -> dict[str, Any]:
    score = int(values["score"])
    return _finding_values(values, ctx, baseline.ECOG_TEST, str(score), float(score))


def _ecog_checks(values: Mapping[str, Any], ctx: EntryContext) -> list[Issue]:
    issues = _date_checks(values, ctx, _ECOG, start="dtc")
    rule = _ECOG.check("ECOG-5-DEATH")
    if values.get("score") == "5" and not ctx.death:
        issues.append(
            Issue(
                "score", "ECOG 5 means the subject died; record the death as well.", True, rule.id
            )
        )
    return issues


ECOG = _entity_spec(
    _ECOG,
    plural="ECOG performance status",
    model=db.Finding,
    fields=_ecog_fields,
    to_record=_ecog_to,
    from_record=lambda r: {"visit": r.visit, "dtc": parse_date(r.dtc), "score": r.stresc},
    checks=_ecog_checks,
    queryset=lambda s: _findings(s, baseline.ECOG_TEST.domain, testcd=baseline.ECOG_TEST.testcd),
    columns=("Visit", "Date", "ECOG"),
    row=lambda r: (r.visit or "", r.dtc or "", r.stresc or ""),
)


# Quality of life (QS QLQGHS, EORTC QLQ-C30 global health status 0–100).
_QOL = baseline.QOL


def _qol_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    return (_visit_field(ctx), field_spec(_QOL.field("dtc")), field_spec(_QOL.field("score")))


def _qol_to(values: Mapping[str, Any], ctx: EntryContext) -> dict[str, Any]:
    score = float(values["score"])
    return _finding_values(values, ctx, baseline.QOL_GLOBAL_TEST, _num_text(score), score)


QOL = _entity_spec(
    _QOL,
    plural="Quality of life",
    model=db.Finding,
    fields=_qol_fields,
    to_record=_qol_to,
    from_record=lambda r: {"visit": r.visit, "dtc": parse_date(r.dtc), "score": r.stresn},
    checks=lambda v, ctx: _date_checks(v, ctx, _QOL, start="dtc"),
    queryset=lambda s: _findings(
        s, baseline.QOL_GLOBAL_TEST.domain, testcd=baseline.QOL_GLOBAL_TEST.testcd
    ),
    columns=("Visit", "Date", "Score"),
    row=lambda r: (r.visit or "", r.dtc or "", r.stresc or ""),
)


# Height and weight (VS).
_VITAL = baseline.VITAL_SIGNS
VITALS = {t.testcd: t for t in _VITAL.tests}


def _vital_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    test = VITALS.get(current.get("test") or "", _VITAL.tests[0])
    return (
        field_spec(_VITAL.field("test"), refresh=True),
        _visit_field(ctx),
        field_spec(_VITAL.field("dtc")),
        field_spec(_VITAL.field("value"), label=test.test, unit=test.unit, help=""),
    )


def _vital_to(values: Mapping[str, Any], ctx: EntryContext) -> dict[str, Any]:
    value = float(values["value"])
    return _finding_values(values, ctx, VITALS[values["test"]], _num_text(value), value)


def _vital_checks(values: Mapping[str, Any], ctx: EntryContext) -> list[Issue]:
    issues = _date_checks(values, ctx, _VITAL, start="dtc")
    test = VITALS.get(values.get("test") or "")
    if test is not None:
        issues += _range_check(values.get("value"), "value", test.plausible)
    return issues


VITAL = _entity_spec(
    _VITAL,
    plural="Height and weight",
    model=db.Finding,
    fields=_vital_fields,
    to_record=_vital_to,
    from_record=lambda r: {
        "test": r.testcd,
        "visit": r.visit,
        "dtc": parse_date(r.dtc),
        "value": r.stresn,
    },
    checks=_vital_checks,
    queryset=lambda s: _findings(s, _VITAL.domains[0]),
    columns=("Measurement", "Visit", "Date", "Value"),
    row=lambda r: (r.test or r.testcd or "", r.visit or "", r.dtc or "", f"{r.stresc} {r.stresu}"),
)


# Disease at study entry (SC): stage (with its AJCC edition), histology, primary site.
_DISEASE = baseline.DISEASE
DISEASE = {t.testcd: t for t in _DISEASE.tests}
_STAGE = baseline.STAGE_TEST.testcd


def _edition(values: Mapping[str, Any]) -> int:
    text = str(values.get("edition") or "8")
    return int(text) if text.isdigit() else 8


def _disease_values(test: Any, edition: int) -> tuple[str, ...]:
    if test.testcd == _STAGE:
        return stage_groups(edition, parents=True)
    return test.results.codes if test.results is not None else ()


def _disease_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    test = DISEASE.get(current.get("test") or "", baseline.STAGE_TEST)
    values = _disease_values(test, _edition(current))
    fields = [
        field_spec(_DISEASE.field("test"), refresh=True),
        field_spec(_DISEASE.field("value"), label=test.test, choices=tuple((v, v) for v in values)),
    ]
    if test.testcd == _STAGE:
        fields.append(field_spec(_DISEASE.field("edition"), required=True, refresh=True))
    fields.append(field_spec(_DISEASE.field("dtc")))
    return tuple(fields)


def _disease_to(values: Mapping[str, Any], ctx: EntryContext) -> dict[str, Any]:
    test = DISEASE[values["test"]]
    category = edition_category(_edition(values)) if test.testcd == _STAGE else None
    return _screening_finding(values, test, values["value"], cat=category)


def _disease_checks(values: Mapping[str, Any], ctx: EntryContext) -> list[Issue]:
    issues = _date_checks(values, ctx, _DISEASE, start="dtc")
    test = DISEASE.get(values.get("test") or "")
    rule = _DISEASE.check("SC-STAGE-EDITION")
    if test is not None and values.get("value") not in _disease_values(test, _edition(values)):
        what = f"AJCC edition {_edition(values)}" if test.testcd == _STAGE else test.test.lower()
        issues.append(Issue("value", f"choose a value of {what}.", rule=rule.id))
    return issues


DISEASE_SPEC = _entity_spec(
    _DISEASE,
    plural="Disease at study entry",
    model=db.Finding,
    fields=_disease_fields,
    to_record=_disease_to,
    from_record=lambda r: {
        "test": r.testcd,
        "value": r.stresc,
        "edition": str(edition_of_category(r.cat) or 8) if r.testcd == _STAGE else None,
        "dtc": parse_date(r.dtc),
    },
    checks=_disease_checks,
    queryset=lambda s: _findings(s, _DISEASE.domains[0]),
    columns=("Characteristic", "Value", "Date"),
    row=lambda r: (r.test or r.testcd or "", r.stresc or "", r.dtc or ""),
)


# Driver mutations (GF).
_GENE = baseline.MUTATIONS
GENES = _GENE.field("gene").choices


def _gene_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    test = baseline.gene_test(current.get("gene") or GENES[0])
    return (
        field_spec(_GENE.field("gene"), refresh=True),
        field_spec(_GENE.field("status"), choices=tuple((c, c) for c in test.results.codes))
        if test.results is not None
        else field_spec(_GENE.field("status")),
        field_spec(_GENE.field("dtc")),
    )


def _gene_to(values: Mapping[str, Any], ctx: EntryContext) -> dict[str, Any]:
    test = baseline.gene_test(values["gene"])
    return _screening_finding(values, test, values["status"], method=test.method)


GENE = _entity_spec(
    _GENE,
    plural="Driver mutations",
    model=db.Finding,
    fields=_gene_fields,
    to_record=_gene_to,
    from_record=lambda r: {"gene": r.testcd, "status": r.stresc, "dtc": parse_date(r.dtc)},
    checks=lambda v, ctx: _date_checks(v, ctx, _GENE, start="dtc"),
    queryset=lambda s: _findings(s, _GENE.domains[0]),
    columns=("Gene", "Result", "Date"),
    row=lambda r: (r.testcd or "", r.stresc or "", r.dtc or ""),
)


# PD-L1 tumour proportion score (MI), the assay in SPDEVID.
_PDL1 = baseline.PDL1
_TPS = baseline.PDL1_TEST


def _pdl1_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    return tuple(field_spec(f) for f in _PDL1.fields)


def _pdl1_to(values: Mapping[str, Any], ctx: EntryContext) -> dict[str, Any]:
    value = float(values["value"])
    return _screening_finding(
        values,
        _TPS,
        _num_text(value),
        value,
        method=_TPS.method,
        spec=_TPS.specimen,
        spdevid=values["assay"],
    )


PDL1 = _entity_spec(
    _PDL1,
    plural="PD-L1",
    model=db.Finding,
    fields=_pdl1_fields,
    to_record=_pdl1_to,
    from_record=lambda r: {"value": r.stresn, "assay": r.spdevid, "dtc": parse_date(r.dtc)},
    checks=lambda v, ctx: (
        _date_checks(v, ctx, _PDL1, start="dtc")
        + _range_check(v.get("value"), "value", _TPS.plausible)
    ),
    queryset=lambda s: _findings(s, _TPS.domain, testcd=_TPS.testcd),
    columns=("TPS", "Assay", "Date"),
    row=lambda r: (f"{r.stresc} %", r.spdevid or "", r.dtc or ""),
)


# Laboratory tests (LB): the catalogue's tests, LOINC codes and standard units.
_LAB = labs.LAB
LAB_TESTS = {t.testcd: t for t in labs.ENTRY_TESTS}


def _lab_fields(ctx: EntryContext, current: Mapping[str, Any]) -> tuple[FieldSpec, ...]:
    test = LAB_TESTS.get(current.get("test") or "", labs.ENTRY_TESTS[0])
    return (
        field_spec(_LAB.field("test"), refresh=True),
        _visit_field(ctx),
        field_spec(_LAB.field("dtc")),
        field_spec(_LAB.field("value"), unit=test.unit, help=""),
        field_spec(_LAB.field("low"), unit=test.unit),
        field_spec(_LAB.field("high"), unit=test.unit),
    )


def _lab_to(values: Mapping[str, Any], ctx: EntryContext) -> dict[str, Any]:
    test = LAB_TESTS[values["test"]]
    value = float(values["value"])
    low, high = values.get("low"), values.get("high")
    visit = values.get("visit") or None
    record = labs.result_record(
        test,
        _num_text(value),
        value,
        low=low,
        high=high,
        low_text=_num_text(low),
        high_text=_num_text(high),
        indicator=labs.reference_indicator(value, low, high),
    )
    return {
        **model_fields(test.domain, record),
        "blfl": cc.YES if visit == cc.SCREENING else None,
        "visit": visit,
        "visitnum": visit_number(visit, ctx.protocol),
        "dtc": _iso(values.get("dtc")),
    }


def _lab_checks(values: Mapping[str, Any], ctx: EntryContext) -> list[Issue]:
    issues = _date_checks(values, ctx, _LAB, start="dtc")
    test = LAB_TESTS.get(values.get("test") or "")
    if test is not None:
        issues += _range_check(values.get("value"), "value", test.plausible)
    low, high = values.get("low"), values.get("high")
    if isinstance(low, float) and isinstance(high, float) and low >= high:
        issues.append(
            Issue(
                "high",
                "the upper limit of normal must be above the lower limit.",
                rule=_LAB.check("LB-RANGE-ORDER").id,
            )
        )
    return issues


LAB = _entity_spec(
    _LAB,
    plural="Laboratory results",
    model=db.LabResult,
    fields=_lab_fields,
    to_record=_lab_to,
    from_record=lambda r: {
        "test": r.testcd,
        "visit": r.visit,
        "dtc": parse_date(r.dtc),
        "value": r.stresn,
        "low": r.stnrlo,
        "high": r.stnrhi,
    },
    checks=_lab_checks,
    queryset=lambda s: db.LabResult.objects.filter(subject=s).order_by("dtc", "seq"),
    columns=("Test", "Visit", "Date", "Result", "Range", "Flag"),
    row=lambda r: (
        r.testcd or "",
        r.visit or "",
        r.dtc or "",
        f"{r.stresc} {r.stresu or ''}".strip(),
        f"{r.ornrlo or ''}–{r.ornrhi or ''}" if (r.ornrlo or r.ornrhi) else "",
        r.nrind or "",
    ),
)
