"""Another study's investigational agent or device within a window: Merck's KEYNOTE template
(issue 12).

"Is currently participating in or has participated in a study of an investigational agent or
has used an investigational device within 4 weeks prior to the first dose of study
intervention" (NCT04104893 E8, NCT04317534 E7 and about 50 more development records of jwlieb/clinical-trial-agent
data/demo @387df17), "Is currently participating and receiving study therapy or has participated
in a study of an investigational agent and received study therapy or used an investigational
device within 4 weeks of the first dose of treatment", with the template's note "Participants
who have entered the follow-up phase of an investigational study may participate as long as it
has been 4 weeks after the last dose of the previous investigational agent".

The note says what the participation means: an investigational agent received within the window
(``MedicationRule`` on ``investigational_agent``, as ``reading_washout``), or an investigational
device used within it (``ProcedureRule`` on ``investigational_device``); current participation
while receiving the agent is within the window. Read only whole, at the item's start: a plan to
participate ("or planning to participate in another interventional clinical trial") or a
negation ("Patients must not be participating …", a double negative in an exclusion list) stays
unread, and the item with it.
"""

from __future__ import annotations

import re

from oncotrial.eligibility.reading import _Reader
from oncotrial.eligibility.rules import AnyOfRule, MedicationRule, ProcedureRule
from oncotrial.eligibility.windows import HISTORY_WINDOW, history_window

__all__ = ["read_investigational_participation"]

_RECEIVING = (
    r"(?:\s+and\s+(?:is\s+)?receiv(?:ing|ed)\s+study\s+(?:therapy|treatment|drug|intervention))?"
)
_TEMPLATE = re.compile(
    r"^\W*(?:\d{1,2}[.)]\s*)?(?:(?:is|are)\s+)?currently\s+participating(?:\s+in)?"
    + _RECEIVING
    + r"(?:\s+in)?\s*,?\s+or\s+(?:has|have)\s+participated\s+in\s+a\s+(?:study|trial)\s+of\s+"
    r"an\s+investigational\s+(?:agent|drug|product)"
    + _RECEIVING.replace("receiv(?:ing|ed)", "received")
    + r"\s+or\s+(?:(?:has|have)\s+)?used\s+an\s+investigational\s+device\s+"
    + HISTORY_WINDOW,
    re.I,
)
# the template's note: the agent's last dose is what the window counts from
_FOLLOW_UP = re.compile(
    r"\s*[.;]?\s*(?:note\s*:\s*)?(?:participants|patients|subjects)\s+who\s+have\s+entered\s+the\s+"
    r"follow[-\s]?up\s+phase\s+of\s+an\s+investigational\s+(?:study|trial)\s+may\s+participate\s+"
    r"as\s+long\s+as\s+it\s+has\s+been\s+(?P<n>\d+)\s+weeks?\s+(?:after|since|from)\s+the\s+last\s+"
    r"dose\s+of\s+the\s+previous\s+investigational\s+agent",
    re.I,
)
# "within 4 weeks of the date of allocation/randomization": the day's second name
_END = re.compile(r"(?:\s*/\s*(?:randomi[sz]ation|allocation))?\s*(?:[.;]\s*)?$", re.I)


def read_investigational_participation(r: _Reader) -> None:
    """The template whole (see the module's text); an exclusion item only."""
    if not r.exclusion:
        return
    m = _TEMPLATE.match(r.text)
    if m is None or any(f.start < m.end() and m.start() < f.end for f in r.found):
        return
    window = history_window(m)
    end = m.end()
    note = _FOLLOW_UP.match(r.text, end)
    if note is not None:
        if window.unit != "weeks" or int(note["n"]) != window.value:
            return  # the note counts another period: which one decides is not said
        end = note.end()
    if _END.fullmatch(r.text, end) is None:
        return  # words of their own after the template
    a, b = m.start(), m.end()
    rule = r.draft(
        AnyOfRule,
        a,
        b,
        rules=(
            r.draft(MedicationRule, a, b, therapy="investigational_agent", within=window),
            r.draft(ProcedureRule, a, b, procedure="investigational_device", within=window),
        ),
    )
    r.add(a, end, rule)
