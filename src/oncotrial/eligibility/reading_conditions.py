"""Reading the oncology vocabulary of issue 12 item 3 from criteria text: brain metastases,
hepatitis B/C and HIV, autoimmune disease with its usual exceptions, interstitial lung disease
and pneumonitis, pregnancy and breastfeeding, prior immune checkpoint inhibitors, measurable
disease per RECIST 1.1.

A mention becomes a rule; "active" before autoimmune disease, interstitial lung disease or
pneumonitis is the condition's clinical status (``reading_active``); every qualifier the rule
does not carry ("untreated", "symptomatic", "suspected", "requiring steroids") is left
unread, so the item stays a checklist item quoting it (issue 12: never decided on the
understood fragment alone). An exclusion item
excludes on any mention; an inclusion item reads a mention only when it is negated ("No known
HIV", "must not be breastfeeding").
"""

from __future__ import annotations

import re
from itertools import pairwise

from oncotrial.eligibility.concepts import CONDITION_IMPLIED
from oncotrial.eligibility.reading import (
    _Reader,
)
from oncotrial.eligibility.reading_active import (
    CNS_NARROWED,
    QUALIFIED,
    confirmed,
    qualified,
    qualifier_before,
)
from oncotrial.eligibility.rules import (
    AllOfRule,
    AnyOfRule,
    ConditionRule,
    LesionRule,
    MedicationRule,
    NotRule,
    OtherMalignancyRule,
    PriorLinesRule,
    ProcedureRule,
    Rule,
)
from oncotrial.eligibility.text import NUMBER_WORDS
from oncotrial.eligibility.windows import (
    FIRST_DOSE,
    REGISTRATION,
    WITHIN_WINDOW,
    history_window,
)

__all__ = [
    "read_checkpoint_inhibitors",
    "read_measurable_disease",
    "read_named_conditions",
    "read_prior_lines",
    "read_treatment_windows",
]

_NOT_A_CONDITION = (
    r"(?!\s*(?:virus\s+)?(?:\([A-Z]+\)\s*)?(?:surface|core|e\s+antigen|antigen|DNA|RNA|"
    r"ribonucleic|deoxyribonucleic|antibod|Ab\b|vaccin|immuni[sz]ation|test|serolog|viral\s+load|carrier|reactivation))"
)

