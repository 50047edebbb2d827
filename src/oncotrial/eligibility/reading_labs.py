"""Reading laboratory values and derived quantities from criteria text, with their logic.

"ANC ≥ 1.5 × 10^9/L", "AST/ALT ≤ 2.5 × ULN, or ≤ 5 × ULN in patients with liver metastases"
(a conditional per test), "bilirubin ≤ 2.0 mg/dL, except in patients with Gilbert's syndrome, who
must have ≤ 3.0 mg/dL" (a conditional), "creatinine ≤ 1.5 × ULN or CrCl ≥ 50 mL/min" (an
alternative), "QT interval > 470 msec using Fridericia's formula (QTcF)" (QTcF, not QT), a limit
restated in another unit in parentheses.
"""

from __future__ import annotations

import re
from itertools import pairwise

from oncotrial.eligibility.analytes import ANALYTES, DERIVED, Scale
from oncotrial.eligibility.qt_names import BAZETT, FRIDERICIA
from oncotrial.eligibility.reading import (
    _Found,
    _Mention,
    _mentions,
    _Reader,
    _Threshold,
    _thresholds,
)
from oncotrial.eligibility.reading_bp_postfix import postfix_spans
from oncotrial.eligibility.reading_clearance import (
    CKD_EPI_NAMED,
    EITHER_CLEARANCE,
    EITHER_GFR,
    either_clearance_mentions,
    either_clearance_rule,
)
from oncotrial.eligibility.reading_lab_cues import (
    _attach_cue,
    _Cue,
    _cue_between,
    _cue_rule,
    _cues,
    _gap_ok,
    _is_cue,
)
from oncotrial.eligibility.reading_measurement_method import COCKCROFT_GAULT_NAMED
from oncotrial.eligibility.reading_normal import normal_allowed, normal_note, with_normal_limits
from oncotrial.eligibility.reading_restated import restatement
from oncotrial.eligibility.rules import (
    AllOfRule,
    AnyOfRule,
    Comparator,
    ConditionalRule,
    DerivedRule,
    LabResultRule,
    LabRule,
    Rule,
    Window,
    children,
)
from oncotrial.eligibility.units import conversion_factor
from oncotrial.eligibility.windows import _WINDOW_SPAN, WINDOW_TO_DAY, window_to_day
from oncotrial.errors import DictionaryError, RuleError

# ---- labs and derived values


# "Creatinine and potassium ≤ 1.5 × ULN": a word joined to the test before a shared limit names
# another test (potassium is none oncotrial knows), so the limit is not read for the first one
# alone — it would mark the other test read and pass a patient on it without a word (issue 12:
# never a silent pass). Only a comparator's words may be joined there ("equal to or greater
# than"); "creatinine clearance (calculated or measured)" offers a measured clearance beside the
# calculated one, which the rule read (Cockcroft-Gault) would not take, so it stays unread too.
_JOINED = re.compile(r"(?:\band\b|\bor\b|&|,)\s*(?P<word>[A-Za-z]+)", re.I)
_JOINABLE = frozenset(
    ["equal", "greater", "less", "more", "higher", "lower", "above", "below", "the", "a", "an"]
)


def _names_another_test(gap: str) -> bool:
    return any(m.group("word").lower() not in _JOINABLE for m in _JOINED.finditer(gap))


def _groups(text: str, mentions: list[_Mention]) -> list[list[_Mention]]:
    groups: list[list[_Mention]] = []
    for mention in mentions:
        if groups:
            between = text[groups[-1][-1].end : mention.start]
            # "Aspartate aminotransferase (serum glutamic-oxaloacetic transaminase [SGOT])"
            # (NCT05638295 I23, jwlieb/clinical-trial-agent data/demo/... @387df17): square
            # brackets round a synonym too
            if re.fullmatch(r"[\s(),/&\[\]]*(?:(?:and|or|and/or)[\s(),/&\[\]]*)?", between, re.I):
                groups[-1].append(mention)
                continue
        groups.append([mention])
    return groups


