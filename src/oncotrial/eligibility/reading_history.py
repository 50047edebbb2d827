"""Reading therapy, procedures, conditions, lesions, pregnancy and blood pressure from criteria
text, with the time windows they state ("within 28 days before the first dose").
"""

from __future__ import annotations

import re
from typing import Any

from oncotrial.eligibility.concepts_drugs import DRUG_CLASSES, DRUGS
from oncotrial.eligibility.reading import (
    _SYMBOLS,
    _Reader,
    _sentence_window,
)
from oncotrial.eligibility.reading_conditions import _MEASURABLE_BY
from oncotrial.eligibility.reading_prior import class_patterns, drug_names
from oncotrial.eligibility.rules import (
    AllOfRule,
    AnyOfRule,
    Comparator,
    ConditionalRule,
    ConditionRule,
    LabResultRule,
    LabRule,
    LesionRule,
    MedicationRule,
    NotRule,
    ProcedureRule,
    RegimenRule,
    Rule,
    SexRule,
    Window,
)
from oncotrial.eligibility.text import NUMBER_WORDS
from oncotrial.eligibility.windows import (
    _WINDOW,
    FIRST_DOSE,
    HISTORY_WINDOW,
    REGISTRATION,
    TO_REGISTRATION,
    WITHIN_WINDOW,
    _window_of,
    history_window,
)

# ---- therapy, procedures, conditions, time windows


def _negated(text: str, start: int) -> bool:
    before = text[max(0, start - 40) : start].lower()
    return (
        re.search(
            r"\b(?:no|without|not\s+(?:have\s+)?(?:received|had)|must\s+not)\b[^.;]*$", before
        )
        is not None
    )


def _wrap(r: _Reader, rule: Rule, start: int, end: int, negate: bool) -> Rule:
    if not negate:
        return rule
    return r.draft(NotRule, start, end, rule=rule)


def _read_therapy(r: _Reader) -> None:
    text = r.text
    # prior checkpoint inhibitors are read by reading_conditions.read_checkpoint_inhibitors,
    # which tells anti-PD-1/PD-L1 from anti-CTLA-4 by the words named
    m2 = re.search(
        r"(?P<lo>\d+)\s*(?:-|to)\s*(?P<hi>\d+)\s+cycles\s+of\s+(?P<first>first[-\s]line\s+)?"
        r"(?P<platinum>platinum[-\s](?:based|doublet)\s+)?(?:chemotherapy|chemo)"
        r"(?P<io>\s+(?:combined\s+with|plus|and|with)\s+(?:immunotherapy|an?\s+immune\s+checkpoint"
        r"\s+inhibitor|anti-PD-?1|PD-1\s+inhibitor))?",
        text,
        re.I,
    )
    if m2:
        therapies = []
        if m2.group("platinum"):
            therapies.append("platinum_chemotherapy")
        if m2.group("io"):
            therapies.append("immune_checkpoint_inhibitor")
        if therapies:
            r.add(
                m2.start(),
                m2.end(),
                r.draft(
                    RegimenRule,
                    m2.start(),
                    m2.end(),
                    line=1 if m2.group("first") else None,
                    therapies=tuple(therapies),
                    min_cycles=int(m2.group("lo")),
                    max_cycles=int(m2.group("hi")),
                ),
            )
            if not m2.group("platinum"):
                r.warn("the chemotherapy is not said to be platinum-based; not required")


_SUPPORT = {
    "transfusion": ("procedure", "transfusion"),
    "albumin": ("therapy", "albumin_infusion"),
    "thrombopoietin": ("therapy", "thrombopoietin"),
    "colony-stimulating factor": ("therapy", "colony_stimulating_factor"),
    "g-csf": ("therapy", "colony_stimulating_factor"),
}


def _exposure_rule(
    r: _Reader, kind: str, key: str, start: int, end: int, window: Window | None
) -> Rule:
    if kind == "procedure":
        return r.draft(ProcedureRule, start, end, procedure=key, within=window)
    return r.draft(MedicationRule, start, end, therapy=key, within=window)