# (pattern, concept keys, current): ``current`` conditions are those not resolved by the
# reference date (pregnant now); the others count whenever recorded ("known HIV").
_MENTIONS: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    (
        # "pregnant and breastfeeding women": no one means women who are both
        r"(?:\b(?:con)?current\s+)?pregnan(?:t|cy)"
        r"\s*(?:,|or|and/or|and|,\s*or)\s*(?:lactating|lactation\b|breast[-\s]?feeding|nursing)"
        # "Pregnant or nursing (lactating) women" (NCT04373564 E9): one word glossed by another
        r"(?:\s*\((?:lactating|breast[-\s]?feeding)\))?(?:\s+(?:wom[ae]n|females?|mothers))?",
        ("pregnancy", "breastfeeding"),
        True,
    ),
    (
        r"(?<!become\s)(?<!becoming\s)(?:\b(?:con)?current\s+)?pregnan(?:t|cy)(?!\s+(?:test|partner|or\s+planning|while|during))"
        r"(?:\s+(?:wom[ae]n|females?))?",
        ("pregnancy",),
        True,
    ),
    (
        r"(?:\b(?:con)?current\s+)?(?:lactating|lactation\b|breast[-\s]?feeding|nursing)"
        r"(?!\s+partner)(?:\s+(?:wom[ae]n|females?|mothers))?",
        ("breastfeeding",),
        True,
    ),
    (
        # "no evidence of new or enlarging brain metastases" restates radiological stability
        r"(?<!enlarging\s)(?:brain|CNS|central\s+nervous\s+system|cerebral|intracranial)"
        # "central nervous system or brain metastases" (NCT00392665 E19, NCT00717990 E6, round 5)
        r"(?:\s+or\s+(?:other\s+)?(?:central\s+nervous\s+system|brain|CNS))?(?:\s*\(CNS\))?\s+"
        r"(?:tumou?r\s+)?metastas[ie]s"
        r"|metastas[ie]s\s+(?:to|in)\s+the\s+(?:brain|central\s+nervous\s+system|CNS)",
        ("brain_metastases",),
        True,
    ),
    (
        r"hepatitis\s+B\s+(?:or|and/or)\s+C(?:\s+virus)?(?:\s+infections?)?" + _NOT_A_CONDITION,
        ("hepatitis_b", "hepatitis_c"),
        False,
    ),
    (
        r"(?:hepatitis\s+B(?:\s+virus)?(?:\s*\(HBV\))?|\bHBV)(?:\s+infections?)?"
        + _NOT_A_CONDITION,
        ("hepatitis_b",),
        False,
    ),
    (
        r"(?:hepatitis\s+C(?:\s+virus)?(?:\s*\(HCV\))?|\bHCV)(?:\s+infections?)?"
        + _NOT_A_CONDITION,
        ("hepatitis_c",),
        False,
    ),
    (
        r"(?:human\s+immunodeficiency\s+virus(?:\s*[\[(]HIV[\])])?|\bHIV)(?:\s*\(\+\)|\s*-?\s*positive|\s+positivity)?"
        r"(?:\s+infections?)?"
        + _NOT_A_CONDITION
        + r"|acquired\s+immun[eo]\s*deficiency\s+syndrome(?:\s*\(AIDS\))?|\bAIDS\b",
        ("hiv",),
        False,
    ),
    (
        # pulmonary fibrosis is one of the interstitial lung diseases (and a name of the concept)
        r"interstitial\s+(?:lung\s+disease|pneumonia|pneumonitis)(?:\s*\(ILD\))?"
        r"|(?:idiopathic\s+)?pulmonary\s+fibrosis",
        ("interstitial_lung_disease",),
        False,
    ),
    (
        r"leptomeningeal\s+(?:disease|metastas[ie]s|carcinomatosis|involvement)"
        r"|(?:carcinomatous|neoplastic)\s+meningitis|meningeal\s+carcinomatosis",
        ("leptomeningeal_disease",),
        True,
    ),
    (r"(?:non-?\s?infectious\s+)?pneumonitis", ("pneumonitis",), False),
    (
        # "QTcF > 470 ms or congenital long QT syndrome", "Known congenital long QT" (development
        # records of jwlieb/clinical-trial-agent data/demo @387df17); lifelong, so never 'now'.
        # Not "acquired long QT syndrome" (a QT prolongation, whose limit is the QTc's)
        r"(?<!acquired\s)(?:congenital\s+)?(?:long|prolonged)\s+QTc?(?:\s+interval)?\s+syndrome"
        r"(?:\s*\(LQTS\))?|\bcongenital\s+(?:long|prolonged)\s+QTc?\b|\bLQTS\b",
        ("long_qt_syndrome",),
        False,
    ),
    (
        # "Inflammatory bowel disease (Crohn's disease, ulcerative colitis)", "(e.g., Crohn's
        # disease and ulcerative colitis)": the examples are its members, read with it
        r"inflammatory\s+bowel\s+diseases?(?:\s*\(IBD\))?(?:\s*\((?:(?:e\.g\.|i\.e\.),?\s*)?"
        r"(?:Crohn'?s\s+disease|ulcerative\s+colitis)(?:\s*(?:,|and/or|and|or)\s*"
        r"(?:Crohn'?s\s+disease|ulcerative\s+colitis))?\s*\))?",
        ("inflammatory_bowel_disease",),
        False,
    ),
)

_NEGATION = re.compile(r"\b(?:no|not|without|never)\b[^.;:]*$", re.I)
# a list's joints: "A, B or C", "HIV(+) or has been diagnosed with AIDS"
_JOIN = re.compile(
    r"\s*(?:,|or|and/or|,\s*or)\s*(?:(?:has|have)\s+(?:been\s+)?diagnosed\s+with\s+)?", re.I
)
_AND_NOT = re.compile(r"\s*,?\s*(?:and|nor)\s+(?:not|no)\s+|\s*,?\s*nor\s+", re.I)
# who a pregnancy rule is about: only women can be pregnant, so the words restrict nothing
_WOMEN = re.compile(
    r"(?:for\s+)?(?:female\s+)?(?:women|females?|subjects|participants?|patients)"
    r"(?:\s+(?:participants?|subjects?|patients))?\s*,?\s*(?:who\s+(?:are|were)\s+|is\s+|are\s+"
    r"|must\s+)?(?:not\s+)?(?:be\s+)?(?:currently\s+)?$",  # a pregnancy rule is of now
    re.I,
)
# "… cannot participate in this study", "… are excluded": a restatement of an exclusion item
_EXCLUDED = re.compile(
    r"\s*(?:cannot|can\s*not|may\s+not|will\s+not)\s+(?:participate|be\s+enrolled|be\s+included)"
    r"(?:\s+in\s+(?:this|the)\s+(?:study|trial))?"
    r"|\s*(?:are|is|will\s+be)\s+(?:excluded|not\s+eligible)(?:\s+from\s+(?:this|the)\s+"
    r"(?:study|trial))?",
    re.I,
)