def _lab_rule(
    r: _Reader, mention: _Mention, t: _Threshold, start: int, window: Window | None
) -> Rule | None:
    if mention.key in {EITHER_CLEARANCE, EITHER_GFR}:
        return either_clearance_rule(r, t, start, window, mention.key)
    if mention.derived:
        quantity = DERIVED[mention.key]
        unit = t.unit
        if (
            unit is None
            and quantity.key == "bmi"
            and t.value is not None
            and (t.unit_problem is None or t.unit_problem.lower() in {"or", "and"})
        ):
            unit = "kg/m^2"  # "BMI more than 35": body mass index is only ever in kg/m² (WHO)
        if t.value is None or unit is None:
            return None
        try:
            return r.draft(
                DerivedRule,
                start,
                t.end,
                quantity=quantity.key,
                comparator=t.comparator,
                value=t.value,
                unit=unit,
                within=window if quantity.key in {"creatinine_clearance", "egfr"} else None,
            )
        except ValueError:
            # "BMI > 30 kg": a unit the quantity is not in is never read,
            # and never an internal error
            r.warn(f"{quantity.name}: the unit {unit} does not fit this quantity; not read")
            return None
    item = ANALYTES[mention.key]
    if item.key == "urine_protein_dipstick" and t.unit in {"g/24h", "mg/24h"}:
        # "proteinuria < 1 g/24 h": a mass per 24 hours is the 24-hour collection's, never the
        # dipstick's grade
        item = ANALYTES["urine_protein_24h"]
    if not normal_allowed(r, t, item.key):
        return None
    if item.scale is not Scale.QUANTITATIVE:
        if t.ordinal is None:
            return None
        # "≥ ++" is the dipstick's 2+ written with pluses
        plus = f"{len(t.ordinal)}+" if set(t.ordinal) == {"+"} else t.ordinal
        result = {"negative": "negative", "trace": "trace"}.get(plus.lower(), plus)
        return r.draft(
            LabResultRule,
            start,
            t.end,
            analyte=item.key,
            comparator=t.comparator,
            result=result,
            within=window,
        )
    if t.value is None:
        return None
    unit = t.unit
    if unit is not None and item.key == "urine_protein_24h" and unit in {"g", "mg"}:
        unit = f"{unit}/24h"  # "24-hour urine protein < 1 g": grams per 24 hours
    if t.relative_to is None and unit is None and item.unit == "{ratio}":
        unit = "{ratio}"  # "INR ≤ 1.5": a ratio has no unit to write
    if t.relative_to is None and unit is None:
        return None
    if unit is not None and _impossible(item.key, t.value, unit):
        r.warn(f"{item.name} {t.value:g} {unit} is beyond any possible value; not read")
        return None
    try:
        return r.draft(
            LabRule,
            start,
            t.end,
            analyte=item.key,
            comparator=t.comparator,
            value=t.value,
            unit=unit,
            relative_to=t.relative_to,
            within=window,
            note=normal_note(t, item.name),
        )
    except ValueError:
        r.warn(f"{item.name}: the unit {unit} does not fit this test; not read")
        return None


# Limits no blood count can reach, in the analyte's unit: a threshold beyond them is a misprint
# or a lost superscript ("< 450,000 x 109/L" is 450 × 10^9/L written with "109" for 10^9), never
# read literally (issue 12: never a decision on a misreading). Generous: the highest counts
# recorded in leukaemia (leukocytes in leukostasis, 1 000 × 10^9/L) and thrombocytosis.
_POSSIBLE_MAX = {
    "albumin": 100.0,
    "neutrophils": 1000.0,
    "leukocytes": 1000.0,
    "lymphocytes": 1000.0,
    "platelets": 10000.0,
    "hemoglobin": 300.0,
    # a urine protein/creatinine ratio of 30 g/g is beyond the nephrotic range many times over: a
    # larger number is in another unit (mg/mmol, mg/g) with the unit lost, never the ratio
    "upcr": 30.0,
}


