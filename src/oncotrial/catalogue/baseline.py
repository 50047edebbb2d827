"""Baseline and repeated findings: ECOG and quality of life (QS), height and weight (VS),
disease at study entry (SC), driver mutations (GF) and PD-L1 (MI).

docs/sdtm.md explains the choices: ECOG stays in QS as SDTMIG 3.2 had it (so that RS holds tumour
response only); stage, histology and primary site are SC findings; GF holds one status per gene
(a simplified use of SDTMIG-PGx); the PD-L1 assay is in ``SPDEVID``.
"""

from __future__ import annotations

from typing import Final

from oncotrial.catalogue.checks import (
    DATE_AFTER_CONSENT,
    DATE_BEFORE_DEATH,
    DATE_NOT_FUTURE,
    PLAUSIBLE_RANGE,
    WARNING,
)
from oncotrial.catalogue.model import Entity, Field, Kind, Range, Test
from oncotrial.catalogue.rule import EditCheck
from oncotrial.catalogue.staging import EDITIONS, edition_category, stage_vocabulary
from oncotrial.catalogue.vocabulary import Term, Vocabulary, vocabulary

__all__ = [
    "DISEASE",
    "DRIVER_GENES",
    "ECOG",
    "ECOG_GRADES",
    "ECOG_TEST",
    "GENES",
    "HISTOLOGY",
    "HISTOLOGY_TEST",
    "MSI",
    "MUTATIONS",
    "NOT_TESTED",
    "PDL1",
    "PDL1_ASSAYS",
    "PDL1_TEST",
    "PRIMARY_SITES",
    "PRIMARY_SITE_TEST",
    "QOL",
    "QOL_GLOBAL_TEST",
    "STAGE_TEST",
    "VITAL_SIGNS",
    "gene_test",
    "stage_category",
]

# -- ECOG performance status (QS) ----------------------------------------------------------------

ECOG_GRADES: Final = Vocabulary(
    "ECOG performance status",
    (
        Term("0", "0 — Fully active"),
        Term("1", "1 — Restricted in strenuous activity, ambulatory"),
        Term("2", "2 — Ambulatory, capable of self-care, unable to work"),
        Term("3", "3 — Limited self-care, in bed or chair > 50% of waking hours"),
        Term("4", "4 — Completely disabled"),
        Term("5", "5 — Dead"),
    ),
    "Oken MM et al., Am J Clin Oncol 1982;5:649–655",
)
ECOG_TEST: Final = Test(
    "QS",
    "ECOG101",
    "ECOG1-Performance Status",
    category="ECOG",
    results=ECOG_GRADES,
    label="ECOG performance status",
    adsl="ECOGBL",
)
ECOG: Final = Entity(
    key="ecog",
    title="ECOG performance status",
    domains=("QS",),
    description="The ECOG score at a visit; the baseline (SCREENING) record has QSBLFL Y.",
    fields=(
        Field("visit", "Visit", Kind.CHOICE, required=True, sdtm="VISIT, VISITNUM"),
        Field("dtc", "Date assessed", Kind.DATE, required=True, sdtm="QSDTC"),
        Field("score", "ECOG performance status", Kind.CHOICE, required=True,
              vocabulary=ECOG_GRADES, help=ECOG_GRADES.source + ".",
              sdtm="QSORRES, QSSTRESC, QSSTRESN"),
    ),
    tests=(ECOG_TEST,),
    checks=(
        DATE_NOT_FUTURE,
        DATE_BEFORE_DEATH,
        EditCheck("ECOG-5-DEATH", "ECOG 5 means the subject died: the death is recorded too",
                  ECOG_GRADES.source, WARNING, ("score",)),
    ),
)  # fmt: skip

# -- quality of life (QS, EORTC QLQ-C30 global health status) -------------------------------------

QOL_GLOBAL_TEST: Final = Test(
    "QS",
    "QLQGHS",
    "Global Health Status/QoL Scale Score",
    category="EORTC QLQ-C30",
    plausible=Range(0, 100, "a QLQ-C30 scale score", PLAUSIBLE_RANGE.id),
    label="Global health status / QoL scale score",
    definition="EORTC QLQ-C30 items 29–30, linearly transformed to 0–100 (EORTC scoring manual).",
)
QOL: Final = Entity(
    key="qol",
    title="Quality of life score",
    domains=("QS",),
    description="A QLQ-C30 scale score at a visit (baseline and each tumour assessment).",
    fields=(
        Field("visit", "Visit", Kind.CHOICE, required=True, sdtm="VISIT, VISITNUM"),
        Field("dtc", "Date", Kind.DATE, required=True, sdtm="QSDTC"),
        Field("score", QOL_GLOBAL_TEST.title, Kind.NUMBER, required=True, minimum=0, maximum=100,
              help="EORTC QLQ-C30 items 29–30, linearly transformed to 0–100.",
              sdtm="QSORRES, QSSTRESC, QSSTRESN"),
    ),
    tests=(QOL_GLOBAL_TEST,),
    checks=(DATE_NOT_FUTURE, DATE_AFTER_CONSENT, DATE_BEFORE_DEATH),
    section="follow-up",
)  # fmt: skip