_NO_TESTING = re.compile(
    r"(?<=[.;]\s)No\s+(?:HIV|HBV|HCV|hepatitis\s+[BC])(?:\s+(?:or|and)\s+(?:HBV|HCV|hepatitis\s+"
    r"[BC]))?\s+testing\s+is\s+required(?:\s+(?:at\s+screening\s+)?unless\s+(?:mandated|required)"
    r"\s+by\s+(?:the\s+|a\s+)?local\s+health\s+authorit(?:y|ies))?\.?",
    re.I,
)


def _taken(r: _Reader, start: int, end: int) -> bool:
    return any(f.start < end and start < f.end for f in r.found) or any(
        a < end and start < b for a, b in r.consumed
    )


# a relative's condition, not the patient's: "family history of long QT syndrome", "immediate
# family history of congenital long QT syndrome" (development records of
# jwlieb/clinical-trial-agent data/demo @387df17) — no rule is proposed for it
_FAMILY = re.compile(
    r"\bfamily\s+(?:medical\s+)?history\s+of\s+(?:(?:an?\s+|known\s+|congenital\s+|familial\s+)){0,2}$",
    re.I,
)


def _history(r: _Reader, start: int) -> bool:
    return re.search(r"\bhistory\s+of\s*$", r.text[max(0, start - 20) : start], re.I) is not None


def read_named_conditions(r: _Reader) -> None:
    """Each mention of a vocabulary condition; lists joined by "or" and commas are consumed."""
    text = r.text
    hits: list[tuple[int, int, tuple[str, ...], bool]] = []
    for pattern, keys, current in _MENTIONS:
        if _AUTOIMMUNE.search(text) and all(
            "autoimmune_disease" in CONDITION_IMPLIED.get(key, ()) for key in keys
        ):
            continue  # a kind of autoimmune disease, an example of the item's: read with it
        for m in re.finditer(pattern, text, re.I):
            if (
                _taken(r, m.start(), m.end())
                or any(a < m.end() and m.start() < b for a, b, _, _ in hits)
                or _FAMILY.search(text, max(0, m.start() - 60), m.start())
            ):
                continue
            hits.append((m.start(), m.end(), keys, current and not _history(r, m.start())))
    if hits:
        _read_mentions(r, sorted(hits))
    _read_autoimmune(r)
    read_other_malignancy(r)


def _read_mentions(r: _Reader, hits: list[tuple[int, int, tuple[str, ...], bool]]) -> None:
    text = r.text
    if not r.exclusion:
        negation = _NEGATION.search(text[max(0, hits[0][0] - 40) : hits[0][0]])
        if negation is None:
            return
    # "active" / "active or history of" before a mention (reading_active)
    quals = [
        qualifier_before(text, start, set(keys) <= CNS_NARROWED) if set(keys) <= QUALIFIED else None
        for start, _, keys, _ in hits
    ]
    joined = [False] * len(hits)
    for i, ((_, end, _, _), (start, _, _, _)) in enumerate(pairwise(hits)):
        q = quals[i + 1]
        gap = text[end : q[0] if q is not None else start]
        # "not pregnant and not nursing": each mention is negated, and the negations AND-ed
        if _JOIN.fullmatch(gap) or (not r.exclusion and _AND_NOT.fullmatch(gap)):
            r.consume(end, start if q is None else q[0])
            joined[i] = True
    status = qualified(r, hits, quals, joined, _taken)
    first = hits[0]
    if set(first[2]) <= {"pregnancy", "breastfeeding"}:
        stops = [text.rfind(". ", 0, first[0]) + 2, text.rfind(";", 0, first[0]) + 1]
        sentence = max([0, *(i for i in stops if i > 1)])
        who = _WOMEN.search(text, sentence, first[0])
        if who is not None and not text[sentence : who.start()].strip():
            r.consume(who.start(), who.end())
    if not r.exclusion:
        negation = _NEGATION.search(text, max(0, first[0] - 40), first[0])
        if negation is not None:
            word = re.match(r"\w+", negation.group(0))
            assert word is not None
            r.consume(negation.start(), negation.start() + word.end())
    for (start, end, keys, current), asked in zip(hits, status, strict=True):
        rules: list[Rule] = [
            r.draft(
                ConditionRule,
                start,
                end,
                condition=key,
                current=(current and asked is None) or confirmed(asked) is not None,
                active=asked == "active",
                qualifier=confirmed(asked),
            )
            for key in keys
        ]
        rule = rules[0] if len(rules) == 1 else r.draft(AnyOfRule, start, end, rules=tuple(rules))
        if not r.exclusion:
            rule = r.draft(NotRule, start, end, rule=rule)
        r.add(start, end, rule)
    if r.exclusion:
        tail = _EXCLUDED.match(text, hits[-1][1])
        if tail:
            r.consume(tail.start(), tail.end())
    # "No HIV testing is required unless mandated by a local health authority": the recorded
    # history is what the rule reads; the note changes nothing in it
    note = _NO_TESTING.search(text, hits[-1][1])
    if note is not None:
        r.consume(note.start(), note.end())


