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

from datetime import date

from oncotrial.eligibility.concept_model import Concept, System
from oncotrial.eligibility.concepts_cancers import CANCER_IMPLIED, CANCER_SITES, PRIMARY_CANCERS
from oncotrial.eligibility.concepts_drugs import OTHER_MEMBERS, members

__all__ = [
    "AUTOIMMUNE_EXCEPTIONS",
    "BODY_SITES",
    "BODY_SITE_SNOMED",
    "CANCER_IMPLIED",
    "CANCER_SITES",
    "MALIGNANCY_EXCEPTIONS",
    "ONCOLOGY_CONDITIONS",
    "ONCOLOGY_THERAPIES",
    "PREDNISONE_EQUIVALENT",
    "cancer_relation",
    "malignancy_kinds",
    "prednisone_equivalent",
    "site_key",
    "site_relation",
]

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
        "leptomeningeal_disease",
        "Leptomeningeal disease",
        (
            "leptomeningeal metastases",
            "leptomeningeal metastasis",
            "leptomeningeal carcinomatosis",
            "carcinomatous meningitis",
            "meningeal carcinomatosis",
            "neoplastic meningitis",
        ),
        note=(
            "no code: ICD-10 C79.3 and ICD-10-CM C79.32 also hold dural metastases, and no "
            "SNOMED CT code was confirmed by a public source yet; matched by key and name"
        ),
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
            _PL.format("1021.json") + ": myasthenia gravis 91637004",
            _PL.format("1316.json") + ": autoimmune hepatitis 408335007",
            _PL.format("29.json") + ": systemic sclerosis 89155008, Addison 363732003",
            _PL.format("1013.json") + ": ankylosing spondylitis 9631008",
            _PL.format("1080.json") + ": Guillain-Barre 40956001",
            "ICD-10 categories (WHO): M32 SLE, M05/M06 rheumatoid arthritis, L40 psoriasis, G35 "
            "multiple sclerosis, G70.0 myasthenia gravis, "
            "K75.4 autoimmune hepatitis, E05.0 Graves, M34 systemic sclerosis, M45 ankylosing "
            "spondylitis, E27.1 primary adrenocortical insufficiency, K90.0 coeliac, G61.0 "
            "Guillain-Barre, M35.0 sicca (Sjogren)",
        ),
    ),
    # Inflammatory bowel disease, a member of autoimmune disease (CONDITION_IMPLIED) with a
    # concept of its own: "Inflammatory bowel disease (Crohn's disease, ulcerative colitis)",
    # "Active inflammatory bowel disease" (reading_conditions)
    Concept(
        "inflammatory_bowel_disease",
        "Inflammatory bowel disease",
        ("inflammatory bowel disease", "IBD", "Crohn's disease", "ulcerative colitis"),
        snomed=("24526004", "34000006", "64766004"),
        icd10=("K50", "K51"),
        sources=(
            _PL.format("1069.json") + ", 1067.json, 1180.json: Crohn 34000006, ulcerative "
            "colitis 64766004, inflammatory bowel disease 24526004",
            "ICD-10 categories (WHO): K50 Crohn disease, K51 ulcerative colitis",
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
    # "Another malignancy within N years (except non-melanoma skin cancer, carcinoma in situ)":
    # a malignant neoplasm is an ICD-10 C code apart from the secondary neoplasms (C77-C79: a
    # metastasis is not another cancer); in situ neoplasms (D00-D09) are not malignant neoplasms
    # in ICD-10, and whether a criterion counts them is decided per rule (eligibility.malignancy).
    Concept(
        "malignancy",
        "Malignant neoplasm (primary)",
        ("malignancy", "malignant neoplasm", "malignant neoplastic disease", "cancer"),
        snomed=("363346000",),
        # prefixes: C0-C6 are C00-C69, C70-C76 one by one, C8 and C9 are C80-C97
        icd10=("C0", "C1", "C2", "C3", "C4", "C5", "C6", *(f"C7{n}" for n in range(7)), "C8", "C9"),
        sources=(
            "WHO ICD-10 2019 chapter II: C00-C97 malignant neoplasms; C77-C79 secondary and "
            "unspecified malignant neoplasm of lymph nodes and other sites (left out: a "
            "metastasis of the cancer under study is not another malignancy)",
            "SNOMED CT 363346000 'Malignant neoplastic disease': HL7 FHIR R4 example "
            "Condition/f202 (condition-example-f202-malignancy)",
        ),
    ),
    Concept(
        "nonmelanoma_skin_cancer",
        "Non-melanoma skin cancer",
        ("non-melanoma skin cancer", "nonmelanoma skin cancer", "non-melanoma skin carcinoma"),
        icd10=("C44",),
        sources=(
            "WHO ICD-10 2019 C44 'Other malignant neoplasms of skin' (excludes C43 melanoma)",
        ),
        note="no SNOMED CT code confirmed by a public source yet: ICD-10 and names only",
    ),
    Concept(
        "skin_basal_squamous_carcinoma",
        "Basal cell or squamous cell carcinoma of the skin",
        (
            "basal cell carcinoma",
            "basal cell carcinoma of skin",
            "basal cell carcinoma of the skin",
            "squamous cell carcinoma of skin",
            "squamous cell carcinoma of the skin",
            "cutaneous squamous cell carcinoma",
        ),
        note=(
            "matched by name only: WHO ICD-10 C44 does not tell basal and squamous cell "
            "carcinoma from other skin cancers (Merkel cell carcinoma is also C44), and no "
            "SNOMED CT code was confirmed by a public source yet"
        ),
    ),
    Concept(
        "carcinoma_in_situ",
        "Carcinoma in situ",
        ("carcinoma in situ", "in situ carcinoma", "in situ neoplasm"),
        icd10=("D0",),
        sources=("WHO ICD-10 2019 D00-D09 'In situ neoplasms'",),
        note="no SNOMED CT code confirmed by a public source yet: ICD-10 and names only",
    ),
    Concept(
        "cervical_carcinoma_in_situ",
        "Carcinoma in situ of the cervix uteri",
        ("carcinoma in situ of cervix", "cervical carcinoma in situ", "CIN 3"),
        icd10=("D06",),
        sources=("WHO ICD-10 2019 D06 'Carcinoma in situ of cervix uteri'",),
        note="no SNOMED CT code confirmed by a public source yet: ICD-10 and names only",
    ),
    Concept(
        "breast_cancer",
        "Breast cancer",
        (
            "breast cancer",
            "breast carcinoma",
            "carcinoma of the breast",
            "cancer of the breast",
            "malignant tumor of breast",
            "malignant neoplasm of breast",
        ),
        snomed=("254837009",),
        icd10=("C50",),
        sources=(
            "SNOMED CT 254837009 'Malignant tumor of breast': OHDSI/EunomiaDatasets "
            "datasets/Synthea27Nj CONCEPT.csv at 3efd533eb95a41a56d5b0758b0d7c8fa57e1303e",
            "ICD-10 C50 'Malignant neoplasm of breast' (WHO)",
        ),
    ),
    Concept(
        "prostate_cancer",
        "Prostate cancer",
        (
            "prostate cancer",
            "prostate carcinoma",
            "prostatic cancer",
            "carcinoma of the prostate",
            "cancer of the prostate",
            "malignant tumor of prostate",
            "malignant neoplasm of prostate",
        ),
        snomed=("399068003",),
        icd10=("C61",),
        sources=(
            "SNOMED CT 399068003 'Malignant tumor of prostate': OHDSI/PhenotypeLibrary at "
            "40106e4e2892d883c208b9df10ad56711da3e21d (the OMOP map's citation)",
            "ICD-10 C61 'Malignant neoplasm of prostate' (WHO)",
        ),
    ),
    Concept(
        "colon_cancer",
        "Colon cancer",
        (
            "colon cancer",
            "colon carcinoma",
            "cancer of the colon",
            "malignant tumor of colon",
            "malignant neoplasm of colon",
        ),
        snomed=("363406005",),
        icd10=("C18",),
        sources=(
            "SNOMED CT 363406005 'Malignant tumor of colon': OHDSI/EunomiaDatasets "
            "datasets/Synthea27Nj CONCEPT.csv at 3efd533eb95a41a56d5b0758b0d7c8fa57e1303e",
            "ICD-10 C18 'Malignant neoplasm of colon' (WHO)",
        ),
    ),
    Concept(
        "lung_cancer",
        "Lung cancer",
        ("lung cancer", "lung carcinoma", "malignant neoplasm of lung", "malignant tumor of lung"),
        icd10=("C34",),
        sources=("WHO ICD-10 2019 C34 'Malignant neoplasm of bronchus and lung'",),
        note="no SNOMED CT code of its own confirmed yet: NSCLC and SCLC records count by theirs",
    ),
    Concept(
        "skin_cancer",
        "Skin cancer",
        ("skin cancer", "malignant neoplasm of skin"),
        icd10=("C43", "C44"),
        sources=(
            "WHO ICD-10 2019 C43 'Malignant melanoma of skin', C44 'Other malignant neoplasms "
            "of skin'",
        ),
        note="no SNOMED CT code confirmed yet: skin carcinoma records count by their concepts",
    ),
    Concept(
        "small_cell_lung_cancer",
        "Small cell lung cancer",
        (
            "small cell lung cancer",
            "small cell lung carcinoma",
            "small cell carcinoma of lung",
            "SCLC",
        ),
        snomed=("254632001",),
        sources=(
            "SNOMED CT 254632001 'Small cell carcinoma of lung': OHDSI/EunomiaDatasets "
            "datasets/Synthea27Nj CONCEPT.csv at 3efd533eb95a41a56d5b0758b0d7c8fa57e1303e",
        ),
        note="no ICD-10 category of its own: C34 holds every lung cancer",
    ),
    *PRIMARY_CANCERS,
)

# The exceptions an "other malignancy" criterion can name, by the concept each stands for.
MALIGNANCY_EXCEPTIONS = (
    "nonmelanoma_skin_cancer",
    "skin_basal_squamous_carcinoma",
    "carcinoma_in_situ",
    "cervical_carcinoma_in_situ",
)

# The members an exception names, by the words criteria use for them.
AUTOIMMUNE_EXCEPTIONS = {
    "vitiligo": "vitiligo",
    "type_1_diabetes": "type 1 diabetes",
    "autoimmune_thyroiditis": "hypothyroidism on hormone replacement",
}

_CYTOTOXIC = (*members("chemotherapy"), *OTHER_MEMBERS["chemotherapy"])

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
        "systemic_corticosteroid",
        "Systemic corticosteroid",
        (
            "corticosteroid",
            "systemic corticosteroid",
            "prednisone",
            "prednisolone",
            "methylprednisolone",
            "dexamethasone",
            "hydrocortisone",
            "cortisone",
            "betamethasone",
            "triamcinolone",
        ),
        atc=("H02AB",),
        sources=(
            "WHO ATC H02AB glucocorticoids (corticosteroids for systemic use, plain): H02AB01 "
            "betamethasone, 02 dexamethasone, 04 methylprednisolone, 06 prednisolone, 07 "
            "prednisone, 08 triamcinolone, 09 hydrocortisone, 10 cortisone",
        ),
        note=(
            "a record matched by a drug name alone is taken as systemic (the name does not "
            "give the route); records coded in ATC H02AB are systemic by their code"
        ),
    ),
    # The targeted classes anti-angiogenic and NSCLC trials name in "prior treatment with …";
    # a record is matched by its ATC code (the class) or by an ingredient's name; the members
    # are declared in concepts_drugs.
    Concept(
        "vegf_inhibitor",
        "VEGF or VEGFR inhibitor (anti-angiogenic therapy)",
        (*members("vegf_inhibitor"), *OTHER_MEMBERS["vegf_inhibitor"]),
        atc=("L01FG", "L01EK"),
        sources=(
            "WHO ATC L01FG VEGF/VEGFR (vascular endothelial growth factor) inhibitors (monoclonal "
            "antibodies: bevacizumab, ramucirumab), L01EK VEGFR tyrosine kinase inhibitors",
        ),
        note=(
            "ATC L01EX also holds kinase inhibitors that do not target VEGFR, so the class does "
            "not take it: its VEGFR multikinase inhibitors count by name, or by each drug's own "
            "code where the drug has a concept (sorafenib, sunitinib, …: concepts_drugs); "
            "aflibercept (L01XX44) likewise"
        ),
    ),
    Concept(
        "egfr_tki",
        "EGFR tyrosine kinase inhibitor",
        (*members("egfr_tki"), *OTHER_MEMBERS["egfr_tki"]),
        atc=("L01EB",),
        sources=(
            "WHO ATC L01EB epidermal growth factor receptor (EGFR) tyrosine kinase inhibitors",
        ),
    ),
    Concept(
        "alk_inhibitor",
        "ALK inhibitor",
        ("crizotinib", "ceritinib", "alectinib", "brigatinib", "lorlatinib", "ensartinib"),
        atc=("L01ED",),
        sources=("WHO ATC L01ED anaplastic lymphoma kinase (ALK) inhibitors",),
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


def _icd_category(system: str | None, code: str | None) -> str | None:
    if not code or System.normalise(system) != System.ICD10:
        return None
    plain = code.strip().upper().replace(".", "")
    return plain[:3] if len(plain) >= 3 else None


def malignancy_kinds(keys: frozenset[str]) -> frozenset[str]:
    """What a condition record is for an "other malignancy" rule: ``malignancy`` and the
    exception classes it falls in (a basal or squamous cell skin carcinoma is a non-melanoma
    skin cancer; a cervical carcinoma in situ is a carcinoma in situ). Empty: not a neoplasm
    the rule looks at."""
    kinds = set(keys) & {"malignancy", *MALIGNANCY_EXCEPTIONS}
    if keys & set(CANCER_SITES):
        kinds.add("malignancy")  # a site-specific cancer (breast cancer by SNOMED CT) is one
    if "skin_basal_squamous_carcinoma" in kinds:
        kinds |= {"nonmelanoma_skin_cancer", "malignancy"}
    if "nonmelanoma_skin_cancer" in kinds:
        kinds.add("malignancy")
    if "cervical_carcinoma_in_situ" in kinds:
        kinds.add("carcinoma_in_situ")
    return frozenset(kinds)


def _sites(keys: frozenset[str], system: str | None, code: str | None) -> frozenset[str]:
    found = {c for k in keys for c in CANCER_SITES.get(k, ())}
    category = _icd_category(system, code)
    if category is not None:
        found.add(category)
    return frozenset(found)


def cancer_relation(
    record: tuple[frozenset[str], str | None, str | None, date | None],
    diagnosis: tuple[frozenset[str], str | None, str | None, date | None] | None,
) -> str:
    """Whether a malignancy record (concept keys, code system, code, onset) is the cancer under
    study (``same``), another cancer (``other``) or cannot be told apart from it (``unclear``).

    Same: the same code in the same system, or the same site-specific concept (both NSCLC)
    diagnosed on the same day. Other: both primary sites known (ICD-10 category, or the site of
    a site-specific concept) and disjoint. Anything else is unclear: a second primary in the
    organ under study, a record named only "cancer", a patient whose cancer under study is not
    recorded — never decided on a guess.
    """
    if diagnosis is None:
        return "unclear"
    keys, system, code, onset = record
    d_keys, d_system, d_code, d_date = diagnosis
    same_code = bool(code and d_code and code.strip().upper() == d_code.strip().upper())
    if same_code and System.normalise(system) == System.normalise(d_system):
        return "same"
    if keys & d_keys & set(CANCER_SITES) and onset is not None and onset == d_date:
        return "same"
    mine, theirs = _sites(keys, system, code), _sites(d_keys, d_system, d_code)
    if mine and theirs and not mine & theirs:
        return "other"
    return "unclear"


# Prednisone-equivalent daily dose: mg of prednisone per mg of each glucocorticoid, as a range
# where published tables disagree, so that a dose near a limit the sources place on either side
# stays unknown. Source: the US prescribing information of prednisolone (DailyMed, "Dosage and
# Administration": 15 mg prednisolone = 75 mg cortisone = 60 mg hydrocortisone = 15 mg
# prednisone = 12 mg methylprednisolone = 12 mg triamcinolone = 2.25 mg dexamethasone = 2.25 mg
# betamethasone; seen quoted at droracle.ai/articles/632347); the ranges' other ends are the
# tables that give dexamethasone 0.75-1 mg and betamethasone 0.6 mg per 5 mg prednisone
# (droracle.ai/articles/632347 and /358919).
PREDNISONE_EQUIVALENT: dict[str, tuple[float, float]] = {
    "prednisone": (1.0, 1.0),
    "prednisolone": (1.0, 1.0),
    "methylprednisolone": (1.25, 1.25),
    "triamcinolone": (1.25, 1.25),
    "hydrocortisone": (0.25, 0.25),
    "cortisone": (0.2, 0.2),
    "dexamethasone": (5.0, 5.0 / 0.75),
    "betamethasone": (5.0 / 0.75, 5.0 / 0.6),
}
_CORTICOSTEROID_ATC = {
    "H02AB01": "betamethasone",
    "H02AB02": "dexamethasone",
    "H02AB04": "methylprednisolone",
    "H02AB06": "prednisolone",
    "H02AB07": "prednisone",
    "H02AB08": "triamcinolone",
    "H02AB09": "hydrocortisone",
    "H02AB10": "cortisone",
}


def prednisone_equivalent(
    name: str | None, system: str | None, code: str | None, mg_per_day: float | None
) -> tuple[float, float] | None:
    """The prednisone-equivalent daily dose (low, high) of a glucocorticoid record, or None
    when its dose or its drug is not known (an ATC code, else the drug name exactly)."""
    if mg_per_day is None:
        return None
    drug = None
    if code and System.normalise(system) == System.ATC:
        drug = _CORTICOSTEROID_ATC.get(code.strip().upper())
    if drug is None and name:
        folded = name.strip().casefold()
        drug = folded if folded in PREDNISONE_EQUIVALENT else None
    if drug is None:
        return None
    low, high = PREDNISONE_EQUIVALENT[drug]
    return mg_per_day * low, mg_per_day * high


# Body sites a radiotherapy criterion names ("previous radiotherapy to the prostate", "in the
# head and neck region", "prior abdominopelvic radiotherapy"): key -> (names, the site it lies
# in, its region). Matched by name only: no SNOMED CT body-structure code was confirmed by a
# public source yet. A site lies in its parent; sites of different regions are apart; anything
# else (a pelvic field against a prostate criterion) cannot be told from the site alone.
BODY_SITES: dict[str, tuple[tuple[str, ...], str | None, str]] = {
    "head_and_neck": (
        ("head and neck", "head and neck region", "head & neck"),
        None,
        "head_and_neck",
    ),
    "oral_cavity": (("oral cavity", "mouth"), "head_and_neck", "head_and_neck"),
    "pharynx": (
        ("pharynx", "oropharynx", "hypopharynx", "nasopharynx"),
        "head_and_neck",
        "head_and_neck",
    ),
    "larynx": (("larynx",), "head_and_neck", "head_and_neck"),
    "thorax": (("thorax", "chest", "thoracic"), None, "thorax"),
    "lung": (("lung", "lungs"), "thorax", "thorax"),
    "mediastinum": (("mediastinum",), "thorax", "thorax"),
    "abdomen_pelvis": (("abdomen and pelvis", "abdominopelvic"), None, "abdomen_pelvis"),
    "abdomen": (("abdomen", "abdominal"), "abdomen_pelvis", "abdomen_pelvis"),
    "pelvis": (("pelvis", "pelvic"), "abdomen_pelvis", "abdomen_pelvis"),
    "prostate": (("prostate", "prostate bed", "prostatic"), "pelvis", "abdomen_pelvis"),
}


# SNOMED CT body structures of procedure records (FHIR Procedure.bodySite), each where it was
# seen with its name
BODY_SITE_SNOMED: dict[str, str] = {
    # HL7/codex-radiation-therapy input/pagecontent/Procedure-RadiotherapyCourseSummary-
    # XRTS-03-22B-01-Prostate-1P-3V-notes.md at 9879a75979c1936f90c6fcb80242d1acb3c0958a:
    # bodySite 41216001 "Prostatic structure (body structure)"
    "41216001": "prostate",
}


def site_key(text: str | None) -> str | None:
    """The body site a record's or criterion's words name, or None when not known."""
    if not text:
        return None
    folded = " ".join(text.casefold().replace("_", " ").split())
    for key, (names, _, _) in BODY_SITES.items():
        if folded == key.replace("_", " ") or folded in names:
            return key
    return None


def site_relation(wanted: str, site: str | None) -> str:
    """``within`` (the record's site lies in the wanted one), ``apart`` (another region) or
    ``unclear`` (no site, a site oncotrial does not know, or an overlap it cannot judge)."""
    if site is None or site not in BODY_SITES:
        return "unclear"
    key: str | None = site
    while key is not None:
        if key == wanted:
            return "within"
        key = BODY_SITES[key][1]
    return "apart" if BODY_SITES[site][2] != BODY_SITES[wanted][2] else "unclear"
