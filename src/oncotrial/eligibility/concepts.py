"""Named clinical concepts that rules refer to: conditions, therapy classes, procedures, markers.

A rule names a concept by key (``liver_metastases``, ``immune_checkpoint_inhibitor``); a patient
record matches it by the concept key itself, by a code (SNOMED CT, ICD-10 prefix, ATC prefix,
CVX), or by one of the listed names written exactly (case and surrounding spaces ignored). Free
text is never searched for words: "no liver metastases" must not match ``liver_metastases``.

Sources: SNOMED CT International (concept ids), ICD-10 WHO 2019 (category codes; a code matches
a listed category and its subcodes), WHO ATC/DDD index 2024 (L01FF PD-1/PD-L1 inhibitors, L01FX04
ipilimumab, L01XA platinum compounds, B01A antithrombotics, L03AA colony stimulating factors,
B05AA01 albumin, J01/J02/J04/J05 systemic anti-infectives), CDC CVX codes for live vaccines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from oncotrial.eligibility.concept_model import Concept, System
from oncotrial.eligibility.concepts_cardiac import CARDIAC_CONDITIONS
from oncotrial.eligibility.concepts_drug_classes import class_concepts
from oncotrial.eligibility.concepts_drugs import (
    DRUG_CLASSES,
    DRUGS,
    OTHER_MEMBERS,
    broader,
    members,
    members_of_any,
    unspecified,
)
from oncotrial.eligibility.concepts_effusions import EFFUSIONS
from oncotrial.eligibility.concepts_immune import (
    IMMUNE_CONDITIONS,
    IMMUNE_OTHER_USES,
    IMMUNE_UNCLEAR,
    IMMUNOSUPPRESSANTS,
)
from oncotrial.eligibility.concepts_infection import (
    INFECTION,
    INFECTION_UNCLEAR,
    infection_by_name,
)
from oncotrial.eligibility.concepts_medications import (
    MEDICATION_CLASSES,
    OTHER_USES,
    other_uses,
)
from oncotrial.eligibility.concepts_oncology import (
    CANCER_IMPLIED,
    ONCOLOGY_CONDITIONS,
    ONCOLOGY_THERAPIES,
)
from oncotrial.eligibility.concepts_regimens import code_markers, lookup
from oncotrial.eligibility.concepts_washout import WASHOUT_THERAPIES
from oncotrial.errors import DictionaryError

__all__ = [
    "BIOMARKERS",
    "CONDITIONS",
    "DRIVER_ALTERATIONS",
    "PROCEDURES",
    "THERAPIES",
    "UNCLEAR_CONDITIONS",
    "Concept",
    "System",
    "concept",
    "match_concepts",
]


_BY_NAME = "matched by name only: no SNOMED CT code confirmed by a public source yet"
_SK_FHIR = (
    "tecnomod-um/SK-FHIR-IG input/fsh/condition.fsh at 075d74778ab4a63e02b9508380fd02d395555230 "
    "(RES-Q stroke registry FHIR IG value sets)"
)


def _index(items: Iterable[Concept]) -> dict[str, Concept]:
    return {c.key: c for c in items}


CONDITIONS = _index(
    (
        Concept(
            "nsclc",
            "Non-small cell lung cancer",
            (
                "non-small cell lung cancer",
                "non small cell lung cancer",
                "NSCLC",
                "non-small cell lung carcinoma",
                "lung adenocarcinoma",
                "squamous cell carcinoma of lung",
                "lung squamous cell carcinoma",
            ),
            snomed=("254637007",),
        ),
        Concept(
            "liver_metastases",
            "Liver metastases",
            (
                "liver metastasis",
                "hepatic metastases",
                "hepatic metastasis",
                "secondary malignant neoplasm of liver",
            ),
            snomed=("94381002",),
            icd10=("C78.7",),
        ),
        Concept(
            "bone_metastases",
            "Bone metastases",
            (
                "bone metastasis",
                "bone metastases",
                "osseous metastases",
                "secondary malignant neoplasm of bone",
            ),
            snomed=("94222008",),
            # WHO ICD-10 C79.5 is "bone and bone marrow" (ICD-10-CM splits C79.51 bone, C79.52
            # marrow); the concept is only the condition under which a record allows a higher
            # alkaline phosphatase ("ALP ≤ 5 × ULN with documented bone metastases"), so a code
            # that cannot tell them apart counts rather than exclude a patient wrongly
            icd10=("C79.5",),
            sources=(
                "SNOMED CT 94222008 Secondary malignant neoplasm of bone; ICD-10 (WHO 2019) C79.5",
            ),
        ),
        Concept(
            "gilbert_syndrome",
            "Gilbert's syndrome",
            ("gilbert syndrome", "gilbert's disease", "gilberts syndrome"),
            snomed=("27503000",),
            icd10=("E80.4",),
        ),
        Concept(
            "myocardial_infarction",
            "Myocardial infarction",
            ("acute myocardial infarction", "heart attack", "MI"),
            snomed=("22298006",),
            icd10=("I21", "I22"),
        ),
        # The arterial and venous events anti-angiogenic trials exclude within a window
        # ("myocardial infarction, stroke, or unstable angina within 6 months").
        Concept(
            "stroke",
            "Stroke (cerebrovascular accident)",
            (
                "cerebrovascular accident",
                "CVA",
                "ischaemic stroke",
                "ischemic stroke",
                "cerebral infarction",
                "cerebral haemorrhage",
                "cerebral hemorrhage",
            ),
            snomed=("230690007", "422504002", "274100004"),
            icd10=("I61", "I63", "I64"),
            sources=(
                _SK_FHIR + ": 230690007 Cerebrovascular accident, 422504002 Ischemic stroke, "
                "274100004 Cerebral hemorrhage",
                "ICD-10 I61 'Intracerebral haemorrhage', I63 'Cerebral infarction', I64 "
                "'Stroke, not specified as haemorrhage or infarction' (WHO)",
            ),
        ),
        Concept(
            "transient_ischaemic_attack",
            "Transient ischaemic attack",
            ("transient ischemic attack", "TIA", "transient cerebral ischaemia"),
            snomed=("266257000",),
            icd10=("G45",),
            sources=(
                _SK_FHIR + ": 266257000 Transient ischemic attack",
                "ICD-10 G45 'Transient cerebral ischaemic attacks and related syndromes' (WHO)",
            ),
        ),
        # "History of stroke or intracranial hemorrhage within 6 months" (NCT06790602 E5): the
        # haemorrhages inside the skull, subarachnoid and subdural ones among them, which the
        # stroke concept's codes (I61, I63, I64) do not all hold
        Concept(
            "intracranial_haemorrhage",
            "Intracranial haemorrhage",
            (
                "intracranial hemorrhage",
                "intracranial bleeding",
                "subarachnoid haemorrhage",
                "subarachnoid hemorrhage",
                "intracerebral haemorrhage",
                "intracerebral hemorrhage",
                "cerebral haemorrhage",
                "cerebral hemorrhage",
            ),
            snomed=("1386000", "21454007", "274100004"),
            icd10=("I60", "I61", "I62"),
            sources=(
                "tecnomod-um/SK-FHIR-IG input/pagecontent/valuesets-SpecificFindingCodesVS.md at "
                "79634d695cd0af297466e3c14af29a00ee2409b7: 1386000 Intracranial hemorrhage",
                _SK_FHIR + ": 21454007 Subarachnoid intracranial hemorrhage, 274100004 Cerebral "
                "hemorrhage",
                "ICD-10 I60 'Subarachnoid haemorrhage', I61 'Intracerebral haemorrhage', I62 "
                "'Other nontraumatic intracranial haemorrhage' (WHO)",
            ),
            note="a traumatic haemorrhage (ICD-10 S06) is matched by name only",
        ),
        # "HIV-infected participants with a history of Kaposi's sarcoma and/or Multicentric
        # Castleman's Disease" (the Merck template, NCT04317534 E15)
        Concept(
            "kaposi_sarcoma",
            "Kaposi sarcoma",
            ("Kaposi's sarcoma", "Kaposi sarcoma", "Kaposis sarcoma"),
            icd10=("C46",),
            sources=("ICD-10 C46 'Kaposi sarcoma' (WHO), all its sites (C46.0-C46.9)",),
            note="no SNOMED CT code confirmed by a public source yet: matched by ICD-10 and name",
        ),
        Concept(
            "multicentric_castleman_disease",
            "Multicentric Castleman disease",
            (
                "multicentric Castleman's disease",
                "multicentric Castleman disease",
                "HHV-8-associated multicentric Castleman disease",
                "idiopathic multicentric Castleman disease",
            ),
            note=(
                "matched by name only: ICD-10-CM D47.Z2 is Castleman disease of any kind "
                "(unicentric as well), so a D47.Z2 record is not this concept, and no SNOMED CT "
                "code for the multicentric kind was confirmed by a public source yet"
            ),
        ),
        Concept(
            "unstable_angina",
            "Unstable angina",
            ("unstable angina pectoris",),
            icd10=("I20.0",),
            sources=("ICD-10 I20.0 'Unstable angina' (WHO)",),
            note=_BY_NAME,
        ),
        Concept(
            "pulmonary_embolism",
            "Pulmonary embolism",
            ("pulmonary thromboembolism", "PE"),
            icd10=("I26",),
            sources=("ICD-10 I26 'Pulmonary embolism' (WHO)",),
            note=_BY_NAME,
        ),
        Concept(
            "venous_thromboembolism",
            "Venous thromboembolism",
            ("venous thromboembolism", "VTE", "venous thrombosis", "venous thromboembolic event"),
            icd10=("I26", "I82"),
            sources=(
                "ICD-10 I26 'Pulmonary embolism', I82 'Other venous embolism and thrombosis' "
                "(WHO); a deep vein thrombosis or pulmonary embolism record is one "
                "(CONDITION_IMPLIED)",
            ),
            note=_BY_NAME,
        ),
        Concept(
            "gi_perforation",
            "Gastrointestinal perforation",
            (
                "gastrointestinal perforation",
                "GI perforation",
                "bowel perforation",
                "intestinal perforation",
            ),
            icd10=("K63.1",),
            sources=("ICD-10 K63.1 'Perforation of intestine (nontraumatic)' (WHO)",),
            note=_BY_NAME,
        ),
        Concept(
            "abdominal_fistula",
            "Abdominal or gastrointestinal fistula",
            ("abdominal fistula", "gastrointestinal fistula", "GI fistula", "intestinal fistula"),
            icd10=("K63.2",),
            sources=("ICD-10 K63.2 'Fistula of intestine' (WHO)",),
            note=_BY_NAME,
        ),
        Concept(
            "intra_abdominal_abscess",
            "Intra-abdominal abscess",
            ("intra-abdominal abscess", "intraabdominal abscess", "abdominal abscess"),
            note="no code confirmed by a public source yet: matched by name only",
        ),
        Concept(
            "interstitial_lung_disease",
            "Interstitial lung disease",
            ("ILD", "pulmonary fibrosis"),
            snomed=("233703007",),
            icd10=("J84",),
        ),
        Concept(
            "hiv",
            "HIV infection",
            ("human immunodeficiency virus infection", "HIV"),
            snomed=("86406008",),
            icd10=("B20", "B21", "B22", "B23", "B24", "Z21"),
        ),
        Concept(
            "hepatitis_b",
            "Hepatitis B",
            ("viral hepatitis type B", "chronic hepatitis B", "HBV infection"),
            snomed=("66071002",),
            icd10=("B16", "B18.0", "B18.1"),
        ),
        Concept(
            "hepatitis_c",
            "Hepatitis C",
            ("viral hepatitis type C", "chronic hepatitis C", "HCV infection"),
            snomed=("50711007",),
            icd10=("B17.1", "B18.2"),
        ),
        Concept(
            "deep_vein_thrombosis",
            "Deep vein thrombosis",
            ("DVT", "deep venous thrombosis"),
            snomed=("128053003",),
            icd10=("I80.2", "I82.4"),
        ),
        Concept(
            "ground_glass_nodule",
            "Ground-glass nodule",
            ("ground glass nodule", "GGN", "ground-glass opacity", "GGO"),
        ),
        *ONCOLOGY_CONDITIONS,
        *IMMUNE_CONDITIONS,
        INFECTION,
        *EFFUSIONS,
        *CARDIAC_CONDITIONS,
    )
)

# The antibodies of each class, by INN, once (WHO ATC L01FF, L01FX04, L01FX20): the drugs with
# a concept of their own and the others (concepts_drugs); cadonilimab, a PD-1 × CTLA-4
# bispecific, is in both.
_PD1_PDL1 = (*members("pd1_pdl1_inhibitor"), *OTHER_MEMBERS["pd1_pdl1_inhibitor"])
_CTLA4 = (*members("ctla4_inhibitor"), *OTHER_MEMBERS["ctla4_inhibitor"])

THERAPIES = _index(
    (
        Concept(
            "immune_checkpoint_inhibitor",
            "Immune checkpoint inhibitor (anti-PD-1, anti-PD-L1, anti-CTLA-4)",
            tuple(dict.fromkeys(_PD1_PDL1 + _CTLA4)),
            atc=("L01FF", "L01FX04", "L01FX20"),
        ),
        # Issue 12: "no prior anti-PD-1 or anti-PD-L1" says nothing of ipilimumab; the two
        # classes are kept apart, the union above stays for "immune checkpoint inhibitors".
        # Cadonilimab (PD-1 × CTLA-4 bispecific) is in both.
        Concept(
            "pd1_pdl1_inhibitor",
            "Anti-PD-1 or anti-PD-L1 antibody",
            _PD1_PDL1,
            atc=("L01FF",),
            sources=(
                "WHO ATC L01FF PD-1/PDL-1 (programmed cell death protein 1/death ligand 1) "
                "inhibitors",
            ),
        ),
        Concept(
            "ctla4_inhibitor",
            "Anti-CTLA-4 antibody",
            _CTLA4,
            atc=("L01FX04", "L01FX20"),
            sources=("WHO ATC L01FX04 ipilimumab, L01FX20 tremelimumab",),
        ),
        Concept(
            "platinum_chemotherapy",
            "Platinum-based chemotherapy",
            (*members("platinum_chemotherapy"), *OTHER_MEMBERS["platinum_chemotherapy"]),
            atc=("L01XA",),
        ),
        Concept(
            "live_vaccine",
            "Live or live-attenuated vaccine",
            (
                "measles mumps rubella vaccine",
                "MMR vaccine",
                "MMRV vaccine",
                "varicella vaccine",
                "zoster vaccine live",
                "yellow fever vaccine",
                "BCG vaccine",
                "oral typhoid vaccine",
                "live attenuated influenza vaccine",
                "LAIV",
                "FluMist",
                "rotavirus vaccine",
                "oral polio vaccine",
            ),
            cvx=(
                "03",
                "04",
                "05",
                "06",
                "07",
                "19",
                "21",
                "25",
                "37",
                "38",
                "94",
                "111",
                "116",
                "119",
                "121",
                "122",
                "149",
                "02",
            ),
        ),
        Concept(
            "antiplatelet",
            "Antiplatelet therapy",
            ("aspirin", "clopidogrel", "ticagrelor", "prasugrel", "dipyridamole", "cilostazol"),
            atc=("B01AC",),
        ),
        Concept(
            "colony_stimulating_factor",
            "Colony-stimulating factor",
            ("filgrastim", "pegfilgrastim", "lenograstim", "sargramostim", "G-CSF", "GM-CSF"),
            atc=("L03AA",),
        ),
        Concept(
            "thrombopoietin",
            "Thrombopoietin or thrombopoietin receptor agonist",
            (
                "romiplostim",
                "eltrombopag",
                "avatrombopag",
                "hetrombopag",
                "recombinant human thrombopoietin",
                "rhTPO",
            ),
            atc=("B02BX04", "B02BX05", "B02BX08"),
        ),
        Concept(
            "albumin_infusion", "Albumin infusion", ("human albumin", "albumin"), atc=("B05AA01",)
        ),
        Concept(
            "systemic_antimicrobial",
            "Systemic antimicrobial therapy",
            (),
            atc=("J01", "J02", "J04", "J05"),
        ),
        *MEDICATION_CLASSES,
        IMMUNOSUPPRESSANTS,
        *ONCOLOGY_THERAPIES,
        *class_concepts(members),
        *WASHOUT_THERAPIES,
        *DRUGS,
    )
)

PROCEDURES = _index(
    (
        Concept("major_surgery", "Major surgery", ("major surgical procedure",)),
        Concept("surgery", "Surgery", ("surgical procedure", "operation"), snomed=("387713003",)),
        Concept(
            "radical_radiotherapy",
            "Radical radiotherapy",
            ("radical radiation therapy", "definitive radiotherapy", "SBRT", "SABR"),
        ),
        Concept("radiotherapy", "Radiotherapy", ("radiation therapy",), snomed=("108290001",)),
        Concept(
            "transfusion",
            "Blood transfusion",
            ("red cell transfusion", "platelet transfusion", "transfusion of blood product"),
            snomed=("116859006",),
        ),
        Concept(
            "organ_transplant",
            "Organ or bone marrow transplantation",
            ("bone marrow transplantation", "stem cell transplantation", "organ transplantation"),
        ),
        # Issue 12: "prior allogeneic stem cell transplantation" is not any transplant (an
        # autologous transplant is not allogeneic). Matched by name: no SNOMED CT code was
        # confirmed by a public source for these yet.
        Concept(
            "allogeneic_hsct",
            "Allogeneic haematopoietic stem cell transplantation",
            (
                "allogeneic stem cell transplantation",
                "allogeneic hematopoietic stem cell transplantation",
                "allogeneic haematopoietic stem cell transplantation",
                "allogeneic bone marrow transplantation",
                "allogeneic HSCT",
                "allo-HSCT",
                "allogeneic stem cell transplant",
            ),
            note=_BY_NAME,
        ),
        Concept(
            "autologous_hsct",
            "Autologous haematopoietic stem cell transplantation",
            (
                "autologous stem cell transplantation",
                "autologous hematopoietic stem cell transplantation",
                "autologous haematopoietic stem cell transplantation",
                "autologous bone marrow transplantation",
                "autologous HSCT",
                "ASCT",
                "autologous stem cell transplant",
            ),
            note=_BY_NAME,
        ),
        Concept(
            "hsct",
            "Haematopoietic stem cell transplantation (allogeneic or autologous)",
            (
                "stem cell transplantation",
                "hematopoietic stem cell transplantation",
                "haematopoietic stem cell transplantation",
                "bone marrow transplantation",
                "HSCT",
                "BMT",
            ),
            note=_BY_NAME,
        ),
        # A stem cell transplantation record that says neither allogeneic nor autologous: a
        # rule on one kind is unknown on it (added by match_concepts, never named by a record).
        Concept("hsct_unspecified", "Stem cell transplantation of unrecorded kind", ()),
        # Merck's template: "Has had an allogenic tissue/solid organ transplant" (40 items of the
        # development records, jwlieb/clinical-trial-agent data/demo @387df17) — any graft from
        # a donor: an allogeneic stem cell transplant and a solid organ transplant are among them
        # (IMPLIED), and so are the tissue grafts named here. A transplant whose kind a record
        # does not give (a stem cell transplant, an "organ transplantation") may be one: a rule
        # on it is unknown there (transplant_unspecified), never not met.
        Concept(
            "allogeneic_tissue_transplant",
            "Allogeneic tissue or solid organ transplantation",
            (
                "allogeneic tissue transplantation",
                "allogeneic transplantation",
                "allogeneic transplant",
                "allotransplantation",
                "allograft",
                "homograft",
                "corneal transplantation",
                "corneal transplant",
                "keratoplasty",
                "islet transplantation",
                "composite tissue allotransplantation",
            ),
            note=_BY_NAME,
        ),
        Concept("transplant_unspecified", "Transplantation of unrecorded kind", ()),
        Concept(
            "solid_organ_transplant",
            "Solid organ transplantation",
            (
                "solid organ transplantation",
                "kidney transplantation",
                "renal transplantation",
                "liver transplantation",
                "heart transplantation",
                "lung transplantation",
                "pancreas transplantation",
            ),
            note=_BY_NAME,
        ),
    )
)

# Procedures that are also the more general kind: a radical radiotherapy is a radiotherapy.
# A narrower condition is also the broader one: "history of lung cancer" counts an NSCLC, and
# "venous thromboembolism" a deep vein thrombosis or a pulmonary embolism.
CONDITION_IMPLIED: dict[str, tuple[str, ...]] = {
    **CANCER_IMPLIED,
    "deep_vein_thrombosis": ("venous_thromboembolism",),
    "pulmonary_embolism": ("venous_thromboembolism",),
    "tuberculosis": ("infection",),  # active tuberculosis disease (concepts_immune)
    "inflammatory_bowel_disease": ("autoimmune_disease",),  # concepts_oncology
}
# A rule on the key is unknown on a record of any of these conditions: whether the criterion's
# words hold them is not said (concepts_immune, concepts_infection).
UNCLEAR_CONDITIONS: dict[str, frozenset[str]] = {**IMMUNE_UNCLEAR, **INFECTION_UNCLEAR}

IMPLIED = {
    "major_surgery": ("surgery",),
    "radical_radiotherapy": ("radiotherapy",),
    "allogeneic_hsct": ("hsct", "organ_transplant", "allogeneic_tissue_transplant"),
    "autologous_hsct": ("hsct", "organ_transplant"),
    "hsct": ("organ_transplant",),
    "solid_organ_transplant": ("organ_transplant", "allogeneic_tissue_transplant"),
}
# A rule on the narrower key is unknown on a record of the broader kind that does not say which.
UNSPECIFIED = {
    "allogeneic_hsct": "hsct_unspecified",
    "autologous_hsct": "hsct_unspecified",
    "allogeneic_tissue_transplant": "transplant_unspecified",
}

BIOMARKERS = _index(
    (
        Concept("EGFR", "EGFR sensitising mutation", ("EGFR mutation",)),
        Concept("ALK", "ALK rearrangement", ("ALK fusion", "ALK rearrangement")),
        Concept("ROS1", "ROS1 rearrangement", ("ROS1 fusion", "ROS1 rearrangement")),
        Concept("KRAS", "KRAS mutation", ()),
        Concept("BRAF", "BRAF V600E mutation", ()),
        Concept("MET", "MET exon 14 skipping", ()),
        Concept("RET", "RET rearrangement", ()),
        Concept("PD-L1", "PD-L1 expression (tumour proportion score)", ("PD-L1 TPS", "PDL1")),
    )
)
# The alteration a driver concept is read as in criteria text ("Known EGFR mutation or ALK
# rearrangement", reading_driver_markers). BRAF (the concept is V600E alone), RET ("RET mutation"
# is not its rearrangement) and MET (exon 14 skipping, not amplification) are left out: their
# concepts are narrower than the words records use for them.
DRIVER_ALTERATIONS: dict[str, str] = {
    "EGFR": "mutation",
    "KRAS": "mutation",
    "ALK": "rearrangement",
    "ROS1": "rearrangement",
}

_TABLES = {
    "condition": CONDITIONS,
    "therapy": THERAPIES,
    "procedure": PROCEDURES,
    "biomarker": BIOMARKERS,
}


def concept(table: str, key: str) -> Concept:
    """The concept ``key`` of ``table`` (condition, therapy, procedure, biomarker)."""
    items = _TABLES[table]
    try:
        return items[key]
    except KeyError:
        raise DictionaryError(
            f"unknown {table} {key!r}", hint=f"Use one of: {', '.join(sorted(items))}."
        ) from None


def match_concepts(
    table: str,
    *,
    keys: Iterable[str] = (),
    codes: Iterable[tuple[str | None, str | None]] = (),
    names: Iterable[str | None] = (),
) -> frozenset[str]:
    """The keys of every concept of ``table`` that a record's keys, codes or names match."""
    items = _TABLES[table]
    found: set[str] = set()
    for key in keys:
        if key in items:
            found.add(key)
    codes = tuple(codes)
    names = tuple(names)
    markers: set[str] = set()
    if table == "therapy":
        read = [_read_name(n) for n in names if n]
        names = tuple(n for r in read for n in r[0])
        markers = {m for r in read for m in r[1]}
        markers |= {m for system, code in codes for m in code_markers(system, code)}
    for item in items.values():
        if any(item.matches_code(system, code) for system, code in codes) or any(
            item.matches_name(name) for name in names
        ):
            found.add(item.key)
    if table == "procedure":
        for key in list(found):
            found.update(IMPLIED.get(key, ()))
        if "hsct" in found and not found & {"allogeneic_hsct", "autologous_hsct"}:
            found.add("hsct_unspecified")
        if "organ_transplant" in found and not found & {
            "allogeneic_tissue_transplant",
            "autologous_hsct",
        }:
            found.add("transplant_unspecified")
    if table == "condition":
        for key in list(found):
            found.update(CONDITION_IMPLIED.get(key, ()))
        if "infection" not in found and infection_by_name(names, found):
            found.add("infection")
    if table == "therapy":
        found |= _drug_classes(found, codes, names) | markers
        # lamivudine is given for HIV or hepatitis B: a rule on antiretrovirals is unknown on it
        found |= {
            other_uses(klass)
            for item, klass in (*OTHER_USES, *IMMUNE_OTHER_USES)
            if any(item.matches_code(s, c) for s, c in codes)
            or any(item.matches_name(n) for n in names)
        }
    return frozenset(found)


