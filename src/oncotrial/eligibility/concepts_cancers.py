"""The primary cancers a trial's diagnosis criterion names, and how a patient's recorded cancer
decides it (issue 12 item 3).

Each cancer is a condition concept (matched in records by key, ICD-10 category or name) with its
primary sites, the WHO ICD-10 2019 categories of chapter II that hold it. The sites decide what
a record says about a diagnosis rule:

- the record is the cancer (or a narrower one: a record of hepatocellular carcinoma is a liver
  cancer) → met;
- the record is a cancer whose sites are all outside the rule's ("colon cancer" for an NSCLC
  trial), or a sibling of the same organ that excludes it (small cell against non-small cell
  lung cancer) → not met;
- anything else → unknown: a broader record ("lung cancer", ICD-10 C34.1, for an NSCLC trial)
  cannot tell whether the patient has the cancer the trial asks for, and is never a refusal.

ICD-10 categories are WHO ICD-10 2019 (chapter II, C00-C97). No SNOMED CT code is given here
unless a public source was cited for it: these concepts match records by key, ICD-10 and name.
"""

from __future__ import annotations

from functools import cache

from oncotrial.eligibility.concept_model import Concept

__all__ = [
    "CANCER_CLASS_SITES",
    "CANCER_EXCLUSIVE",
    "CANCER_IMPLIED",
    "CANCER_SITES",
    "DIAGNOSIS_SUBTYPE_NAMES",
    "PRIMARY_CANCERS",
    "contradicting_cancers",
]

_ICD = "WHO ICD-10 2019 chapter II: {}"
_NO_SNOMED = "no SNOMED CT code confirmed by a public source yet: ICD-10 and names only"


def _cancer(
    key: str, name: str, names: tuple[str, ...], icd10: tuple[str, ...], cited: str
) -> Concept:
    return Concept(key, name, names, icd10=icd10, sources=(_ICD.format(cited),), note=_NO_SNOMED)