# What a window can follow ("major surgery within 4 weeks", "stroke, or unstable angina within
# 6 months"): (pattern, kind, key), each a concept of oncotrial.eligibility.concepts.
_WINDOWED: tuple[tuple[str, str, str], ...] = (
    (
        # "a live vaccine or live-attenuated vaccine", "live and live-attenuated vaccines"
        r"live(?:\s+vaccines?\s+(?:or|and)\s+live[-\s]attenuated|\s+(?:or|and)\s+(?:live[-\s])?"
        r"attenuated)?(?:,?\s+attenuated)?\s+vaccines?",
        "therapy",
        "live_vaccine",
    ),
    (r"major\s+surgery|major\s+surgical\s+procedure", "procedure", "major_surgery"),
    (
        r"radical\s+radiotherapy|radical\s+radiation\s+therapy|definitive\s+radiotherapy",
        "procedure",
        "radical_radiotherapy",
    ),
    (r"(?:acute\s+)?myocardial\s+infarction(?:\s*\(MI\))?", "condition", "myocardial_infarction"),
    (
        r"(?:cerebrovascular\s+accidents?|strokes?)(?:\s*\((?:CVA|stroke)\))?",
        "condition",
        "stroke",
    ),
    (
        # "stroke or intracranial hemorrhage within 6 months" (NCT06790602 E5)
        r"intracranial\s+(?:haem|hem)orrhages?(?:\s*\(ICH\))?",
        "condition",
        "intracranial_haemorrhage",
    ),
    (
        r"transient\s+isch(?:a)?emic\s+attacks?(?:\s*\(TIA\))?|\bTIA\b",
        "condition",
        "transient_ischaemic_attack",
    ),
    (r"unstable\s+angina(?:\s+pectoris)?", "condition", "unstable_angina"),
    (r"pulmonary\s+embol(?:ism|i|us)(?:\s*\(PE\))?", "condition", "pulmonary_embolism"),
    (
        r"deep\s+ve(?:in|nous)\s+thrombos[ie]s(?:\s*\(DVT\))?|\bDVT\b",
        "condition",
        "deep_vein_thrombosis",
    ),
    (
        r"venous\s+thrombo(?:embolism|embolic\s+events?|sis)(?:\s*\(VTE\))?",
        "condition",
        "venous_thromboembolism",
    ),
    (
        r"(?:gastrointestinal|GI|bowel|intestinal)\s+perforation",
        "condition",
        "gi_perforation",
    ),
    (
        r"(?:abdominal|gastrointestinal|GI|intestinal)\s+fistulae?",
        "condition",
        "abdominal_fistula",
    ),
    (r"intra-?\s?abdominal\s+abscess", "condition", "intra_abdominal_abscess"),
    (r"(?:blood\s+)?transfusions?", "procedure", "transfusion"),
    (
        r"systemic\s+anti(?:microbial|biotic|infective)s?\s+(?:therapy|treatment)",
        "therapy",
        "systemic_antimicrobial",
    ),
)
# "Bevacizumab within 4 weeks prior to the first dose": each drug with a concept of its own
_DRUG_NAMES = tuple((drug_names(d.key), "therapy", d.key) for d in DRUGS)
# "an mTOR inhibitor within 4 weeks prior to first dose" (NCT05661461 E1): the classes of
# concepts_drug_classes, by their declared phrases
_CLASS_WORDS = tuple((p, "therapy", key) for p, key in class_patterns())
_NAMED_ONLY = frozenset({*DRUG_CLASSES, *(key for _, _, key in _CLASS_WORDS)})
_WINDOWED_NAMES = tuple(
    (re.compile(p, re.I), kind, key) for p, kind, key in (*_WINDOWED, *_DRUG_NAMES, *_CLASS_WORDS)
)
# The words that may stand between the last name and its window without a meaning of their own.
_WINDOW_LEAD = re.compile(
    r"[\s,(]*(?:(?:that\s+)?(?:occurr(?:ing|ed)|performed|received|given|administered|"
    r"diagnosed|had|experienced)\s*)?",
    re.I,
)
_NAME_JOIN = re.compile(r"\s*,\s*(?:(?:and/)?or\s+)?|\s+(?:and/)?or\s+", re.I)


def _windowed_list(gap: str, offset: int) -> list[tuple[int, int, str, str]] | None:
    """The further names of a list between the first name and its window ("…, stroke, or
    unstable angina"), as (start, end, kind, key); None unless the whole gap is such a list."""
    names: list[tuple[int, int, str, str]] = []
    at = 0
    while True:
        join = _NAME_JOIN.match(gap, at)
        if join is None:
            break
        hit = next(
            (
                (m, kind, key)
                for pat, kind, key in _WINDOWED_NAMES
                if (m := pat.match(gap, join.end()))
            ),
            None,
        )
        if hit is None:
            break
        m, kind, key = hit
        names.append((offset + m.start(), offset + m.end(), kind, key))
        at = m.end()
    if _WINDOW_LEAD.fullmatch(gap, at) is None:
        return None
    return names


def _windowed_rule(r: _Reader, kind: str, key: str, start: int, end: int, window: Window) -> Rule:
    if kind == "condition":
        return r.draft(ConditionRule, start, end, condition=key, within=window)
    return _exposure_rule(r, kind, key, start, end, window)