_AUTOIMMUNE = re.compile(r"autoimmune\s+(?:diseases?|disorders?|conditions?)", re.I)
_EXCEPT = re.compile(
    r"with\s+the\s+exceptions?\s+of|except(?:ions?)?(?:\s+(?:for|of|include|are))?"
    r"|other\s+than|excluding",
    re.I,
)
_EXEMPT: tuple[tuple[str, str], ...] = (
    (r"vitiligo", "vitiligo"),
    (r"type\s+(?:1|I)\s+diabetes(?:\s+mellitus)?", "type_1_diabetes"),
    (
        r"(?:autoimmune\s+)?hypothyroidism\s+(?:on|requiring|controlled\s+(?:with|by))\s+"
        r"(?:stable\s+)?(?:thyroid\s+)?(?:hormone\s+)?replacement(?:\s+therapy)?",
        "autoimmune_thyroiditis",
    ),
)


def _autoimmune_active(r: _Reader, start: int, end: int) -> bool:
    """Whether 'autoimmune disease' is qualified 'active' (the qualifier then read); "active or
    history of" is read as the plain rule. Not read when another mention is joined after it
    ("active autoimmune disease or pneumonitis": whether 'active' reaches it is not said)."""
    q = qualifier_before(r.text, start)
    if q is None or _taken(r, q[0], start):
        return False
    join = _JOIN.match(r.text, end)
    after = r.text[join.end() :] if join is not None and join.end() > end else None
    if after is not None and any(re.match(p, after, re.I) for p, _, _ in _MENTIONS):
        return False
    r.consume(q[0], start)
    return q[1] == "active"


def _read_autoimmune(r: _Reader) -> None:
    """'Autoimmune disease' is the core list, vitiligo, type 1 diabetes and autoimmune
    thyroiditis; an exception the text names after 'except' drops its member (hypothyroidism on
    hormone replacement: autoimmune thyroiditis counts only without ongoing thyroid hormone)."""
    text = r.text
    m = _AUTOIMMUNE.search(text)
    if m is None or _taken(r, m.start(), m.end()):
        return
    if not r.exclusion:
        negation = _NEGATION.search(text, max(0, m.start() - 40), m.start())
        if negation is None:
            return
        word = re.match(r"\w+", negation.group(0))  # "must not have": the negation is read
        assert word is not None
        r.consume(negation.start(), negation.start() + word.end())
    exempt: set[str] = set()
    exception = _EXCEPT.search(text, m.end())
    if exception is not None:
        named: list[tuple[int, int]] = []
        for pattern, key in _EXEMPT:
            for e in re.finditer(pattern, text[exception.end() :], re.I):
                exempt.add(key)
                named.append((exception.end() + e.start(), exception.end() + e.end()))
        if named:
            named.sort()
            r.consume(exception.start(), exception.end())
            for start, end in named:
                r.consume(start, end)
            for (_, end), (start, _) in pairwise(named):
                if _JOIN.fullmatch(text[end:start]) or re.fullmatch(
                    r"\s*,?\s*and\s*", text[end:start]
                ):
                    r.consume(end, start)
    a, b = m.start(), m.end()
    active = _autoimmune_active(r, a, b)
    members: list[Rule] = [
        r.draft(ConditionRule, a, b, condition="autoimmune_disease", active=active)
    ]
    for key in ("vitiligo", "type_1_diabetes"):
        if key not in exempt:
            members.append(r.draft(ConditionRule, a, b, condition=key, active=active))
    thyroid: Rule = r.draft(ConditionRule, a, b, condition="autoimmune_thyroiditis", active=active)
    if "autoimmune_thyroiditis" in exempt:
        on_hormone = r.draft(MedicationRule, a, b, therapy="thyroid_hormone", ongoing=True)
        thyroid = r.draft(AllOfRule, a, b, rules=(thyroid, r.draft(NotRule, a, b, rule=on_hormone)))
    members.append(thyroid)
    rule: Rule = r.draft(AnyOfRule, a, b, rules=tuple(members))
    if not r.exclusion:
        rule = r.draft(NotRule, a, b, rule=rule)
    r.add(a, b, rule)


