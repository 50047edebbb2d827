"""Allergies and intolerances for one patient (``AllergyRule``): 'Known hypersensitivity to
pembrolizumab or any of its excipients', 'Severe hypersensitivity (≥ Grade 3) to pembrolizumab'.

Each allergy record counts (met), does not count (not met) or may count (unknown) by three
parts, combined with Kleene logic (a part not met decides):

- the substance: a record of a named drug or class (or a drug of a named class) counts; a record
  of a class that names no one drug of it ('chemotherapy' for a rule on paclitaxel, as for
  medications: ``concepts_drugs.vague_for``) may. A record of another substance oncotrial knows
  does not count, unless the rule adds the drug's excipients ('or any of its excipients'): what
  a product is made of is not in oncotrial's vocabulary, so any other allergy may be to one of
  them. A record whose substance oncotrial does not know (a name no concept reads, a code of a
  system it cannot check) may be to the drug under another name: unknown;
- the severity, when the rule asks for one ('severe', '≥ Grade 3'): the record's CTCAE grade,
  else its reaction severity as grades (``patient.ALLERGY_GRADES``); neither recorded: unknown;
- the record's standing: a refuted or entered-in-error record (FHIR verificationStatus) is no
  allergy; an unconfirmed or presumed one, one whose clinical status is inactive or resolved
  (the patient may tolerate the drug now), and an intolerance (FHIR type: not immune-mediated,
  where the criteria say hypersensitivity or allergy) leave the rule unknown.

A record dated after the reference date is not baseline history and is not used. No allergy list
(``Patient.allergies`` None) is unknown; an empty one says no allergy is known: not met.
The vectorised screen (``batch_allergy``) decides each record with ``record_status`` too.
"""

from __future__ import annotations

from oncotrial.eligibility.concepts_drugs import vague_for
from oncotrial.eligibility.evaluate_context import Context, _met, _Partial, _unknown
from oncotrial.eligibility.outcome import Evidence, Status, combine_all
from oncotrial.eligibility.patient import AllergyRecord
from oncotrial.eligibility.rules import AllergyRule

__all__ = ["allergy", "record_status"]

_NO_ALLERGY = frozenset({"refuted", "entered-in-error"})
_UNSURE = frozenset({"unconfirmed", "presumed"})
_PAST = frozenset({"inactive", "resolved"})


def _substance(rule: AllergyRule, concepts: frozenset[str], label: str) -> tuple[Status, str]:
    if concepts & set(rule.substances):
        return Status.MET, ""
    vague = frozenset().union(*(vague_for(s) for s in rule.substances))
    drugs = rule.named
    if rule.study_drugs:
        # the study drugs are the protocol's products, which the rule does not name: any
        # recorded allergy may be to one of them (never met on a guess, never not met either)
        return Status.UNKNOWN, f"whether the allergy to {label} is to {drugs}"
    if concepts & vague:
        return Status.UNKNOWN, f"whether the allergy to {label} is to {drugs}"
    if rule.excipients:
        return Status.UNKNOWN, f"whether the allergy to {label} is to an excipient of {drugs}"
    if concepts:
        return Status.NOT_MET, ""
    return Status.UNKNOWN, f"which substance {label} is (to tell it from {drugs})"


def record_status(
    rule: AllergyRule,
    concepts: frozenset[str],
    grades: tuple[int, int] | None,
    clinical_status: str | None,
    verification_status: str | None,
    kind: str | None = None,
    label: str = "the substance recorded",
) -> tuple[Status, tuple[str, ...]]:
    """Whether one allergy record counts for ``rule``, and what is missing to know."""
    if verification_status in _NO_ALLERGY:
        return Status.NOT_MET, ()
    parts = [_substance(rule, concepts, label)]
    if rule.min_grade is not None:
        if grades is None:
            parts.append((Status.UNKNOWN, f"severity (CTCAE grade) of the allergy to {label}"))
        elif grades[1] < rule.min_grade:
            parts.append((Status.NOT_MET, ""))
        elif grades[0] < rule.min_grade:
            parts.append((Status.UNKNOWN, f"CTCAE grade of the allergy to {label}"))
    if verification_status in _UNSURE:
        parts.append((Status.UNKNOWN, f"whether the allergy to {label} is confirmed"))
    if kind == "intolerance":
        parts.append((Status.UNKNOWN, f"whether the intolerance to {label} is a hypersensitivity"))
    if clinical_status in _PAST:
        parts.append((Status.UNKNOWN, f"whether the {clinical_status} allergy to {label} counts"))
    status = combine_all(s for s, _ in parts)
    if status is not Status.UNKNOWN:
        return status, ()
    return status, tuple(why for s, why in parts if s is Status.UNKNOWN)


def _label(record: AllergyRecord) -> str:
    if record.code:
        return record.text or record.concept or f"{record.system or 'code'} {record.code}"
    return record.text or record.concept or "a substance not named"


def allergy(rule: AllergyRule, ctx: Context) -> _Partial:
    drugs = rule.named
    records = ctx.patient.allergies
    if records is None:
        return _unknown([f"allergies and intolerances (to check for an allergy to {drugs})"])
    evidence: list[Evidence] = []
    missing: list[str] = []
    for record in records:
        if record.date is not None and record.date > ctx.reference:
            continue
        label = _label(record)
        status, why = record_status(
            rule,
            record.concepts("therapy"),
            record.grades(),
            record.clinical_status,
            record.verification_status,
            record.type,
            label,
        )
        if status is Status.MET:
            grade = record.grade or record.severity
            note = f"grade {grade}" if isinstance(grade, int) else grade
            evidence.append(
                Evidence(
                    item=f"allergy to {drugs}",
                    value=label,
                    date=record.date,
                    record=record.record,
                    note=note,
                )
            )
        elif status is Status.UNKNOWN:
            missing.extend(why)
    if evidence:
        return _met(True, evidence)
    if missing:
        return _unknown(list(dict.fromkeys(missing)))
    none = Evidence(
        item=f"allergy to {drugs}",
        value="none recorded",
        note=f"none among the {len(records)} allergies recorded",
    )
    return _met(False, [none])
