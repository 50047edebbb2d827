"""Evaluating history rules for one patient: medications (and each drug of each therapy line),
procedures, conditions, therapy regimens and the number of prior lines.

A history list is read as complete only when the record provides it; without it the rule is
unknown, never not met.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from oncotrial.eligibility.concepts import (
    CONDITIONS,
    PROCEDURES,
    THERAPIES,
    UNCLEAR_CONDITIONS,
    UNSPECIFIED,
)
from oncotrial.eligibility.concepts_drugs import (
    OPEN_CLASSES,
    UNCLASSIFIED,
    conjugate_of,
    therapy_keys,
    vague_for,
)
from oncotrial.eligibility.concepts_medications import other_uses
from oncotrial.eligibility.concepts_oncology import (
    cancer_relation,
    malignancy_kinds,
    prednisone_equivalent,
    site_key,
    site_relation,
)
from oncotrial.eligibility.evaluate_context import Context, _lower_first, _met, _Partial, _unknown
from oncotrial.eligibility.outcome import Evidence, Status, combine_any
from oncotrial.eligibility.patient import (
    CLINICAL_STATUS_ACTIVE,
    CLINICAL_STATUS_OVER,
    ConditionRecord,
    Diagnosis,
    MedicationRecord,
)
from oncotrial.eligibility.rule_window import half_life_status
from oncotrial.eligibility.rules import (
    ConditionRule,
    MedicationRule,
    OtherMalignancyRule,
    PriorLinesRule,
    ProcedureRule,
    RegimenRule,
    Window,
)

_Exposure = tuple[MedicationRecord, dt.date | None, dt.date | None, str, frozenset[str]]


def _exposures(ctx: Context) -> list[_Exposure]:
    """Every drug the patient received, with its therapy concepts (``therapy_keys``):
    medications plus each drug of each therapy line."""
    found: list[_Exposure] = []
    for m in ctx.patient.medications or ():
        keys = therapy_keys(m.concepts("therapy"))
        found.append((m, m.start, m.end, m.record or "medication", keys))
    for line in ctx.patient.therapies or ():
        for drug in line.drugs:
            found.append(
                (
                    drug,
                    drug.start or line.start,
                    drug.end or line.end,
                    line.record or "therapy line",
                    therapy_keys(drug.concepts("therapy"), in_line=True),
                )
            )
    return found


def _medication(rule: MedicationRule, ctx: Context) -> _Partial:
    name = THERAPIES[rule.therapy].name
    p = ctx.patient
    if p.medications is None and p.therapies is None:
        return _unknown([f"medication history (to check for {_lower_first(name)})"])
    # a window to registration runs back from the as-of date (Context.window_end)
    reference = ctx.window_end(rule.within)
    earliest = rule.within.earliest(reference) if rule.within else None
    found: list[tuple[MedicationRecord, Evidence]] = []
    undated: list[str] = []
    vague = vague_for(rule.therapy)
    maybe: list[MedicationRecord] = []  # a record of the drug's class that names no drug
    for drug, start, end, record, keys in _exposures(ctx):
        if rule.therapy not in keys:
            if not keys & vague:
                continue
            maybe.append(drug)
        label = drug.text or drug.concept or drug.code or "medication"
        if start is not None and start > reference:
            continue  # planned, not received before the first dose
        if rule.ongoing:
            if start is None:
                undated.append(f"start date of {label}")
                continue
            if end is None or end >= reference:
                note = "ongoing" if end is None else f"until {end}"
                found.append(
                    (drug, Evidence(item=name, value=label, date=start, record=record, note=note))
                )
            continue
        if earliest is None:
            found.append((drug, Evidence(item=name, value=label, date=start, record=record)))
            continue
        # no end date is an exposure still going on (MedicationRecord.end): taken up to now,
        # so within any window ("At least 3 months since prior trastuzumab" on a patient who
        # started it five months ago and has no end date was a silent pass)
        last = end if end is not None else (reference if start is not None else None)
        if last is None:
            undated.append(f"dates of {label}")
            continue
        assert rule.within is not None  # earliest is its first day
        within = half_life_status(rule.within, last >= earliest, last >= reference)
        if within is None:
            # a window of half-lives: only the drug's half-life would say (rule_window)
            undated.append(_half_lives(rule.within, label, last))
        elif within:
            threshold = f"on or after {earliest.isoformat()}"
            evidence = Evidence(
                item=name, value=label, date=start or end, record=record, threshold=threshold
            )
            found.append((drug, evidence))
    kept: list[Evidence] = []
    for drug, evidence in found:
        if any(drug is m for m in maybe):
            if conjugate_of(rule.therapy) in drug.concepts("therapy"):
                # trastuzumab emtansine delivers trastuzumab, yet is a substance of its own
                # (concepts_regimens): whether the rule meant it is the trial team's to say
                undated.append(f"whether {evidence.value}, a conjugate of {name}, counts")
            elif other_uses(rule.therapy) in drug.concepts("therapy"):
                # lamivudine treats HIV or hepatitis B (concepts_medications)
                undated.append(f"whether {evidence.value} is given as {_lower_first(name)}")
            elif rule.therapy in OPEN_CLASSES:
                # a drug oncotrial cannot classify may be one (concepts_medications)
                undated.append(f"whether {evidence.value} is {_article(name)}")
            else:
                undated.append(f"which drug {evidence.value} was")
            continue
        dose = dose_status(rule, drug)
        if dose is None or dose is Status.MET:
            kept.append(evidence)
        elif dose is Status.UNKNOWN:
            undated.append(f"prednisone-equivalent daily dose of {evidence.value}")
    notes = ctx.window_note(rule.within) + _unclassified_note(rule, name, ctx)
    return _found(name, kept, undated, notes, len(_exposures(ctx)), "medications")


def _unclassified_note(rule: MedicationRule, name: str, ctx: Context) -> tuple[str, ...]:
    """A closed class counts the drugs it lists (concepts_drug_classes): a drug oncotrial
    cannot classify (an investigational one known by a code name) is not counted. The verdict
    says so, naming the records, so that the investigator can check them (docs/eligibility.md,
    "Known limits"); an open class leaves such a drug unknown instead (above)."""
    if rule.therapy in OPEN_CLASSES:
        return ()
    labels = [
        drug.text or drug.concept or drug.code or "medication"
        for drug, *_, keys in _exposures(ctx)
        if UNCLASSIFIED in keys
    ]
    if not labels:
        return ()
    return (
        f"not counted as {_article(name)}: {', '.join(dict.fromkeys(labels))} — oncotrial "
        "cannot classify them; confirm",
    )


def _half_lives(window: Window, label: str, last: dt.date) -> str:
    return (
        f"whether {label}, last taken {last.isoformat()}, is within {window.half_lives} "
        f"half-lives (the window is {window}{window.or_half_lives[:-1]}; no half-life is "
        "recorded)"
    )


def _article(name: str) -> str:
    lower = _lower_first(name)
    return ("an " if lower[:1] in "aeiou" else "a ") + lower


def dose_status(rule: MedicationRule, drug: MedicationRecord) -> Status | None:
    """Whether a corticosteroid record's prednisone-equivalent daily dose is beyond the rule's
    limit: MET, NOT_MET, or UNKNOWN (dose or drug not known, or the equivalence tables place it
    on both sides of the limit). None: the rule has no dose limit."""
    if rule.daily_dose is None:
        return None
    dose = prednisone_equivalent(drug.text, drug.system, drug.code, drug.mg_per_day())
    if dose is None:
        return Status.UNKNOWN
    comparator, limit = rule.daily_dose.comparator, rule.daily_dose.value
    low, high = (comparator.holds(d, limit) for d in dose)
    if low and high:
        return Status.MET
    if not low and not high:
        return Status.NOT_MET
    return Status.UNKNOWN


def _procedure(rule: ProcedureRule, ctx: Context) -> _Partial:
    name = PROCEDURES[rule.procedure].name
    procedures = ctx.patient.procedures
    if procedures is None:
        return _unknown([f"procedure history (to check for {_lower_first(name)})"])
    # a window to registration runs back from the as-of date (Context.window_end)
    reference = ctx.window_end(rule.within)
    earliest = rule.within.earliest(reference) if rule.within else None
    evidence: list[Evidence] = []
    undated: list[str] = []
    vague = UNSPECIFIED.get(rule.procedure)
    for proc in procedures:
        keys = proc.concepts()
        if rule.procedure not in keys and (vague is None or vague not in keys):
            continue
        label = proc.text or proc.category or proc.code or "procedure"
        if proc.date is None and earliest is not None:
            undated.append(f"date of {label}")
            continue
        if proc.date is not None and proc.date > reference:
            continue
        if earliest is not None and proc.date is not None and proc.date < earliest:
            continue
        if rule.procedure not in keys:
            undated.append(f"whether {label} was {_lower_first(name).split()[0]}")
            continue
        if rule.site is not None:
            where = site_relation(rule.site, site_key(proc.site))
            if where == "apart":
                continue
            if where == "unclear":
                undated.append(
                    f"whether the site of {label} ({proc.site or 'not recorded'}) "
                    f"is in the {rule.site.replace('_', ' ')}"
                )
                continue
        evidence.append(Evidence(item=name, value=label, date=proc.date, record=proc.record))
    return _found(
        name, evidence, undated, ctx.window_note(rule.within), len(procedures), "procedures"
    )


def _condition(rule: ConditionRule, ctx: Context) -> _Partial:
    name = CONDITIONS[rule.condition].name
    p = ctx.patient
    records = list(p.conditions or ())
    if p.conditions is None:
        what = _lower_first(name) + (f' "{rule.qualifier}"' if rule.qualifier else "")
        return _unknown([f"medical history (to check for {what})"])
    records_diag: list[Diagnosis] = [p.diagnosis] if p.diagnosis is not None else []
    reference = ctx.window_end(rule.within)  # the as-of date for a window to registration
    earliest = rule.within.earliest(reference) if rule.within else None
    evidence: list[Evidence] = []
    undated: list[str] = []
    found_records: list[ConditionRecord | Diagnosis] = [*records, *records_diag]
    unclear = UNCLEAR_CONDITIONS.get(rule.condition, frozenset())
    for record in found_records:
        keys = record.concepts("condition")
        if rule.condition not in keys and not keys & unclear:
            continue
        label = record.text or record.concept or record.code or name
        if record.code:
            label += f" ({record.system or 'code'} {record.code})"
        onset = getattr(record, "onset", None) or getattr(record, "date", None)
        where = record.record
        if onset is not None and onset > reference:
            continue
        abated = getattr(record, "abatement", None)
        if (rule.current or rule.active) and abated is not None and abated <= reference:
            continue
        status = getattr(record, "clinical_status", None)  # the diagnosis records none
        if rule.current and status in CLINICAL_STATUS_OVER:
            continue  # FHIR R4 Condition.clinicalStatus: resolved, in remission or inactive
        if rule.active:
            if status is None:
                undated.append(
                    f"clinical status of {label} (active, recurrence, relapse, inactive, "
                    "remission or resolved)"
                )
            elif status in CLINICAL_STATUS_ACTIVE and rule.condition not in keys:
                undated.append(f"whether {label} counts as {_lower_first(name)}")
            elif status in CLINICAL_STATUS_ACTIVE:
                evidence.append(
                    Evidence(
                        item=name,
                        value=label,
                        date=onset,
                        record=where,
                        note=f"clinical status {status}",
                    )
                )
            continue
        if earliest is not None:
            if onset is None:
                undated.append(f"onset date of {label}")
                continue
            if onset < earliest:
                continue
        if rule.condition not in keys:
            # "a diagnosis of immunodeficiency" on a record of HIV (concepts_immune)
            undated.append(f"whether {label} counts as {_lower_first(name)}")
            continue
        evidence.append(Evidence(item=name, value=label, date=onset, record=where))
    found = _found(
        name, evidence, undated, ctx.window_note(rule.within), len(records), "conditions"
    )
    return found if rule.qualifier is None else confirming(found, rule.qualifier, name)


def confirming(found: _Partial, qualifier: str, name: str) -> _Partial:
    """A qualified rule (``rules.QUALIFIER``): the condition AND words no record shows. A record
    that would meet the condition alone asks the screener to confirm the words (unknown, never
    met); no record of it is not met whatever the words say; each outcome quotes them."""
    quoted = f'"{qualifier}"'
    if found.status is Status.NOT_MET:
        note = f"no record of {_lower_first(name)}, so {quoted} needs no confirming"
        return replace(found, notes=(*found.notes, note))
    records = [e for e in found.evidence if e.value != "none recorded"]
    labels = [str(e.value) for e in records] or [_lower_first(name)]
    asks = tuple(f"whether {label}: {quoted} (the records cannot show it)" for label in labels)
    marked = tuple(
        e.model_copy(update={"note": "; ".join(filter(None, (e.note, f"to confirm {quoted}")))})
        for e in records
    )
    return _Partial(Status.UNKNOWN, marked, (*found.missing, *asks), found.notes, found.parts)


def malignancy_records(
    conditions: Sequence[ConditionRecord], diagnosis: Diagnosis | None
) -> list[tuple[ConditionRecord, frozenset[str], str]]:
    """Each condition record that is a malignancy or carcinoma in situ, with its kinds and its
    relation to the cancer under study (other / unclear; the cancer under study left out)."""
    d = (
        None
        if diagnosis is None
        else (diagnosis.concepts("condition"), diagnosis.system, diagnosis.code, diagnosis.date)
    )
    found = []
    for record in conditions:
        keys = record.concepts("condition")
        kinds = malignancy_kinds(keys)
        if not kinds:
            continue
        relation = "other"
        if "malignancy" in kinds:
            relation = cancer_relation((keys, record.system, record.code, record.onset), d)
            if relation == "same":
                continue
        found.append((record, kinds, relation))
    return found


def malignancy_verdict(
    rule: OtherMalignancyRule,
    kinds: frozenset[str],
    relation: str,
    onset: dt.date | None,
    abatement: dt.date | None,
    reference: dt.date,
    status: str | None = None,
) -> Status | None:
    """One record's part in an "other malignancy" rule: MET (another cancer in the period),
    UNKNOWN (cannot be told), None (does not count). ``status``: the record's clinical status
    (a current malignancy is over when it says so, as for a current condition)."""
    if kinds & set(rule.exceptions):
        return None
    if onset is not None and onset > reference:
        return None
    if rule.current and abatement is not None and abatement <= reference:
        return None
    if rule.current and status in CLINICAL_STATUS_OVER:
        return None
    opens = rule.within.earliest(reference) if rule.within is not None else None
    if opens is not None and abatement is not None and abatement < opens:
        return None  # resolved before the window opened
    unclear = (
        relation == "unclear"
        or "malignancy" not in kinds  # a carcinoma in situ no exception names
        or (
            "skin_basal_squamous_carcinoma" in rule.exceptions
            and "nonmelanoma_skin_cancer" in kinds
            and "nonmelanoma_skin_cancer" not in rule.exceptions
        )  # a skin cancer not said to be basal or squamous cell, when only those are excepted
    )
    return Status.UNKNOWN if unclear else Status.MET


def _other_malignancy(rule: OtherMalignancyRule, ctx: Context) -> _Partial:
    p = ctx.patient
    if p.conditions is None:
        what = f' "{rule.qualifier}"' if rule.qualifier else ""
        return _unknown([f"medical history (to check for other malignancies{what})"])
    evidence: list[Evidence] = []
    unclear: list[str] = []
    for record, kinds, relation in malignancy_records(p.conditions, p.diagnosis):
        verdict = malignancy_verdict(
            rule,
            kinds,
            relation,
            record.onset,
            record.abatement,
            ctx.window_end(rule.within),
            getattr(record, "clinical_status", None),  # the diagnosis records none
        )
        if verdict is None:
            continue
        label = record.text or record.concept or record.code or "malignancy"
        if record.code:
            label += f" ({record.system or 'code'} {record.code})"
        if verdict is Status.MET:
            evidence.append(
                Evidence(
                    item="other malignancy", value=label, date=record.onset, record=record.record
                )
            )
        elif relation == "unclear":
            unclear.append(f"whether {label} is the cancer under study")
        else:
            unclear.append(f"whether {label} counts as a malignancy here")
    notes = ctx.window_note(rule.within)
    if evidence:
        found = _met(True, evidence, notes)
    elif unclear:
        found = _unknown(unclear, notes=notes)
    else:
        none = Evidence(
            item="other malignancy",
            value="none recorded",
            note=f"none among the {len(p.conditions)} conditions recorded",
        )
        found = _met(False, [none], notes)
    if rule.qualifier is None:
        return found
    return confirming(found, rule.qualifier, "malignancy other than the cancer under study")


def _regimen(rule: RegimenRule, ctx: Context) -> _Partial:
    lines = ctx.patient.therapies
    if lines is None:
        return _unknown(["prior lines of systemic therapy (drugs, line, cycles)"])
    wanted = set(rule.therapies)
    evidence: list[Evidence] = []
    missing: list[str] = []
    verdicts: list[Status] = []
    for line in lines:
        classes: set[str] = set()
        for drug in line.drugs:
            classes |= drug.concepts("therapy")
        label = " + ".join(d.text or d.concept or d.code or "?" for d in line.drugs)
        # a drug of the line recorded only by a wider class ('chemotherapy') may be the one
        maybe = all(t in classes or classes & vague_for(t) for t in wanted)
        if rule.line is not None and line.line is None:
            if maybe:
                missing.append(f"line number of {label}")
                verdicts.append(Status.UNKNOWN)
            continue
        if rule.line is not None and line.line != rule.line:
            continue
        if maybe and not wanted <= classes:
            unsure = ", ".join(THERAPIES[t].name for t in sorted(wanted - classes))
            missing.append(f"whether {label} was {_lower_first(unsure)}")
            verdicts.append(Status.UNKNOWN)
            continue
        if not wanted <= classes:
            evidence.append(
                Evidence(
                    item=f"line {line.line or '?'}",
                    value=label,
                    record=line.record,
                    note="does not contain "
                    + ", ".join(THERAPIES[t].name for t in sorted(wanted - classes)),
                )
            )
            verdicts.append(Status.NOT_MET)
            continue
        if rule.min_cycles is None and rule.max_cycles is None:
            evidence.append(
                Evidence(item=f"line {line.line or '?'}", value=label, record=line.record)
            )
            verdicts.append(Status.MET)
            continue
        if line.cycles is None:
            missing.append(f"number of cycles of {label}")
            verdicts.append(Status.UNKNOWN)
            continue
        ok = (rule.min_cycles is None or line.cycles >= rule.min_cycles) and (
            rule.max_cycles is None or line.cycles <= rule.max_cycles
        )
        evidence.append(
            Evidence(
                item=f"line {line.line or '?'}",
                value=label,
                record=line.record,
                note=f"{line.cycles} cycles",
            )
        )
        verdicts.append(Status.MET if ok else Status.NOT_MET)
    status = combine_any(verdicts)
    if status is Status.UNKNOWN:
        return _unknown(missing, evidence)
    if not verdicts:
        what = f"line {rule.line} therapy" if rule.line else "a matching therapy line"
        return _met(
            False,
            [
                Evidence(
                    item="therapy",
                    value="none recorded",
                    note=f"no {what} among {len(lines)} lines recorded",
                )
            ],
        )
    return _met(status is Status.MET, evidence)


def _prior_lines(rule: PriorLinesRule, ctx: Context) -> _Partial:
    lines = ctx.patient.therapies
    if lines is None:
        return _unknown(["prior lines of systemic therapy (their drugs)"])
    vague = vague_for(rule.therapy) if rule.therapy else frozenset()
    n, unsure = 0, []  # lines of the therapy, and lines that may be ('chemotherapy')
    for line in lines:
        keys = frozenset().union(*(drug.concepts("therapy") for drug in line.drugs))
        if rule.therapy is None or rule.therapy in keys:
            n += 1
        elif keys & vague:
            unsure.append(" + ".join(d.text or d.concept or d.code or "?" for d in line.drugs))
    what = THERAPIES[rule.therapy].name if rule.therapy else "systemic therapy"
    evidence = [Evidence(item="prior lines", value=str(n), note=f"of {what}")]
    verdict = lines_verdict(rule, n, n + len(unsure))
    if verdict is Status.UNKNOWN:
        return _unknown([f"whether {u} was {_lower_first(what)}" for u in unsure], evidence)
    return _met(verdict is Status.MET, evidence)


def lines_verdict(rule: PriorLinesRule, low: int, high: int) -> Status:
    """The rule on a count of lines known to lie between ``low`` and ``high``: MET if every
    count there holds, NOT_MET if none does, else UNKNOWN (the limits bound an interval)."""
    floor = rule.min_lines if rule.min_lines is not None else 0
    ceiling = rule.max_lines if rule.max_lines is not None else high
    if floor <= low and high <= ceiling:
        return Status.MET
    if max(low, floor) > min(high, ceiling):
        return Status.NOT_MET
    return Status.UNKNOWN


def _found(
    name: str,
    evidence: list[Evidence],
    undated: list[str],
    notes: Sequence[str],
    count: int,
    what: str,
) -> _Partial:
    """Met on any dated record in the window; else unknown when a record's date is missing (it
    might fall in the window); else not met, saying how many records were looked through."""
    if evidence:
        return _met(True, evidence, notes)
    if undated:
        return _unknown(undated, notes=notes)
    none = Evidence(
        item=name, value="none recorded", note=f"none among the {count} {what} recorded"
    )
    return _met(False, [none], notes)
