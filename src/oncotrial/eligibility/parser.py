"""Reading criteria text into proposed rules, each tied to the span of text it came from.

The parser proposes; a person accepts or edits (the reviewed rules of the bundled seed protocols
are marked as such in their provenance). It reads what registry criteria commonly write —
"Neutrophils ≥ 1.5×10\\^9/L", "AST ≤ 2.5×ULN; ALT ≤ 2.5×ULN; if liver metastases present, ALT
and AST ≤ 5×ULN", "creatinine clearance \\> 50ml/min (Cockcroft-Gault formula)", "Age ≥ 18
years", "ECOG performance status of 0 or 1", "=\\< 1.5 x upper limit of normal", "1,500/mm\\^3" —
and flags what looks wrong instead of guessing: an ECOG list with a gap ("0 or 2") becomes a rule
for what is written plus a warning; a clearance or QTc without its formula gets the usual one
plus a warning; an item that also asks for a judgement ("uncontrolled", "as judged by the
investigator") says that the rules cover only its numbers.

What it does not read stays as text: the coverage report (``oncotrial.eligibility.coverage``)
lists every number the rules do not account for.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from itertools import pairwise
from typing import Any

from oncotrial.eligibility.criteria import Criterion, Eligibility
from oncotrial.eligibility.list_context import (
    alternative_items,
    alternative_parent,
    flat_subgroups,
    negated_parent,
    required_parent,
    subgroup_parent,
)
from oncotrial.eligibility.reading import (
    _NUMBER,
    _SYMBOLS,
    _YEAR,
    CriterionReading,
    NumberInText,
    _read_age,
    _read_sex,
    _Reader,
)
from oncotrial.eligibility.reading_age_rationale import read_age_rationale
from oncotrial.eligibility.reading_allergy import read_allergies
from oncotrial.eligibility.reading_boilerplate import read_boilerplate
from oncotrial.eligibility.reading_bounds import read_upper_bounds
from oncotrial.eligibility.reading_bp_postfix import read_postfix_pressures
from oncotrial.eligibility.reading_cardiac import read_defined_hypertension, read_nyha
from oncotrial.eligibility.reading_clearance import another_renal_formula, unnamed_gfr
from oncotrial.eligibility.reading_cns import read_cns_metastases
from oncotrial.eligibility.reading_conditions import (
    read_checkpoint_inhibitors,
    read_measurable_disease,
    read_named_conditions,
    read_prior_lines,
    read_treatment_windows,
)
from oncotrial.eligibility.reading_corticosteroids import read_corticosteroids
from oncotrial.eligibility.reading_driver_markers import read_driver_markers
from oncotrial.eligibility.reading_effusions import read_effusions
from oncotrial.eligibility.reading_history import (
    _read_blood_pressure,
    _read_conditions,
    _read_lesions,
    _read_pregnancy,
    _read_support,
    _read_therapy,
    _read_transplant,
    _read_windows,
    read_time_since,
)
from oncotrial.eligibility.reading_history_of import read_history_of
from oncotrial.eligibility.reading_hiv import read_hiv_combination, read_hiv_negative
from oncotrial.eligibility.reading_immune import read_immune_templates
from oncotrial.eligibility.reading_infection import read_active_infection
from oncotrial.eligibility.reading_lab_exceptions import read_lab_exceptions
from oncotrial.eligibility.reading_lab_respective import read_respective_limits
from oncotrial.eligibility.reading_lab_support import read_support_permissions
from oncotrial.eligibility.reading_lab_windows import read_lab_windows
from oncotrial.eligibility.reading_lab_without import (
    read_absent_lead,
    read_limit_without_condition,
)
from oncotrial.eligibility.reading_labs import (
    _lab_window,
    _read_labs,
)
from oncotrial.eligibility.reading_lines import read_counted_lines
from oncotrial.eligibility.reading_measurement_method import read_measurement_methods
from oncotrial.eligibility.reading_medications import read_concomitant_medications
from oncotrial.eligibility.reading_performance import read_performance
from oncotrial.eligibility.reading_prior import read_prior_systemic_therapy, read_prior_therapies
from oncotrial.eligibility.reading_qualified import read_qualified_lung, read_qualifiers
from oncotrial.eligibility.reading_radiotherapy_site import read_radiotherapy_site
from oncotrial.eligibility.reading_ranges import read_lab_ranges
from oncotrial.eligibility.reading_since import (
    read_excluded_framing,
    read_le_windows,
    read_since_any,
)
from oncotrial.eligibility.reading_subgroups import read_age_subgroups
from oncotrial.eligibility.reading_templates import read_hiv_tumours, read_template_words
from oncotrial.eligibility.reading_toxicity import read_toxicity_recovery
from oncotrial.eligibility.reading_tumour import (
    _PDL1_GAP,
    _add_across_gap,
    _judgement,
    _read_diagnosis,
    _read_stage,
    _read_tumour_size,
)
from oncotrial.eligibility.reading_variants import read_variants
from oncotrial.eligibility.reading_viral import read_hbsag, read_hepatitis_b, read_viral_presence
from oncotrial.eligibility.reading_viral_templates import read_testing_notes, read_viral_templates
from oncotrial.eligibility.reading_washout import read_washouts
from oncotrial.eligibility.rules import (
    AllOfRule,
    AnyOfRule,
    BiomarkerRule,
    Comparator,
    ConditionalRule,
    JudgementRule,
    LabRule,
    NotRule,
    Rule,
    Window,
    children,
    describe_rule,
)
from oncotrial.eligibility.scopes import REGISTRATION_STEP_PREFIX, item_scopes
from oncotrial.eligibility.sublists import (
    introduces_list,
)
from oncotrial.eligibility.text import NormalisedText, normalise_text
from oncotrial.eligibility.unread import unread_words
from oncotrial.eligibility.windows import WINDOW_TO_DAY, window_to_day

__all__ = [
    "CriterionReading",
    "NumberInText",
    "numbers_in",
    "propose_rules",
    "read_criterion",
    "read_eligibility",
]


# ---- biomarkers


_MARKERS = r"EGFR|ALK|ROS1|KRAS|BRAF|MET|RET"
_SEP = r"\s*(?:,\s*)?(?:,|or|and|/)\s*"


def _read_biomarkers(r: _Reader) -> None:
    text = r.text
    patterns = (
        r"\b(?i:no|without|negative\s+for)\s+(?i:detectable\s+|known\s+|sensiti[sz]ing\s+|"
        r"actionable\s+)?(?i:driver\s+)?(?i:gene\s+)?(?i:mutations?|alterations?|rearrangements?)"
        r"\s+(?i:in\s+)?(?i:the\s+)?(?P<list>(?:"
        + _MARKERS
        + r")(?:"
        + _SEP
        + r"(?:"
        + _MARKERS
        + r"))*)",
        r"(?P<list>(?:" + _MARKERS + r")(?:" + _SEP + r"(?:" + _MARKERS + r"))*)"
        r"\s*(?i:wild[-\s]type|negative)",
        r"\b(?i:no)\s+(?P<list>" + _MARKERS + r")\b[^.;]{0,40}?(?i:mutation|rearrangement|deletion"
        r"|fusion)",
    )
    done: set[str] = set()
    failed_negative = re.search(r"failed\s+testing\s+is\s+considered\s+negative", text, re.I)
    variants = [(f.start, f.end) for f in r.found if f.rule.kind in {"biomarker", "not"}]
    for pattern in patterns:
        for m in re.finditer(pattern, text):
            if any(a < m.end() and m.start() < b for a, b in variants):
                continue  # "No EGFR exon 19 deletion" is a variant's absence (reading_variants)
            for marker in re.findall(_MARKERS, m.group("list")):
                if marker in done:
                    continue
                done.add(marker)
                end = m.end()
                failed = None
                if failed_negative and failed_negative.start() - m.end() < 60:
                    failed = "not_detected"
                    end = failed_negative.end()
                r.add(
                    m.start(),
                    end,
                    r.draft(
                        BiomarkerRule,
                        m.start(),
                        end,
                        marker=marker,
                        status="not_detected",
                        failed_as=failed,
                    ),
                )
    if done and re.search(r"applicable to|only\)", text, re.I):
        r.warn(
            "the biomarker requirement applies to a subgroup only (e.g. non-squamous); the "
            "rules apply to every patient — edit them if needed"
        )
    for m in re.finditer(
        r"PD-?L1(?P<gap>[^.;0-9]{0,40}?)(?P<comp>[≥>≤<])\s*(?P<n>\d+(?:\.\d+)?)\s*%", text
    ):
        rule = r.draft(
            BiomarkerRule,
            m.start(),
            m.end(),
            marker="PD-L1",
            comparator=_SYMBOLS[m.group("comp")],
            value=float(m.group("n")),
        )
        _add_across_gap(r, m, rule, _PDL1_GAP)


def _read_judgements(r: _Reader) -> None:
    """Numbers that belong to an investigator's judgement: life expectancy, toxicity grades."""
    text = r.text
    for pattern, what in (
        (
            r"(?:life\s+expectancy|expected\s+survival(?:\s+time)?)[^.;0-9]{0,15}?[≥>]\s*\d+\s*"
            r"(?:weeks|months)",
            "life expectancy (the investigator's estimate)",
        ),
        (
            r"(?:recovered|resolved)\s+to\s+[≤<]\s*grade\s+\d(?:[^.;]{0,40}?CTCAE\s*v?\d\.\d)?",
            "toxicities of prior therapy recovered (CTCAE grade)",
        ),
        (r"Grade\s*[≥>]\s*\d,?\s*per\s+(?:NCI-)?CTCAE\s*v?\d\.\d", "severity graded by CTCAE"),
        (r"\([≥>]\s*grade\s+\d\)", "severity graded by CTCAE"),
    ):
        for m in re.finditer(pattern, text, re.I):
            if any(f.start <= m.start() < f.end for f in r.found):
                continue
            r.add(m.start(), m.end(), _judgement(r, m.start(), m.end(), what + ": " + m.group(0)))