def _read_windows(r: _Reader) -> None:
    text = r.text
    found = (
        (m, kind, key)
        for name, kind, key in _WINDOWED_NAMES
        for m in re.finditer(
            r"(?:" + name.pattern + r")(?P<gap>[^.;]{0,80}?)" + HISTORY_WINDOW, text, re.I
        )
    )
    # in the order written, so that a list's first name reads the list ("myocardial infarction
    # or major surgery within 6 months") and its later names are not read again on their own
    for m, kind, key in sorted(found, key=lambda f: f[0].start()):
        if any(f.start <= m.start() < f.end for f in r.found):
            continue
        if key == "transfusion" and not _negated(text, m.start()):
            continue
        window = history_window(m)  # to registration when the words name it
        gap_start = m.start("gap")
        names = _windowed_list(m.group("gap"), gap_start)
        if names is None and key in _NAMED_ONLY:
            continue  # a drug and a window with words of their own between: not read at all
        negate = _negated(text, m.start()) and not r.exclusion
        head = _windowed_rule(r, kind, key, m.start(), m.end(), window)
        if names is None:
            # words of their own between the name and its window ("or chemotherapy",
            # "other than diagnostic surgery"): the name and the window are read, the words
            # stay unread, so the item is never decided on this rule alone
            rule = _wrap(r, head, m.start(), m.end(), negate)
            r.add_reading(
                m.start(), m.end(), rule, ((m.start(), gap_start), (m.end("gap"), m.end()))
            )
        else:
            rules = (head, *(_windowed_rule(r, k, y, a, b, window) for a, b, k, y in names))
            inner = (
                rules[0] if len(rules) == 1 else r.draft(AnyOfRule, m.start(), m.end(), rules=rules)
            )
            r.add(m.start(), m.end(), _wrap(r, inner, m.start(), m.end(), negate))
        # a day the window's words did not name as registration or the first dose
        # ("prior to screening", "prior to and/or during study enrollment"): the window is
        # counted back from the first dose, and the day's words stay unread
        tail = text[m.end() : m.end() + 40].lower()
        marks = {"registration": "registration", "randomi": "randomization"}
        marks |= {"screening": "screening", "enrol": "enrollment", "consent": "consent"}
        to = next((name for mark, name in marks.items() if mark in tail), None)
        if to is not None and window.anchor == "first_dose":
            r.warn(
                f"the window runs to {to}, not the first dose; oncotrial counts windows back "
                "from the first dose — confirm"
            )


def _read_support(r: _Reader) -> None:
    text = r.text
    support = re.search(
        r"without\s+(?:prior\s+)?(?P<list>(?:transfusion|albumin|thrombopoietin|"
        r"(?:granulocyte[-\s])?colony-stimulating\s+factor|G-CSF)(?:[^.;:]{0,60}?(?:transfusion|"
        r"albumin|thrombopoietin|colony-stimulating\s+factor|G-CSF))*)[^.;:]{0,20}?support",
        text,
        re.I,
    )
    # "without transfusion support" with no window: the value must not rest on recent support,
    # and "ever" would fail a patient transfused years ago (issue 12: never a wrong exclusion) —
    # without a window the words stay unread (NCT04511039 I8; jwlieb/clinical-trial-agent
    # data/demo @387df17)
    within = _sentence_window(r, support.start()) if support else None
    if support and within is not None:
        m = support
        found: list[tuple[str, str]] = []
        for name in re.findall(
            r"transfusion|albumin|thrombopoietin|colony-stimulating\s+factor|G-CSF",
            m.group("list"),
            re.I,
        ):
            kind, key = _SUPPORT[re.sub(r"\s+", " ", name).lower()]
            if key not in {k for _, k in found}:
                found.append((kind, key))
        rules = tuple(
            _exposure_rule(r, kind, key, m.start(), m.end(), within) for kind, key in found
        )
        inner: Rule = (
            rules[0] if len(rules) == 1 else r.draft(AnyOfRule, m.start(), m.end(), rules=rules)
        )
        r.add(m.start(), m.end(), r.draft(NotRule, m.start(), m.end(), rule=inner))
    for m in re.finditer(
        r"ongoing\s+(?P<list>(?:anticoagulant|antiplatelet)(?:\s+(?:or|and)\s+"
        r"(?:anticoagulant|antiplatelet))?)\s+(?:therapy|treatment)",
        text,
        re.I,
    ):
        for name in re.findall(r"anticoagulant|antiplatelet", m.group("list"), re.I):
            rule = r.draft(MedicationRule, m.start(), m.end(), therapy=name.lower(), ongoing=True)
            r.add(m.start(), m.end(), rule)


