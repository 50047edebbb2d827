"""Evaluating rules on the tumour for one patient: the primary diagnosis, its stage (group and
TNM categories), its size, biomarkers, and the current lesions.
"""

from __future__ import annotations

from oncotrial.eligibility.concepts_cancers import contradicting_cancers
from oncotrial.eligibility.evaluate_context import Context, _latest, _met, _num, _Partial, _unknown
from oncotrial.eligibility.extent import EXTENT_NAMES, METASTASIS_CONDITIONS, extent_verdict
from oncotrial.eligibility.outcome import Evidence
from oncotrial.eligibility.patient import Biomarker
from oncotrial.eligibility.rules import (
    BiomarkerRule,
    DiagnosisRule,
    LesionRule,
    StageRule,
    TumourSizeRule,
)


def _diagnosis(rule: DiagnosisRule, ctx: Context) -> _Partial:
    d = ctx.patient.diagnosis
    if d is None:
        return _unknown(["primary diagnosis"])
    concepts = d.concepts("condition")
    shown = Evidence(
        item="diagnosis",
        value=d.text or d.concept or d.code,
        date=d.date,
        note=f"confirmed by {d.confirmed_by}" if d.confirmed_by else None,
        record=d.record,
    )
    if rule.condition not in concepts:
        if concepts & contradicting_cancers(rule.condition):
            return _met(False, [shown])
        # no record, or one broader than the rule ("lung cancer", ICD-10 C34.1, for an NSCLC
        # trial): whether the patient has the cancer asked for is not recorded
        return _unknown(
            [
                f"primary diagnosis recorded precisely enough to tell whether it is "
                f"{rule.condition} (its concept, an ICD-10 or SNOMED CT code or a listed name)"
            ],
            [shown],
        )
    if rule.confirmed_by:
        if d.confirmed_by is None:
            return _unknown(
                [f"how the diagnosis was confirmed ({' or '.join(rule.confirmed_by)})"], [shown]
            )
        return _met(d.confirmed_by in rule.confirmed_by, [shown])
    return _met(True, [shown])


def _stage_code(text: str, prefix: str = "") -> str:
    code = text.strip().upper().replace(" ", "")
    if code.startswith("STAGE"):
        code = code[5:]
    if prefix:
        # clinical, pathological, post-therapy, recurrence prefixes: cT1b, pT1b, ypT0, rT2
        for lead in ("YP", "YC", "C", "P", "R", "A"):
            if code.startswith(lead + prefix):
                code = code[len(lead) :]
                break
    return code


def matches_stage(value: str, allowed: str, prefix: str = "") -> bool:
    """'IA2' is within 'IA'; 'T1b' within 'T1'; 'IV' is not within 'I', nor 'IIIA' within 'II'."""
    a, b = _stage_code(value, prefix), _stage_code(allowed, prefix)
    if a == b:
        return True
    return (
        a.startswith(b)
        and a[len(b)] in "ABC0123456789"
        and not (prefix == "" and b[-1:] in "ABC" and a[len(b)] in "ABC")
    )


def stage_verdict(value: str, allowed: tuple[str, ...], prefix: str = "") -> bool | None:
    """Whether a recorded stage (or T, N, M category) is one of ``allowed``; None when the record
    is coarser than an allowed group and may or may not be within it: a stage recorded as 'III'
    against 'IIIB or IV' could be IIIA or IIIB (issue 12: unknown, never a wrong exclusion)."""
    if any(matches_stage(value, a, prefix) for a in allowed):
        return True
    if any(matches_stage(a, value, prefix) for a in allowed):
        return None
    return False