_JUDGEMENT_WORDS = re.compile(
    r"\b(?:uncontrolled|symptomatic|clinically\s+significant|as\s+judged\s+by|in\s+the\s+opinion"
    r"|investigator(?:'s)?\s+(?:assessment|judgement|judgment|discretion)|poorly\s+controlled"
    r"|adequate|active|suspected|severe)\b",
    re.I,
)
# "Adequate renal function: serum creatinine ≤ 1.5 mg/dL", "adequate organ function, defined as
# …": the adequacy is the limits that follow, not a judgement of the investigator's.
_DEFINED_ADEQUACY = re.compile(
    r"[A-Za-z\s,/-]{0,60}?(?::|\bdefined\s+(?:as|by)\b|\bas\s+(?:defined|evidenced|demonstrated|"
    r"indicated|shown)\b|\bas\s+follows\b|\()",
    re.I,
)


def _finish(rule: Rule, rule_id: str) -> Rule:
    """Give a draft rule (and its parts) its id and generated description."""
    update: dict[str, Any] = {"id": rule_id}
    if isinstance(rule, AllOfRule | AnyOfRule):
        update["rules"] = tuple(_finish(x, f"{rule_id}.{i}") for i, x in enumerate(rule.rules, 1))
    elif isinstance(rule, NotRule):
        update["rule"] = _finish(rule.rule, f"{rule_id}.1")
    elif isinstance(rule, ConditionalRule):
        update["when"] = _finish(rule.when, f"{rule_id}.1")
        update["then"] = _finish(rule.then, f"{rule_id}.2")
        if rule.otherwise is not None:
            update["otherwise"] = _finish(rule.otherwise, f"{rule_id}.3")
    finished = rule.model_copy(update=update)
    if not isinstance(finished, JudgementRule):
        finished = finished.model_copy(update={"description": describe_rule(finished)})
    return finished