# The members of each class that have no concept of their own, as a concept to match names with.
_OTHERS = {k: Concept("", "", names) for k, names in OTHER_MEMBERS.items()}


def _drug_classes(
    found: set[str], codes: tuple[tuple[str | None, str | None], ...], names: tuple[str | None, ...]
) -> set[str]:
    """A drug record's classes (a record of bevacizumab is a VEGF inhibitor), a class record's
    wider classes (an anti-PD-1 antibody is an immune checkpoint inhibitor), and for a record
    of a class that names no one drug of it ('chemotherapy', ATC L01FG) the class's
    ``unspecified`` marker, so that a rule on one drug of the class, or on a narrower class
    ('platinum compounds' on 'chemotherapy'), is unknown on it. The marker is the narrowest
    named class's only: a record coded ATC L01XA is a platinum compound, so a rule on
    gemcitabine is not met on it."""
    drugs = found & set(DRUG_CLASSES)
    named = found & set(members_of_any())
    added = {c for d in drugs for c in DRUG_CLASSES[d]} | {b for k in named for b in broader(k)}
    # a full ATC substance code (7 characters) names one drug, maybe one without a concept
    substance = any(
        System.normalise(system) == System.ATC and code is not None and len(code.strip()) == 7
        for system, code in codes
    )
    for klass in named:
        if drugs & set(members(klass)) or substance:
            continue
        if any(klass in broader(other) for other in named):
            continue  # a narrower class is named: its marker says it
        others = _OTHERS.get(klass)
        if others is not None and any(others.matches_name(n) for n in names):
            continue
        added.add(unspecified(klass))
    return added


