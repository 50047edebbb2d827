"""Reading washout criteria: an investigational agent or systemic anticancer therapy received
within a window before the first dose or before registration (issue 12; the largest checklist
category of the development corpus). "Treatment with any investigational drug within 28 days
prior to registration" (NCT06248606 E7), "Has received prior systemic anticancer therapy including
investigational agents within 4 weeks before randomization" (NCT06997497 E6), "Treatment with
investigational therapy within 28 days prior to initiation of study treatment" (NCT04929223 E3).

The rule is a ``MedicationRule`` on ``investigational_agent`` or ``systemic_anticancer_therapy``
(``concepts_washout``) with its window; a window to registration, randomisation or enrolment
runs back from registration (``Window.anchor``). A drug record oncotrial cannot classify makes
either rule unknown, never not met (``concepts_drugs.therapy_keys``). Only a window that names
its day, or ends the sentence, is read: after "within 28 days prior to screening" or "(6 weeks for
nitrosoureas …)" nothing is read here, and the words stay with the investigator.

A window of half-lives is read when the words say which of the two it is: "within 2 weeks or 5
half-lives (whichever is shorter) prior to start of study treatment" (NCT04929223 E2), "within 30
days or 5 half-lives, whichever is shorter, of the first dose of study drug" (NCT04130516 E10),
"within a 28-day period (or within 5 half-lives, whichever is shorter)" (NCT05845671 E1;
``windows.OR_HALF_LIVES``). No half-life is recorded, so the rule is decided on the days where
they decide and is unknown where only the half-life would: for "whichever is shorter", a drug
last taken before the days is not within, one taken within them unknown (met when still taken on
the day); for "whichever is longer", within the days is within, before them unknown
(``rule_window.half_life_status``). "Within 14 days or 5 half-lives of Cycle 1 Day 1", without
"whichever", is not read: which window is meant, the words do not say. "Anticancer therapy"
without "systemic" is not read (it may mean radiotherapy too); nor is "participating in a study of
an investigational agent" (a study's control arm gives none). "Or has used an investigational
device" is left unread beside the agent's rule: no record of devices is kept.
"""

from __future__ import annotations

import re

from oncotrial.eligibility.concepts_drugs import ANTICANCER, INVESTIGATIONAL
from oncotrial.eligibility.reading import _Reader
from oncotrial.eligibility.reading_conditions import _NEGATION, _taken
from oncotrial.eligibility.rules import MedicationRule, NotRule, Rule
from oncotrial.eligibility.windows import (
    FIRST_DOSE,
    OR_HALF_LIVES,
    OR_HALF_LIVES_AFTER,
    REGISTRATION,
    _window_of,
    or_half_lives,
)

__all__ = ["read_washouts"]