_CHECKPOINT = re.compile(
    r"(?:immune\s+)?checkpoint\s+(?:inhibitors?|blockade|blocking)(?:\s+therap(?:y|ies))?"
    # PD-L2 is not read: no anti-PD-L2 agent is in the class (ATC L01FF, ipilimumab,
    # tremelimumab), so a patient given one would not be found
    r"|anti-?\s?(?:PD-?1|PD-?L1|CTLA-?4)(?:\s*(?:/|or|,)\s*(?:PD-?L1))?"
    r"(?:\s+(?:monoclonal\s+)?(?:antibod(?:y|ies)|agents?|therap(?:y|ies)|drugs?))?"
    r"|PD-?1\s*/\s*PD-?L1\s+inhibitors?|PD-?L?1\s+inhibitors?",
    re.I,
)


def read_checkpoint_inhibitors(r: _Reader) -> None:
    """'Prior treatment with … anti-PD-1, anti-PD-L1 or anti-CTLA-4 …': the class the words name
    — anti-PD-1/PD-L1, anti-CTLA-4, or both (the union, as "immune checkpoint inhibitors") —
    one rule; any other agent named stays unread ("anti-PD-L2", "CD137 agonists")."""
    text = r.text
    prior = re.search(r"\b(?:prior|previous|previously)\b", text, re.I)
    if prior is None:
        return
    every = [(m.start(), m.end()) for m in _CHECKPOINT.finditer(text, prior.start())]
    spans = [(a, b) for a, b in every if not _taken(r, a, b)]
    if not spans:
        return
    negate = not r.exclusion
    if negate and _NEGATION.search(text[max(0, prior.start() - 40) : prior.start()]) is None:
        return
    named: set[str] = set()
    for start, end in spans:
        words = text[start:end]
        if re.search(r"checkpoint", words, re.I):
            named.add("checkpoint")
        if re.search(r"PD-?1", words, re.I):
            named.add("PD-1")
        if re.search(r"PD-?L1", words, re.I):
            named.add("PD-L1")
        if re.search(r"CTLA", words, re.I):
            named.add("CTLA-4")
    # The classes are PD-1/PD-L1 together (ATC L01FF) and CTLA-4: "anti-PD-1" alone says
    # nothing of atezolizumab (anti-PD-L1), so it is not read as the class (left unread)
    if "checkpoint" in named or {"PD-1", "PD-L1", "CTLA-4"} <= named:
        therapy = "immune_checkpoint_inhibitor"
    elif named == {"PD-1", "PD-L1"}:
        therapy = "pd1_pdl1_inhibitor"
    elif named == {"CTLA-4"}:
        therapy = "ctla4_inhibitor"
    else:
        return
    lead = re.match(
        r"(?:prior|previous)\s+(?:treatment|therapy|exposure)\s+(?:with|to)\s+(?:an?\s+|any\s+)?",
        text[prior.start() :],
        re.I,
    )
    a, b = spans[0]
    if lead is not None and prior.start() + lead.end() == a:
        a = prior.start()  # the rule's source is "prior treatment with <the class>"
    elif lead is not None:
        r.consume(prior.start(), prior.start() + lead.end())
    rule: Rule = r.draft(MedicationRule, a, b, therapy=therapy)
    if negate:
        rule = r.draft(NotRule, a, b, rule=rule)
    r.add(a, b, rule)
    for start, end in spans[1:]:
        r.consume(start, end)
    for (_, end), (start, _) in pairwise(spans):
        if _JOIN.fullmatch(text[end:start]) or re.fullmatch(r"\s*,?\s*(?:and)\s*", text[end:start]):
            r.consume(end, start)