_CONDITION_NAMES = (
    (r"interstitial\s+lung\s+disease", "interstitial_lung_disease"),
    (r"(?:known\s+)?HIV\s+infection|human\s+immunodeficiency\s+virus", "hiv"),
    (r"deep\s+vein\s+thrombosis", "deep_vein_thrombosis"),
    (r"ground[-\s]glass\s+(?:nodules?|opacit(?:y|ies))", "ground_glass_nodule"),
    (r"Gilbert(?:'s|’s)?\s+syndrome", "gilbert_syndrome"),
    # "History of prostate cancer" (a screening or prevention trial's exclusion): the words
    # "history of" are required, so that "non-melanoma skin cancer" in a list of exceptions or
    # "lung cancer screening" is never read as a condition
    (r"(?<=history\s\bof\s)(?:prior\s+)?lung\s+cancer(?!\s+screening)", "lung_cancer"),
    (r"(?<=history\s\bof\s)(?:prior\s+)?prostate\s+cancer", "prostate_cancer"),
    (r"(?<=history\s\bof\s)(?:prior\s+)?breast\s+cancer", "breast_cancer"),
    (r"(?<=history\s\bof\s)(?:prior\s+)?skin\s+cancer", "skin_cancer"),
)


def _read_conditions(r: _Reader) -> None:
    text = r.text
    for pattern, key in _CONDITION_NAMES:
        for m in re.finditer(pattern, text, re.I):
            if any(f.start <= m.start() < f.end for f in r.found):
                continue  # already part of a rule (a window, a lab condition)
            if key == "gilbert_syndrome":
                continue  # only a branch of a bilirubin limit
            if re.match(r"[^.;]{0,80}?" + _WINDOW, text[m.end() :], re.I):
                # a window after it ("… or pulmonary embolism within 6 months") that the windowed
                # reading did not take: read as 'ever' it would exclude on an old event
                continue
            after = text[m.end() : m.end() + 40].lower()
            if r.exclusion:
                rule: Rule = r.draft(ConditionRule, m.start(), m.end(), condition=key)
            elif "excluded" in after or _negated(text, m.start()):
                rule = r.draft(
                    NotRule,
                    m.start(),
                    m.end(),
                    rule=r.draft(ConditionRule, m.start(), m.end(), condition=key),
                )
            else:
                continue
            r.add(m.start(), m.end(), rule)


_HSCT = r"(?:(?:haemato|hemato)poietic\s+)?(?:stem\s+cell|bone\s+marrow)"
_TRANSPLANT = re.compile(
    # "allogenic" is a spelling of the Merck template (NCT04317534 E9)
    # "History of allogeneic organ or stem cell transplant" (NCT05187182 E3), "Prior allogeneic
    # bone marrow transplantation or solid organ transplant" (NCT03786692 E33;
    # jwlieb/clinical-trial-agent data/demo @387df17): 'allogeneic' before both kinds, an
    # organ transplant being a donor's
    # "allogenic tissue/solid organ transplant" (Merck's template, NCT04317534 E9), "allogeneic
    # tissue or organ transplantation"
    # "History of solid organ or allogenic stem cell transplant" (NCT05168618 E31): the organ
    # named first
    r"(?P<allo>(?:(?P<organ0>solid\s+organ)\s+(?:or|and/or)\s+)?"
    r"allogen(?:e)?ic\s+(?:(?P<organ1>(?:solid\s+)?organ)\s+(?:or|and/or)\s+)?"
    r"(?:" + _HSCT + r"|tissue)"
    r"(?:\s*(?:/|,?\s*(?:or|and/or)\s)\s*(?P<solid1>(?:solid\s+)?organ))?\s+)"
    r"transplant(?:s|ation)?"
    r"(?:\s*,?\s*(?:or|and/or)\s+(?:an?\s+)?(?P<solid2>solid\s+organ)\s+transplant(?:s|ation)?)?"
    r"|(?P<both>organ\s+(?:or|and/or)\s+" + _HSCT + r"\s+)transplant(?:s|ation)?"
    r"|(?P<auto>autologous\s+" + _HSCT + r"\s+)transplant(?:s|ation)?"
    r"|(?P<solid>solid\s+organ\s+)transplant(?:s|ation)?"
    r"|(?P<any>organ|" + _HSCT + r")\s+transplant(?:s|ation)?",
    re.I,
)


_TRANSPLANT_WINDOW = re.compile(
    # "Autologous stem cell transplantation (SCT) within 30 days prior to Day 1 of protocol
    # therapy" (NCT05672251 E7): the abbreviation names the transplant again
    r"(?:\s*\((?:allo-?|auto-?)?(?:H?SCT|HCT|ASCT|BMT)\))?"
    r"\s*,?\s*(?:(?:performed|received|done)\s+)?" + HISTORY_WINDOW,
    re.I,
)