_READERS: tuple[Callable[[_Reader], None], ...] = (
    _read_age,
    _read_sex,
    read_performance,
    _read_diagnosis,
    _read_stage,
    _read_tumour_size,
    read_variants,  # before the markers' statuses: "no EGFR exon 19 deletion" is no EGFR status
    _read_biomarkers,
    read_driver_markers,
    read_cns_metastases,
    read_allergies,  # before the readers of drugs: 'hypersensitivity to X' is no use of X
    read_washouts,  # before the readers of prior therapy: "prior systemic … within 4 weeks"
    read_toxicity_recovery,  # as read_allergies: 'toxicities of prior chemotherapy'
    _read_therapy,
    read_prior_therapies,
    read_concomitant_medications,
    # a count of prior therapies before "prior systemic therapy" alone ("More than one prior
    # systemic therapy" is at least 2 lines, not at least 1)
    read_prior_lines,
    read_counted_lines,  # after read_prior_lines: its chemotherapy lines first
    read_prior_systemic_therapy,
    _read_windows,
    read_history_of,
    _read_support,
    read_treatment_windows,
    read_time_since,
    read_since_any,  # after read_time_since ("… since prior …"), which it widens
    read_le_windows,
    read_hiv_tumours,  # before the mentions of HIV: HIV *and* one of the two tumours
    read_hbsag,
    read_nyha,  # before the laboratory limits: 'class 3 or 4' is no limit of theirs
    read_lab_ranges,
    read_respective_limits,  # before the limits one by one: 'A or B ≤ x OR ≥ y'
    read_postfix_pressures,  # before the limits: "> 140 mm Hg systolic or > 90 mm Hg diastolic"
    _read_labs,
    read_upper_bounds,  # after the limits and ages: "≥ 30 mL/min to < 45 mL/min"
    read_limit_without_condition,
    read_absent_lead,  # after every reader of a conditional lab limit
    read_lab_exceptions,
    read_hepatitis_b,
    read_viral_presence,
    _read_blood_pressure,
    _read_pregnancy,
    read_measurement_methods,  # before the windows: a window may follow the methods
    read_support_permissions,  # before the windows, as read_measurement_methods
    read_lab_windows,  # after every reader of a laboratory limit
    _read_lesions,
    read_measurable_disease,
    read_hiv_negative,  # before the mentions of HIV: "HIV negative" is no HIV infection
    read_qualified_lung,  # before the mentions: the pneumonitis/ILD template whole
    read_active_infection,
    read_effusions,
    read_named_conditions,
    read_corticosteroids,  # after the named conditions, as read_radiotherapy_site
    read_radiotherapy_site,
    read_qualifiers,  # after the autoimmune and other-malignancy rules: their qualifiers
    _read_conditions,
    read_hiv_combination,
    read_checkpoint_inhibitors,
    _read_transplant,
    read_age_subgroups,
    read_age_rationale,  # after every reader: the NCI template's reason for an adult age limit
    read_defined_hypertension,  # after every reader of blood pressure
    read_viral_templates,  # replaces what the readers above found inside its sentences
    read_testing_notes,  # as read_viral_templates: a note that no viral test is required
    read_immune_templates,  # as read_viral_templates; after the live-vaccine and steroid readers
    read_boilerplate,  # after every reader of a pregnancy or age rule: the templates whole
    read_template_words,  # after every reader: words beside the rules they found
    read_excluded_framing,  # after every reader of a rule: the framing of an exclusion
    _read_judgements,
)


