"""The immunotherapy templates' exclusions on tuberculosis, immunodeficiency, immunosuppression
and live vaccines (the Merck KEYNOTE and NCI templates, issue 12), read whole.

- "Has a known history of active TB (Bacillus Tuberculosis)", "History of active tuberculosis":
  a tuberculosis record at any time before the reference date (``ConditionRule``). The concept
  is the disease (ICD-10 A15-A19, concepts_immune): its records are of tuberculosis that was
  active once, whatever its status now, and latent infection (ICD-10-CM Z22.7, R76.1x) is coded
  apart and never counts. That is the template's word: "active" tells the disease from a latent
  infection, "history of" asks for it at any time (KEYNOTE protocols exclude treated
  tuberculosis too, for its reactivation on PD-1 blockade). "Active tuberculosis" and "Has active
  TB … infection" ask for the status now (``ConditionRule.active``). "Active or latent TB" is
  not read: no concept of latent infection.
- "Has a diagnosis of immunodeficiency or is receiving chronic systemic steroid therapy (in
  dosing exceeding 10 mg daily of prednisone equivalent) or any other form of immunosuppressive
  therapy within 7 days prior to the first dose of study drug": three rules, any one of which
  excludes — an immunodeficiency recorded (unknown on a record of HIV, whether the template
  means it is not said: concepts_immune), a systemic corticosteroid above the prednisone-
  equivalent dose within the window (or ongoing when the item states none), and an
  immunosuppressant (ATC L04) within the window. A window "prior to randomization" (or
  registration, enrolment) runs back from registration, the screen's as-of date
  (``Window.anchor``); to any other day ("prior to screening") the sentence is not read.
  "Chronic" is a duration the text does not give: the corticosteroid rule then needs the
  investigator's word on it (a judgement joined to it), so that a short course within the window
  is never taken for chronic therapy; without a recent corticosteroid the rule is not met either
  way.
- Live vaccines (the rule of ``reading_history``): "Administration of killed vaccines is allowed",
  "Inactivated vaccines are permitted" and "Seasonal influenza vaccines for injection are
  generally killed virus vaccines and are allowed; however, intranasal influenza vaccines (e.g.,
  FluMist) are live attenuated vaccines and are not allowed" restate what the rule does: killed,
  inactivated and injected influenza vaccines are no live vaccine (none of their CVX codes is in
  the concept), the intranasal influenza vaccine is (CVX 111, 149, "FluMist"). Read beside a
  live-vaccine rule only. "Examples of live vaccines include … rabies … typhoid vaccine" is not
  read: rabies vaccines are inactivated and injected typhoid vaccines are not live, so the list
  widens the rule beyond the concept, and what it then asks is the trial's to say.

Inclusion items stating these (a negation, sometimes a mislabelled exclusion) are not read, and
any word of an item these sentences do not hold stays unread (quoted), as everywhere.
"""

from __future__ import annotations

import re

from oncotrial.eligibility.reading import _Reader
from oncotrial.eligibility.rules import (
    AllOfRule,
    Bound,
    Comparator,
    ConditionRule,
    JudgementRule,
    MedicationRule,
    Rule,
    Window,
)
from oncotrial.eligibility.windows import FIRST_DOSE, REGISTRATION, _window

__all__ = ["read_immune_templates"]

# the item's start, its number left in the text ("4. Has a diagnosis of …") included
_LEAD = r"^\W*(?:\d{1,2}\s*[.)]\s*)?(?:(?:the\s+)?(?:patient|participant|subject)s?\s+)?"
_TB = (
    r"(?:TB|tuberculosis)(?:\s*\((?:(?:TB\s*;\s*)?(?:bacillus|mycobacterium)\s+tuberculosis|TB)\))?"
)
_TB_HISTORY = re.compile(
    _LEAD + r"(?:(?:has|have)\s+)?(?:a\s+)?(?:known\s+)?history\s+of\s+active\s+" + _TB, re.I
)
_TB_ACTIVE = re.compile(
    _LEAD
    + r"(?:(?:has|have)\s+)?(?:known\s+)?active\s+"
    + _TB
    + r"(?:\s+infection)?"
    # "Active tuberculosis (TB) or history of active TB" (NCT04383262): at any time
    + r"(?P<ever>\s+or\s+(?:a\s+)?history\s+of\s+active\s+"
    + _TB
    + r")?"
    # "(purified protein derivative [PPD] response without active tuberculosis [TB] is
    # allowed)" (NCT05327686): latent infection, which the concept never holds
    + r"(?:\s*\(\s*purified\s+protein\s+derivative\s*\[\s*PPD\s*\]\s+response\s+without\s+"
    r"active\s+tuberculosis\s*\[\s*TB\s*\]\s+is\s+allowed\s*\))?",
    re.I,
)