# ... and limits below any count a living patient's blood has, in the analyte's unit: "ANC ≥
# 1.5/µL" is 1.5 × 10^3/µL with the thousands lost, "Hb ≥ 9 g/L" is 9 g/dL; read literally, the
# limit would pass every patient. 0.01 × 10^9/L is 10 cells per µL; 30 g/L of haemoglobin is
# below any value compatible with life.
_POSSIBLE_MIN = {
    # "Albumin level must be greater than 2.5 mg per deciliter" (NCT03774758,
    # jwlieb/clinical-trial-agent data/demo/... @387df17) is 2.5 g/dL: no serum albumin is
    # below 5 g/L (0.5 g/dL), so a lower limit is a misprint, never read
    "albumin": 5.0,
    "neutrophils": 0.01,
    "leukocytes": 0.01,
    "lymphocytes": 0.01,
    "platelets": 0.01,
    "hemoglobin": 30.0,
}


def _impossible(analyte: str, value: float, unit: str) -> bool:
    high = _POSSIBLE_MAX.get(analyte)
    low = _POSSIBLE_MIN.get(analyte, 0.0)
    item = ANALYTES[analyte]
    if high is None or item.unit is None:
        return False
    try:
        converted = value * conversion_factor(unit, item.unit, item.molar_mass)
    except (DictionaryError, RuleError):
        # a unit that does not convert ("Hb < 12 g / dl" read as grams, "> 10 %" of leukocytes,
        # haemoglobin in mmol/L): not this test's limit; the rule itself refuses the unit below
        return False
    return converted > high or 0 < converted < low


def _read_labs(r: _Reader) -> None:
    text = r.text
    # "> 140 mm Hg systolic or > 90 mm Hg diastolic": named after the value (reading_bp_postfix)
    postfix = postfix_spans(text)
    mentions = [
        m
        for m in either_clearance_mentions(text, _mentions(text))
        if not any(a <= m.start < b for a, b in postfix)
    ]
    cues = _cues(text)
    window = r.carried_window or _lab_window(text)
    groups = _groups(text, mentions)
    used_cues: set[int] = set()
    last: _Found | None = None
    last_keys: list[_Mention] = []
    pending_alternative: _Found | None = None
    restated_until = -1
    for t in with_normal_limits(text, _thresholds(text)):
        if t.start < restated_until or any(a <= t.start < b for a, b in postfix):
            continue  # "(≥ 1.5 × 10^9/L)" after "ANC ≥ 1,500/mm³": the limit restated
        start = -1
        group = _nearest_group(text, t, groups, mentions)
        between_last = text[last.end : t.start] if last else ""
        qualifier = _redundant_qualifier(r, text, t, group, mentions)
        if qualifier is not None:
            # "creatinine ≤ 1.5 × ULN or CrCl ≥ 50 for patients with creatinine > 1.5 × ULN":
            # A or (not A and B) is A or B; the qualifier only restates the first branch
            r.consume(qualifier, t.end)
            if last is not None and last.rule.kind in {"lab", "lab_result"}:
                pending_alternative = last
            continue
        exception = (
            _EXCEPTION.fullmatch(between_last) if group is None and last is not None else None
        )
        exception_cue: _Cue | None = None
        if exception is not None and last is not None:
            # "bilirubin ≤ 2.0 mg/dL, except in patients with Gilbert's syndrome, who must have
            # ≤ 3.0 mg/dL": the same tests, another limit, under the cue
            exception_cue = next(
                (c for c in cues if last.end <= c.start and c.end <= t.start), None
            )
        if exception_cue is not None:
            group = list(last_keys)
            start = t.start
        elif (
            group is None
            and last is not None
            and (
                _SAME_TESTS_GAP.fullmatch(between_last)
                or _cue_between(text, cues, last.end, t.start)
            )
            and last_keys
        ):
            # "AST/ALT ≤ 2.5 × ULN, or ≤ 5 × ULN in patients with liver metastases": the tests of
            # the limit before, all of them
            group = list(last_keys)
            start = t.start
        elif (
            group is None and last is not None and re.fullmatch(r"[\s,;]*if\s*", between_last, re.I)
        ):
            # "Serum creatinine ≤ 1.5 × ULN; if > 1.5 × ULN, …": the next rule is the alternative
            r.consume(t.start, t.end)
            if last.rule.kind == "lab" or last.rule.kind == "lab_result":
                pending_alternative = last
            continue
        again = _same_test_again(last, between_last, mentions) if group is None else None
        if again is not None:
            if not again:
                continue
            group = again
            start = t.start
        elif exception_cue is not None or (group is not None and start == t.start):
            pass
        else:
            if group is None:
                continue
            start = group[0].start
        if group is None or _either_test(r, group):
            continue
        keys: list[_Mention] = []
        for mention in group:
            if mention.key not in {k.key for k in keys}:
                keys.append(mention)
        made = _make_rules(r, t, keys, start, window)
        if not made:
            continue
        r.consume(min(group[0].start, start) if group else t.start, t.end)
        restated = _after_limit(r, t, made)
        if restated is not None:
            restated_until = restated
        if exception_cue is not None:
            used_cues.add(id(exception_cue))
            r.consume(last.end if last else t.start, t.start)
            for item in made:
                item.cue = exception_cue.what
                item.start = min(item.start, exception_cue.start)
            last = made[-1]
            last_keys = keys
            continue
        if (
            pending_alternative is None
            and last is not None
            and _or_another_test(text, last, start, keys)
        ):
            # "creatinine ≤ 1.5 × ULN or CrCl ≥ 50 mL/min": alternatives, never both required
            r.consume(last.end, start)
            pending_alternative = last
        _attach_cue(r, t, start, made, cues, mentions, used_cues)
        if pending_alternative is not None:
            _mark_alternatives(r, made, pending_alternative)
            pending_alternative = None
        last = made[-1]
        last_keys = keys
    _assemble_conditions(r)
    _outside_a_range(r)