def numbers_in(
    nt: NormalisedText, understood: Sequence[tuple[int, int]], original_spans: bool = False
) -> tuple[NumberInText, ...]:
    """Every number of a criterion's text; understood when inside one of the given spans.

    Spans are positions in the normalised text, or in the original with ``original_spans``.
    Not counted: parts of names ("PD-1", "22C3", "T1N0M0", "v5.0"), ordinals ("9th") and years
    in parentheses ("mRECIST (2019)").
    """
    found = []
    for m in _NUMBER.finditer(nt.text):
        if _YEAR.match(m.group(0)) and nt.text[max(0, m.start() - 1) : m.start()] == "(":
            continue
        if re.match(r"\s*(?:st|nd|rd|th)\b", nt.text[m.end() :]):
            continue
        a, b = nt.span(m.start(), m.end())
        where = (a, b) if original_spans else (m.start(), m.end())
        ok = any(s <= where[0] and where[1] <= e for s, e in understood)
        found.append(NumberInText(nt.original[a:b], a, b, ok))
    return tuple(found)


def _numbers(r: _Reader) -> tuple[NumberInText, ...]:
    return numbers_in(r.nt, r.consumed)


def read_criterion(criterion: Criterion, carried_window: Window | None = None) -> CriterionReading:
    """Propose rules for one criterion item (replacing any it has) and list its numbers."""
    reader = _Reader(criterion, normalise_text(criterion.text), carried_window)
    number = _ITEM_NUMBER.match(reader.text)
    if number is not None:
        reader.consume(0, number.end())  # the item's own number, not a limit
    step = REGISTRATION_STEP_PREFIX.match(reader.text, number.end() if number else 0)
    if step is not None:
        reader.consume(0, step.end())  # "STEP 1: …": the registration the screen decides
    for read in _READERS:
        read(reader)
    ordered = sorted(reader.found, key=lambda f: (f.start, f.end))
    rules = tuple(_finish(f.rule, f"{criterion.id}-{i}") for i, f in enumerate(ordered, 1))
    # a word a rule carries ('untreated or symptomatic brain metastases') is not a judgement
    word = next(
        (
            m
            for m in _JUDGEMENT_WORDS.finditer(reader.text)
            if not any(a <= m.start() and m.end() <= b for a, b in reader.consumed)
            and not (
                m.group(0).lower() == "adequate"
                and _DEFINED_ADEQUACY.match(reader.text, m.end()) is not None
            )
        ),
        None,
    )
    if rules and word is not None and not any(r.kind == "judgement" for r in rules):
        reader.warn(
            f"the item also asks for a judgement ('{word.group(0)}'); the proposed rules "
            "cover only what is computable — add a judgement rule if needed"
        )
    if reader.exclusion:
        _read_or_between_exclusions(reader)
    numbers = _numbers(reader)
    negated = any(isinstance(rule, NotRule) for rule in rules)
    unread = unread_words(reader, numbers, negated) if rules else ()
    unread += _same_test_twice(rules)
    unread += unnamed_gfr(rules)
    unread += another_renal_formula(rules, criterion.text)
    unread += _subgroup_tests(rules, reader.text)
    if not reader.exclusion:
        unread += _either_side(rules, criterion.text)
    else:
        unread += _and_between_exclusions(reader)
    return CriterionReading(
        criterion=criterion.model_copy(update={"rules": rules, "unread": unread}),
        warnings=tuple(reader.warnings),
        numbers=numbers,
    )