_RECIST = re.compile(
    r"(?:the\s+)?(?:Response\s+Evaluation\s+Criteria\s+in\s+Solid\s+Tumou?rs\s*)?\(?RECIST\)?"
    r"\s*(?:v(?:ersion)?\.?\s*)?1\.1(?:\s+version)?|RECIST\s*(?:v(?:ersion)?\.?\s*)?1\.1",
    re.I,
)
# The criteria a measurable lesion is defined by, named after "measurable disease": RECIST of
# any version (the record's measurability flag is the investigator's, by the trial's criteria),
# or other criteria whose measurable disease is another thing (WHO's is bidimensional; RANO,
# Choi, EASL, irRC, Cheson/Lugano, PCWG, GCIG are other diseases' or imaging's): an item naming
# those is not read (issue 12: never decided on a reading the text does not give).
_MEASURABLE_BY = re.compile(
    # "Measurable disease, as defined by RECIST v1.1", "… as determined by RECIST v1.1" (development
    # records of jwlieb/clinical-trial-agent data/demo @387df17)
    r"\s*,?\s*(?:\(\s*)?(?:per|according\s+to|as\s+(?:defined|determined)\s+by|defined\s+by|by|using|"
    r"based\s+on)?"
    r"\s*(?:the\s+)?(?:(?P<recist>(?:Response\s+Evaluation\s+Criteria\s+in\s+Solid\s+Tumou?rs\s*)?"
    r"\(?(?P<prefix>m|i|ir)?RECIST\)?(?:\s*(?:v(?:ersion)?\.?\s*)?(?P<version>1\.[01]))?(?:\s+version)?"
    r"(?:\s+criteria)?(?:\s*\))?(?:\s+present\b)?)|(?P<other>WHO|World\s+Health\s+Organi[sz]ation|"
    r"RANO|Choi|"
    r"EASL|irRC|immune-related\s+response\s+criteria|Cheson|Lugano|PCWG\d?|GCIG|"
    r"modified\s+RECIST|PERCIST)\b)",
    re.I,
)


def read_measurable_disease(r: _Reader) -> None:
    """'Measurable disease per RECIST 1.1': at least one measurable lesion by RECIST 1.1; a
    RECIST 1.1 mention anywhere in an item already read as a lesion count is its criteria."""
    text = r.text
    lesion = next((f for f in r.found if isinstance(f.rule, LesionRule)), None)
    if lesion is not None:
        rule = lesion.rule
        assert isinstance(rule, LesionRule)
        if rule.min_measurable is not None and rule.criteria is None:
            recist = _RECIST.search(text)
            if recist is not None:
                lesion.rule = rule.model_copy(update={"criteria": "RECIST 1.1"})
                r.consume(recist.start(), recist.end())
        return
    if not r.exclusion:
        m = re.search(
            r"(?<![-\w])(?<!non-)(?<!non)measurable\s+(?:disease|tumou?r|lesions?)", text, re.I
        )
        if m is None or _taken(r, m.start(), m.end()):
            return
        fields: dict[str, object] = {"min_measurable": 1}
        end = m.end()
        named = _MEASURABLE_BY.match(text, m.end())
        if named is not None and named.group("other"):
            return  # measurable by other criteria: with the investigator
        if named is not None and named.group("recist"):
            version, prefix = named.group("version"), named.group("prefix") or ""
            fields["criteria"] = f"{prefix}RECIST" + (f" {version}" if version else "")
            end = named.end()
        r.add(m.start(), end, r.draft(LesionRule, m.start(), end, **fields))


_TREATMENT = r"(?:cytotoxic\s+)?chemotherapy|radiotherapy|radiation(?:\s+therapy)?"
_TREATMENTS = re.compile(
    r"(?P<list>(?:" + _TREATMENT + r")(?:\s*(?:,|or|and/or|,\s*or)\s*(?:" + _TREATMENT + r"))*)"
    r"\s+" + WITHIN_WINDOW + r"(?:\s+(?:of|before|prior\s+to)\s+(?P<to>screening))?",
    re.I,
)


def read_treatment_windows(r: _Reader) -> None:
    """'Radiation or chemotherapy within 4 weeks of enrollment'; 'No concurrent chemotherapy'.

    Only a list of chemotherapy and radiotherapy directly followed by its window is read: any
    other word between them (another agent, 'first-line') leaves the item undecided.
    """
    text = r.text
    for m in _TREATMENTS.finditer(text):
        if _taken(r, m.start(), m.end()):
            continue
        negate = not r.exclusion
        if negate and _NEGATION.search(text[max(0, m.start() - 40) : m.start()]) is None:
            continue
        window = history_window(m)  # to registration when the words name it
        for t in re.finditer(_TREATMENT, m.group("list"), re.I):
            a, b = m.start("list") + t.start(), m.start("list") + t.end()
            rule: Rule
            if t.group(0).lower().endswith("chemotherapy"):
                rule = r.draft(MedicationRule, a, b, therapy="chemotherapy", within=window)
            else:
                rule = r.draft(ProcedureRule, a, b, procedure="radiotherapy", within=window)
            if negate:
                rule = r.draft(NotRule, a, b, rule=rule)
            r.add(a, b, rule)
        r.consume(m.start(), m.end())
        to = (m.group("to") or "").lower()
        if to:
            r.warn(
                f"the window runs to {to}, not the first dose; oncotrial counts windows back "
                "from the first dose — confirm"
            )
    if not r.exclusion:
        c = re.search(r"\bno\s+concurrent\s+(?:cytotoxic\s+)?chemotherapy\b", text, re.I)
        if c is not None and not _taken(r, c.start(), c.end()):
            ongoing = r.draft(
                MedicationRule, c.start(), c.end(), therapy="chemotherapy", ongoing=True
            )
            r.add(c.start(), c.end(), r.draft(NotRule, c.start(), c.end(), rule=ongoing))