# between two limits of one test for each sex: "QTc ≥ 450 ms for males or ≥ 470 ms for females"
_SEX_ALTERNATIVE = re.compile(
    r"[\s,)]*(?:for\s+)?(?:males?|men|females?|women)?[\s,)]*(?:or|and)\s*", re.I
)


def _same_test_again(
    last: _Found | None, between: str, mentions: list[_Mention]
) -> list[_Mention] | None:
    """The test of the limit before, when only a sex and "or" stand between the two limits
    ("… or ≥ 470 ms for females"); an empty list when that test is not named; else None."""
    if last is None or last.analyte is None or not _SEX_ALTERNATIVE.fullmatch(between):
        return None
    return [m for m in mentions if m.key == last.analyte][-1:]


# "or" before another test's limit, also in a bracket ("Serum creatinine ≤ 2 mg/dL (or
# glomerular filtration rate ≥ 40 mL/min)", NCT05464810 I15; jwlieb/clinical-trial-agent
# data/demo @387df17)
_OR_ANOTHER = re.compile(r"[\s,;(]*or\s*(?:an?\s+|the\s+)?", re.I)


# "≤ 1.5 x upper limit of normal (ULN) for age" (NCT06582745 I5.3, NCT05418088 I14;
# jwlieb/clinical-trial-agent data/demo @387df17): the normal range of the patient's age, which is
# the reference range the laboratory reports with the result — the one the rule is relative to
# (``LabRule.relative_to``); a result without its range leaves the rule unknown, as any other
_FOR_AGE = re.compile(
    r"\s*(?:for|per)\s+(?:the\s+patient's\s+)?age\b(?:\s+and\s+(?:sex|gender)\b)?", re.I
)


# a unit spelled out, then its symbol in brackets: "Absolute neutrophil count >= 1,500/microliter
# (mcL)" (NCI's template in 4 development records of jwlieb/clinical-trial-agent data/demo
# @387df17)
_SPELLED_UNIT = re.compile(r"(?:micro-?lit(?:er|re)|cubic\s+millimet(?:er|re))s?$", re.I)
_UNIT_GLOSS = re.compile(r"\s*\(\s*(?:mcL|[µμu]L|mm3|mm\^3|mm³)\s*\)")


def _after_limit(r: _Reader, t: _Threshold, made: list[_Found]) -> int | None:
    """The words right after a limit that belong to it, consumed: "for age" after a limit
    relative to the ULN, and the limit restated in another unit ("ANC ≥ 1.5 × 10^9/L
    (1500/µL)"), whose end is returned (None without one)."""
    for_age = _FOR_AGE.match(r.text, t.end) if t.relative_to is not None else None
    if for_age is not None:
        r.consume(t.end, for_age.end())
    gloss = (
        _UNIT_GLOSS.match(r.text, t.end) if _SPELLED_UNIT.search(r.text, t.start, t.end) else None
    )
    if gloss is not None:
        r.consume(t.end, gloss.end())
    restated = restatement(r.text, t, made) or _predicted(r.text, t, made)
    if restated is not None:
        r.consume(t.end, restated)
        for item in made:
            item.end = max(item.end, restated)
    return restated