def _dose_n(k: int) -> str:
    return rf"(?P<d{k}>\d+(?:\.\d+)?)\s*mg"


_PRED = r"(?:of\s+)?prednisone\s+(?:or\s+)?equivalent"
# "(in dosing exceeding 10 mg daily of prednisone equivalent)", "(in doses exceeding 10 mg daily
# of prednisone or equivalent)", "(daily dose exceeding 10 mg of prednisone equivalent)", "(at a
# dose greater than 10mg/day of prednisone equivalent)", "at a prednisone equivalent dose of
# > 10 mg daily", "(> 10 mg daily prednisone equivalent)"
_DOSE = (
    r"(?:\s*\(\s*(?:in\s+)?(?:dosing|doses?|daily\s+dose)\s+(?:exceeding|greater\s+than|>)\s*"
    + _dose_n(1)
    + r"(?:\s*/\s*day|\s+daily)?\s+"
    + _PRED
    + r"\s*\)"
    + r"|\s*\(\s*(?:at\s+a\s+dose\s+)?(?:greater\s+than|>)\s*"
    + _dose_n(2)
    + r"\s*(?:/\s*day|daily)\s+"
    + _PRED
    + r"\s*\)"
    + r"|\s+at\s+a\s+prednisone\s+equivalent\s+dose\s+of\s*>\s*"
    + _dose_n(3)
    + r"\s+daily"
    # "of prednisone >10 mg/day or equivalent" (NCT06525220)
    + r"|\s+of\s+prednisone\s*>\s*"
    + _dose_n(4)
    + r"\s*/\s*day\s+or\s+equivalent)"
)
_STEROID = (
    r"(?P<steroid>(?:(?:is\s+|are\s+)?(?:receiving|taking|has\s+received)|ongoing)\s+(?:any\s+)?"
    r"(?P<chronic>chronic\s+)?systemic\s+(?:steroid|glucocorticoid|corticosteroid)\s+therapy"
    r"(?P<dose>" + _DOSE + r")?)"
)
# "within 7 days prior to the first dose of study drug"; the Merck template also writes "within 7
# days prior the first dose of study drug" (NCT06312137, NCT06136650), and "within 7 days prior to
# randomization" (NCT04317534 E8, jwlieb/clinical-trial-agent data/demo @387df17): a window that
# runs back from registration (Window.anchor)
_WINDOW = (
    r"within\s+(?:the\s+)?(?P<n>\d+)\s+(?P<unit>day|week)s?\s+(?:prior\s+(?:to\s+)?|before\s+)"
    + r"(?:(?P<registration>"
    + REGISTRATION
    + r")|"
    + FIRST_DOSE
    + r")"
)
_OTHER = r"(?P<other>(?:any\s+)?other\s+forms?\s+of\s+immunosuppressive\s+therapy)"
_OR = r"\s*,?\s+or\s+"
_IMMUNE = re.compile(
    _LEAD
    + r"(?P<immuno>(?:(?:has|have)\s+)?(?:a\s+)?(?:known\s+)?diagnosis\s+of\s+immunodeficiency)"
    + r"(?:"
    + _OR
    + _STEROID
    + r"(?:"
    + _OR
    + _OTHER
    + r")?)?"
    + r"(?:\s*,?\s+(?P<window>"
    + _WINDOW
    + r"))?",
    re.I,
)

_OTHER_WINDOW = re.compile(r"\s*,?\s*within\b", re.I)