# "has received (prior)", "receipt of", "treatment with", "prior", "use of", with "any (type of)"
_LEAD = (
    r"(?:(?:has\s+|have\s+)?(?:received|been\s+treated\s+with)\s+(?:prior\s+)?"
    r"(?:(?:treatment|therapy)\s+with\s+)?|receipt\s+of\s+"
    r"|(?:prior\s+)?(?:treatment|therapy)\s+with\s+|prior\s+|use\s+of\s+)?"
    r"(?:any\s+(?:type\s+of\s+)?|an?\s+|other\s+)?"
)
_INVESTIGATIONAL = (
    r"(?P<inv>investigational\s+(?:agents?|drugs?|therap(?:y|ies)|products?"
    r"|medicinal\s+products?)"
    # "for any condition" (NCT04302025 E6) restricts nothing: any investigational agent counts
    r"(?:\s+for\s+any\s+(?:condition|indication|disease))?)"
)
# systemic anticancer therapy; its kinds named before it ("cytotoxic, biologic or other")
# are in the class
_ANTICANCER = (
    r"(?P<anti>(?:cytotoxic,?\s+biologic,?\s+(?:or|and/or)\s+other\s+)?systemic\s+"
    r"anti-?\s?(?:cancer|neoplastic|tumou?r)\s+(?:therap(?:y|ies)|treatments?|agents?|drugs?))"
    # an investigational anticancer agent is one, and the class's rule is unknown on a record of
    # an investigational agent (concepts_drugs.therapy_keys): the words restrict nothing more
    r"(?P<including>\s*,?\s*\(?including\s+(?:any\s+)?investigational(?:\s+(?:agents?|drugs?"
    r"|therap(?:y|ies)|products?))?\)?)?"
)
# "or has used an investigational device": read as nothing, quoted
_DEVICE = r"(?P<device>\s+or\s+(?:has\s+|have\s+)?used\s+an?\s+investigational\s+device)?"
# "within 28 days", "within the past 4 weeks", "within a 28-day period" (NCT05845671 E1)
_SPAN = (
    r"\s+within\s+(?:(?:the\s+)?(?:last\s+|past\s+)?(?P<n>\d+)\s+(?P<unit>day|week|month)s?"
    r"|a\s+(?P<n2>\d+)[-\s](?P<unit2>day|week|month)\s+period)"
)
# the day: the first dose (with "… administration" after "study intervention") or registration;
# no day named is the first dose, when the sentence ends there
_DAY = (
    r"(?:\s+(?:prior\s+to|before|preceding|of|from)\s+(?:(?P<registration>" + REGISTRATION + r")|"
    r"(?:" + FIRST_DOSE + r")(?:\s+administration)?)|(?=\s*(?:[.;]|$)))"
)
_WASHOUT = re.compile(
    r"(?<![\w-])"
    + _LEAD
    + r"(?:"
    + _INVESTIGATIONAL
    + r"|"
    + _ANTICANCER
    + r")"
    + _DEVICE
    + _SPAN
    + r"(?:"
    + OR_HALF_LIVES
    + r")?"
    + _DAY
    + r"(?:"
    + OR_HALF_LIVES_AFTER
    + r")?",
    re.I,
)


_NEGATED = re.compile(r"\b(?:(?:(?:must|should|may|did)\s+)?(?:not|never)|no|without)\s+$", re.I)
_STUDY_OF = re.compile(r"\b(?:study|trial)\s+(?:of|with)\s+$", re.I)


def read_washouts(r: _Reader) -> None:
    """'Treatment with any investigational drug within 30 days prior to registration', 'Has
    received prior systemic anticancer therapy including investigational agents within 4 weeks
    before randomization' (exclusions); 'No investigational agents within 4 weeks' (an inclusion,
    negated)."""
    text = r.text
    for m in _WASHOUT.finditer(text):
        if _taken(r, m.start(), m.end()):
            continue
        negate = not r.exclusion
        if negate and _NEGATION.search(text[max(0, m.start() - 40) : m.start()]) is None:
            continue
        if m.group("device") and m.group("inv") is None:
            continue
        if _STUDY_OF.search(text, 0, m.start()):
            continue  # "participated in a study of an investigational agent": not a drug taken
        days = _window_of(m.group("n") or m.group("n2"), m.group("unit") or m.group("unit2"))
        window = or_half_lives(days, m)
        if m.group("registration") is not None:
            window = window.model_copy(update={"anchor": "registration"})
        therapy = INVESTIGATIONAL if m.group("inv") else ANTICANCER
        rule: Rule = r.draft(MedicationRule, m.start(), m.end(), therapy=therapy, within=window)
        if negate:
            rule = r.draft(NotRule, m.start(), m.end(), rule=rule)
            # the negation's own words ("Must not have received"); any other stay unread
            words = _NEGATED.search(text, 0, m.start())
            if words is not None:
                r.consume(words.start(), words.end())
        if m.group("device"):
            # the device's words stay unread and are quoted: the item is partial
            parts = ((m.start(), m.start("device")), (m.end("device"), m.end()))
            r.add_reading(m.start(), m.end(), rule, parts)
        else:
            r.add(m.start(), m.end(), rule)