def _or_another_test(text: str, last: _Found, start: int, keys: list[_Mention]) -> bool:
    """Only "or" between the limit before (of another test, with no cue) and this one — after
    the Cockcroft-Gault formula named for a clearance read as its estimate: "Creatinine clearance
    >= 30 mL/min as calculated using the Cockcroft-Gault equation or serum creatinine =< 1.5 x
    ULN" (NCT04553770 I11; development records); after CKD-EPI named for an eGFR alike."""
    formula = _formula_of(last.rule)
    named = formula.match(text, last.end) if formula is not None else None
    return (
        _OR_ANOTHER.fullmatch(text, named.end() if named else last.end, start) is not None
        # an ordinal result's limit too: "Urine protein < 2+ or 24-hour urine protein
        # quantification < 1.0 g" (NCT07226544 I10)
        and last.rule.kind in {"lab", "lab_result", "derived", "any_of"}
        # "Creatinine ≤ 1.5 x ULN; or Measured creatinine clearance (CL) > 40 mL/min; or
        # Calculated creatinine CL > 40 mL/min" (NCT04585477 I17): a third alternative joins
        # the first two (_assemble_conditions makes one list of them)
        and (last.cue is None or last.cue.startswith("alternative:"))
        and not any(m.key == last.analyte for m in keys)
    )


# between a limit and the next one for the same tests: "AST/ALT ≤ 2.5 × ULN, or ≤ 5 × ULN in …",
# "ALT < 2.5 × ULN, which is allowed < 5 × ULN in patients with liver metastasis"
_SAME_TESTS_GAP = re.compile(
    r"[\s,;(]*(?:or|and|(?:(?:which|that)\s+)?(?:is|are)\s+(?:allowed|permitted|acceptable)"
    r"(?:\s+(?:to\s+be|if|up\s+to))?)?\s*",
    re.I,
)


def _either_test(r: _Reader, group: list[_Mention]) -> bool:
    """'ALT or AST ≤ 2.5 × ULN' in an inclusion: each test, or either one? The text does not
    say, so the limit is not read (a warning; the item stays with the investigator). In an
    exclusion either test over the limit excludes, which is what the item's rules say. Tests
    already read with a limit each (reading_lab_respective) are not read again."""
    if any(
        f.cue == "respective" and f.start <= group[0].start and group[-1].end <= f.end
        for f in r.found
    ):
        return True
    if r.exclusion or len({m.key for m in group}) < 2:
        return False
    gaps = [r.text[a.end : b.start] for a, b in pairwise(group)]
    if not any(re.fullmatch(r"[\s(),]*or[\s(),]*", gap, re.I) for gap in gaps):
        return False
    names = " or ".join(r.text[m.start : m.end] for m in group)
    r.warn(f"'{names}' with one limit: each test or either one is not said; not read")
    return True


def _nearest_group(
    text: str, t: _Threshold, groups: list[list[_Mention]], mentions: list[_Mention]
) -> list[_Mention] | None:
    """The tests named just before a threshold, with nothing but a short gap between."""
    return next(
        (
            g
            for g in reversed(groups)
            if g[-1].end <= t.start
            and _gap_ok(_gap(text, g[-1], t))
            and not _names_another_test(text[g[-1].end : t.start])
            and not any(m.start >= g[-1].end and m.end <= t.start for m in mentions)
        ),
        None,
    )


def _gap(text: str, mention: _Mention, t: _Threshold) -> str:
    """The words between a test's name and its limit, without the formula named for a clearance
    read as its estimate (Cockcroft-Gault) or for an eGFR (CKD-EPI, reading_clearance): "CrCl
    calculated by Cockcroft-Gault ≥ 50 mL/min", "creatinine clearance (CrCl) calculated by
    Cockroft-Gault formula >= 50 mL/min" (NCT06149481 I7.7, NCT05386108 I13.5; development
    records) — the formula the rule computes."""
    start = mention.end
    formula = _RENAL_FORMULA_NAMED.get(mention.key)
    if formula is not None:
        bracket = re.match(r"\s*\)", text[start : t.start])
        named = formula.match(text, start + (bracket.end() if bracket else 0))
        if named is not None and named.end() <= t.start:
            start = named.end()
    return text[start : t.start]