def _stage(rule: StageRule, ctx: Context) -> _Partial:
    d = ctx.patient.diagnosis
    if d is None:
        return _unknown(["primary diagnosis with its stage"])
    missing: list[str] = []
    evidence: list[Evidence] = []
    verdicts: list[bool] = []
    if rule.editions:
        if d.edition is None:
            missing.append(
                f"AJCC edition of the stage (the rule needs edition "
                f"{' or '.join(map(str, rule.editions))})"
            )
        elif d.edition not in rule.editions:
            missing.append(
                f"stage by AJCC edition {' or '.join(map(str, rule.editions))} "
                f"(recorded by edition {d.edition})"
            )
        else:
            evidence.append(Evidence(item="AJCC edition", value=float(d.edition)))
    for label, allowed, value, prefix in (
        ("stage group", rule.groups, d.stage, ""),
        ("T category", rule.t, d.t, "T"),
        ("N category", rule.n, d.n, "N"),
        ("M category", rule.m, d.m, "M"),
    ):
        if not allowed:
            continue
        if value is None:
            missing.append(label)
            continue
        ok = stage_verdict(value, allowed, prefix)
        if ok is None:
            missing.append(f"{label} more specific than {value}")
        else:
            verdicts.append(ok)
        evidence.append(
            Evidence(item=label, value=value, threshold=" or ".join(allowed), record=d.record)
        )
    if rule.extent:
        extents = " or ".join(EXTENT_NAMES[e] for e in rule.extent)
        # the condition records, and the diagnosis among them when a history is given (as the
        # condition rules count it)
        dated = [(r.concepts("condition"), r.onset) for r in ctx.patient.conditions or ()]
        if ctx.patient.conditions is not None:
            dated.append((d.concepts("condition"), d.date))
        metastases = any(
            keys & METASTASIS_CONDITIONS and (onset is None or onset <= ctx.reference)
            for keys, onset in dated
        )
        ok, found = extent_verdict(rule.extent, d.extent, d.stage, d.m, metastases)
        evidence.append(
            Evidence(item="extent now", value=found, threshold=extents, record=d.record)
        )
        if ok is None:
            missing.append(f"extent of the disease now ({extents}?): {found}")
        else:
            verdicts.append(ok)
    if not all(verdicts):
        return _met(False, evidence)
    if missing:
        return _unknown(missing, evidence)
    return _met(True, evidence)


def _tumour_size(rule: TumourSizeRule, ctx: Context) -> _Partial:
    d = ctx.patient.diagnosis
    if d is None or d.tumour_size_mm is None:
        return _unknown(["primary tumour size (greatest dimension, mm)"])
    scale = 10.0 if rule.unit == "cm" else 1.0
    ok = all(b.comparator.holds(d.tumour_size_mm, b.value * scale) for b in rule.bounds)
    bounds = " and ".join(f"{b.comparator.symbol} {_num(b.value)} {rule.unit}" for b in rule.bounds)
    return _met(
        ok,
        [
            Evidence(
                item="tumour size",
                value=d.tumour_size_mm,
                unit="mm",
                threshold=bounds,
                record=d.record,
            )
        ],
    )


def _biomarker(rule: BiomarkerRule, ctx: Context) -> _Partial:
    results = ctx.patient.biomarkers
    if results is None:
        return _unknown([f"{rule.marker} result"])
    mine = [
        b
        for b in results
        if b.marker.strip().upper() == rule.marker.upper()
        and (b.date is None or b.date <= ctx.reference)
    ]
    if not mine:
        return _unknown([f"{rule.marker} result"])
    dated = _latest(mine, lambda b: b.date)
    latest = dated if dated is not None else mine[-1]
    shown = Evidence(
        item=rule.marker,
        value=latest.status or latest.value,
        date=latest.date,
        record=latest.record,
    )
    if rule.variant is not None:
        # the latest test: every result of its day (a test that found two variants is two
        # results), or every undated result when none is dated
        return _variant(rule, [b for b in mine if b.date == latest.date])
    if rule.status is not None:
        status = latest.status
        if status == "failed":
            if rule.failed_as is None:
                return _unknown([f"{rule.marker} result (the test failed; repeat it)"], [shown])
            status = rule.failed_as
        if status is None:
            return _unknown([f"{rule.marker} status (detected or not detected)"], [shown])
        return _met(status == rule.status, [shown.model_copy(update={"threshold": rule.status})])
    assert rule.comparator is not None and rule.value is not None
    if latest.value is None:
        return _unknown([f"{rule.marker} level (%)"], [shown])
    threshold = f"{rule.comparator.symbol} {_num(rule.value)} %"
    return _met(
        rule.comparator.holds(latest.value, rule.value),
        [shown.model_copy(update={"threshold": threshold, "unit": "%"})],
    )