# A sub-item's number left at the start of its text: "2)Platelet count≥50×10⁹/L", "(3) ANC …",
# "2 Male or female patient 18 to 75 years" (never a number followed by a unit or "years").
_ITEM_NUMBER = re.compile(
    r"^\s*(?:\(?\d{1,2}\)|\d{1,2}\.(?!\d)|[A-Za-z]\)|\d{1,2}\s+(?=[A-Z])"
    r"(?!(?i:years?|months?|weeks?|days?|g\b|k\b|u\b|iu\b|[a-z]{1,3}/)))\s*",
)


# "A or B", "A, B", "A (or B)" (NCT05464810 I15; the bracket's close is no word)
_OR_JOIN = re.compile(r"\s*(?:,\s*)?\(?\s*(?:or|and/or|,)\s*", re.I)


def _read_or_between_exclusions(r: _Reader) -> None:
    """'or' between two rules of an exclusion item says what the item's logic already does (any
    rule met excludes): "Neutrophils < 1.0 × 10^9/L or platelets < 75 × 10^9/L" is read whole."""
    spans = sorted((f.start, f.end) for f in r.found)
    for (_, end), (start, _) in pairwise(spans):
        # the words a reading consumed between them are read ("Hepatitis B (defined as HBsAg
        # reactive) or known active Hepatitis C virus (defined as …)": the definitions' words)
        if start <= end:
            continue
        left = "".join(
            c
            for i, c in enumerate(r.text[end:start], end)
            if not any(a <= i < b for a, b in r.consumed)
        )
        if _OR_JOIN.fullmatch(left):
            r.consume(end, start)