# a sentence of its own after a live-vaccine rule, saying what is not a live vaccine
_NOT_LIVE = re.compile(
    r"\s*(?:note\s*[-:]\s*)?(?:(?:the\s+)?administration\s+of\s+(?:an?\s+)?)?"
    r"(?:killed|inactivated)(?:\s+or\s+messenger\s+ribonucleic\s+acid\s*\(\s*mRNA\s*\))?"
    r"\s+vaccines?\s+(?:is|are)\s+(?:allowed|permitted)\.?"
    r"|\s*(?:note\s*:\s*)?seasonal\s+(?:influenza|flu)\s+vaccines\s+for\s+injection\s+are\s+"
    r"generally\s+(?:killed\s+virus|inactivated(?:\s+flu)?)\s+vaccines\s+and\s+are\s+allowed\s*"
    r"[;,]\s*however,?\s+intranasal\s+influenza\s+vaccines\s*\(\s*e\.?\s*g\.?\s*,?\s*"
    r"flu-?mist\W{0,3}\s*\)\s+are\s+live\s+attenuated\s+vaccines\s*,?\s+and\s+are\s+not\s+"
    r"allowed\.?",
    re.I,
)


def _drop_inside(r: _Reader, start: int, end: int) -> None:
    """What other readers found inside a sentence read whole is replaced by its reading."""
    r.found[:] = [f for f in r.found if not (start <= f.start and f.end <= end)]


def _read_tuberculosis(r: _Reader) -> None:
    for pattern, active in ((_TB_HISTORY, False), (_TB_ACTIVE, True)):
        m = pattern.search(r.text)
        if m is None:
            continue
        # the mention only: "Has a known history of" is read with it
        _drop_inside(r, m.start(), m.end())
        if active and m.group("ever"):
            active = False  # active now or at any time before: at any time
        r.add(
            m.start(),
            m.end(),
            r.draft(ConditionRule, m.start(), m.end(), condition="tuberculosis", active=active),
        )
        return


def _steroid_rule(r: _Reader, m: re.Match[str], window: Window | None) -> Rule:
    a, b = m.span("steroid")
    fields: dict[str, object] = {"therapy": "systemic_corticosteroid"}
    if m.group("dose"):
        n = next(m.group(f"d{k}") for k in (1, 2, 3, 4) if m.group(f"d{k}") is not None)
        fields["daily_dose"] = Bound(comparator=Comparator.GT, value=float(n))
    if window is not None:
        fields["within"] = window
    else:
        fields["ongoing"] = True  # "is receiving", no window: at the reference date
    rule: Rule = r.draft(MedicationRule, a, b, **fields)
    if m.group("chronic"):
        chronic = JudgementRule(
            kind="judgement",
            id="draft",
            description="whether the systemic corticosteroid therapy is chronic (the item "
            "gives no duration)",
            source=r.span(*m.span("chronic")),
        )
        rule = r.draft(AllOfRule, a, b, rules=(rule, chronic))
    return rule


def _read_immunosuppression(r: _Reader) -> None:
    m = _IMMUNE.search(r.text)
    if m is None:
        return
    window = _window(m) if m.group("window") else None
    if window is not None and m.group("registration") is not None:
        window = window.model_copy(update={"anchor": "registration"})
    if window is not None and m.group("steroid") is None:
        return  # "diagnosis of immunodeficiency within 7 days": the window is of no rule here
    if window is None and _OTHER_WINDOW.match(r.text, m.end()):
        # "within 7 days prior to screening": a window to a day that is neither the first dose
        # nor registration; the item is left to the other readers
        return
    end = m.end()
    _drop_inside(r, m.start(), end)
    a, b = m.span("immuno")
    r.add(a, b, r.draft(ConditionRule, a, b, condition="immunodeficiency"))
    if m.group("steroid") is not None:
        r.add(*m.span("steroid"), _steroid_rule(r, m, window))
    if m.group("other") is not None:
        a, b = m.span("other")
        fields: dict[str, object] = {"therapy": "immunosuppressant"}
        if window is not None:
            fields["within"] = window
        else:
            fields["ongoing"] = True
        r.add(a, b, r.draft(MedicationRule, a, b, **fields))
    r.consume(m.start(), end)


def _is_live_vaccine(rule: Rule) -> bool:
    return isinstance(rule, MedicationRule) and rule.therapy == "live_vaccine"


def _read_vaccine_notes(r: _Reader) -> None:
    live = [f for f in r.found if _is_live_vaccine(f.rule)]
    if not live:
        return
    after = max(f.end for f in live)
    for m in _NOT_LIVE.finditer(r.text, after):
        r.consume(m.start(), m.end())


def read_immune_templates(r: _Reader) -> None:
    """The template sentences of the module's docstring; exclusion items only."""
    if not r.exclusion:
        return
    _read_tuberculosis(r)
    _read_immunosuppression(r)
    _read_vaccine_notes(r)