PRIMARY_CANCERS: tuple[Concept, ...] = (
    _cancer(
        "melanoma",
        "Melanoma",
        ("melanoma", "malignant melanoma", "cutaneous melanoma", "melanoma of skin"),
        ("C43",),
        "C43 'Malignant melanoma of skin' (uveal melanoma is coded at the eye, C69)",
    ),
    _cancer(
        "kidney_cancer",
        "Kidney cancer",
        ("kidney cancer", "renal cancer", "malignant neoplasm of kidney"),
        ("C64",),
        "C64 'Malignant neoplasm of kidney, except renal pelvis'",
    ),
    _cancer(
        "renal_cell_carcinoma",
        "Renal cell carcinoma",
        ("renal cell carcinoma", "renal cell cancer", "RCC"),
        (),
        "C64 holds it with other kidney cancers (Wilms tumour): no category of its own",
    ),
    _cancer(
        "liver_cancer",
        "Liver cancer",
        ("liver cancer", "primary liver cancer", "malignant neoplasm of liver"),
        ("C22",),
        "C22 'Malignant neoplasm of liver and intrahepatic bile ducts'",
    ),
    _cancer(
        "hepatocellular_carcinoma",
        "Hepatocellular carcinoma",
        ("hepatocellular carcinoma", "HCC", "liver cell carcinoma", "hepatocellular cancer"),
        ("C22.0",),
        "C22.0 'Liver cell carcinoma'",
    ),
    _cancer(
        "biliary_tract_cancer",
        "Biliary tract cancer",
        (
            "biliary tract cancer",
            "biliary cancer",
            "cholangiocarcinoma",
            "bile duct cancer",
            "gallbladder cancer",
        ),
        ("C22.1", "C23", "C24"),
        "C22.1 'Intrahepatic bile duct carcinoma', C23 gallbladder, C24 other biliary tract",
    ),
    _cancer(
        "colorectal_cancer",
        "Colorectal cancer",
        ("colorectal cancer", "colorectal carcinoma", "CRC"),
        ("C18", "C19", "C20"),
        "C18 colon, C19 rectosigmoid junction, C20 rectum",
    ),
    _cancer(
        "rectal_cancer",
        "Rectal cancer",
        ("rectal cancer", "rectal carcinoma", "cancer of the rectum"),
        ("C20",),
        "C20 'Malignant neoplasm of rectum'",
    ),
    _cancer(
        "pancreatic_cancer",
        "Pancreatic cancer",
        ("pancreatic cancer", "pancreatic carcinoma", "cancer of the pancreas"),
        ("C25",),
        "C25 'Malignant neoplasm of pancreas'",
    ),
    _cancer(
        "gastric_cancer",
        "Gastric cancer",
        ("gastric cancer", "stomach cancer", "gastric carcinoma"),
        ("C16",),
        "C16 'Malignant neoplasm of stomach'",
    ),
    _cancer(
        "oesophageal_cancer",
        "Oesophageal cancer",
        ("esophageal cancer", "oesophageal cancer", "esophageal carcinoma"),
        ("C15",),
        "C15 'Malignant neoplasm of oesophagus'",
    ),
    _cancer(
        "head_and_neck_cancer",
        "Head and neck cancer",
        ("head and neck cancer", "head and neck carcinoma"),
        tuple(f"C{n:02d}" for n in (*range(15), 30, 31, 32)),
        "C00-C14 lip, oral cavity and pharynx, C30-C32 nasal cavity, sinuses and larynx",
    ),
    _cancer(
        "head_and_neck_scc",
        "Squamous cell carcinoma of the head and neck",
        (
            "squamous cell carcinoma of the head and neck",
            "head and neck squamous cell carcinoma",
            "SCCHN",
            "HNSCC",
        ),
        (),
        "C00-C14, C30-C32 by site; no category for the histology",
    ),
    _cancer(
        "thyroid_cancer",
        "Thyroid cancer",
        ("thyroid cancer", "thyroid carcinoma", "malignant neoplasm of thyroid gland"),
        ("C73",),
        "C73 'Malignant neoplasm of thyroid gland'",
    ),
    _cancer(
        "medullary_thyroid_cancer",
        "Medullary thyroid cancer",
        ("medullary thyroid cancer", "medullary thyroid carcinoma", "MTC"),
        (),
        "C73 holds it with the other thyroid cancers",
    ),
    _cancer(
        "cervical_cancer",
        "Cervical cancer",
        (
            "cervical cancer",
            "cervical carcinoma",
            "cancer of the cervix",
            "carcinoma of the cervix",
        ),
        ("C53",),
        "C53 'Malignant neoplasm of cervix uteri' (carcinoma in situ, D06, is not one)",
    ),
    _cancer(
        "ovarian_cancer",
        "Ovarian cancer",
        ("ovarian cancer", "ovarian carcinoma"),
        ("C56",),
        "C56 'Malignant neoplasm of ovary'",
    ),
    _cancer(
        "endometrial_cancer",
        "Endometrial cancer",
        ("endometrial cancer", "endometrial carcinoma"),
        ("C54.1",),
        "C54.1 'Malignant neoplasm of endometrium'",
    ),
    _cancer(
        "bladder_cancer",
        "Bladder cancer",
        ("bladder cancer", "urinary bladder cancer", "bladder carcinoma"),
        ("C67",),
        "C67 'Malignant neoplasm of bladder'",
    ),
    _cancer(
        "urothelial_carcinoma",
        "Urothelial carcinoma",
        ("urothelial carcinoma", "urothelial cancer", "transitional cell carcinoma"),
        (),
        "C65-C68 (renal pelvis, ureter, bladder, other urinary organs) by site",
    ),
    _cancer(
        "glioblastoma",
        "Glioblastoma",
        ("glioblastoma", "glioblastoma multiforme", "GBM"),
        (),
        "C71 'Malignant neoplasm of brain' holds it with other brain tumours",
    ),
    _cancer(
        "mesothelioma",
        "Mesothelioma",
        ("mesothelioma", "malignant mesothelioma"),
        ("C45",),
        "C45 'Mesothelioma'",
    ),
)