# -- vital signs (VS) ----------------------------------------------------------------------------

HEIGHT_TEST: Final = Test(
    "VS", "HEIGHT", "Height", unit="cm",
    plausible=Range(100, 230, "height in cm", PLAUSIBLE_RANGE.id), adsl="HEIGHTBL",
)  # fmt: skip
WEIGHT_TEST: Final = Test(
    "VS", "WEIGHT", "Weight", unit="kg",
    plausible=Range(25, 250, "weight in kg", PLAUSIBLE_RANGE.id), adsl="WEIGHTBL",
)  # fmt: skip
VITAL_SIGNS: Final = Entity(
    key="vital",
    title="Height or weight",
    domains=("VS",),
    description="Height and weight at screening (the baseline for dosing by body size).",
    fields=(
        Field("test", "Measurement", Kind.CHOICE, required=True,
              vocabulary=vocabulary("Vital signs test", "CDISC CT VSTESTCD",
                                    ((t.testcd, t.test) for t in (HEIGHT_TEST, WEIGHT_TEST))),
              sdtm="VSTESTCD, VSTEST"),
        Field("visit", "Visit", Kind.CHOICE, required=True, sdtm="VISIT, VISITNUM"),
        Field("dtc", "Date", Kind.DATE, required=True, sdtm="VSDTC"),
        Field("value", "Value", Kind.NUMBER, required=True, minimum=0,
              help="In the test's unit (cm, kg).",
              sdtm="VSORRES, VSORRESU, VSSTRESC, VSSTRESN, VSSTRESU"),
    ),
    tests=(HEIGHT_TEST, WEIGHT_TEST),
    checks=(DATE_NOT_FUTURE, DATE_BEFORE_DEATH, PLAUSIBLE_RANGE),
)  # fmt: skip

# -- disease at study entry (SC) -----------------------------------------------------------------


def stage_category(edition: int) -> str:
    """SCCAT of a stage record: the AJCC edition that assigned it."""
    return edition_category(edition)


STAGE_TEST: Final = Test(
    "SC",
    "STAGE",
    "Disease Stage",
    category=stage_category(8),  # the default edition; a record names its own
    results=stage_vocabulary(8),
    definition="AJCC stage group; SCCAT names the edition (docs/catalogue.md, Staging).",
    adsl="STAGE",
)
HISTOLOGIES: Final = vocabulary(
    "Histologic type",
    "WHO Classification of Thoracic Tumours (5th ed.); docs/sdtm.md SC",
    (
        ("ADENOCARCINOMA", "Adenocarcinoma"),
        ("SQUAMOUS CELL CARCINOMA", "Squamous cell carcinoma"),
        ("LARGE CELL CARCINOMA", "Large cell carcinoma"),
        ("ADENOSQUAMOUS CARCINOMA", "Adenosquamous carcinoma"),
        ("NSCLC NOT OTHERWISE SPECIFIED", "NSCLC not otherwise specified"),
        ("MUCINOUS ADENOCARCINOMA", "Mucinous adenocarcinoma"),
        ("HEPATOCELLULAR CARCINOMA", "Hepatocellular carcinoma"),
        ("OTHER", "Other"),
    ),
)
HISTOLOGY_TEST: Final = Test(
    "SC", "HISTTYP", "Histologic Type", results=HISTOLOGIES, adsl="HISTTYP"
)
PRIMARY_SITES: Final = vocabulary(
    "Primary tumour site",
    "CDISC CT LOC; docs/sdtm.md SC",
    ("LUNG", "COLON", "RECTUM", "LIVER", "OTHER"),
)
PRIMARY_SITE_TEST: Final = Test(
    "SC", "PRIMSITE", "Primary Tumor Site", results=PRIMARY_SITES, adsl="PRIMSITE"
)
HISTOLOGY: Final = HISTOLOGY_TEST

DISEASE: Final = Entity(
    key="disease",
    title="Disease characteristic",
    domains=("SC",),
    description="Stage (with the AJCC edition in SCCAT), histologic type and primary site, at "
    "screening.",
    fields=(
        Field("test", "Characteristic", Kind.CHOICE, required=True,
              vocabulary=vocabulary(
                  "Disease characteristic", "docs/sdtm.md SC",
                  ((t.testcd, t.test) for t in (STAGE_TEST, HISTOLOGY_TEST, PRIMARY_SITE_TEST)),
              ),
              sdtm="SCTESTCD, SCTEST"),
        Field("value", "Value", Kind.CHOICE, required=True,
              help="A stage group of the chosen AJCC edition; a histologic type; a site.",
              sdtm="SCORRES, SCSTRESC"),
        Field("edition", "AJCC edition", Kind.CHOICE,
              vocabulary=vocabulary("AJCC edition", "AJCC",
                                    ((str(e), f"AJCC {e}th edition") for e in EDITIONS)),
              help="For a stage: the edition that assigned it.", sdtm="SCCAT"),
        Field("dtc", "Date of diagnosis or staging", Kind.DATE, required=True, sdtm="SCDTC"),
    ),
    tests=(STAGE_TEST, HISTOLOGY_TEST, PRIMARY_SITE_TEST),
    checks=(
        DATE_NOT_FUTURE,
        DATE_BEFORE_DEATH,
        EditCheck("SC-STAGE-EDITION", "a stage is a stage group of the edition it names",
                  "AJCC Cancer Staging Manual 8th edition; AJCC Version 9 Lung",
                  fields=("value", "edition")),
    ),
)  # fmt: skip