def _make_rules(
    r: _Reader, t: _Threshold, keys: list[_Mention], start: int, window: Window | None
) -> list[_Found]:
    """One rule per test named, all with the threshold ``t``; a unit not known is a warning.

    When several tests share the limit and one of them cannot carry it ("Pregnancy test or HCV
    RNA ≥ 15 IU/mL": a pregnancy test has no IU/mL), none is read: a rule for the others alone
    would mark the whole phrase read and drop that test without a word (issue 12: never a
    silent pass), so the words stay unread and the item with the investigator."""
    rules: list[tuple[_Mention, Rule]] = []
    for mention in keys:
        rule = _lab_rule(r, mention, t, start, window)
        if rule is None:
            if t.unit_problem and not re.match(r"(?i)(?:day|week|month|year)s?$", t.unit_problem):
                r.warn(
                    f"unit {t.unit_problem!r} after {r.text[mention.start : mention.end]} is "
                    "not a unit oncotrial knows; not read"
                )
            if len(keys) > 1:
                names = " or ".join(r.text[m.start : m.end] for m in keys)
                named = r.text[mention.start : mention.end]
                r.warn(f"'{names}' share one limit that {named} cannot carry; not read")
                return []
            continue
        rules.append((mention, rule))
    return [r.add(start, t.end, rule, analyte=mention.key) for mention, rule in rules]


# "% predicted", "% of the predicted value": what the lung-function percentages are (analytes.py)
_PREDICTED = re.compile(r"\s*(?:of\s+(?:the\s+)?)?predicted(?:\s+values?)?(?![A-Za-z])", re.I)
_OF_PREDICTED = frozenset({"fev1_predicted", "dlco_predicted"})


def _predicted(text: str, t: _Threshold, made: list[_Found]) -> int | None:
    """Where 'predicted' after a lung-function percentage ends: the words say what the analyte
    is (a per cent of the predicted value), so they are read with it; after any other test they
    stay unread."""
    m = _PREDICTED.match(text, t.end)
    if m is None or t.unit != "%" or not all(f.analyte in _OF_PREDICTED for f in made):
        return None
    return m.end()


_EXCEPTION = re.compile(
    r"[\s,;(]*(?:except|unless|but)\s+(?:(?:in|for)\s+)?(?:(?:patients|subjects|participants|"
    r"those)\s+)?(?:with\s+|who\s+have\s+)?(?:(?:documented|known|confirmed)\s+)?"
    r"[A-Za-z'’\s-]{3,40}?[\s,]*(?:(?:who|which|where)\s+(?:must|should|may|can)\s+"
    r"(?:have|be)\s*|in\s+whom\s*|then\s*|:\s*|,\s*)?(?:(?:total\s+)?(?:bilirubin|it)\s*)?",
    re.I,
)
_QUALIFIER = re.compile(
    r"(?:(?:for|in)\s+(?:patients|subjects|participants|those)\s+(?:with|who\s+have)\s+|"
    r"\bif\s+)(?:an?\s+|the\s+)?(?:serum\s+)?$",
    re.I,
)


def _redundant_qualifier(
    r: _Reader,
    text: str,
    t: _Threshold,
    group: list[_Mention] | None,
    mentions: list[_Mention],
) -> int | None:
    """Where "for patients with creatinine > 1.5 × ULN" starts, if it negates an earlier rule.

    The qualifier names the same test and the opposite limit of a rule already read, so it only
    says when the alternative applies.
    """
    if group is None or len(group) != 1 or t.value is None:
        return None
    mention = group[0]
    lead = _QUALIFIER.search(text[max(0, mention.start - 60) : mention.start])
    if lead is None:
        return None
    for found in r.found:
        rule = found.rule
        if (
            isinstance(rule, LabRule)
            and rule.analyte == mention.key
            and rule.value == t.value
            and rule.relative_to == t.relative_to
            and rule.unit == t.unit
            and rule.comparator.negated is t.comparator
        ):
            return max(0, mention.start - 60) + lead.start()
    return None