_COUNT = r"(?P<n>\d+|one|two|three|four|five)"
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_WHAT = (
    r"(?P<what>platinum[-\s](?:based|containing)\s+chemotherapy|(?:cytotoxic\s+|systemic\s+)?"
    r"chemotherapy|systemic\s+(?:anti-?cancer\s+)?(?:therapy|therapies|treatments?))"
)
# "lines of chemotherapy", "regimens of systemic therapy"; and the other order, "prior
# chemotherapy regimens", "prior systemic therapies" (a prior systemic therapy is a line of it)
_LINE_OF = (
    r"\s+(?:prior\s+|previous\s+)?(?:lines?|regimens?)\s+of\s+(?:prior\s+)?"
    + _WHAT
    + r"(?:\s+of\s+any\s+type)?",
    r"\s+(?:prior|previous)\s+" + _WHAT + r"(?:\s+(?:regimens?|lines?))?(?![-\w])",
)
_LINES: tuple[tuple[str, str], ...] = tuple(
    pair
    for line_of in _LINE_OF
    for pair in (
        (r"(?:at\s+least|a\s+minimum\s+of|≥)\s*" + _COUNT + line_of, "min"),
        (
            r"(?:not\s+more\s+than|no\s+more\s+than|at\s+most|a\s+maximum\s+of|≤)\s*"
            + _COUNT
            + line_of,
            "max",
        ),
        (r"(?<!not\s)(?<!no\s)more\s+than\s+" + _COUNT + line_of, "above"),
    )
)


_NEGATED_COUNT = re.compile(r"(?:\b(?:no|not|never|without|nor|cannot)|n't)\b[^.;,:]{0,60}$", re.I)


def read_prior_lines(r: _Reader) -> None:
    """'At least one line of platinum-based chemotherapy', 'not more than two lines of
    chemotherapy', 'more than two lines of chemotherapy of any type'."""
    text = r.text
    found: list[tuple[int, int]] = []
    for pattern, bound in _LINES:
        for m in re.finditer(pattern, text, re.I):
            if _taken(r, m.start(), m.end()) or _NEGATED_COUNT.search(text, 0, m.start()):
                continue  # "must not have received more than three …": reading_lines's
            n = _NUMBERS.get(m.group("n").lower()) or int(m.group("n"))
            what = m.group("what").lower()
            therapy = (
                "platinum_chemotherapy"
                if what.startswith("platinum")
                else "chemotherapy"
                if "chemotherapy" in what
                else None
            )
            fields: dict[str, object] = (
                {"min_lines": n}
                if bound == "min"
                else {"max_lines": n}
                if bound == "max"
                else {"min_lines": n + 1}
            )
            rule = r.draft(PriorLinesRule, m.start(), m.end(), therapy=therapy, **fields)
            r.add(m.start(), m.end(), rule)
            found.append((m.start(), m.end()))
    found.sort()
    for (_, end), (start, _) in pairwise(found):
        # "at least one line …, but not more than two lines …": both bounds, both read
        if re.fullmatch(r"\s*,?\s*(?:but|and)\s*", text[end:start], re.I):
            r.consume(end, start)


