"""The trial report's endpoint sections, one module per endpoint kind.

``endpoint_section`` (section.py) dispatches on the kind of outcome: rates (ORR, DCR),
time to event (PFS, OS, TTP, DoR, local control, survival rates), safety, PD-L1 and quality of
life; each opens with the registration's words and how the endpoint was computed
(definition.py). ``headline`` is the one-line result of the summary, the console and the web.
"""

from __future__ import annotations

from oncotrial.report.trial.endpoints.definition import assessor_words, registry_source
from oncotrial.report.trial.endpoints.headline import headline
from oncotrial.report.trial.endpoints.section import endpoint_section

__all__ = ["assessor_words", "endpoint_section", "headline", "registry_source"]