# a day named right after a window the words did not read as the first dose or registration
_ANOTHER_DAY = re.compile(r"\s*,?\s*(?:prior\s+to|before|of|from|after)\b", re.I)


def _lab_window(text: str) -> Window | None:
    # "Laboratory values within 14 days prior to registration:", "Adequate organ function,
    # obtained within 14 days prior to registration:" (the tests that follow define the function)
    lead = (
        r"(?:laborator(?:y|ies)|(?:organ|marrow|hepatic|renal|hematologic|haematologic)\s+"
        r"function)[^.;:]{0,40}?"
    )
    m = re.search(lead + WINDOW_TO_DAY, text, re.I) or re.search(
        lead + _WINDOW_SPAN + r"\b", text, re.I
    )
    # the day is the first dose or registration only when no other day is named right after the
    # window ("within 10 days prior to the start of lymphodepleting chemotherapy:" is not read)
    if m is None or _ANOTHER_DAY.match(text, m.end()):
        return None
    return window_to_day(m)


def _assemble_conditions(r: _Reader) -> None:
    """Turn cue-marked lab rules into conditionals and alternatives into any-of rules."""
    result: list[_Found] = []
    for item in r.found:
        if item.cue and item.cue.startswith("alternative:"):
            target = next((f for f in result if f"alternative:{id(f)}" == item.cue), None)
            if target is None:
                target = next((f for f in reversed(result) if f.analyte and f.cue is None), None)
            if target is not None:
                # "creatinine ≤ 1.5 × ULN or CrCl (calculated or measured) ≥ 60 mL/min": one
                # list of alternatives, not an alternative nested in another
                members = [m for f in (target, item) for m in _alternatives(f.rule)]
                rule = r.draft(
                    AnyOfRule, min(target.start, item.start), item.end, rules=tuple(members)
                )
                result[result.index(target)] = _Found(
                    min(target.start, item.start), item.end, rule, target.analyte
                )
                continue
        if _is_cue(item.cue):
            when = _cue_condition(r, item)
            base = next(
                (
                    f
                    for f in result
                    if f.analyte == item.analyte
                    and f.cue is None
                    and f.rule.kind in {"lab", "lab_result", "derived"}
                ),
                None,
            )
            sibling = next(
                (
                    f
                    for f in result
                    if f.analyte == item.analyte
                    and f.cue in {"male", "female"}
                    and item.cue in {"male", "female"}
                    and f.cue != item.cue
                    and isinstance(f.rule, ConditionalRule)
                    and f.rule.otherwise is None
                ),
                None,
            )
            conditional: Rule
            if sibling is not None:
                assert isinstance(sibling.rule, ConditionalRule)
                conditional = r.draft(
                    ConditionalRule,
                    min(sibling.start, item.start),
                    item.end,
                    when=sibling.rule.when,
                    then=sibling.rule.then,
                    otherwise=item.rule,
                )
                result[result.index(sibling)] = _Found(
                    min(sibling.start, item.start), item.end, conditional, item.analyte, "done"
                )
                continue
            if base is not None:
                conditional = r.draft(
                    ConditionalRule,
                    min(base.start, item.start),
                    max(base.end, item.end),
                    when=when,
                    then=item.rule,
                    otherwise=base.rule,
                )
                result[result.index(base)] = _Found(
                    min(base.start, item.start),
                    max(base.end, item.end),
                    conditional,
                    item.analyte,
                    "done",
                )
                continue
            conditional = r.draft(ConditionalRule, item.start, item.end, when=when, then=item.rule)
            result.append(_Found(item.start, item.end, conditional, item.analyte, item.cue))
            continue
        result.append(item)
    if r.exclusion:
        # "QTc >= 470 ms in females" as an exclusion excludes women with that QTc: 'female and
        # QTc >= 470', never 'if female then ...', which is met (excludes) for every man
        for k, item in enumerate(result):
            found = item.rule
            if isinstance(found, ConditionalRule) and found.otherwise is None:
                both = r.draft(AllOfRule, item.start, item.end, rules=(found.when, found.then))
                result[k] = _Found(item.start, item.end, both, item.analyte, item.cue)
    r.found[:] = result
    for item in r.found:
        for sub in [item.rule, *children(item.rule)]:
            if isinstance(sub, DerivedRule):
                _check_method(r, sub)


