"""The window written after a laboratory limit: "Absolute neutrophil count (ANC) ≥ 1500/mm^3
(obtained ≤ 14 days prior to registration)", "Platelets ≥ 100,000/mcl (within 14 days prior to
registration)", "… measured within 14 days prior to administration of study treatment".

The window (``windows.trailing_window``: to the first dose or to registration) is read when it
follows a limit the laboratory readers read, and it holds for every laboratory value (and value
derived from one) read before it in the item, back to the previous such window: "ANC ≥ 1500/mm³,
platelets ≥ 100 000/mm³ (within 14 days prior to registration)" asks for both tests in the
window. A window too many can only make a result unknown (no test in the window), never decide
an item; one too few could pass a test of any age. The window is not read, and its words stay
unread, when a limit it would cover already has a window (an announced "laboratory values within
14 days before the first dose:") or when another rule that takes a window (a performance status,
an exposure) stands in the same stretch: which of them the window is for, the text does not say.
"""

from __future__ import annotations

from oncotrial.eligibility.reading import _Found, _Reader
from oncotrial.eligibility.rules import (
    AllOfRule,
    AnyOfRule,
    ConditionalRule,
    DerivedRule,
    LabResultRule,
    LabRule,
    NotRule,
    Rule,
    Window,
    children,
)
from oncotrial.eligibility.windows import trailing_window

__all__ = ["past_read_words", "read_lab_windows"]

_TESTS = (LabRule, LabResultRule, DerivedRule)
_COMPOSITES = (AllOfRule, AnyOfRule, ConditionalRule, NotRule)


def _tests(rule: Rule) -> list[LabRule | LabResultRule | DerivedRule] | None:
    """The laboratory (and derived) rules ``rule`` is made of (none: an age, a diagnosis); None
    when it holds another kind of rule that takes a window (the window would be in doubt)."""
    if isinstance(rule, DerivedRule) and rule.quantity == "bmi":
        return None  # weight and height are the latest measured, whatever the window
    if isinstance(rule, _TESTS):
        return [rule]
    if not isinstance(rule, _COMPOSITES):
        return None if hasattr(rule, "within") else []
    found: list[LabRule | LabResultRule | DerivedRule] = []
    for child in children(rule):
        tests = _tests(child)
        if tests is None and isinstance(rule, ConditionalRule) and child is rule.when:
            continue  # the subgroup a limit is for ("≤ 5 × ULN if liver metastases")
        if tests is None:
            return None
        found.extend(tests)
    return found


def _with_window(rule: Rule, window: Window) -> Rule:
    if isinstance(rule, _TESTS):
        return rule.model_copy(update={"within": window})
    if isinstance(rule, AllOfRule | AnyOfRule):
        return rule.model_copy(update={"rules": tuple(_with_window(r, window) for r in rule.rules)})
    if isinstance(rule, NotRule):
        return rule.model_copy(update={"rule": _with_window(rule.rule, window)})
    if isinstance(rule, ConditionalRule):
        otherwise = rule.otherwise and _with_window(rule.otherwise, window)
        return rule.model_copy(
            update={
                "when": _with_window(rule.when, window),
                "then": _with_window(rule.then, window),
                "otherwise": otherwise,
            }
        )
    return rule  # a condition in a conditional's ``when`` ("if liver metastases"): no window


def _covered(r: _Reader, start: int, end: int) -> list[_Found] | None:
    """The rules read between ``start`` and ``end`` that the window there holds for; None when
    one of them cannot take it (see the module's text)."""
    covered: list[_Found] = []
    for f in r.found:
        if not (start <= f.start and f.end <= end):
            continue
        tests = _tests(f.rule)
        if tests is None or any(t.within is not None for t in tests):
            return None
        if tests:
            covered.append(f)
    return covered or None


def past_read_words(r: _Reader, end: int) -> int:
    """``end`` moved past the words right after it that a reader consumed without a rule of
    their own: "direct bilirubin ≤ ULN for participants with total bilirubin > 1.5 × ULN
    (performed within 14 days prior to day 1)" (NCT04887805 I16; jwlieb/clinical-trial-agent
    data/demo @387df17), where the subgroup words belong to the limit before the window."""
    moved = True
    while moved:
        moved = False
        for start, stop in r.consumed:
            if start <= end < stop or (end < start and not r.text[end:start].strip(" ,")):
                if any(end <= g.start < stop for g in r.found):
                    return end  # another rule stands there: the window may be for it
                end, moved = stop, True
    return end


def read_lab_windows(r: _Reader) -> None:
    """A window after a laboratory limit, for the limits read before it (module text)."""
    since = 0
    for f in sorted(r.found, key=lambda f: (f.end, f.start)):
        if f.end < since or not _tests(f.rule):
            continue
        found = trailing_window(r.text, past_read_words(r, f.end), of_screening=True)
        if found is None:
            continue
        window, stop = found
        covered = _covered(r, since, f.end)
        since = stop
        if covered is None:
            continue
        for g in covered:
            g.rule = _with_window(g.rule, window)
        r.consume(f.end, stop)