# a 'with' alone between two rules joins as 'and' does ("brain metastases with leptomeningeal
# disease" excludes those with both, not either); "diagnosed with" is no join
_AND = re.compile(r"\band\b(?!\s*/\s*or)|&|^[\s,]*with[\s,]*$", re.I)


def _and_between_exclusions(r: _Reader) -> tuple[str, ...]:
    """'and' between two rules of an exclusion item, quoted. An exclusion's rules are
    alternatives (any met excludes); "Total bilirubin > 3 mg/dL and albumin < 2.8 g/dL" may mean
    both, and read as either it excluded a patient with bilirubin 4 and albumin 3.5. Whether the
    'and' joins a list of alternatives or asks for both is the investigator's to say."""
    spans = sorted((f.start, f.end) for f in r.found)
    quoted: list[str] = []
    for (_, end), (start, _) in pairwise(spans):
        gap = r.text[end:start]
        if start > end and _AND.search(gap):
            quoted.append(" ".join(gap.strip(" ,;:.()[]").split()))
    return tuple(quoted)


def _either_side(rules: tuple[Rule, ...], text: str) -> tuple[str, ...]:
    """Two limits of one test on either side ("AST and ALT < 1 × ULN or > 5 × ULN") with an
    "or" between them that no any-of rule reads: required together, no patient could meet them."""
    found: list[str] = []
    limits = [r for r in rules if isinstance(r, LabRule) and r.source is not None]
    for k, a in enumerate(limits):
        for b in limits[k + 1 :]:
            assert a.source is not None and b.source is not None
            upper_a = a.comparator in {Comparator.LE, Comparator.LT}
            upper_b = b.comparator in {Comparator.LE, Comparator.LT}
            between = text[a.source.end : b.source.start]
            if a.analyte == b.analyte and upper_a != upper_b and re.search(r"\bor\b", between):
                found.append(f"{a.source.text} … {b.source.text} (either side of a range)")
    return (*found, *_limit_or_its_opposite(rules))


def _limit_or_its_opposite(rules: tuple[Rule, ...]) -> tuple[str, ...]:
    """An any-of rule whose alternatives are one limit and its opposite ("Total bilirubin ≤ 1.5 ×
    ULN OR total bilirubin > 1.5 × ULN with direct bilirubin < 1.5 × ULN", NCT06610682 I8.4, a
    development record of jwlieb/clinical-trial-agent data/demo @387df17): every measured
    patient meets it, so the second names whom a further limit is for, and that limit was read
    as everyone's (a direct bilirubin required of patients whose total was normal). Quoted: the
    item is not decided on it."""
    found: list[str] = []
    for rule in rules:
        if not isinstance(rule, AnyOfRule):
            continue
        limits = [r for r in rule.rules if isinstance(r, LabRule) and r.source is not None]
        for k, a in enumerate(limits):
            for b in limits[k + 1 :]:
                assert a.source is not None and b.source is not None
                same = (a.analyte, a.value, a.unit, a.relative_to) == (
                    b.analyte,
                    b.value,
                    b.unit,
                    b.relative_to,
                )
                negated = a.comparator.negated
                if same and a.comparator is not Comparator.EQ and negated is b.comparator:
                    found.append(
                        f"{a.source.text} … {b.source.text} (a limit or its opposite: the "
                        "second names whom another limit is for)"
                    )
    return tuple(found)


