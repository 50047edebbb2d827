"""The two therapy classes of washout criteria that no list of drugs closes (issue 12): an
investigational agent ("Treatment with any investigational drug within 30 days prior to
registration") and systemic anticancer therapy ("Has received prior systemic anticancer therapy
including investigational agents within 4 weeks before randomization").

An investigational agent is what the record says is one: the data manager sets the concept key
``investigational_agent`` on the medication record (or names it "investigational agent" /
"investigational drug" / "investigational product"); no drug name or code tells it, since the
same substance is approved in one use and under study in another. Systemic anticancer therapy is
a drug or class of ``concepts_drugs`` and ``concepts_oncology`` (``concepts_drugs.therapy_keys``),
a record coded in WHO ATC L01 or L02, or any drug of a line of therapy (``TherapyLine`` is a line
of systemic anticancer therapy). Any record oncotrial cannot classify carries the
``concepts_drugs.UNCLASSIFIED`` marker, on which a rule on either class is unknown: an uncoded
drug taken within the window is never read as "not an investigational agent".

No OMOP concept ids: neither class is one concept set of ingredients (the prescreening query
leaves them unmapped, so unknown).
"""

from __future__ import annotations

from oncotrial.eligibility.concept_model import Concept
from oncotrial.eligibility.concepts_drugs import ANTICANCER, INVESTIGATIONAL

__all__ = ["WASHOUT_THERAPIES"]

_ATC = (
    "WHO ATC {}: hl7-eu/unicom-ig input/fsh/codesystems/atcEMA.fsh at "
    "20fc5214adf035a1ec6df827d083dfc08d4544a8"
)

WASHOUT_THERAPIES = (
    Concept(
        INVESTIGATIONAL,
        "Investigational agent",
        (
            "investigational agent",
            "investigational drug",
            "investigational product",
            "investigational medicinal product",
            "investigational therapy",
        ),
        sources=("set by the data manager on the record: no code system names the class",),
    ),
    Concept(
        ANTICANCER,
        "Systemic anticancer therapy",
        (
            "systemic anticancer therapy",
            "systemic anti-cancer therapy",
            "anticancer therapy",
            "antineoplastic therapy",
        ),
        atc=("L01", "L02"),
        sources=(_ATC.format("L01 antineoplastic agents, L02 endocrine therapy"),),
        note=(
            "also every anticancer drug and class oncotrial knows, and every drug of a line "
            "of therapy (concepts_drugs.therapy_keys); ATC L04 (lenalidomide) and V10 "
            "(radionuclides) are not read as anticancer: such a record is unclassified, so unknown"
        ),
    ),
)