def _variant(rule: BiomarkerRule, test: list[Biomarker]) -> _Partial:
    """Met when a detected result records one of the rule's variants; not met when the test
    found the marker not detected, or only other variants it names; unknown when a detected
    result names no variant, or the test failed (unless the protocol says how that counts)."""
    assert rule.variant is not None
    wanted = " or ".join(rule.variant)
    shown = [
        Evidence(
            item=rule.marker,
            value=b.variant or b.status or b.value,
            date=b.date,
            record=b.record,
            threshold=wanted,
        )
        for b in test
    ]
    hits = [e for b, e in zip(test, shown, strict=True) if b.variant in rule.variant]
    if hits:
        return _met(True, hits)
    if any(b.status == "detected" and b.variant is None for b in test):
        return _unknown(
            [f"{rule.marker} variant (the result says detected, not whether it is {wanted})"],
            shown,
        )
    if any(b.status == "failed" for b in test) and rule.failed_as != "not_detected":
        return _unknown([f"{rule.marker} result (the test failed; repeat it)"], shown)
    if any(b.status is None for b in test):
        return _unknown([f"{rule.marker} status (detected or not detected)"], shown)
    return _met(False, shown)


def _lesions(rule: LesionRule, ctx: Context) -> _Partial:
    lesions = ctx.patient.lesions
    if lesions is None:
        return _unknown(["current tumour lesions (organ, measurable)"])
    reference = ctx.reference
    usable = [x for x in lesions if x.date is None or x.date <= reference]
    if rule.within is not None:
        earliest = rule.within.earliest(reference)
        usable = [x for x in usable if x.date is not None and x.date >= earliest]
        if not usable:
            return _unknown(
                [f"tumour assessment within {rule.within} before {reference.isoformat()}"],
                notes=ctx.window_note(rule.within),
            )
    dates = {x.date for x in usable if x.date is not None}
    if dates:
        # the most recent assessment describes the current lesions
        last = max(dates)
        usable = [x for x in usable if x.date is None or x.date == last]
    missing: list[str] = []
    verdicts: list[bool] = []
    evidence: list[Evidence] = []
    counted = usable
    if rule.exclude_complete_metabolic_response and (
        rule.max_lesions is not None or rule.max_organs is not None
    ):
        if any(x.complete_metabolic_response is None for x in usable):
            missing.append("metabolic response (complete or not) of each lesion on PET-CT")
        counted = [x for x in usable if x.complete_metabolic_response is not True]
    if rule.max_lesions is not None and not missing:
        verdicts.append(len(counted) <= rule.max_lesions)
        evidence.append(
            Evidence(item="lesions", value=float(len(counted)), threshold=f"≤ {rule.max_lesions}")
        )
    if rule.max_organs is not None and not missing:
        organs = sorted({x.organ.strip().casefold() for x in counted})
        verdicts.append(len(organs) <= rule.max_organs)
        evidence.append(
            Evidence(
                item="organs",
                value=float(len(organs)),
                threshold=f"≤ {rule.max_organs}",
                note=", ".join(organs),
            )
        )
    if rule.min_measurable is not None:
        n = sum(1 for x in usable if x.measurable)
        if n < rule.min_measurable and any(x.measurable is None for x in usable):
            missing.append(f"measurability of each lesion ({rule.criteria or 'RECIST 1.1'})")
        else:
            verdicts.append(n >= rule.min_measurable)
            evidence.append(
                Evidence(
                    item="measurable lesions", value=float(n), threshold=f"≥ {rule.min_measurable}"
                )
            )
    notes = ctx.window_note(rule.within)
    if not all(verdicts):
        return _met(False, evidence, notes)
    if missing:
        return _unknown(missing, evidence, notes)
    return _met(True, evidence, notes)