def _subgroup_tests(rules: tuple[Rule, ...], text: str) -> tuple[str, ...]:
    """A limit on a test only a subgroup has: a CD4 count is measured in people with HIV, and a
    criteria item that gives one without naming HIV (a sub-item of "HIV-positive patients must
    have:") is a limit for that subgroup, not for everyone."""
    if re.search(r"\bHIV\b|\bAIDS\b|human immunodeficiency", text, re.I):
        return ()
    return tuple(
        f"{rule.source.text if rule.source else 'CD4 count'} (a CD4 count limit is for patients "
        "with HIV; the item names no such subgroup)"
        for rule in _all(rules)
        if isinstance(rule, LabRule) and rule.analyte == "cd4"
    )


def _same_test_twice(rules: tuple[Rule, ...]) -> tuple[str, ...]:
    """Two plain limits for one test in one item: a subgroup the text names but no rule reads.

    "INR or aPTT ≤ 1.5 × ULN. Note: for HCC patients INR or aPTT should be ≤ 2 × ULN" must not
    require both limits of everyone; the item goes to the checklist, quoting both.
    """
    seen: dict[tuple[str, str, str | None], Rule] = {}
    found: list[str] = []
    for rule in rules:
        if not isinstance(rule, LabRule):
            continue
        direction = "upper" if rule.comparator in {Comparator.LE, Comparator.LT} else "lower"
        key = (rule.analyte, direction, rule.relative_to)
        if key in seen and rule.source is not None:
            first = seen[key].source
            found.append(
                f"{first.text if first else ''} … {rule.source.text} (two limits for one test)"
            )
        seen.setdefault(key, rule)
    return tuple(found)


def _introduces_window(criterion: Criterion) -> Window | None:
    """An item ending with ':' that sets a window for the laboratory values that follow."""
    text = normalise_text(criterion.text).text.rstrip()
    if not text.endswith(":"):
        return None
    return _lab_window(text)


# "All labs should be obtained within 14 days prior to start of study drug treatment", written as a
# paragraph after the sub-items that list the labs (NCT01336543 I9 after I8.1-I8.7, round 5) or
# in one of them: the window holds for every sub-item of that list. Only a window the text counts
# back from the first dose (the start of treatment) or from registration is read (see Window).
# "Demonstrate adequate organ function as defined below. All screening labs to be obtained within
# 28 days prior to registration." (NCT06248606 I10, over I10.1-I10.5; NCT06863311 "are to be";
# jwlieb/clinical-trial-agent data/demo @387df17): the screening labs are the tests listed.
_GROUP_LAB_WINDOW = re.compile(
    r"\ball\s+(?:screening\s+)?(?:labs|laboratory\s+(?:tests|values|studies)|laboratory)\s+"
    r"(?:should\s+|must\s+|are\s+to\s+|will\s+|to\s+)be\s+(?:obtained|done|performed|drawn|"
    r"collected)\s+" + WINDOW_TO_DAY,
    re.I,
)


def _group_lab_windows(items: tuple[Criterion, ...]) -> dict[str, Window]:
    """Parent id → the lab window announced for all its sub-items: by one of them, by the
    parent after the words that introduce them ("… as defined below. All screening labs to be
    obtained …"), or by a top-level item of that sentence alone right after them."""
    found: dict[str, Window] = {}
    parents = {c.id.rsplit(".", 1)[0] for c in items if "." in c.id}
    previous_top = ""
    for criterion in items:
        m = _GROUP_LAB_WINDOW.search(normalise_text(criterion.text).text)
        if "." in criterion.id:
            if m is not None:
                found[criterion.id.rsplit(".", 1)[0]] = window_to_day(m)
            continue
        if m is not None and m.start() > 0 and criterion.id in parents:
            found.setdefault(criterion.id, window_to_day(m))
        elif m is not None and m.start() == 0 and previous_top:
            found.setdefault(previous_top, window_to_day(m))
        previous_top = criterion.id
    return found


def _quoted(reading: CriterionReading, note: str) -> CriterionReading:
    """The reading with ``note`` among its unread words: a checklist item, quoting why."""
    joined = (*reading.criterion.unread, note)
    return CriterionReading(
        reading.criterion.model_copy(update={"unread": joined}),
        reading.warnings,
        reading.numbers,
    )