def _read_transplant(r: _Reader) -> None:
    """'Prior allogeneic stem cell or solid organ transplantation' (either kind), 'autologous
    stem cell transplant', 'solid organ transplant'; a bare 'organ or bone marrow transplant' is
    any of them. An allogeneic rule is unknown on a stem cell transplant of unrecorded kind."""
    m = _TRANSPLANT.search(r.text)
    if not m:
        return
    if m.group("allo"):
        solid = m.group("solid1") or m.group("solid2") or m.group("organ1") or m.group("organ0")
        if re.search(r"\btissue\b", m.group("allo"), re.I):
            # any graft from a donor, a solid organ's among them (concepts.IMPLIED)
            keys = ["allogeneic_tissue_transplant"]
        else:
            keys = ["allogeneic_hsct"] + (["solid_organ_transplant"] if solid else [])
    elif m.group("both"):
        keys = ["organ_transplant"]
    elif m.group("auto"):
        keys = ["autologous_hsct"]
    elif m.group("solid"):
        keys = ["solid_organ_transplant"]
    elif m.group("any").lower() == "organ":
        keys = ["organ_transplant"]
    else:
        keys = ["hsct"]
    # "Has received any type of organ transplant in the past 12 months" (NCT00068003 E12),
    # "Received allogeneic stem cell transplant within the last 6 months" (NCT04844528 E2): a
    # window right after the transplant is its own (windows.HISTORY_WINDOW)
    end, within = m.end(), None
    period = _TRANSPLANT_WINDOW.match(r.text, m.end())
    # "… stem cell transplantation or solid organ transplant within 6 months": the window may be
    # the second transplant's alone; not read (the words stay unread)
    if period is not None and not (m.group("allo") and m.group("solid2")):
        end, within = period.end(), history_window(period)
    rules: list[Rule] = [
        r.draft(ProcedureRule, m.start(), end, procedure=key, within=within) for key in keys
    ]
    rule: Rule = (
        rules[0] if len(rules) == 1 else r.draft(AnyOfRule, m.start(), end, rules=tuple(rules))
    )
    if not r.exclusion:
        if not _negated(r.text, m.start()):
            return
        rule = r.draft(NotRule, m.start(), end, rule=rule)
    r.add(m.start(), end, rule)
    if re.search(r"\bplanned\b", r.text[max(0, m.start() - 30) : m.start()], re.I):
        r.warn(
            "a planned transplantation cannot be read from the record; the rule checks past "
            "ones only"
        )


_OTHER_DAY = re.compile(
    r"\s+(?:prior\s+to|before|of|from)\s+(?:the\s+)?(?:screening|(?:signing\s+(?:of\s+)?"
    r"(?:the\s+)?)?(?:informed\s+)?consent)\b",
    re.I,
)


