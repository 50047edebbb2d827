"""The data entry forms, declared as data: fields, the record they write, and their edit checks.

One ``EntitySpec`` per kind of record a trial team enters (docs/sdtm.md says where each goes):
ECOG and quality of life (QS), height and weight (VS), stage, histology and primary site (SC),
driver mutations (GF), PD-L1 (MI), labs (LB), study drug (EX), local therapy (PR), adverse events
(AE, CTCAE v5.0), other medications and prior/subsequent therapy (CM), end of treatment / end of
study / alive contacts (DS) and death (DS + DM). Tumour assessments have their own form
(``oncotrial.web.assessments``); their lesions and measurements are corrected here.

The fields, their vocabularies, the SDTM records and the edit checks are the entity catalogue's
(``oncotrial.catalogue``, docs/catalogue.md): a form field is built from the catalogue's field, a
record from its tests and record builders, and each check names the catalogue rule it applies.
Edit checks are of two kinds: an *error* refuses the entry (an impossible value: a date in the
future, a grade CTCAE does not define for the term, an end before a start), a *warning* asks the
person to confirm (an unusual value: a dose 10 % off the protocol's, a stage outside the
protocol's population). Each check states its rule in its message.
"""

from __future__ import annotations

from collections.abc import Sequence

from oncotrial.web.entry.base import (
    LOCATIONS,
    EntitySpec,
    EntryContext,
    FieldSpec,
    Issue,
    field_spec,
    lower_first,
    parse_date,
    visit_number,
)
from oncotrial.web.entry.baseline import DISEASE_SPEC, ECOG, GENE, LAB, PDL1, QOL, VITAL
from oncotrial.web.entry.corrections import DEMOGRAPHICS, LESION, MEASUREMENT
from oncotrial.web.entry.follow_up import DEATH, DISPOSITION
from oncotrial.web.entry.safety import AE
from oncotrial.web.entry.treatment import EXPOSURE, MEDICATION, PROCEDURE

__all__ = [
    "ENTITIES",
    "LOCATIONS",
    "SECTIONS",
    "EntitySpec",
    "EntryContext",
    "FieldSpec",
    "Issue",
    "field_spec",
    "lower_first",
    "parse_date",
    "visit_number",
]

ENTITIES: dict[str, EntitySpec] = {
    spec.key: spec
    for spec in (
        ECOG,
        VITAL,
        DISEASE_SPEC,
        GENE,
        PDL1,
        LAB,
        EXPOSURE,
        PROCEDURE,
        MEDICATION,
        AE,
        QOL,
        DISPOSITION,
        DEATH,
        LESION,
        MEASUREMENT,
        DEMOGRAPHICS,
    )
}

SECTIONS: Sequence[tuple[str, str]] = (
    ("baseline", "Baseline"),
    ("treatment", "Treatment"),
    ("safety", "Adverse events"),
    ("labs", "Laboratory"),
    ("follow-up", "Follow-up"),
)