# WHO ICD-10 2019 chapter II: C81-C96 'Malignant neoplasms, stated or presumed to be primary, of
# lymphoid, haematopoietic and related tissue'; C00-C75 the primary malignant neoplasms of stated
# sites other than those. C76-C80 (ill-defined, secondary and unspecified sites) and C97
# (independent multiple sites) are neither: a record so coded leaves both classes unknown.
_HAEMATOLOGICAL = frozenset(f"C{n}" for n in range(81, 97))
_SOLID = frozenset(f"C{n:02d}" for n in range(76))

# A haematological malignancy is a cancer of its own sites (C81-C96): a record of one refutes a
# diagnosis rule of any solid cancer, and the reverse. Only the class's own names are read in
# criteria text — never "lymphoma" or "leukaemia", which are narrower.
HAEMATOLOGICAL_MALIGNANCY = Concept(
    "haematological_malignancy",
    "Haematological malignancy",
    (
        "haematological malignancy",
        "hematological malignancy",
        "hematologic malignancy",
        "haematologic malignancy",
        "hematologic cancer",
        "haematological cancer",
    ),
    icd10=tuple(sorted(_HAEMATOLOGICAL)),
    sources=(_ICD.format("C81-C96, lymphoid, haematopoietic and related tissue"),),
    note=_NO_SNOMED,
)

# "Histologically confirmed solid tumour": every site-specific cancer above is one (each implies
# it, CANCER_IMPLIED), and so is a record coded C00-C75; a haematological malignancy is not. It
# has no sites of its own in CANCER_SITES, so that a record's being a solid tumour never makes
# two different cancers look alike (concepts_oncology.cancer_relation compares sites).
SOLID_TUMOUR = Concept(
    "solid_tumour",
    "Solid tumour",
    (
        "solid tumour",
        "solid tumor",
        "solid tumours",
        "solid tumors",
        "solid malignancy",
        "solid malignancies",
        "solid tumor malignancy",
        "solid tumour malignancy",
        # "locally advanced or metastatic solid tumor cancer" (NCT04130516 I2, NCT06607185 I2)
        "solid tumor cancer",
        "solid tumour cancer",
        "solid malignant tumor",
        "solid malignant tumour",
        "solid cancer",
    ),
    icd10=tuple(sorted(_SOLID)),
    sources=(
        _ICD.format(
            "C00-C75, malignant neoplasms of stated sites other than lymphoid and haematopoietic"
        ),
    ),
    note=_NO_SNOMED,
)
PRIMARY_CANCERS = (*PRIMARY_CANCERS, HAEMATOLOGICAL_MALIGNANCY, SOLID_TUMOUR)

# Classes of cancer a diagnosis rule may name, with the sites they hold: read like a cancer, but
# kept out of CANCER_SITES (see SOLID_TUMOUR).
CANCER_CLASS_SITES: dict[str, frozenset[str]] = {"solid_tumour": _SOLID}

_HEAD_AND_NECK = frozenset(f"C{n:02d}" for n in (*range(15), 30, 31, 32))

# The primary sites (ICD-10 categories) of each site-specific cancer concept: two cancers whose
# sites do not meet are different cancers (a record of one is not the other).
CANCER_SITES: dict[str, frozenset[str]] = {
    "lung_cancer": frozenset({"C34"}),
    "skin_cancer": frozenset({"C43", "C44"}),
    "nsclc": frozenset({"C34"}),
    "small_cell_lung_cancer": frozenset({"C34"}),
    "breast_cancer": frozenset({"C50"}),
    "prostate_cancer": frozenset({"C61"}),
    "colon_cancer": frozenset({"C18"}),
    "nonmelanoma_skin_cancer": frozenset({"C44"}),
    # melanoma arises in the skin and the eye; a mucosal melanoma coded at its organ is rare
    # enough that a record naming that organ's cancer is read as that cancer
    "melanoma": frozenset({"C43", "C69"}),
    "kidney_cancer": frozenset({"C64"}),
    "renal_cell_carcinoma": frozenset({"C64"}),
    "liver_cancer": frozenset({"C22"}),
    "hepatocellular_carcinoma": frozenset({"C22"}),
    "biliary_tract_cancer": frozenset({"C22", "C23", "C24"}),
    "colorectal_cancer": frozenset({"C18", "C19", "C20"}),
    "rectal_cancer": frozenset({"C20"}),
    "pancreatic_cancer": frozenset({"C25"}),
    "gastric_cancer": frozenset({"C16"}),
    "oesophageal_cancer": frozenset({"C15"}),
    "head_and_neck_cancer": _HEAD_AND_NECK,
    "head_and_neck_scc": _HEAD_AND_NECK,
    "thyroid_cancer": frozenset({"C73"}),
    "medullary_thyroid_cancer": frozenset({"C73"}),
    "cervical_cancer": frozenset({"C53"}),
    "ovarian_cancer": frozenset({"C56"}),
    "endometrial_cancer": frozenset({"C54"}),
    "bladder_cancer": frozenset({"C67"}),
    "urothelial_carcinoma": frozenset({"C65", "C66", "C67", "C68"}),
    "glioblastoma": frozenset({"C71"}),
    "mesothelioma": frozenset({"C45"}),
    "haematological_malignancy": _HAEMATOLOGICAL,
}