def _mark_alternatives(r: _Reader, made: list[_Found], target: _Found) -> None:
    """Mark the limits just read as alternatives to ``target`` (joined by _assemble_conditions).
    One a condition governs holds with it: "Total bilirubin ≤ 2 × ULN or direct bilirubin ≤ 2 ×
    ULN for patients with Gilbert's disease" (NCT07275216 I11; development records of
    jwlieb/clinical-trial-agent data/demo @387df17) is never the direct bilirubin for everyone."""
    for item in made:
        if _is_cue(item.cue):
            condition = _cue_condition(r, item)
            item.rule = r.draft(AllOfRule, item.start, item.end, rules=(condition, item.rule))
        item.cue = f"alternative:{id(target)}"


def _cue_condition(r: _Reader, item: _Found) -> Rule:
    """The condition of the cue that governs ``item`` (liver metastases, Gilbert's, a sex)."""
    assert item.cue is not None
    cue_span = next(
        (c for c in _cues(r.text) if c.what == item.cue and item.start <= c.start < item.end),
        None,
    )
    when_start, when_end = (cue_span.start, cue_span.end) if cue_span else (item.start, item.end)
    return _cue_rule(r, _Cue(when_start, when_end, item.cue, False))


# the formula a renal estimate computes, as the words that name it (_gap, _or_another_test)
_RENAL_FORMULA_NAMED = {"creatinine_clearance": COCKCROFT_GAULT_NAMED, "egfr": CKD_EPI_NAMED}


def _formula_of(rule: Rule) -> re.Pattern[str] | None:
    if isinstance(rule, DerivedRule):
        return _RENAL_FORMULA_NAMED.get(rule.quantity)
    return None


def _alternatives(rule: Rule) -> tuple[Rule, ...]:
    return rule.rules if isinstance(rule, AnyOfRule) else (rule,)


def _upper(rule: Rule) -> bool | None:
    if isinstance(rule, LabRule | DerivedRule):
        return rule.comparator in {Comparator.LE, Comparator.LT}
    return None


def _outside_a_range(r: _Reader) -> None:
    """ "BMI < 18.5 or > 30 kg/m²", "ANC < 1.0 or > 8.0 × 10^9/L": one test outside a range, an
    alternative. In an exclusion the item's rules are already alternatives (any met excludes);
    in an inclusion the two limits become one any-of rule, never both required (a test cannot
    be below 18.5 and above 30 at once: every patient would fail)."""
    if r.exclusion:
        return
    found = r.found
    k = 0
    while k + 1 < len(found):
        a, b = found[k], found[k + 1]
        ua, ub = _upper(a.rule), _upper(b.rule)
        if (
            a.analyte is not None
            and a.analyte == b.analyte
            and ua is not None
            and ub is not None
            and ua != ub
            and re.fullmatch(r"[\s,;(]*or\s*", r.text[a.end : b.start], re.I)
        ):
            rule = r.draft(AnyOfRule, a.start, b.end, rules=(a.rule, b.rule))
            found[k : k + 2] = [_Found(a.start, b.end, rule, a.analyte)]
            r.consume(a.end, b.start)
        k += 1


def _check_method(r: _Reader, rule: DerivedRule) -> None:
    named = {
        "creatinine_clearance": r"Cockc?roft",  # "Cockroft-Gault", a common misspelling
        "qtc": FRIDERICIA,
        "qtcb": BAZETT,
        "egfr": r"CKD[-\s]?EPI|Chronic\s+Kidney\s+Disease[-\s]+Epidemiology",
        "bmi": r".",
    }[rule.quantity]
    if not re.search(named, r.text, re.I):
        method = DERIVED[rule.quantity].method
        r.warn(
            f"{DERIVED[rule.quantity].name.split(' (')[0]}: the text names no formula; "
            f"{method} is assumed — confirm"
        )
