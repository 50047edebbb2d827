"""Reading brain/CNS metastases with their qualifiers (issue 12 item 3): 'untreated or
symptomatic brain metastases or leptomeningeal disease; patients with treated brain metastases
are eligible if radiologically stable for at least 4 weeks and off steroids for at least 7
days' — one ``CnsMetastasesRule`` and, when named, leptomeningeal disease as a condition of its
own.

Only what the rule carries is read: untreated (the head must say it; 'active' beside it only
when the exemption that defines it follows), symptomatic, radiological stability for N
days/weeks/months, no steroids for N days/weeks. Any other condition of the exemption
('neurologically stable', 'symptoms returned to baseline', 'on a stable dose ≤ 10 mg') stays
unread, and the item with it (issue 12: never decided on the understood fragment alone); 'no
evidence of new or enlarging brain metastases' restates the radiological stability it follows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from oncotrial.eligibility.reading import (
    _Reader,
)
from oncotrial.eligibility.rules import CnsMetastasesRule, ConditionRule, NotRule, Rule, Window
from oncotrial.eligibility.windows import (
    FIRST_DOSE,
    _window_of,
)

__all__ = ["read_cns_metastases"]

_SITE = (
    r"(?:brain|CNS|central\s+nervous\s+system(?:\s*\(CNS\))?|intracranial)"
    r"(?:\s+(?:or|and/or)\s+(?:CNS|central\s+nervous\s+system)(?:\s*\(CNS\))?)?"
    r"(?:\s+tumou?r)?\s+metastas[ie]s"
)
_QUALIFIER = r"(?P<q{n}>untreated|active|symptomatic)"
_JOINT = r"\s*(?:,\s*(?:or\s+|and/or\s+)?|or\s+|and/or\s+)"
_HEAD = re.compile(
    r"(?:(?:known|current|presence\s+of)\s+)?"
    + _QUALIFIER.format(n=1)
    + r"(?:"
    + _JOINT
    + _QUALIFIER.format(n=2)
    + r")?(?:"
    + _JOINT
    + _QUALIFIER.format(n=3)
    + r")?\s+"
    + _SITE,
    re.I,
)
_LEPTOMENINGEAL = re.compile(
    r"\s*(?:,\s*)?(?:and/or|or|and)\s+(?:known\s+)?(?P<what>leptomeningeal\s+(?:disease|"
    r"metastas[ie]s|carcinomatosis|involvement)|carcinomatous\s+meningitis|meningeal\s+"
    r"carcinomatosis|neoplastic\s+meningitis)",
    re.I,
)
_EXEMPTION = re.compile(
    r"[.;]?\s*(?:\(\s*)?(?:however,?\s+)?(?:patients|subjects|participants)\s+with\s+"
    r"(?:previously[-\s]|prior\s+)?treated\s+(?:brain|CNS)\s+metastas[ie]s\s+"
    r"(?:are\s+eligible|may\s+(?:participate|be\s+(?:enrolled|included|eligible))|are\s+allowed"
    r"|are\s+permitted)\s+(?:if|provided(?:\s+that)?|as\s+long\s+as)\s+(?:they\s+)?",
    re.I,
)
# nothing after the exemption's lead but a verb ('… provided they are', a record cut short)
_DANGLING = re.compile(r"\s*(?:are|is|have\s+been|remain)?[\s.;)]*", re.I)
# "Participants with asymptomatic, treated CNS metastases are eligible" after "symptomatic or
# untreated …": the exemption the head already states, nothing more
_RESTATED = re.compile(
    r"[.;]?\s*(?:patients|subjects|participants)\s+with\s+(?:asymptomatic,?\s+(?:and\s+)?"
    r"(?:previously\s+)?treated|(?:previously\s+)?treated,?\s+(?:and\s+)?asymptomatic)\s+"
    r"(?:brain|CNS|central\s+nervous\s+system(?:\s*\(CNS\))?)\s+metastas[ie]s\s+are\s+"
    r"(?:eligible|allowed|permitted)\s*\.?",
    re.I,
)
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "eight": 8}
_N = r"(?P<n>\d+|one|two|three|four|five|six|eight)\s+(?P<unit>day|week|month)s?"
_AT_LEAST = r"(?:at\s+least|≥|>=|a\s+minimum\s+of)\s*"
_BEFORE = (
    r"(?:\s+(?:prior\s+to|before)\s+(?P<to>"
    + FIRST_DOSE
    + r"|(?:the\s+)?(?:(?:study|trial)\s+entry|enrol?lment|registration|randomi[sz]ation|"
    r"screening)))?"
)
_CONDITIONS: tuple[tuple[str, str], ...] = (
    (
        r"(?:are\s+|have\s+been\s+|have\s+)?(?:radiologically\s+|radiographically\s+)?stable"
        r"(?:\s+(?:CNS|brain)\s+disease)?\s+for\s+" + _AT_LEAST + _N + _BEFORE,
        "stable",
    ),
    (
        r"(?:have\s+|with\s+)?no\s+(?:radiographic\s+|radiological\s+)?evidence\s+of\s+"
        r"progression(?:\s+(?:by|on)\s+imaging)?\s+for\s+" + _AT_LEAST + _N + _BEFORE,
        "stable",
    ),
    (
        # the Merck KEYNOTE template: "radiologically stable, i.e., without evidence of
        # progression for at least 4 weeks by repeat imaging (note that the repeat imaging should
        # be performed during study screening)" (NCT05669846 E10.1; jwlieb/clinical-trial-agent
        # data/demo @387df17), also "(i.e. without evidence of progression) for at least 4 weeks"
        r"(?:are\s+)?(?:radiologically|radiographically)\s+stable\s*(?:,\s*|\()\s*"
        r"(?:i\.?\s*e\.?\s*,?\s*)?without\s+evidence\s+of\s+progression\s*\)?\s+for\s+"
        + _AT_LEAST
        + _N
        + r"(?:\s+by\s+repeat\s+imaging)?(?:\s*\(\s*note\s+that\s+the\s+repeat\s+imaging\s+"
        r"should\s+be\s+performed\s+during\s+study\s+screening\s*\))?" + _BEFORE,
        "stable",
    ),
    (
        # "without requirement of steroid treatment for at least 14 days prior to first dose of
        # study treatment" (the same template)
        r"(?:and\s+)?without\s+(?:the\s+)?requirement\s+(?:of|for)\s+(?:systemic\s+)?"
        r"(?:cortico)?steroids?(?:\s+(?:treatment|therapy))?\s+for\s+" + _AT_LEAST + _N + _BEFORE,
        "steroids",
    ),
    (
        # "clinically stable": no record shows it; the rule quotes it for the screener to confirm
        r"(?:are\s+)?(?:clinically|neurologically)\s+stable(?!\s+for)",
        "confirm",
    ),
    (
        r"(?:are\s+|have\s+been\s+)?(?:off|not\s+(?:using|taking|receiving|requiring))\s+"
        r"(?:systemic\s+)?(?:cortico)?steroids?(?:\s+therapy)?\s+for\s+" + _AT_LEAST + _N + _BEFORE,
        "steroids",
    ),
    (
        # what radiological stability means, restated: read with the stability it restates
        r"(?:have\s+|with\s+)?no\s+(?:radiographic\s+|radiological\s+)?evidence\s+of\s+new\s+"
        r"or\s+enlarging\s+(?:brain|CNS)\s+metastas[ie]s",
        "restated",
    ),
    (
        r"(?:are\s+)?(?:asymptomatic|without\s+(?:neurological\s+|neurologic\s+)?symptoms"
        r"|have\s+no\s+(?:neurological\s+|neurologic\s+)?symptoms)",
        "asymptomatic",
    ),
)
_AND = re.compile(r"\s*(?:,\s*and|,|and)\s+", re.I)


@dataclass
class _Exemption:
    stable_for: Window | None = None
    steroid_free: Window | None = None
    asymptomatic: bool = False
    confirm: list[str] | None = None


def _duration(m: re.Match[str]) -> Window:
    n = m.group("n").lower()
    return _window_of(str(_WORDS.get(n) or int(n)), m.group("unit"))


def _sentence_end(text: str, pos: int) -> int:
    end = re.compile(r"\.(?:\s|$)|;").search(text, pos)
    return end.start() if end is not None else len(text)


def _read_exemption(r: _Reader, start: int, found: _Exemption) -> bool:
    """The conditions a treated metastasis must meet, consumed as read; False when the clause
    is not there."""
    text = r.text
    lead = _EXEMPTION.match(text, start)
    if lead is None:
        return False
    r.consume(lead.start(), lead.end())
    pos = lead.end()
    while True:
        for pattern, what in _CONDITIONS:
            m = re.compile(pattern, re.I).match(text, pos)
            if m is None:
                continue
            if what == "stable":
                found.stable_for = _duration(m)
            elif what == "steroids":
                found.steroid_free = _duration(m)
            elif what == "asymptomatic":
                found.asymptomatic = True
            elif what == "confirm":
                found.confirm = [*(found.confirm or []), " ".join(m.group(0).split()[-2:])]
            elif found.stable_for is None:
                continue  # a restatement of a stability this reading has not found
            to = (m.groupdict().get("to") or "").lower()
            if to and not re.fullmatch(FIRST_DOSE, to, re.I):
                r.warn(
                    f"the period runs to {to}, not the first dose; oncotrial counts it back "
                    "from the first dose — confirm"
                )
            r.consume(m.start(), m.end())
            pos = m.end()
            break
        else:
            # an unread condition stays unread; the next one after it is still tried
            skip = _AND.search(text, pos, _sentence_end(text, pos))
            if skip is None:
                return True
            pos = skip.end()
            continue
        joint = _AND.match(text, pos)
        if joint is None:
            end = re.match(r"\s*\)?\s*\.?", text[pos:])
            if end is not None and end.end():
                r.consume(pos, pos + end.end())
            return True
        r.consume(joint.start(), joint.end())
        pos = joint.end()


def read_cns_metastases(r: _Reader) -> None:
    """'Untreated or symptomatic brain metastases', 'Known active CNS metastases and/or
    carcinomatous meningitis. Subjects with previously treated brain metastases may participate
    provided they are stable for at least 4 weeks …'."""
    text = r.text
    head = _HEAD.search(text)
    if head is None:
        return
    qualifiers = {(head.group(f"q{i}") or "").lower() for i in (1, 2, 3)} - {""}
    negate = not r.exclusion
    negation = re.search(r"\b(?:no|not|without)\b[^.;]{0,20}$", text[: head.start()], re.I)
    if negate and negation is None:
        return
    exemption = _Exemption()
    lepto = _LEPTOMENINGEAL.match(text, head.end())
    after = lepto.end() if lepto is not None else head.end()
    # 'active' is defined only by the exemption that follows; 'symptomatic' alone does not
    # exclude an untreated asymptomatic metastasis, which this rule would
    lead = _EXEMPTION.match(text, after)
    # a lead with no condition after it ('… may participate provided they are', a record cut
    # short) defines nothing: the words stay unread, never an exemption for every treated one
    has_exemption = lead is not None and _DANGLING.fullmatch(text, lead.end()) is None
    if not qualifiers & {"untreated", "active"} or ("active" in qualifiers and not has_exemption):
        # 'untreated or active': an active (progressing) metastasis that was treated would be
        # exempt under this rule, against the text; without the exemption that defines
        # 'active', the plain condition is read and the word stays unread
        return
    if has_exemption:
        _read_exemption(r, after, exemption)
    elif {"untreated", "symptomatic"} <= qualifiers:
        restated = _RESTATED.match(text, after)
        if restated is not None:
            r.consume(restated.start(), restated.end())
    rules: list[tuple[int, int, Rule]] = []
    cns = r.draft(
        CnsMetastasesRule,
        head.start(),
        head.end(),
        stable_for=exemption.stable_for,
        steroid_free=exemption.steroid_free,
        asymptomatic=exemption.asymptomatic or "symptomatic" in qualifiers,
        confirm=" and ".join(exemption.confirm) if exemption.confirm else None,
    )
    rules.append((head.start(), head.end(), cns))
    if lepto is not None:
        a, b = lepto.start("what"), lepto.end("what")
        lm = r.draft(ConditionRule, a, b, condition="leptomeningeal_disease", current=True)
        rules.append((a, b, lm))
        r.consume(head.end(), a)
    if negate:
        assert negation is not None
        r.consume(negation.start(), negation.start() + len(negation.group(0).split()[0]))
    for a, b, rule in rules:
        r.add(a, b, r.draft(NotRule, a, b, rule=rule) if negate else rule)
