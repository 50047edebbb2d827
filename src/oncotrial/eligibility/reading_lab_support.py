"""A permission to reach a blood-count limit with support, after the limit: "Hemoglobin ≥ 8.0 g/dL
(transfusion and/or growth factor support allowed)" (NCT05997056 I8.3), "Hemoglobin ≥ 9 g/dL (may
have been transfused)" (NCT03971409 I5.4), "Hemoglobin > 8.0 g/dL. Subjects may be transfused to
reach this cut-off." (NCT01174121 I16), "Platelet count ≥ 75,000/μL (may receive transfusions)"
(NCT04633512 I14), "(use of transfusion to reach this threshold prior to study initiation is
acceptable)" (NCT04266730 I5.3); development records of jwlieb/clinical-trial-agent data/demo
@387df17.

The words restrict nothing: the limit is decided on the value recorded, however it was reached,
so they are consumed with no rule of their own (the item had stayed with the investigator for
them). Only a permission that ends where its bracket or sentence ends: one that goes on ("…
allowed to achieve this, but no more than 2 units of pRBC in the prior 4 weeks", "… if
hemoglobin is stable for 72 hours", "for Device Duration Level 2 only") restricts, and stays
unread. A restriction ("without transfusion within 14 days") is ``reading_history``'s support
reading, or unread.
"""

from __future__ import annotations

import re

from oncotrial.eligibility.reading import _Reader
from oncotrial.eligibility.reading_lab_windows import past_read_words
from oncotrial.eligibility.rules import LabRule

__all__ = ["read_support_permissions"]

# the blood counts whose limits transfusions or growth factors may help reach
_BLOOD_COUNTS = frozenset({"hemoglobin", "platelets", "neutrophils", "leukocytes"})

_PRODUCT = (
    r"(?:(?:packed\s+)?(?:red\s+blood\s+cells?|RBC|PRBC|erythrocyte|platelet|blood)"
    r"(?:\s*[\[(]\s*(?:RBC|PRBC)\s*[\])])?\s+)?"
)
_TRANSFUSION = _PRODUCT + r"transfusions?(?:\s+support)?"
_GROWTH_FACTOR = r"growth[-\s]factors?(?:\s+support)?"
_SUPPORT = (
    rf"(?:{_TRANSFUSION}(?:\s+(?:and/or|or)\s+{_GROWTH_FACTOR})?"
    rf"|{_GROWTH_FACTOR}(?:\s+(?:and/or|or)\s+(?:{_TRANSFUSION}))?)"
)
_TO_REACH = (
    r"(?:\s+to\s+(?:reach|achieve|obtain)\s+(?:this|the)\s+(?:hemoglobin\s+|haemoglobin\s+)?"
    r"(?:cut-?off|threshold|level|value|count)s?)?"
)
_DISCRETION = (
    r"(?:\s*,?\s*(?:at\s+(?:the\s+)?(?:discretion\s+of\s+the\s+(?:investigator|physician)|"
    r"(?:investigator|physician)(?:'s)?\s+discretion)|per\s+investigator\s+discretion))?"
)
_PERMISSION = re.compile(
    r"[\s,;:.]*(?P<open>\(\s*)?(?:note\s*:\s*)?(?:"
    # "(transfusion and/or growth factor support allowed)", "transfusions are allowed"
    rf"(?:with\s+|use\s+of\s+)?{_SUPPORT}{_TO_REACH}"
    r"(?:\s+prior\s+to\s+study\s+initiation)?\s+(?:(?:is|are|will\s+be)\s+)?"
    r"(?:allowed|permitted|acceptable)" + _TO_REACH + "|"
    # "Subjects may be transfused to reach this cut-off", "(may receive transfusions)"
    r"(?:(?:subjects|patients|participants)\s+)?(?:may|can)\s+(?:have\s+been\s+transfused|"
    rf"be\s+transfused|receive\s+{_TRANSFUSION}|have\s+received\s+{_GROWTH_FACTOR})"
    + _TO_REACH
    + r")"
    + _DISCRETION
    # the permission ends here: its bracket, its sentence or the item
    + r"(?(open)\s*\)|(?=\s*(?:[.;]|$)))",
    re.I,
)


def read_support_permissions(r: _Reader) -> None:
    """Consume a permission of support right after a blood count's limit (module text)."""
    for f in list(r.found):
        if not (isinstance(f.rule, LabRule) and f.rule.analyte in _BLOOD_COUNTS):
            continue
        start = past_read_words(r, f.end)
        m = _PERMISSION.match(r.text, start)
        if m is not None:
            r.consume(start, m.end())