def _read_lesions(r: _Reader) -> None:
    text = r.text
    fields: dict[str, Any] = {}
    spans: list[tuple[int, int]] = []
    m = re.search(
        r"no\s+more\s+than\s+(?P<n>\d+)\s+(?:residual\s+)?(?:lesions?|tumou?rs?|metastases)"
        r"|(?P<n2>\d+)\s+or\s+fewer\s+(?:residual\s+)?(?:lesions?|tumou?rs?|metastases)"
        r"|≤\s*(?P<n3>\d+)\s+(?:residual\s+)?(?:lesions?|metastases)",
        text,
        re.I,
    )
    if m:
        fields["max_lesions"] = int(m.group("n") or m.group("n2") or m.group("n3"))
        spans.append((m.start(), m.end()))
        cmr = re.search(r"complete\s+metabolic\s+response", text[m.end() : m.end() + 80], re.I)
        if cmr:
            fields["exclude_complete_metabolic_response"] = True
            spans.append((m.end() + cmr.start(), m.end() + cmr.end()))
    m = re.search(
        r"(?:involving\s+|in\s+)?no\s+more\s+than\s+(?P<n>\d+)\s+organs?"
        r"|(?:≤|at\s+most)\s*(?P<n2>\d+)\s+organs?",
        text,
        re.I,
    )
    if m:
        fields["max_organs"] = int(m.group("n") or m.group("n2"))
        spans.append((m.start(), m.end()))
    m = re.search(
        r"at\s+least\s+(?P<n>one|1|\d+)\s+measurable\s+(?:target\s+)?(?:lesions?|disease)"
        r"(?P<tail>(?:[^.;]|\.(?=\d)){0,120})",
        text,
        re.I,
    )
    named = _MEASURABLE_BY.match(m.group("tail")) if m else None
    if m and not (named is not None and named.group("other")):
        # "at least one measurable lesion per WHO criteria": another measurability, not read
        n = m.group("n")
        fields["min_measurable"] = 1 if n.lower() == "one" else int(n)
        spans.append((m.start(), m.start("tail")))
        criteria = re.search(
            r"\b(m?RECIST|iRECIST)\)?\s*(?:[vV](?:ersion)?\.?\s*)?(\d\.\d)?(?:\s*\((\d{4})\))?",
            m.group("tail"),
        )
        if criteria:
            name = criteria.group(1) + (f" {criteria.group(2)}" if criteria.group(2) else "")
            name += f" ({criteria.group(3)})" if criteria.group(3) else ""
            fields["criteria"] = name
            spans.append((m.start("tail") + criteria.start(), m.start("tail") + criteria.end()))
        window = re.search(
            r"within\s+(?P<n>\d+)\s+(?P<unit>day|week|month)s?", m.group("tail"), re.I
        )
        at = m.start("tail") + window.end() if window else 0
        # a lesion's window runs from the first dose only (rules.LesionRule): one to another
        # day ("within 4 weeks prior to randomization", NCT06907615 I4; development corpus)
        # stays unread, never counted from the first dose without a word
        other_day = window is not None and (
            TO_REGISTRATION.match(text, at) is not None or _OTHER_DAY.match(text, at) is not None
        )
        if window and not other_day:
            fields["within"] = _window_of(window.group("n"), window.group("unit"))
            spans.append((m.start("tail") + window.start(), at))
    if not fields:
        return
    a, b = min(s[0] for s in spans), max(s[1] for s in spans)
    r.add(a, b, r.draft(LesionRule, a, b, **fields))
    for s in spans:
        r.consume(*s)


# "… a negative serum pregnancy test within 14 days of registration" (NCT06439693 I13;
# jwlieb/clinical-trial-agent data/demo @387df17), "≤ 7 days prior to registration": the window
# runs back from registration, the screen's as-of date (``Window.anchor``), as a laboratory
# value's does; with no day named, or the first dose named, from the first dose
# "negative urine or serum pregnancy test" (development records of jwlieb/clinical-trial-agent
# data/demo @387df17): either specimen, the one hCG result
_SPECIMEN = (
    r"(?:(?:serum|urine|blood)(?:(?:\s+(?:or|and/or)\s+|\s*/\s*)(?:serum|urine|blood))?\s+)?"
)
_PREGNANCY_TEST = re.compile(
    r"negative\s+"
    + _SPECIMEN
    + r"pregnancy\s+test[^.;]{0,40}?"
    + WITHIN_WINDOW
    + r"|negative\s+"
    + _SPECIMEN
    + r"pregnancy\s+test[^.;]{0,20}?[≤<]\s*"
    r"(?P<n2>\d+)\s+days\s+(?:prior(?:\s+to)?|before)(?:\s+(?P<registration2>"
    + REGISTRATION
    + r"))?"
    # "… pregnancy test within 72 hours before the first dose of study medication" (development
    # records): a window in hours (below)
    + r"|negative\s+"
    + _SPECIMEN
    + r"pregnancy\s+test\s+within\s+(?P<hours>\d+)\s*(?:hours?|hrs?|h)\s+"
    r"(?:prior\s+to|before)\s+(?:receiving\s+)?"
    + FIRST_DOSE
    # "Negative serum pregnancy test result at screening" (development records)
    + r"|negative\s+"
    + _SPECIMEN
    + r"pregnancy\s+test(?:\s+results?\b)?",
    re.I,
)


def _whole_days(hours: int) -> int | None:
    """The days before the first dose whose results are surely within ``hours`` of it: a result
    dated D days before was taken between (D − 1) × 24 and (D + 1) × 24 hours before, so D days
    are sure when (D + 1) × 24 ≤ hours. None when no whole day is (under 48 hours): records are
    dated by day, so a window of hours is read only this way, never rounded up."""
    days = hours // 24 - 1
    return days if days >= 1 else None