# Separators of the agents of a combination written out ("FOLFOX/Avastin", "carboplatin +
# pemetrexed", "5-FU and leucovorin", "trastuzumab (Herceptin)").
_AGENTS = re.compile(r"\s*(?:[/+,;&()]|\band\b|\bplus\b|\bwith\b)\s*", re.I)
# A biological product's FDA suffix of four letters ("dostarlimab-gxly", "trastuzumab-dkst"):
# FDA guidance for industry, Nonproprietary Naming of Biological Products (January 2017).
_FDA_SUFFIX = re.compile(r"(?P<stem>.+?)-[a-z]{4}", re.I)


@lru_cache(maxsize=8192)
def _read_name(name: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """A medication record's name as the names concepts match and the markers it carries: the
    name itself when a concept knows it; what it names (a regimen's drugs, a drug of another
    form, a conjugate's marker: concepts_regimens); else each agent of a combination written
    out, a name whose agents are all known hyphenated ("gemcitabine-cisplatin"), or a known
    biologic with its FDA suffix. A name none of that reads is matched as written (by no
    concept: the rule is decided on the other records, as for any drug oncotrial does not
    know)."""
    whole = _whole(name)
    if whole is not None:
        return whole
    agents = [a for a in _AGENTS.split(name) if a.strip()]
    if len(agents) > 1:
        read = [_read_name(a.strip()) for a in agents]
        return tuple(n for r in read for n in r[0]), frozenset(m for r in read for m in r[1])
    suffixed = _FDA_SUFFIX.fullmatch(name.strip())
    if suffixed is not None:
        stem = _whole(suffixed["stem"])
        if stem is not None:
            return stem
    pieces = _hyphenated(tuple(name.strip().split("-")))
    if pieces is not None:
        return tuple(n for p in pieces for n in p[0]), frozenset(m for p in pieces for m in p[1])
    return (name,), frozenset()


def _whole(name: str) -> tuple[tuple[str, ...], frozenset[str]] | None:
    found = lookup(name)
    if found is not None:
        return found.names, found.markers
    if any(item.matches_name(name) for item in THERAPIES.values()):
        return (name,), frozenset()
    return None


def _hyphenated(segments: tuple[str, ...]) -> list[tuple[tuple[str, ...], frozenset[str]]] | None:
    """The known names hyphens join ("5-FU-leucovorin": 5-FU, leucovorin), longest first; None
    unless every piece is known ("ado-trastuzumab" is no trastuzumab)."""
    if len(segments) < 2:
        return None
    for end in range(len(segments), 0, -1):
        head = _whole("-".join(segments[:end]))
        if head is None:
            continue
        if end == len(segments):
            return [head]
        rest = _hyphenated(segments[end:]) if len(segments) - end > 1 else None
        if rest is None and len(segments) - end == 1:
            last = _whole(segments[end])
            rest = None if last is None else [last]
        if rest is not None:
            return [head, *rest]
    return None