def _as_heading(reading: CriterionReading, by_id: dict[str, Criterion]) -> CriterionReading:
    """An item whose whole text introduces the list under it is decided by its sub-items."""
    criterion = reading.criterion
    sub_items = introduces_list(criterion)
    nested = any(other.startswith(criterion.id + ".") for other in by_id)
    if sub_items is None or not nested or criterion.rules:
        return reading
    return CriterionReading(
        criterion.model_copy(update={"sub_items": sub_items}), reading.warnings, reading.numbers
    )


def read_eligibility(eligibility: Eligibility) -> tuple[CriterionReading, ...]:
    """Read every criterion item; a lab window announced by an item carries to the next one."""
    readings: list[CriterionReading] = []
    for items in (eligibility.inclusion, eligibility.exclusion):
        announced: Window | None = None
        parent_window: tuple[str, Window | None] = ("", None)
        alternatives = alternative_items(items)
        by_id = {c.id: c for c in items}
        group_windows = _group_lab_windows(items)
        scopes = item_scopes(items)
        in_flat_subgroup = flat_subgroups(items)
        for criterion in items:
            carried = _carried_window(criterion, announced, parent_window)
            if carried is None and "." in criterion.id:
                carried = group_windows.get(criterion.id.rsplit(".", 1)[0])
            reading = read_criterion(criterion, carried)
            if criterion.id in alternatives and reading.criterion.rules:
                reading = _quoted(reading, alternatives[criterion.id])
            # "HIV-positive patients must have: CD4+ cell count ≥ 250/mm³": the sub-item's
            # limit is for the parent's subgroup only; read alone it would hold everyone to it.
            # Under "…, meeting 1 of the following:" it is one alternative, not required.
            subgroup = (
                negated_parent(criterion, by_id)
                or required_parent(criterion, by_id)
                or alternative_parent(criterion, by_id)
                or subgroup_parent(criterion, by_id)
                or in_flat_subgroup.get(criterion.id)
            )
            if subgroup is not None and reading.criterion.rules:
                reading = _quoted(reading, subgroup)
            # "For Cohorts 1b and 2b:" over "… hypersensitivity to pembrolizumab": for the
            # patients of those cohorts only, which the screen cannot tell (eligibility.scopes)
            if criterion.id in scopes and reading.criterion.rules:
                reading = _quoted(reading, scopes[criterion.id])
            reading = _as_heading(reading, by_id)
            if carried is not None and any(
                getattr(r, "within", None) == carried for r in _all(reading.criterion.rules)
            ):
                reading = CriterionReading(
                    reading.criterion,
                    (
                        *reading.warnings,
                        f"{criterion.id}: the {carried} window announced before this item is "
                        "applied to its laboratory values — confirm",
                    ),
                    reading.numbers,
                )
            readings.append(reading)
            announced = _introduces_window(criterion)
            if "." not in criterion.id:
                # a top-level item: a window it announces holds for each of its sub-items
                # ("… laboratory values performed within 42 days prior to dosing:" over
                # I6.1-I6.5), not only for the first of them
                parent_window = (criterion.id, announced)
    return tuple(readings)


def _carried_window(
    criterion: Criterion, announced: Window | None, parent: tuple[str, Window | None]
) -> Window | None:
    """The window an item's laboratory values are read within: the one the item before
    announces (a flat list: "…within 14 days before the first dose:" then the tests), else its
    parent item's while its sub-items go on."""
    if announced is not None:
        return announced
    parent_id, window = parent
    if window is not None and criterion.id.startswith(parent_id + "."):
        return window
    return None


def _all(rules: Sequence[Rule]) -> Iterator[Rule]:
    for rule in rules:
        yield rule
        yield from _all(children(rule))


def propose_rules(eligibility: Eligibility) -> Eligibility:
    """``eligibility`` with every item's rules replaced by the parser's proposal."""
    readings = {r.criterion.id: r.criterion for r in read_eligibility(eligibility)}
    return eligibility.model_copy(
        update={
            "inclusion": tuple(readings[c.id] for c in eligibility.inclusion),
            "exclusion": tuple(readings[c.id] for c in eligibility.exclusion),
        }
    )