# A site-specific cancer is also a cancer of its organ: "history of lung cancer" counts an NSCLC.
CANCER_IMPLIED: dict[str, tuple[str, ...]] = {
    "nsclc": ("lung_cancer",),
    "small_cell_lung_cancer": ("lung_cancer",),
    "nonmelanoma_skin_cancer": ("skin_cancer",),
    "skin_basal_squamous_carcinoma": ("nonmelanoma_skin_cancer", "skin_cancer"),
    "renal_cell_carcinoma": ("kidney_cancer",),
    "hepatocellular_carcinoma": ("liver_cancer",),
    "colon_cancer": ("colorectal_cancer",),
    "rectal_cancer": ("colorectal_cancer",),
    "head_and_neck_scc": ("head_and_neck_cancer",),
    "medullary_thyroid_cancer": ("thyroid_cancer",),
}
# every site-specific cancer above is a solid tumour (its sites are within C00-C75)
CANCER_IMPLIED = {
    key: (*CANCER_IMPLIED.get(key, ()), "solid_tumour")
    for key in {*CANCER_SITES, *CANCER_IMPLIED} - {"haematological_malignancy"}
}
assert all(CANCER_SITES.get(k, _SOLID) <= _SOLID for k in CANCER_IMPLIED)

# Cancers of one organ told apart by histology: a record of one is not the other.
CANCER_EXCLUSIVE: tuple[frozenset[str], ...] = (
    frozenset({"nsclc", "small_cell_lung_cancer"}),
    frozenset({"hepatocellular_carcinoma", "biliary_tract_cancer"}),
    frozenset({"melanoma", "nonmelanoma_skin_cancer"}),
)


def _broader(condition: str) -> frozenset[str]:
    """The concepts a record of ``condition`` is also (its organ's cancer, transitively)."""
    found: set[str] = set()
    todo = list(CANCER_IMPLIED.get(condition, ()))
    while todo:
        key = todo.pop()
        if key not in found:
            found.add(key)
            todo.extend(CANCER_IMPLIED.get(key, ()))
    return frozenset(found)


@cache  # a fact of the vocabulary, asked per patient and rule by the screen
def contradicting_cancers(condition: str) -> frozenset[str]:
    """The cancer concepts a record may hold that tell it is *not* ``condition``: cancers of
    other sites only, or a histological sibling — never the condition itself, a narrower or a
    broader cancer. Empty for a condition without declared sites (a record never refutes it)."""
    sites = CANCER_SITES.get(condition) or CANCER_CLASS_SITES.get(condition)
    if not sites:
        return frozenset()
    siblings = {k for group in CANCER_EXCLUSIVE if condition in group for k in group}
    broader = _broader(condition)
    return frozenset(
        key
        for key, where in CANCER_SITES.items()
        if key != condition
        and key not in broader
        and condition not in _broader(key)
        and (not where & sites or key in siblings)
    )


# Names of a concept that are narrower than it: a record so named is that cancer, but a criterion
# so worded asks for the subtype ("lung adenocarcinoma" is an NSCLC; an NSCLC is not always one),
# so the diagnosis reader never reads them as the concept.
DIAGNOSIS_SUBTYPE_NAMES = frozenset(
    {"lung adenocarcinoma", "squamous cell carcinoma of lung", "lung squamous cell carcinoma"}
)
