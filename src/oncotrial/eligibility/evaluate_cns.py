"""Brain/CNS metastases that are not treated and stable, for one patient (``CnsMetastasesRule``).

A current brain-metastasis record counts unless every condition of the exemption the text
gives holds: treated; radiologically stable since at least ``stable_for`` before the reference
date; without symptoms (when asked); no systemic corticosteroid within ``steroid_free``. Each
part is three-valued (a field not recorded is unknown), combined with Kleene logic: a record
whose exemption is unknown makes the rule unknown unless another record counts.
"""

from __future__ import annotations

from oncotrial.eligibility.concepts import CONDITIONS
from oncotrial.eligibility.evaluate_context import Context, _met, _Partial, _unknown
from oncotrial.eligibility.evaluate_history import _medication
from oncotrial.eligibility.outcome import Evidence, Status, combine_all, combine_any
from oncotrial.eligibility.patient import ConditionRecord
from oncotrial.eligibility.rules import CnsMetastasesRule, MedicationRule

__all__ = ["cns_metastases", "steroid_rule"]

_KEY = "brain_metastases"


def steroid_rule(rule: CnsMetastasesRule) -> MedicationRule | None:
    """The corticosteroid part of the exemption, as the medication rule it is."""
    if rule.steroid_free is None:
        return None
    return MedicationRule(
        kind="medication",
        id=f"{rule.id}.steroids",
        description="systemic corticosteroids within the steroid-free window",
        therapy="systemic_corticosteroid",
        within=rule.steroid_free,
    )


def _flag(value: bool | None, yes: Status = Status.MET) -> Status:
    if value is None:
        return Status.UNKNOWN
    no = Status.NOT_MET if yes is Status.MET else Status.MET
    return yes if value else no


def _exempt(
    rule: CnsMetastasesRule, record: ConditionRecord, ctx: Context, steroids: Status
) -> tuple[Status, list[str]]:
    """Whether the record is exempt (treated and stable …), and what is missing to know."""
    parts: list[tuple[Status, str]] = [(_flag(record.treated), "whether it was treated")]
    if rule.stable_for is not None:
        since = record.stable_since
        if since is None:
            parts.append((Status.UNKNOWN, "since when it has been radiologically stable"))
        else:
            ok = since <= rule.stable_for.earliest(ctx.reference)
            parts.append((Status.MET if ok else Status.NOT_MET, ""))
    if rule.asymptomatic:
        parts.append((_flag(record.symptomatic, Status.NOT_MET), "whether it causes symptoms"))
    if rule.steroid_free is not None:
        no_steroids = {Status.MET: Status.NOT_MET, Status.NOT_MET: Status.MET}.get(
            steroids, steroids
        )
        parts.append((no_steroids, "recent systemic corticosteroids"))
    if rule.confirm is not None:
        # words of the exemption no record shows ("clinically stable"): an exempt record asks the
        # screener to confirm them, a record that fails another condition counts whatever they say
        parts.append(
            (Status.UNKNOWN, f'whether it is "{rule.confirm}" (the records cannot show it)')
        )
    status = combine_all(s for s, _ in parts)
    missing = [m for s, m in parts if s is Status.UNKNOWN] if status is Status.UNKNOWN else []
    return status, missing


def cns_metastases(rule: CnsMetastasesRule, ctx: Context) -> _Partial:
    name = CONDITIONS[_KEY].name
    p = ctx.patient
    if p.conditions is None:
        return _unknown(["medical history (to check for brain or CNS metastases)"])
    reference = ctx.reference
    steroids = Status.NOT_MET
    medication = steroid_rule(rule)
    if medication is not None:
        steroids = _medication(medication, ctx).status
    counted: list[Status] = []
    evidence: list[Evidence] = []
    missing: list[str] = []
    for record in p.conditions:
        if _KEY not in record.concepts("condition"):
            continue
        if record.onset is not None and record.onset > reference:
            continue
        if record.abatement is not None and record.abatement <= reference:
            continue
        exempt, lacking = _exempt(rule, record, ctx, steroids)
        counts = {Status.MET: Status.NOT_MET, Status.NOT_MET: Status.MET}.get(exempt, exempt)
        counted.append(counts)
        label = record.text or record.concept or record.code or name
        note = {
            Status.MET: "not treated and stable as the criterion asks",
            Status.NOT_MET: "treated and stable as the criterion asks",
        }.get(counts, "not known whether treated and stable as the criterion asks")
        evidence.append(
            Evidence(item=name, value=label, date=record.onset, record=record.record, note=note)
        )
        missing.extend(f"{m} ({label})" for m in lacking)
    status = combine_any(counted)
    notes = ctx.window_note(rule.stable_for or rule.steroid_free)
    if not counted:
        none = Evidence(
            item=name,
            value="none recorded",
            note=f"none among the {len(p.conditions)} conditions recorded",
        )
        return _met(False, [none], notes)
    if status is Status.UNKNOWN:
        return _unknown(missing, evidence, notes)
    return _met(status is Status.MET, evidence, notes)
