"""A laboratory limit written for patients *without* a condition, then a second limit for those
with it (issue 12):

- "total bilirubin < 1.5 times the ULN if no liver metastases or < 3 times the ULN in the
  presence of documented Gilbert's syndrome (unconjugated hyperbilirubinemia) or liver
  metastases" (NCT03586453 I6.4; NCT04704661, NCT06263543, NCT06176261),
- "AST(SGOT)/ALT(SGPT) ≤ 2.5 × institutional upper limit of normal (ULN) (in the absence of
  liver metastases) or ≤ 5 x institutional ULN (in the presence of liver metastases)"
  (NCT06677190),
- "ALT and AST ≤ 2.5 × ULN for participants without liver metastasis and ≤ 5 × ULN for
  participants with liver metastasis" (NCT05458219),

jwlieb/clinical-trial-agent data/demo/... @387df17. Read as *if (the second condition): the
second limit; otherwise the first* — the same conditional as "≤ 2.5 × ULN, or ≤ 5 × ULN in
patients with liver metastases" (reading_labs). Only when every condition the first limit is
written without is among the second's: the patients neither limit names would be left out
otherwise. A patient with Gilbert's syndrome and no liver metastases, whom both clauses name, is
read under the second: it is the one written for them.
"""

from __future__ import annotations

import re

from oncotrial.eligibility.reading import _Found, _Reader, _Threshold, _thresholds
from oncotrial.eligibility.reading_lab_cues import _CUE_AFTER, DENIED, _Cue, _cue_rule, _cues
from oncotrial.eligibility.rules import ConditionalRule, ConditionRule, LabRule, Rule

__all__ = ["read_absent_lead", "read_limit_without_condition"]

# "if no", "in the absence of", "for participants without", right after the first limit
_WITHOUT = re.compile(
    r"\s*\(?\s*,?\s*(?:if\s+(?:there\s+(?:is|are)\s+)?no|in\s+the\s+absence\s+of|(?:for|in)\s+"
    r"(?:patients|subjects|participants|individuals|those)\s+without|without)\s+"
    r"(?:(?:documented|known)\s+)?",
    re.I,
)
# between the condition and the second limit: "or", "and", "; or", a closing bracket
_BETWEEN = re.compile(r"\s*\)?\s*[;,]?\s*(?:or|and)\s+|\s*\)?\s*;\s*", re.I)
# what may follow the second condition: the item's end, a ';', a '.', a bracket (a window)
_AFTER = re.compile(r"\s*\)?\s*\.?\s*(?=$|;|\()")


def _second(r: _Reader, end: int) -> tuple[_Threshold, _Cue, int] | None:
    """The second limit after the first (ending at ``end``), its condition and where the words
    end, when the first is written for patients without a condition the second names."""
    text = r.text
    cues = _cues(text)
    without = _WITHOUT.match(text, end)
    if without is None:
        return None
    absent = next((c for c in cues if c.start == without.end()), None)
    between = _BETWEEN.match(text, absent.end) if absent is not None else None
    if absent is None or between is None:
        return None
    second = next(
        (t for t in _thresholds(text) if t.start == between.end() and t.value is not None), None
    )
    if second is None:
        return None
    lead = re.compile(r"\s*\(?\s*").match(text, second.end)
    after = _CUE_AFTER.match(text, lead.end() if lead else second.end)
    present = next((c for c in cues if c.start == after.end()), None) if after else None
    tail = _AFTER.match(text, present.end) if present is not None else None
    if present is None or tail is None:
        return None
    if not set(absent.what.split("|")) <= set(present.what.split("|")):
        return None
    return second, present, tail.end()


def read_limit_without_condition(r: _Reader) -> None:
    """Each lab limit (of one or several tests) followed by 'if no <condition>' and a second
    limit under the condition: one conditional per test (module text)."""
    if r.exclusion:
        return
    ends = sorted({f.end for f in r.found if isinstance(f.rule, LabRule) and f.cue is None})
    for end in ends:
        found_second = _second(r, end)
        if found_second is None:
            continue
        second, present, stop = found_second
        if any(f.start < second.end and second.start < f.end for f in r.found):
            continue  # the second limit is another rule's already
        when = _cue_rule(r, present)
        made: list[tuple[int, _Found]] = []
        for k, found in enumerate(r.found):
            rule = found.rule
            if found.end != end or found.cue is not None or not isinstance(rule, LabRule):
                continue
            try:
                then: Rule = r.draft(
                    LabRule,
                    second.start,
                    second.end,
                    analyte=rule.analyte,
                    comparator=second.comparator,
                    value=second.value,
                    unit=second.unit,
                    relative_to=second.relative_to,
                    within=rule.within,
                )
            except ValueError:
                r.warn(f"{rule.analyte}: the second limit's unit does not fit; not read")
                made = []
                break
            both = r.draft(ConditionalRule, found.start, stop, when=when, then=then, otherwise=rule)
            made.append((k, _Found(found.start, stop, both, found.analyte, "done")))
        for k, item in made:
            r.found[k] = item
        if made:
            r.consume(end, stop)


# the condition's absence written before the first limit: "In absence of liver metastases, ALT and
# AST ≤ 3.0 × ULN. If the participant has liver metastases, ALT and AST ≤ 5 × ULN" (NCT05386108
# I14, NCT05455619 I16.2, NCT05563220 I7.6; development records); its words: reading_lab_cues.DENIED


def read_absent_lead(r: _Reader) -> None:
    """ "In absence of <condition>, <the tests> ≤ …" before a conditional whose otherwise is that
    limit and whose condition is the one named: the words say what the conditional already does
    (its otherwise holds when the condition is absent), and are read."""
    text = r.text
    for cue in _cues(text):
        lead = DENIED.search(text[max(0, cue.start - 40) : cue.start])
        if lead is None:
            continue
        for found in r.found:
            rule = found.rule
            if (
                isinstance(rule, ConditionalRule)
                and rule.otherwise is not None
                and isinstance(rule.when, ConditionRule)
                and rule.when.condition == cue.what
                and found.start >= cue.end
                and re.fullmatch(r"\s*,?\s*", text[cue.end : found.start])
            ):
                r.consume(max(0, cue.start - 40) + lead.start(), found.start)
