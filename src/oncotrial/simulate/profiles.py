"""The declared clinical data the simulator draws from: sites of disease, AE profiles, labs.

Every table is data with its source, printable for audit. Incidences are per patient over a
typical course (about four months of therapy or one procedure) and are scaled by each patient's
exposure; grades are CTCAE v5.0 grades and every term is a CTCAE v5.0 term (a test checks each
against NCI's dictionary).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from oncotrial.catalogue import labs
from oncotrial.catalogue.labs import LabTest

__all__ = [
    "AE_PROFILES",
    "LABS",
    "ORGANS",
    "AeSpec",
    "Disease",
    "LabSpec",
    "OrganSpec",
    "Profile",
]


class Disease(StrEnum):
    NSCLC_ADVANCED = "advanced non-small cell lung cancer"
    NSCLC_EARLY = "early-stage non-small cell lung cancer"
    CRC_LIVER = "colorectal cancer with liver metastases"


class Profile(StrEnum):
    """Which adverse-event profile an intervention brings."""

    PD1 = "PD-1/PD-L1 inhibitor"
    TKI = "anti-angiogenic tyrosine kinase inhibitor"
    CHEMO = "cytotoxic chemotherapy"
    CRYOABLATION = "percutaneous lung cryoablation"
    RFA = "radiofrequency ablation of liver metastases"
    RADIOTHERAPY = "thoracic radiotherapy"


@dataclass(frozen=True)
class OrganSpec:
    """A site of disease: how often it holds a target lesion, and its usual sizes (mm)."""

    location: str
    weight: float
    node: bool = False
    details: tuple[str, ...] = ()
    lateral: bool = False


# Target-lesion sites, weighted by how often they carry measurable disease (RECIST 1.1: at most
# two targets per organ). Sources: distribution of metastatic sites in NSCLC (Riihimäki et al.,
# Lung Cancer 2014) and in colorectal cancer with liver metastases (Riihimäki et al., Sci Rep 2016).
ORGANS: dict[Disease, tuple[OrganSpec, ...]] = {
    Disease.NSCLC_ADVANCED: (
        OrganSpec("LUNG", 0.42, lateral=True, details=("UPPER LOBE", "LOWER LOBE", "MIDDLE LOBE")),
        OrganSpec(
            "LYMPH NODE",
            0.25,
            node=True,
            details=("MEDIASTINAL", "HILAR", "SUPRACLAVICULAR", "SUBCARINAL"),
        ),
        OrganSpec("LIVER", 0.12),
        OrganSpec("ADRENAL GLAND", 0.10, lateral=True),
        OrganSpec("PLEURA", 0.06, lateral=True),
        OrganSpec("BRAIN", 0.05),
    ),
    Disease.NSCLC_EARLY: (
        OrganSpec("LUNG", 0.75, lateral=True, details=("UPPER LOBE", "LOWER LOBE", "MIDDLE LOBE")),
        OrganSpec("LYMPH NODE", 0.25, node=True, details=("HILAR", "MEDIASTINAL")),
    ),
    Disease.CRC_LIVER: (
        OrganSpec("LIVER", 0.62, details=("RIGHT LOBE", "LEFT LOBE")),
        OrganSpec("LUNG", 0.16, lateral=True),
        OrganSpec("LYMPH NODE", 0.14, node=True, details=("RETROPERITONEAL", "MESENTERIC")),
        OrganSpec("PERITONEUM", 0.08),
    ),
}

# Non-target sites (RECIST 1.1 §3.1.2: bone, effusions, small nodes, further lesions).
NON_TARGET_SITES: dict[Disease, tuple[str, ...]] = {
    Disease.NSCLC_ADVANCED: ("BONE", "PLEURA", "LYMPH NODE", "LUNG", "BRAIN"),
    Disease.NSCLC_EARLY: ("LYMPH NODE", "LUNG"),
    Disease.CRC_LIVER: ("LIVER", "LYMPH NODE", "PERITONEUM", "BONE"),
}

NEW_LESION_SITES: dict[Disease, tuple[str, ...]] = {
    Disease.NSCLC_ADVANCED: ("BRAIN", "BONE", "LIVER", "ADRENAL GLAND", "LUNG"),
    Disease.NSCLC_EARLY: ("LUNG", "LYMPH NODE", "BONE", "BRAIN"),
    Disease.CRC_LIVER: ("LIVER", "LUNG", "PERITONEUM", "BONE"),
}


#: The lab kind of an AE lowering TSH (hyperthyroidism): TSH drawn below its range.
TSH_LOW = f"{labs.TSH.testcd}_LOW"


@dataclass(frozen=True)
class AeSpec:
    """One CTCAE term of a profile.

    ``incidence``: any-grade probability per patient over a typical course; ``severe``: share of
    events of grade 3 or worse; ``fatal``: share of grade 5; ``max_grade``: the highest grade
    CTCAE v5.0 defines for the term; ``onset_days``: median days from the first dose (or from the
    procedure); ``min_grade``: the lowest grade it defines; ``duration_days``: median duration;
    ``lab``: the laboratory test it shows in.
    """

    term: str
    incidence: float
    severe: float = 0.05
    fatal: float = 0.0
    max_grade: int = 5
    min_grade: int = 1
    onset_days: float = 30.0
    duration_days: float = 21.0
    immune: bool = False
    lab: str | None = None
    other_action: str | None = None
    medication: str | None = None


# Sources: pooled safety of PD-1 inhibitors (Wang et al., JAMA Oncol 2019, meta-analysis of 125
# trials); percutaneous lung cryoablation (de Baère et al., J Thorac Oncol 2015, ECLIPSE);
# liver RFA (Livraghi et al., Radiology 2003); thoracic RT (PACIFIC, Antonia et al., NEJM 2017);
# anlotinib (ALTER0303, Han et al., JAMA Oncol 2018); regorafenib (CORRECT, Grothey et al.,
# Lancet 2013). Incidences are rounded and conservative; they are a realistic profile, not data.
AE_PROFILES: dict[Profile, tuple[AeSpec, ...]] = {
    Profile.PD1: (
        AeSpec("Fatigue", 0.20, severe=0.05, max_grade=3, onset_days=21),
        AeSpec("Rash maculo-papular", 0.12, severe=0.08, max_grade=3, onset_days=35, immune=True),
        AeSpec("Pruritus", 0.10, severe=0.03, max_grade=3, onset_days=30, immune=True),
        AeSpec(
            "Hypothyroidism",
            0.10,
            severe=0.01,
            max_grade=5,
            onset_days=63,
            duration_days=180,
            immune=True,
            lab=labs.TSH.testcd,
            other_action="HORMONE REPLACEMENT",
            medication="LEVOTHYROXINE",
        ),
        AeSpec(
            "Hyperthyroidism",
            0.05,
            severe=0.01,
            max_grade=5,
            onset_days=42,
            duration_days=42,
            immune=True,
            lab=TSH_LOW,
        ),
        AeSpec(
            "Alanine aminotransferase increased",
            0.10,
            severe=0.15,
            max_grade=4,
            onset_days=45,
            immune=True,
            lab=labs.ALT.testcd,
        ),
        AeSpec(
            "Aspartate aminotransferase increased",
            0.09,
            severe=0.12,
            max_grade=4,
            onset_days=45,
            immune=True,
            lab=labs.AST.testcd,
        ),
        AeSpec(
            "Pneumonitis",
            0.05,
            severe=0.30,
            fatal=0.04,
            onset_days=80,
            duration_days=35,
            immune=True,
            other_action="TREATMENT WITH STEROIDS",
            medication="PREDNISONE",
        ),
        AeSpec("Diarrhea", 0.10, severe=0.10, onset_days=42),
        AeSpec(
            "Colitis",
            0.02,
            severe=0.45,
            onset_days=60,
            immune=True,
            other_action="TREATMENT WITH STEROIDS",
            medication="PREDNISONE",
        ),
        AeSpec("Anorexia", 0.10, severe=0.05, onset_days=28),
        AeSpec("Nausea", 0.08, severe=0.03, max_grade=3, onset_days=14),
        AeSpec("Fever", 0.06, severe=0.02, onset_days=14, duration_days=3),
        AeSpec("Arthralgia", 0.06, severe=0.03, max_grade=3, onset_days=60, immune=True),
        AeSpec("Anemia", 0.15, severe=0.12, onset_days=40, duration_days=60, lab=labs.HGB.testcd),
        AeSpec("Hyperglycemia", 0.04, severe=0.15, onset_days=50),
        AeSpec("Infusion related reaction", 0.03, severe=0.05, onset_days=1, duration_days=1),
        AeSpec(
            "Myocarditis",
            0.005,
            severe=0.6,
            min_grade=2,
            fatal=0.2,
            onset_days=30,
            immune=True,
            other_action="TREATMENT WITH STEROIDS",
            medication="METHYLPREDNISOLONE",
        ),
        AeSpec("Adrenal insufficiency", 0.01, severe=0.3, onset_days=90, immune=True),
    ),
    Profile.TKI: (
        AeSpec("Hypertension", 0.40, severe=0.22, onset_days=14, duration_days=90),
        AeSpec(
            "Palmar-plantar erythrodysesthesia syndrome",
            0.30,
            severe=0.2,
            max_grade=3,
            onset_days=21,
            duration_days=42,
        ),
        AeSpec("Proteinuria", 0.20, severe=0.1, max_grade=3, onset_days=42, duration_days=60),
        AeSpec("Fatigue", 0.30, severe=0.1, max_grade=3, onset_days=21),
        AeSpec("Diarrhea", 0.20, severe=0.08, onset_days=21),
        AeSpec(
            "Hypothyroidism",
            0.15,
            severe=0.01,
            onset_days=60,
            duration_days=180,
            lab=labs.TSH.testcd,
        ),
        AeSpec(
            "Blood bilirubin increased",
            0.15,
            severe=0.15,
            max_grade=4,
            onset_days=30,
            lab=labs.BILI.testcd,
        ),
        AeSpec(
            "Alanine aminotransferase increased",
            0.15,
            severe=0.1,
            max_grade=4,
            onset_days=30,
            lab=labs.ALT.testcd,
        ),
        AeSpec(
            "Platelet count decreased",
            0.15,
            severe=0.1,
            max_grade=4,
            onset_days=30,
            lab=labs.PLAT.testcd,
        ),
        AeSpec(
            "Bronchopulmonary hemorrhage",
            0.08,
            severe=0.1,
            fatal=0.05,
            onset_days=40,
            duration_days=7,
        ),
    ),
    Profile.CHEMO: (
        AeSpec(
            "Neutrophil count decreased",
            0.30,
            severe=0.4,
            max_grade=4,
            onset_days=10,
            lab=labs.NEUT.testcd,
        ),
        AeSpec("Anemia", 0.30, severe=0.1, onset_days=30, duration_days=60, lab=labs.HGB.testcd),
        AeSpec("Nausea", 0.30, severe=0.05, max_grade=3, onset_days=3, duration_days=5),
        AeSpec(
            "Platelet count decreased",
            0.15,
            severe=0.1,
            max_grade=4,
            onset_days=12,
            lab=labs.PLAT.testcd,
        ),
        AeSpec("Fatigue", 0.25, severe=0.05, max_grade=3, onset_days=7),
    ),
    Profile.CRYOABLATION: (
        AeSpec(
            "Pneumothorax",
            0.30,
            severe=0.08,
            onset_days=0,
            duration_days=5,
            other_action="CHEST TUBE PLACEMENT",
        ),
        AeSpec("Bronchopulmonary hemorrhage", 0.15, severe=0.02, onset_days=0, duration_days=3),
        AeSpec("Pleural effusion", 0.10, severe=0.05, onset_days=1, duration_days=14),
        AeSpec("Chest wall pain", 0.20, severe=0.02, max_grade=3, onset_days=0, duration_days=5),
        AeSpec("Fever", 0.10, severe=0.0, onset_days=1, duration_days=2),
    ),
    Profile.RFA: (
        AeSpec("Abdominal pain", 0.30, severe=0.03, max_grade=3, onset_days=0, duration_days=4),
        AeSpec("Fever", 0.30, severe=0.0, onset_days=1, duration_days=3),
        AeSpec(
            "Alanine aminotransferase increased",
            0.30,
            severe=0.05,
            max_grade=4,
            onset_days=1,
            duration_days=7,
            lab=labs.ALT.testcd,
        ),
        AeSpec("Hepatic hemorrhage", 0.02, severe=0.5, onset_days=0, duration_days=5),
        AeSpec("Hepatic infection", 0.02, severe=0.6, min_grade=2, onset_days=10, duration_days=21),
    ),
    Profile.RADIOTHERAPY: (
        AeSpec("Esophagitis", 0.25, severe=0.05, onset_days=14, duration_days=21),
        AeSpec(
            "Pneumonitis",
            0.12,
            severe=0.2,
            fatal=0.02,
            onset_days=90,
            duration_days=42,
            other_action="TREATMENT WITH STEROIDS",
            medication="PREDNISONE",
        ),
        AeSpec("Fatigue", 0.15, severe=0.02, max_grade=3, onset_days=10),
        AeSpec("Dermatitis radiation", 0.10, severe=0.02, onset_days=14, duration_days=21),
    ),
}


@dataclass(frozen=True)
class LabSpec:
    """A laboratory test the simulator draws: the catalogue's test (code, LOINC, unit, reference
    interval, decimals) with the typical baseline value and its spread."""

    test: LabTest
    median: float
    spread: float  # standard deviation of the log value

    @property
    def testcd(self) -> str:
        return self.test.testcd

    @property
    def category(self) -> str | None:
        return self.test.category

    @property
    def low(self) -> float:
        assert self.test.low is not None  # every simulated test has a reference interval
        return self.test.low

    @property
    def high(self) -> float:
        assert self.test.high is not None
        return self.test.high

    @property
    def decimals(self) -> int:
        return self.test.decimals


# Typical baselines (median, spread of the log) around the catalogue's reference intervals (adult
# SI ranges as commonly reported, e.g. Mayo Clinic Laboratories).
LABS: tuple[LabSpec, ...] = (
    LabSpec(labs.ALT, 22, 0.35),
    LabSpec(labs.AST, 24, 0.30),
    LabSpec(labs.BILI, 10, 0.35),
    LabSpec(labs.CREAT, 72, 0.2),
    LabSpec(labs.HGB, 132, 0.09),
    LabSpec(labs.NEUT, 4.0, 0.3),
    LabSpec(labs.PLAT, 225, 0.25),
    LabSpec(labs.TSH, 1.6, 0.45),
)