def _read_pregnancy(r: _Reader) -> None:
    m = _PREGNANCY_TEST.search(r.text)
    if not m:
        return
    window: Window | None = None
    end = m.end()
    days = _whole_days(int(m.group("hours"))) if m.group("hours") else None
    if m.group("hours") and days is None:
        # "within 24 hours": a window inside one day, which dated records cannot hold — the
        # test is read, its window left unread
        end = m.start() + m.group(0).lower().index("test") + len("test")
    elif days is not None:
        window = Window(value=days, unit="days")
        r.warn(
            f"the pregnancy test's {m.group('hours')} hours are read as the {days} whole days "
            "before the first dose (a result of the day before those may be older than the "
            "hours: not used)"
        )
    elif m.group("n"):
        window = history_window(m)
    elif m.group("n2"):
        window = Window(value=int(m.group("n2")), unit="days")
        if m.group("registration2"):
            window = window.model_copy(update={"anchor": "registration"})
    test = r.draft(LabResultRule, m.start(), end, analyte="hcg", result="negative", within=window)
    who = re.search(r"female|women", r.text[max(0, m.start() - 80) : m.start()], re.I)
    when: Rule = r.draft(SexRule, m.start(), end, sex="female")
    potential = _childbearing_potential(r, m.start())
    after = _CHILDBEARING_AFTER.match(r.text, end)
    if potential is None and after is not None:
        # "… ≤ 7 days prior to registration, for persons of childbearing potential only"
        potential = (after.start(), after.end("who"), after.end())
    if potential is not None:
        # "Women of childbearing potential must have a negative pregnancy test": asked of
        # women who can become pregnant only (SDTM RP CHILDPOT); a woman whose potential is
        # not recorded has the test asked for unless it is negative anyway (kleene_if)
        start, words_end, words_stop = potential
        asked = r.draft(
            LabResultRule, start, words_end, analyte="childbearing_potential", result="yes"
        )
        when = r.draft(AllOfRule, min(start, m.start()), max(words_end, end), rules=(when, asked))
        r.consume(start, words_stop)
    rule: Rule = r.draft(ConditionalRule, m.start(), end, when=when, then=test)
    if r.exclusion:
        # listed among exclusions, the requirement excludes those who do not meet it (its
        # rules describe what excludes; eligibility.logic)
        rule = r.draft(NotRule, m.start(), end, rule=rule)
    r.add(m.start(), end, rule)
    past = max(end, potential[2]) if potential is not None else end
    note = _SERUM_CONFIRMATION.match(r.text, past)
    if note is not None:
        r.consume(past, note.end())
    if potential is None and re.search(r"child[\s-]?bearing", r.text, re.I):
        r.warn(
            "the pregnancy test is for women of childbearing potential; the rule asks it of "
            "every woman — edit it if needed"
        )
    elif potential is None and who is None:
        r.warn("a pregnancy test is asked for; read as applying to women")


# Who a pregnancy test is for, in the words just before it: "Women of childbearing potential
# must have", "Female patients of child-bearing potential with", "WOCBP must have".
_CHILDBEARING = re.compile(
    r"\b(?:(?:women|females?|female\s+(?:patients?|subjects?|participants?)|patients?|subjects?|"
    r"participants?)\s+(?:of|with)\s+(?:child[\s-]?bearing|reproductive)\s+potential|WOCBP)"
    r"(?:\s*\(WOCBP\))?(?P<tail>\s+(?:must|should|will)\s+(?:have|undergo)\s+(?:an?\s+)?|"
    r"\s+(?:with|who\s+have)\s+(?:an?\s+)?|\s+only\s*,\s*(?:an?\s+)?"
    # "Women of childbearing potential (WOCBP): Negative serum pregnancy test" (development
    # records of jwlieb/clinical-trial-agent data/demo @387df17)
    r"|\s*:\s*(?:an?\s+)?)$",
    re.I,
)
# … or just after it (and its window): "Negative serum pregnancy test done ≤ 7 days prior to
# registration, for persons of childbearing potential only" (development records)
_CHILDBEARING_AFTER = re.compile(
    r"\s*[,(]?\s*(?:only\s+)?(?:for|in|applies\s+to)\s+(?P<who>(?:women|females?|persons|people|"
    r"participants|patients|subjects)\s+(?:of|with)\s+(?:child[\s-]?bearing|reproductive)\s+"
    r"potential(?:\s*[(\[]WOCBP[)\]])?)(?:\s+only)?\s*\)?",
    re.I,
)
# the template's note on confirming the test, after it: "If the urine test is positive or cannot
# be confirmed as negative, a serum pregnancy test will be required." (Merck's template, 5
# development records): how a negative test is established, no condition of its own
_SERUM_CONFIRMATION = re.compile(
    r"\s*[.;]?\s*If\s+the\s+urine\s+test\s+is\s+positive\s+or\s+cannot\s+be\s+confirmed\s+"
    r"(?:as\s+)?negative\s*,?\s*a\s+serum\s+pregnancy\s+test\s+will\s+be\s+required"
    r"(?:\s+and\s+must\s+be\s+negative(?:\s+for\s+the\s+(?:patient|participant|subject)\s+to\s+be"
    r"\s+eligible)?)?\s*\.?",
    re.I,
)


