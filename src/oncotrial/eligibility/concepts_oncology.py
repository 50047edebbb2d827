"""The oncology criteria vocabulary of issue 12 item 3: conditions and therapy classes that real
registry criteria name (brain metastases, autoimmune disease and its usual exceptions,
pneumonitis, pregnancy and breastfeeding, thyroid hormone replacement).

Every code is cited where it was seen with its name. SNOMED CT ids and OMOP ids of the
PhenotypeLibrary are from OHDSI/PhenotypeLibrary ``inst/cohorts/<n>.json`` at commit
40106e4e2892d883c208b9df10ad56711da3e21d (concept sets list CONCEPT_ID, CONCEPT_NAME,
CONCEPT_CODE, VOCABULARY_ID); ICD-10 categories are WHO ICD-10 2019; ATC codes the WHO ATC/DDD
index 2024. A concept with no code found stays uncoded (matched by key and name only) and says so.
"""

from __future__ import annotations

from oncotrial.eligibility.concept_model import Concept

__all__ = ["AUTOIMMUNE_EXCEPTIONS", "ONCOLOGY_CONDITIONS", "ONCOLOGY_THERAPIES"]

_PL = "OHDSI/PhenotypeLibrary inst/cohorts/{} at 40106e4e2892d883c208b9df10ad56711da3e21d"

ONCOLOGY_CONDITIONS = (
    Concept(
        "brain_metastases",
        "Brain or other central nervous system metastases",
        (
            "brain metastasis",
            "brain metastases",
            "CNS metastases",
            "CNS metastasis",
            "central nervous system metastases",
            "secondary malignant neoplasm of brain",
        ),
        snomed=("94225005",),
        icd10=("C79.3",),
        sources=(
            "SNOMED CT 94225005 'Secondary malignant neoplasm of brain': HL7 mCODE STU "
            "example mCODESecondaryCancerConditionExample01",
            "ICD-10 C79.3 'Secondary malignant neoplasm of brain and cerebral meninges' (WHO)",
        ),
        note="no OMOP standard concept id confirmed by a public source yet",
    ),
    Concept(
        "pneumonitis",
        "Pneumonitis",
        ("non-infectious pneumonitis", "noninfectious pneumonitis"),
        snomed=("205237003",),
        sources=(_PL.format("1264.json") + ": 253506 Pneumonitis SNOMED 205237003",),
    ),
    Concept(
        "pregnancy",
        "Pregnancy",
        ("pregnant", "pregnancy"),
        snomed=("77386006",),
        icd10=("Z33",),
        sources=(
            _PL.format("671.json") + ": 4299535 Pregnant SNOMED 77386006",
            "ICD-10 Z33 'Pregnant state' (WHO)",
        ),
    ),
    Concept(
        "breastfeeding",
        "Breastfeeding",
        ("breast feeding", "breast-feeding", "lactating", "lactation", "nursing mother"),
        note="no SNOMED CT or OMOP code confirmed by a public source yet: matched by name",
    ),
    # Autoimmune disease: the usual members listed in checkpoint-inhibitor trials, and apart from
    # them the three usual exceptions (vitiligo, type 1 diabetes, autoimmune hypothyroidism on
    # hormone replacement), so an exception can drop its member and nothing else.
    Concept(
        "autoimmune_disease",
        "Autoimmune disease (other than vitiligo, type 1 diabetes, autoimmune thyroiditis)",
        (
            "autoimmune disease",
            "autoimmune disorder",
            "systemic lupus erythematosus",
            "lupus",
            "rheumatoid arthritis",
            "psoriasis",
            "psoriatic arthritis",
            "multiple sclerosis",
            "Crohn's disease",
            "ulcerative colitis",
            "inflammatory bowel disease",
            "myasthenia gravis",
            "autoimmune hepatitis",
            "Graves' disease",
            "systemic sclerosis",
            "ankylosing spondylitis",
            "Addison's disease",
            "celiac disease",
            "Guillain-Barre syndrome",
            "vasculitis",
            "Sjogren's syndrome",
        ),
        snomed=(
            "55464009",
            "69896004",
            "9014002",
            "156370009",
            "24700007",
            "34000006",
            "64766004",
            "24526004",
            "91637004",
            "408335007",
            "353295004",
            "89155008",
            "9631008",
            "363732003",
            "396331005",
            "40956001",
            "31996006",
            "83901003",
        ),
        icd10=(
            "M32",
            "M05",
            "M06",
            "L40",
            "G35",
            "K50",
            "K51",
            "G70.0",
            "K75.4",
            "E05.0",
            "M34",
            "M45",
            "E27.1",
            "K90.0",
            "G61.0",
            "M35.0",
        ),
        sources=(
            _PL.format("216.json") + ": SLE 55464009, Graves 353295004, vasculitis 31996006, "
            "coeliac 396331005, Sjogren 83901003",
            _PL.format("1059.json") + ": rheumatoid arthritis 69896004, psoriatic arthritis "
            "156370009",
            _PL.format("1057.json") + ": psoriasis 9014002",
            _PL.format("1026.json") + ": multiple sclerosis 24700007",
            _PL.format("1069.json") + ", 1067.json, 1180.json: Crohn 34000006, ulcerative "
            "colitis 64766004, inflammatory bowel disease 24526004",
            _PL.format("1021.json") + ": myasthenia gravis 91637004",
            _PL.format("1316.json") + ": autoimmune hepatitis 408335007",
            _PL.format("29.json") + ": systemic sclerosis 89155008, Addison 363732003",
            _PL.format("1013.json") + ": ankylosing spondylitis 9631008",
            _PL.format("1080.json") + ": Guillain-Barre 40956001",
            "ICD-10 categories (WHO): M32 SLE, M05/M06 rheumatoid arthritis, L40 psoriasis, G35 "
            "multiple sclerosis, K50 Crohn, K51 ulcerative colitis, G70.0 myasthenia gravis, "
            "K75.4 autoimmune hepatitis, E05.0 Graves, M34 systemic sclerosis, M45 ankylosing "
            "spondylitis, E27.1 primary adrenocortical insufficiency, K90.0 coeliac, G61.0 "
            "Guillain-Barre, M35.0 sicca (Sjogren)",
        ),
    ),
    Concept(
        "vitiligo",
        "Vitiligo",
        (),
        snomed=("56727007",),
        icd10=("L80",),
        sources=(_PL.format("471.json") + ": 138502 Vitiligo SNOMED 56727007",),
    ),
    Concept(
        "type_1_diabetes",
        "Type 1 diabetes mellitus",
        ("type I diabetes mellitus", "type 1 diabetes", "insulin-dependent diabetes mellitus"),
        snomed=("46635009",),
        icd10=("E10",),
        sources=(_PL.format("1032.json") + ": 201254 Type 1 diabetes mellitus SNOMED 46635009",),
    ),
    Concept(
        "autoimmune_thyroiditis",
        "Autoimmune thyroiditis (Hashimoto)",
        ("Hashimoto thyroiditis", "Hashimoto's thyroiditis", "autoimmune hypothyroidism"),
        snomed=("21983002",),
        icd10=("E06.3",),
        sources=(_PL.format("29.json") + ": 135215 Hashimoto thyroiditis SNOMED 21983002",),
    ),
)

