"""Effusions of the serous cavities, as the exclusions name them: "Uncontrolled pleural effusion,
pericardial effusion, or ascites requiring recurrent drainage procedures" (the atezolizumab
template), "Symptomatic ascites or pleural effusion" (issue 12), declared once here.

Each is a condition of its own, matched by SNOMED CT, ICD-10 (WHO 2019) category or name: a
malignant pleural effusion (J91) is a pleural effusion; a pericardial effusion of an inflammatory
pericarditis (I30) is not matched by code, only by name.

Sources: OHDSI Vocabulary-v5.0 'Cancer Modifier/metastasis/load_stage.sql' at
60281cbf97cfd2700b38d9ccbb8d6cba1695b8f0 (SNOMED CT 60046008 'Pleural effusion', 389026000
'Ascites'); bvdh/dicom-terminology-in-fhir
'input/fsh/ValueSet-dicom-cid-12236-EchocardiographyAnatomicSite.fsh' (DICOM CID 12236: SNOMED CT
373945007 'Pericardial effusion'); ICD-10 (WHO 2019) J90 'Pleural effusion, not elsewhere
classified', J91 'Pleural effusion in conditions classified elsewhere', I31.3 'Pericardial
effusion (noninflammatory)', R18 'Ascites'.
"""

from __future__ import annotations

from oncotrial.eligibility.concept_model import Concept

__all__ = ["EFFUSIONS"]

_VOCABULARY = (
    "OHDSI/Vocabulary-v5.0 Cancer Modifier/metastasis/load_stage.sql at "
    "60281cbf97cfd2700b38d9ccbb8d6cba1695b8f0"
)

EFFUSIONS = (
    Concept(
        "pleural_effusion",
        "Pleural effusion",
        ("pleural effusions", "malignant pleural effusion", "hydrothorax"),
        snomed=("60046008",),
        icd10=("J90", "J91"),
        sources=(
            _VOCABULARY + ": 60046008 Pleural effusion",
            "ICD-10 (WHO 2019) J90 'Pleural effusion, not elsewhere classified', J91 'Pleural "
            "effusion in conditions classified elsewhere'",
        ),
    ),
    Concept(
        "pericardial_effusion",
        "Pericardial effusion",
        ("pericardial effusions", "malignant pericardial effusion"),
        snomed=("373945007",),
        icd10=("I31.3",),
        sources=(
            "bvdh/dicom-terminology-in-fhir input/fsh/ValueSet-dicom-cid-12236-"
            "EchocardiographyAnatomicSite.fsh: 373945007 Pericardial effusion",
            "ICD-10 (WHO 2019) I31.3 'Pericardial effusion (noninflammatory)'",
        ),
    ),
    Concept(
        "ascites",
        "Ascites",
        ("malignant ascites", "peritoneal effusion"),
        snomed=("389026000",),
        icd10=("R18",),
        sources=(_VOCABULARY + ": 389026000 Ascites", "ICD-10 (WHO 2019) R18 'Ascites'"),
    ),
)