# -- driver mutations (GF) -----------------------------------------------------------------------

GENES: Final = ("EGFR", "ALK", "ROS1", "KRAS", "BRAF", "NRAS")
#: Genes whose positive status makes a NSCLC driver-positive (ADSL DRVMUTFL; docs/sdtm.md GF).
DRIVER_GENES: Final = GENES[:3]
MSI: Final = "MSI"
MUTATION_STATUS: Final = vocabulary("Mutation status", "docs/sdtm.md GF", ("NEGATIVE", "POSITIVE"))
MSI_STATUS: Final = vocabulary(
    "Microsatellite status", "docs/sdtm.md GF (MSS, MSI-H)", ("MSS", "MSI-H")
)
GF_METHOD: Final = "NEXT GENERATION SEQUENCING"
#: A template's word for a gene not tested: recorded as GFSTAT NOT DONE without a result.
NOT_TESTED: Final = "NOT TESTED"
TUMOUR_TISSUE: Final = "TUMOR TISSUE"


def gene_test(gene: str) -> Test:
    """The GF test of ``gene`` (``MSI`` for microsatellite status)."""
    if gene == MSI:
        return Test("GF", MSI, "Microsatellite Instability Status", method=GF_METHOD,
                    specimen=TUMOUR_TISSUE, results=MSI_STATUS, adsl=MSI)  # fmt: skip
    return Test(
        "GF", gene, f"{gene} Mutation Status", method=GF_METHOD, specimen=TUMOUR_TISSUE,
        results=MUTATION_STATUS, adsl=gene,
    )  # fmt: skip


GENE_TESTS: Final = tuple(gene_test(g) for g in (*GENES, MSI))

MUTATIONS: Final = Entity(
    key="mutation",
    title="Driver mutation test",
    domains=("GF",),
    description="One record per gene tested: the gene's status (MSI: microsatellite status).",
    fields=(
        Field("gene", "Gene", Kind.CHOICE, required=True,
              vocabulary=vocabulary("Gene", "HGNC symbols; docs/sdtm.md GF", (*GENES, MSI)),
              sdtm="GFTESTCD, GFTEST"),
        Field("status", "Result", Kind.CHOICE, required=True, vocabulary=MUTATION_STATUS,
              help="NEGATIVE / POSITIVE; MSS / MSI-H for MSI.", sdtm="GFORRES, GFSTRESC"),
        Field("dtc", "Date of test", Kind.DATE, required=True, sdtm="GFDTC"),
    ),
    tests=GENE_TESTS,
    checks=(DATE_NOT_FUTURE, DATE_BEFORE_DEATH),
)  # fmt: skip

# -- PD-L1 (MI) ----------------------------------------------------------------------------------

PDL1_ASSAYS: Final = vocabulary(
    "PD-L1 assay",
    "FDA/NMPA-approved PD-L1 IHC assays; docs/sdtm.md MI (SPDEVID)",
    ("22C3 PHARMDX", "SP263", "28-8 PHARMDX", "SP142", "JS311", "OTHER"),
)
PDL1_TEST: Final = Test(
    "MI",
    "PDL1TPS",
    "PD-L1 Tumor Proportion Score",
    unit="%",
    method="IMMUNOHISTOCHEMISTRY",
    specimen=TUMOUR_TISSUE,
    plausible=Range(0, 100, "a proportion in %", PLAUSIBLE_RANGE.id),
    label="PD-L1 tumour proportion score",
    adsl="PDL1TPS",
)
PDL1_NOT_EVALUABLE: Final = "INSUFFICIENT TUMOR CELLS"  # MIREASND when the TPS is not evaluable

PDL1: Final = Entity(
    key="pdl1",
    title="PD-L1 result",
    domains=("MI",),
    description="The PD-L1 tumour proportion score (%) with the assay in SPDEVID.",
    fields=(
        Field("value", PDL1_TEST.title, Kind.NUMBER, required=True, unit="%", minimum=0,
              plausible=PDL1_TEST.plausible,
              sdtm="MIORRES, MIORRESU, MISTRESC, MISTRESN, MISTRESU"),
        Field("assay", "Assay", Kind.CHOICE, required=True, vocabulary=PDL1_ASSAYS,
              example="22C3 PHARMDX", sdtm="SPDEVID"),
        Field("dtc", "Date of test", Kind.DATE, required=True, sdtm="MIDTC"),
    ),
    tests=(PDL1_TEST,),
    checks=(DATE_NOT_FUTURE, DATE_BEFORE_DEATH, PLAUSIBLE_RANGE),
)  # fmt: skip