_MALIGNANCY = re.compile(
    r"(?:(?P<concurrent>concurrent|concomitant)\s+(?:(?:second(?:ary)?|other|another)\s+)?"
    r"|(?:previous\s+or\s+concurrent|prior\s+or\s+concurrent|history\s+of\s+(?:an?\s+)?"
    r"(?:other|another|prior|previous)|another|other|second|additional|prior|previous)\s+"
    r"|^(?=(?:cancer|malignanc)))"
    r"(?:primary\s+)?(?:malignanc(?:y|ies)|cancers?)(?!\s+(?:screening|test))",
    re.I,
)
_PERIOD = re.compile(
    # "diagnosed within 5 years" is not read: the rule counts a malignancy present in the
    # period, and one diagnosed earlier and still present would be counted against the text
    r"\s*(?:with)?in\s+(?:the\s+)?(?:(?:last|past|previous|preceding)\s+)?"
    r"(?P<n>\d+|one|two|three|four|five|ten)\s+(?P<unit>year|month)s?"
    # the day: registration (``Window.anchor``), the first dose, or screening (another day:
    # counted from the first dose, with a warning)
    r"(?:\s+(?:before|prior\s+to)\s+(?:(?P<registration>" + REGISTRATION + r")"
    r"|screening|" + FIRST_DOSE + r"))?",
    re.I,
)
_EXCEPTIONS_LEAD = re.compile(
    r"\s*[,(]?\s*(?:with\s+the\s+exceptions?\s+of|except(?:ion)?s?(?:\s+(?:for|of))?"
    r"|other\s+than|excluding)\s+",
    re.I,
)
_SKIN = r"(?:cancers?|carcinomas?)(?:\s+of\s+the\s+skin)?"
_EXCEPTION_NAMES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"non-?\s?melanoma(?:tous)?\s+skin\s+(?:cancers?|carcinomas?)", ("nonmelanoma_skin_cancer",)),
    (
        r"basal(?:\s+cell)?\s+(?:or|and|and/or)\s+squamous\s+cell\s+(?:skin\s+)?" + _SKIN,
        ("skin_basal_squamous_carcinoma",),
    ),
    (
        r"(?:cervical\s+(?:carcinoma|cancer)\s+in\s+situ|(?:carcinoma|cancer)\s+in\s+situ\s+of"
        r"\s+the\s+cervix|in\s+situ\s+(?:carcinoma|cancer)\s+of\s+the\s+cervix)",
        ("cervical_carcinoma_in_situ",),
    ),
    (
        r"(?:in\s+situ\s+carcinoma|carcinoma\s+in\s+situ)(?:\s+of\s+any\s+(?:organ|site))?",
        ("carcinoma_in_situ",),
    ),
)
_EXCEPTION_JOIN = re.compile(r"\s*(?:,\s*(?:and|or)?|and|or|and/or)\s*", re.I)


def read_other_malignancy(r: _Reader) -> None:
    """'Another primary malignancy within the past five years (except for non-melanoma skin
    cancer and cervical carcinoma in situ)', 'Previous or concurrent malignancy', 'Concurrent
    secondary malignancy'. Only the exceptions of the vocabulary are read; any other exception
    ("adequately treated", "other in situ cancers") stays unread, and the item with it."""
    text = r.text
    m = _MALIGNANCY.search(text)
    if m is None or _taken(r, m.start(), m.end()):
        return
    if re.search(r"\bfor\s+(?:an?\s+|the\s+)?$", text[max(0, m.start() - 12) : m.start()], re.I):
        return  # "therapy for a second malignancy": about its treatment, not read
    negate = not r.exclusion
    if negate and _NEGATION.search(text[max(0, m.start() - 40) : m.start()]) is None:
        return
    fields: dict[str, object] = {}
    end = m.end()
    period = _PERIOD.match(text, end)
    if period is not None:
        n = period.group("n").lower()
        value = NUMBER_WORDS.get(n) or int(n)
        # "within 2 years prior to enrollment" (NCT05845671 E10): back from registration
        anchor = "registration" if period.group("registration") else "first_dose"
        unit = period.group("unit").lower() + "s"
        fields["within"] = {"value": value, "unit": unit, "anchor": anchor}
        end = period.end()
        if re.search(r"screening", period.group(0), re.I):
            r.warn(
                "the period runs to screening, not the first dose; oncotrial counts it back "
                "from the first dose — confirm"
            )
    elif m.group("concurrent"):
        fields["current"] = True
    exceptions: list[str] = []
    lead = _EXCEPTIONS_LEAD.match(text, end)
    if lead is not None:
        pos = lead.end()
        spans: list[tuple[int, int]] = []
        while True:
            for pattern, keys in _EXCEPTION_NAMES:
                e = re.compile(pattern, re.I).match(text, pos)
                if e is not None:
                    exceptions.extend(k for k in keys if k not in exceptions)
                    spans.append((e.start(), e.end()))
                    pos = e.end()
                    break
            else:
                break
            join = _EXCEPTION_JOIN.match(text, pos)
            if join is None or join.end() == pos:
                break
            pos = join.end()
        if spans:
            r.consume(lead.start(), lead.end())
            for a, b in spans:
                r.consume(a, b)
            for (_, b), (a, _) in pairwise(spans):
                r.consume(b, a)
            close = re.match(r"\s*\)", text[spans[-1][1] :])
            if close is not None:
                r.consume(spans[-1][1], spans[-1][1] + close.end())
    rule: Rule = r.draft(
        OtherMalignancyRule, m.start(), end, exceptions=tuple(exceptions), **fields
    )
    if negate:
        rule = r.draft(NotRule, m.start(), end, rule=rule)
    r.add(m.start(), end, rule)