def _childbearing_potential(r: _Reader, test_start: int) -> tuple[int, int, int] | None:
    """Where the words naming women of childbearing potential start and end, and where the
    words joining them to the pregnancy test end, when they come right before the test (its
    subject: nothing else between them and it)."""
    before = r.text[max(0, test_start - 120) : test_start]
    found = _CHILDBEARING.search(before)
    if found is None:
        return None
    offset = test_start - len(before)
    return offset + found.start(), offset + found.start("tail"), offset + found.end()


def _read_blood_pressure(r: _Reader) -> None:
    """ "Blood pressure > 150/100 mmHg": either value above (an any-of rule); "blood pressure ≤
    140/90 mmHg" in an inclusion: both values at most their limit (an all-of rule). An upper
    limit in an exclusion says nothing to exclude on: not read."""
    m = re.search(
        r"(?:blood\s+pressure|\bBP)(?:\s*\(BP\))?\s*(?:of\s+)?(?P<comp>[≥>≤<])\s*(?P<s>\d{2,3})"
        r"\s*/\s*(?P<d>\d{2,3})\s*mm\s*Hg",
        r.text,
        re.I,
    )
    if not m:
        return
    comparator = _SYMBOLS[m.group("comp")]
    below = comparator in {Comparator.LE, Comparator.LT}
    if below and r.exclusion:
        return
    rules = (
        r.draft(
            LabRule,
            m.start(),
            m.end(),
            analyte="systolic_bp",
            comparator=comparator,
            value=float(m.group("s")),
            unit="mmHg",
        ),
        r.draft(
            LabRule,
            m.start(),
            m.end(),
            analyte="diastolic_bp",
            comparator=comparator,
            value=float(m.group("d")),
            unit="mmHg",
        ),
    )
    joined: Rule = (
        r.draft(AllOfRule, m.start(), m.end(), rules=rules)
        if below
        else r.draft(AnyOfRule, m.start(), m.end(), rules=rules)
    )
    r.add(m.start(), m.end(), joined)


# "At least 4 weeks since prior chemotherapy", "At least 3 weeks since prior major surgery" (the
# older NCI records' phrasing: NCT00602576 I3.5, NCT01851408 I18, I20, round 5): none of them
# within the window, read as "no chemotherapy within 4 weeks" is. Only "at least" (≥, "a minimum
# of"): "more than 4 weeks" is another boundary. Only a list of these treatments right after
# "since prior"; any other word between ("prior low-dose weekly chemotherapy") leaves it unread.
_SINCE_WHAT: tuple[tuple[str, str, str], ...] = (
    (r"(?:cytotoxic\s+)?chemotherapy", "therapy", "chemotherapy"),
    (r"radiotherapy|radiation(?:\s+therapy)?", "procedure", "radiotherapy"),
    (r"major\s+surgery", "procedure", "major_surgery"),
    (r"surgery", "procedure", "surgery"),
    *_DRUG_NAMES,  # "At least 3 months since prior trastuzumab" (NCT00509587 I2.9)
)
_SINCE_ONE = "|".join(f"(?:{p})" for p, _, _ in _SINCE_WHAT)
_SINCE = re.compile(
    r"\b(?:at\s+least|a\s+minimum\s+of|≥)\s*(?P<n>\d+|one|two|three|four|five|six|eight|twelve)"
    r"\s+(?P<unit>day|week|month|year)s?\s+(?:must\s+have\s+elapsed\s+|have\s+elapsed\s+)?"
    r"since\s+(?:the\s+)?(?:completion\s+of\s+)?(?:any\s+)?(?:prior|previous|last)\s+"
    rf"(?P<list>(?:{_SINCE_ONE})(?:\s*(?:,\s*or|,|or|and|and/or)\s*(?:{_SINCE_ONE}))*)"
    r"(?![\w-])",
    re.I,
)


def read_time_since(r: _Reader) -> None:
    if r.exclusion:
        return  # "at least 4 weeks since …" states what admits, never what excludes
    text = r.text
    for m in _SINCE.finditer(text):
        if any(f.start < m.end() and m.start() < f.end for f in r.found):
            continue
        n = m.group("n").lower()
        window = _window_of(str(NUMBER_WORDS.get(n) or n), m.group("unit"))
        for t in re.finditer(_SINCE_ONE, m.group("list"), re.I):
            a, b = m.start("list") + t.start(), m.start("list") + t.end()
            kind, key = next((k, key) for p, k, key in _SINCE_WHAT if re.fullmatch(p, t[0], re.I))
            rule = _exposure_rule(r, kind, key, a, b, window)
            r.add(a, b, r.draft(NotRule, a, b, rule=rule))
        r.consume(m.start(), m.end())