# The members an exception names, by the words criteria use for them.
AUTOIMMUNE_EXCEPTIONS = {
    "vitiligo": "vitiligo",
    "type_1_diabetes": "type 1 diabetes",
    "autoimmune_thyroiditis": "hypothyroidism on hormone replacement",
}

_CYTOTOXIC = (
    "cisplatin",
    "carboplatin",
    "oxaliplatin",
    "docetaxel",
    "paclitaxel",
    "pemetrexed",
    "gemcitabine",
    "etoposide",
    "fluorouracil",
    "cyclophosphamide",
    "doxorubicin",
    "vinorelbine",
    "irinotecan",
    "temozolomide",
    "capecitabine",
)

ONCOLOGY_THERAPIES = (
    Concept(
        "chemotherapy",
        "Cytotoxic chemotherapy",
        ("chemotherapy", "cytotoxic chemotherapy", *_CYTOTOXIC),
        atc=("L01A", "L01B", "L01C", "L01D", "L01XA"),
        sources=(
            "WHO ATC L01A alkylating agents, L01B antimetabolites, L01C plant alkaloids, L01D "
            "cytotoxic antibiotics, L01XA platinum compounds",
            _PL.format("1217.json, 1244.json, 1318.json") + ": RxNorm ingredients of the names",
        ),
    ),
    Concept(
        "thyroid_hormone",
        "Thyroid hormone replacement",
        ("levothyroxine", "liothyronine", "thyroxine", "L-thyroxine"),
        atc=("H03AA",),
        sources=(
            "WHO ATC H03AA thyroid hormones",
            _PL.format("290.json") + ": 1501700 levothyroxine RxNorm 10582",
        ),
    ),
)
