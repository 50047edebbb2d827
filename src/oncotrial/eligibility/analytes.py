"""The measurements eligibility rules name: labs, vital signs, ECG intervals — with LOINC codes.

Each analyte has one key (used in rules and patient records), the LOINC codes that report it
(FHIR Observations are matched by these), the unit a rule's threshold is compared in, the names
criteria text uses for it (read by the parser, longest first), and, where a mass concentration
and an amount-of-substance concentration are both in use, the molar mass that converts them.

Sources: LOINC 2.7x (loinc.org) for the codes and their property (Mass/volume, Moles/volume);
molar masses from the molecular formulas: creatinine C4H7N3O 113.12 g/mol, bilirubin
C33H36N4O6 584.66 g/mol, calcium 40.078 g/mol (IUPAC standard atomic weight), thyroxine
C15H11I4NO4 776.87 g/mol, triiodothyronine C15H12I3NO4 650.97 g/mol. The factors they give
(creatinine 1 mg/dL = 88.40 µmol/L; bilirubin 1 mg/dL = 17.10 µmol/L) are the ones laboratory
handbooks print.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from oncotrial.eligibility.analyte_model import Analyte, Scale
from oncotrial.eligibility.analytes_urine import URINE_ANALYTES
from oncotrial.eligibility.analytes_viral import VIRAL_ANALYTES
from oncotrial.errors import DictionaryError

__all__ = [
    "ANALYTES",
    "DERIVED",
    "GRADED_UPWARDS_ONLY",
    "Analyte",
    "DerivedQuantity",
    "Scale",
    "analyte",
    "analyte_for_loinc",
    "ordinal_rank",
]


_LIST = (
    Analyte(
        "neutrophils",
        "Absolute neutrophil count",
        "10^9/L",
        ("751-8", "26499-4", "753-4"),
        # "Absolute neutrophils ≥ 1.5 x 10^9/L (1500/μL)" (NCT04093167 I15.2, NCT04918186 I18;
        # development records of jwlieb/clinical-trial-agent data/demo @387df17)
        (
            "absolute neutrophil count",
            "absolute neutrophils",
            "neutrophil count",
            "neutrophils",
            "neutrophil",
            "ANC",
        ),
    ),
    Analyte(
        "leukocytes",
        "White blood cell count",
        "10^9/L",
        ("6690-2", "26464-8"),
        (
            "white blood cell count",
            "white blood count",  # "White Blood Count (WBC)" (NCT01851408 I33, round 5)
            "white blood cells",
            "white blood cell",
            "leukocyte count",
            "leukocytes",
            "leucocytes",
            "WBC",
        ),
    ),
    Analyte(
        "lymphocytes",
        "Absolute lymphocyte count",
        "10^9/L",
        ("731-0", "26474-7"),
        ("absolute lymphocyte count", "lymphocyte count", "lymphocytes", "ALC"),
    ),
    Analyte(
        "platelets",
        "Platelet count",
        "10^9/L",
        ("777-3", "26515-7"),
        (
            "platelet count",
            "platelet counts",
            "platelets",
            "platelet",  # "Platelet ≥ 100,000/mm3"
            "thrombocyte count",  # the European name of the platelets
            "thrombocytes",
            "PLT",
            "Plt",  # "Plt ≥ 100 × 10⁹/L"
        ),
    ),
    Analyte(
        "hemoglobin",
        "Hemoglobin",
        "g/L",
        ("718-7",),
        ("hemoglobin", "haemoglobin", "Hgb", "HGB", "Hb", "HB"),
        # haemoglobin in mmol/L (Dutch laboratories, LOINC 59260-0) counts the monomer, one
        # haem: 16 114.5 g/mol, so 1 g/dL = 0.6206 mmol/L (the SI conversion tables' factor)
        molar_mass=16114.5,
    ),
    Analyte(
        "creatinine",
        "Serum creatinine",
        "mg/dL",
        ("2160-0", "14682-9"),
        ("serum creatinine", "creatinine", "creatinin", "SCr", "Cr"),  # German spelling
        molar_mass=113.12,
    ),
    Analyte(
        "ast",
        "Aspartate aminotransferase",
        "U/L",
        ("1920-8",),
        (
            "aspartate aminotransferase",
            "aspartate transaminase",
            # "(serum glutamic-oxaloacetic transaminase [SGOT])" (NCT05638295 I23), "serum
            # glutamate pyruvate transaminase (SGPT)" (NCT02366819), jwlieb/clinical-trial-agent
            # data/demo/... @387df17: the older names with "serum"
            "serum glutamic-oxaloacetic transaminase",
            "serum glutamate-oxaloacetate transaminase",
            "glutamic-oxaloacetic transaminase",
            "glutamate-oxaloacetate transaminase",
            "AST",
            "SGOT",
            "GOT",  # glutamic-oxaloacetic transaminase, the older name of AST
            "ASAT",  # the European abbreviation ("ASAT and ALAT ≤ 2.5 × ULN")
        ),
    ),
    Analyte(
        "alt",
        "Alanine aminotransferase",
        "U/L",
        ("1742-6",),
        (
            "alanine aminotransferase",
            "alanine transaminase",
            "serum glutamic-pyruvic transaminase",
            "serum glutamate-pyruvate transaminase",
            "glutamic-pyruvic transaminase",
            "glutamate-pyruvate transaminase",
            "ALT",
            "SGPT",
            "GPT",  # glutamic-pyruvic transaminase, the older name of ALT
            "ALAT",
        ),
    ),
    Analyte(
        "bilirubin",
        "Total bilirubin",
        "umol/L",
        ("1975-2", "14631-6"),
        (
            # the Children's Oncology Group template defines the total as the sum of its two
            # fractions: "Bilirubin (sum of conjugated + unconjugated) ≤ 1.5 x ULN for age"
            # (NCT04079179 I23, NCT04890093 I31, jwlieb/clinical-trial-agent data/demo @387df17)
            "bilirubin (sum of conjugated + unconjugated)",
            "bilirubin (sum of conjugated and unconjugated)",
            "total serum bilirubin",
            "serum total bilirubin",
            "total bilirubin",
            "serum bilirubin",
            "bilirubin",
            "TBIL",
            "TBil",
            "BIL",
        ),
        molar_mass=584.66,
    ),
    Analyte(
        "bilirubin_direct",
        "Direct bilirubin",
        "umol/L",
        ("1968-7",),
        ("direct bilirubin", "conjugated bilirubin"),
        molar_mass=584.66,
    ),
    Analyte("albumin", "Serum albumin", "g/L", ("1751-7",), ("serum albumin", "albumin")),
    Analyte(
        "alp",
        "Alkaline phosphatase",
        "U/L",
        ("6768-6",),
        ("alkaline phosphatase", "ALP", "ALKP"),
    ),
    # total cholesterol C27H46O 386.65 g/mol (1 mmol/L = 38.67 mg/dL); triglycerides as
    # triolein 885.4 g/mol, the convention behind the printed 1 mmol/L = 88.5 mg/dL
    Analyte(
        "cholesterol",
        "Total cholesterol",
        "mg/dL",
        ("2093-3",),
        ("serum cholesterol", "total cholesterol", "cholesterol"),
        molar_mass=386.65,
    ),
    Analyte(
        "triglycerides",
        "Triglycerides",
        "mg/dL",
        ("2571-8",),
        ("serum triglycerides", "triglycerides", "triglyceride"),
        molar_mass=885.4,
    ),
    Analyte(
        "aptt",
        "Activated partial thromboplastin time",
        "s",
        ("3173-2", "14979-9"),
        (
            "activated partial thromboplastin time",
            # "partial thromboplastin time (PTT)": PTT is read as aPTT already (the activated
            # test is the one laboratories run)
            "partial thromboplastin time",
            "APTT",
            "aPTT",
            "PTT",
        ),
    ),
    Analyte("pt", "Prothrombin time", "s", ("5902-2",), ("prothrombin time", "PT")),
    Analyte(
        "inr",
        "International normalized ratio",
        "{ratio}",
        ("6301-6", "34714-6"),
        ("international normalized ratio", "international normalised ratio", "PT-INR", "INR"),
    ),
    Analyte(
        "tsh",
        "Thyroid stimulating hormone",
        "mIU/L",
        ("3016-3",),
        ("thyroid stimulating hormone", "thyrotropin", "TSH"),
    ),
    Analyte(
        "ft3",
        "Free triiodothyronine",
        "pmol/L",
        ("3051-0",),
        ("free triiodothyronine", "FT3"),
        molar_mass=650.97,
    ),
    Analyte(
        "ft4",
        "Free thyroxine",
        "pmol/L",
        ("3024-7", "14920-3"),
        ("free thyroxine", "FT4"),
        molar_mass=776.87,
    ),
    *URINE_ANALYTES,
    Analyte(
        "calcium_ionized",
        "Ionized calcium",
        "mmol/L",
        ("1994-3",),
        ("ionized calcium", "ionised calcium"),
        molar_mass=40.078,
    ),
    Analyte(
        "calcium",
        "Total serum calcium",
        "mmol/L",
        ("17861-6", "2000-8"),
        ("total serum calcium", "serum calcium", "total calcium", "calcium", "Ca"),
        molar_mass=40.078,
    ),
    Analyte(
        "calcium_corrected",
        "Calcium corrected for albumin",
        "mmol/L",
        ("29265-6",),
        (
            "albumin-corrected calcium",
            "albumin-adjusted calcium",
            "corrected serum calcium",
            "corrected total calcium",
            "corrected calcium",
        ),
        molar_mass=40.078,
    ),
    Analyte(
        "hcg",
        "Pregnancy test (hCG)",
        None,
        ("2106-3", "2118-8"),
        ("serum pregnancy test", "urine pregnancy test", "pregnancy test"),
        scale=Scale.NOMINAL,
        results=("negative", "positive"),
    ),
    # Whether a woman can become pregnant, as the investigator records it (CDISC SDTMIG v3.3,
    # Reproductive System Findings RP: RPTESTCD CHILDPOT "Childbearing Potential", Y/N, with the
    # reason when not: post-menopausal, surgically sterile). No LOINC code is confirmed by a
    # public source (issue 12: no invented codes): records give it by analyte key. A pregnancy
    # test "for women of childbearing potential" asks it of those only (reading_history).
    Analyte(
        "childbearing_potential",
        "Childbearing potential",
        None,
        (),
        ("childbearing potential", "child-bearing potential"),
        scale=Scale.NOMINAL,
        results=("yes", "no"),
    ),
    Analyte("weight", "Body weight", "kg", ("29463-7",), ("body weight", "weight", "weighing")),
    Analyte("height", "Body height", "cm", ("8302-2",), ("body height", "height")),
    Analyte("heart_rate", "Heart rate", "/min", ("8867-4",), ("heart rate",)),
    Analyte("qt", "QT interval", "ms", ("8634-8",), ("QT interval",)),
    # No LOINC code confirmed by a public source yet for these two (issue 12: no invented
    # codes): records give them by analyte key. The RR interval gives the heart rate of its ECG
    # (60 000 / RR in ms) for QTc; a measured clearance (24-hour urine collection) is never
    # Cockcroft-Gault nor eGFR.
    Analyte("rr_interval", "RR interval", "ms", (), ("RR interval", "R-R interval")),
    Analyte(
        "creatinine_clearance_measured",
        "Creatinine clearance, measured (24-hour urine)",
        "mL/min",
        (),
        (
            "measured creatinine clearance",
            # "endogenous": measured from a timed urine collection, or not; read only with a
            # named method (reading._corrected)
            "endogenous creatinine clearance",
            "24-hour urine creatinine clearance",
            "24 hour urine creatinine clearance",
        ),
    ),
    # A glomerular filtration rate measured by the clearance of an exogenous filtration marker
    # (radioisotope: 51Cr-EDTA, 99mTc-DTPA; iohexol), KDIGO 2012 CKD guideline §1.4.3: never the
    # creatinine estimate (eGFR) nor a creatinine clearance. No LOINC code confirmed by a public
    # source (issue 12: no invented codes): records give it by analyte key.
    Analyte(
        "gfr_measured",
        "Glomerular filtration rate, measured (radioisotope)",
        "mL/min/1.73m^2",
        (),
        (
            "radioisotope glomerular filtration rate",
            "radioisotope GFR",
            "radionuclide GFR",
            "nuclear GFR",
            "measured glomerular filtration rate",
            "measured GFR",
            "mGFR",
        ),
    ),
    Analyte(
        "systolic_bp",
        "Systolic blood pressure",
        "mmHg",
        ("8480-6",),
        # "Uncontrolled hypertension (systolic ≥ 140 mmHg or diastolic ≥ 90 mmHg)" (NCT04421820
        # E6.5, jwlieb/clinical-trial-agent data/demo @387df17): the pressure named by its phase
        ("systolic blood pressure", "systolic BP", "SBP", "systolic"),
    ),
    Analyte(
        "diastolic_bp",
        "Diastolic blood pressure",
        "mmHg",
        ("8462-4",),
        ("diastolic blood pressure", "diastolic BP", "DBP", "diastolic"),
    ),
    Analyte(
        "lvef",
        "Left ventricular ejection fraction",
        "%",
        ("10230-1",),
        # "cardiac ejection fraction of < 45%" (NCT03586453 E10.7, development records): the
        # heart's ejection fraction as echocardiography and MUGA report it is the left ventricle's
        (
            "left ventricular ejection fraction",
            "LVEF",
            "cardiac ejection fraction",
            "ejection fraction",
        ),
    ),
    # Further limits of oncology criteria (wave/elig): castrate testosterone ("serum
    # testosterone < 50 ng/dL"), LDH ("LDH > 2 × ULN"), fasting glucose and HbA1c (mTOR and PI3K
    # inhibitor trials). LOINC 2986-8 "Testosterone [Mass/volume] in Serum or Plasma", 2532-0
    # "Lactate dehydrogenase [Enzymatic activity/volume] in Serum or Plasma", 1558-6 "Fasting
    # glucose [Mass/volume] in Serum or Plasma" and 4548-4 "Hemoglobin A1c/Hemoglobin.total in
    # Blood" (the LOINC long names as the HL7 GECCO and mCODE value sets print them). Molar masses
    # from the formulas: testosterone C19H28O2 288.42 g/mol, glucose C6H12O6 180.16 g/mol. A
    # glucose not said to be fasting is not this test and is not read; neither is a "blood"
    # glucose (whole blood, another specimen).
    Analyte(
        "testosterone",
        "Testosterone (total)",
        "ng/dL",
        ("2986-8",),
        ("total serum testosterone", "serum testosterone", "total testosterone", "testosterone"),
        molar_mass=288.42,
    ),
    # "Creatine phosphokinase (CPK) ≤ 2.5 x ULN" (NCT05512208 I7.6, NCT05608252 I9.8; development
    # records of jwlieb/clinical-trial-agent data/demo @387df17), the limit of trials of MEK
    # inhibitors and checkpoint-inhibitor myositis. LOINC 2157-6 "Creatine kinase [Enzymatic
    # activity/volume] in Serum or Plasma"; "CK" alone is not read (CK-MB, cytokeratin).
    Analyte(
        "creatine_kinase",
        "Creatine kinase",
        "U/L",
        ("2157-6",),
        ("serum creatine phosphokinase", "creatine phosphokinase", "creatine kinase", "CPK"),
    ),
    Analyte(
        "ldh",
        "Lactate dehydrogenase",
        "U/L",
        ("2532-0",),
        ("serum lactate dehydrogenase", "lactate dehydrogenase", "lactic dehydrogenase", "LDH"),
    ),
    Analyte(
        "fasting_glucose",
        "Fasting glucose",
        "mg/dL",
        ("1558-6",),
        (
            "fasting serum glucose",
            "fasting plasma glucose",
            "fasting glucose",
            "FPG",
        ),
        molar_mass=180.16,
    ),
    Analyte(
        "hba1c",
        "HbA1c",
        "%",
        ("4548-4",),
        (
            "glycated hemoglobin",
            "glycosylated hemoglobin",
            "hemoglobin A1c",
            "haemoglobin A1c",
            "HbA1c",
            "HgbA1c",
        ),
    ),
    # Lung function, in per cent of the predicted value (the form criteria state it in: "FEV1
    # ≥ 50 % predicted", "DLCO ≥ 40 % of predicted"). LOINC 20152-5 "FEV1 measured/predicted"
    # and 19926-5 "FEV1/FVC" as listed by Automate-Medical/pft-ig input/pagecontent/index.md at
    # 00f1e3c763f9d95dee630a4e6c8500b978928e6b, which also records that LOINC has no code for
    # DLCO measured/predicted (19911-7 is the DLCO itself, in mL/min/mmHg): the DLCO percentage
    # is matched by key in a patient file, never by a guessed code. FEV1/FVC is declared so that
    # "FEV1/FVC < 70 %" is never read as a limit on FEV1; an FEV1 in litres is not a percentage
    # and is refused by the unit check.
    Analyte(
        "fev1_predicted",
        "FEV1 (% of predicted)",
        "%",
        ("20152-5",),
        ("forced expiratory volume in 1 second", "forced expiratory volume in one second", "FEV1"),
    ),
    Analyte("fev1_fvc", "FEV1/FVC ratio", "%", ("19926-5",), ("FEV1/FVC ratio", "FEV1/FVC")),
    Analyte(
        "dlco_predicted",
        "DLCO (% of predicted)",
        "%",
        (),
        (
            "diffusing capacity of the lung for carbon monoxide",
            "diffusing capacity of the lungs for carbon monoxide",
            "diffusing capacity for carbon monoxide",
            "diffusion capacity for carbon monoxide",
            "DLCO",
            "DLco",
        ),
    ),
    # Blasts, as a percentage of the marrow's nucleated cells or of the blood's leukocytes (acute
    # leukaemia and myelodysplasia criteria: "bone marrow blasts < 5 %"). LOINC 11150-0
    # "Blasts/100 cells in Bone marrow"; 26446-5 "Blasts/100 leukocytes in Blood" (HL7 mCODE's
    # CBC value set) and 709-6, its manual count. Bare "blasts" names neither and is not read.
    Analyte(
        "marrow_blasts",
        "Blasts in bone marrow",
        "%",
        ("11150-0",),
        (
            "bone marrow blasts",
            "bone marrow blast count",
            "bone marrow blast percentage",
            "marrow blasts",
            "blasts in the bone marrow",
            "blasts in bone marrow",
            "blasts in the marrow",
            "blasts in marrow",
        ),
    ),
    Analyte(
        "blood_blasts",
        "Blasts in peripheral blood",
        "%",
        ("26446-5", "709-6"),
        (
            "peripheral blood blasts",
            "peripheral blast count",
            "peripheral blasts",
            "circulating blasts",
            "blasts in the peripheral blood",
            "blasts in peripheral blood",
        ),
    ),
    # Limits common in oncology criteria (issue 12 item 3). LOINC codes with their long names
    # as seen in LHNCBC/flowsheet-lhc src/stores/h17.js and c17.js at
    # 53b8283941322229af050582d9ed947951b8e483 (NLM's LOINC flowsheet tables): 59410-1 "Oxygen
    # saturation in Arterial blood by Pulse oximetry --on room air", 3040-3 "Lipase [Enzymatic
    # activity/volume] in Serum or Plasma", 1798-8 "Amylase [Enzymatic activity/volume] in Serum
    # or Plasma", 2857-1 "Prostate specific Ag [Mass/volume] in Serum or Plasma"; 59408-5
    # "Oxygen saturation in Arterial blood by Pulse oximetry" (HL7 US Core pulse-oximetry
    # profile; its OMOP concept 40762499 has that name in OHDSI/DataQualityDashboard) and 24467-3
    # "CD3+CD4+ (T4 helper) cells [#/volume] in Blood" (OMOP 3028167 with that name in
    # answerdigital/oxford-omop-data-mapper LabTestLookup.cs). An arterial blood gas saturation
    # (SaO2, 2708-6) is another method and is not read as SpO2.
    Analyte(
        "spo2",
        "Oxygen saturation (pulse oximetry)",
        "%",
        ("59408-5", "59410-1"),
        (
            "peripheral oxygen saturation",
            "peripheral capillary oxygen saturation",
            "oxygen saturation",
            "O2 saturation",
            "pulse oximetry",
            "SpO2",
        ),
    ),
    Analyte("lipase", "Lipase", "U/L", ("3040-3",), ("serum lipase", "lipase")),
    Analyte("amylase", "Amylase", "U/L", ("1798-8",), ("serum amylase", "amylase")),
    Analyte(
        "psa",
        "Prostate-specific antigen",
        "ng/mL",
        ("2857-1",),
        ("serum prostate-specific antigen", "prostate-specific antigen", "PSA"),
    ),
    Analyte(
        "cd4",
        "CD4+ T-cell count",
        "/uL",
        ("24467-3",),
        (
            "CD4+ T-lymphocyte count",
            "CD4+ T-cell count",
            "CD4 T-cell count",
            "CD4+ lymphocyte count",
            "CD4 lymphocyte count",
            "CD4+ cell count",
            "CD4 cell count",
            "CD4+ count",
            "CD4 count",
            "CD4+",
            "CD4",
        ),
    ),
    *VIRAL_ANALYTES,
    # The New York Heart Association functional class of heart failure, I (no limitation of
    # physical activity) < II < III < IV (symptoms at rest): ordinal, so "NYHA class II-IV" is
    # ≥ II (reading_cardiac). LOINC 88020-3 "Functional capacity NYHA", its results the LOINC
    # answers LA28404-4 "Class I" … LA28407-7 "Class IV", as DataTools4Heart/data-ingestion-suite
    # codes them (mappings/amc/nyha-mapping.json and mapping-contexts/amc/nyha-map.csv at
    # 021e3f15b4fbf4f424278ff9cbfbe6bab71a240f). Written as "Class III", "NYHA III", "3" or the
    # SNOMED CT display "New York Heart Association Classification - Class III" (_nyha_class).
    Analyte(
        "nyha_class",
        "NYHA functional class",
        None,
        ("88020-3",),
        (),  # read by reading_cardiac, never as a limit of the laboratory reader
        scale=Scale.ORDINAL,
        results=("I", "II", "III", "IV"),
    ),
)

ANALYTES: dict[str, Analyte] = {a.key: a for a in _LIST}
_BY_LOINC: dict[str, Analyte] = {code: a for a in _LIST for code in a.loinc}

# The tests whose only adverse events are a rise: CTCAE v5.0 (NCI, 2017), Investigations, grades
# "Blood bilirubin increased", "Aspartate aminotransferase increased", "Alanine aminotransferase
# increased", "Alkaline phosphatase increased", "Creatinine increased", "INR increased" and
# "Activated partial thromboplastin time prolonged", and no decrease of any of them (GGT increased
# too: no analyte here). Direct bilirubin is a fraction of the bilirubin that term grades; the
# prothrombin time is the INR's measurement (INR = (PT / mean normal PT)^ISI, rising with it;
# NCI CTC v2.0 graded the PT itself only upwards, > ULN).
# A value below their reference range is no adverse event and no eligibility concern, so "within
# normal limits" of one of them asks only that it not exceed the upper limit (reading_normal).
GRADED_UPWARDS_ONLY: frozenset[str] = frozenset(
    {"bilirubin", "bilirubin_direct", "ast", "alt", "alp", "creatinine", "inr", "aptt", "pt"}
)


@dataclass(frozen=True)
class DerivedQuantity:
    """A value computed from others (never read from the record): clearance, QTc, BMI."""

    key: str
    name: str
    unit: str
    method: str
    inputs: tuple[str, ...]
    loinc: str
    synonyms: tuple[str, ...]
    source: str


DERIVED: dict[str, DerivedQuantity] = {
    d.key: d
    for d in (
        DerivedQuantity(
            "creatinine_clearance",
            "Creatinine clearance (Cockcroft-Gault)",
            "mL/min",
            "cockcroft-gault",
            ("age", "sex", "weight", "creatinine"),
            "35591-7",
            (
                "calculated creatinine clearance",
                "calc. creatinine clearance",
                # "Measured creatinine clearance (CL) > 40 mL/min or calculated creatinine CL >
                # 40 mL/min by the Cockcroft-Gault formula" (NCT04892953 I15,
                # jwlieb/clinical-trial-agent data/demo/... @387df17); "creatinine CL" alone may
                # be the measured one and is not a name of the estimate
                "calculated creatinine CL",
                # "Serum creatinine ≤ 1.5 x ULN or estimated creatinine clearance ≥ 50 mL/min as
                # calculated using the Cockcroft-Gault (CG) equation" (NCT03971409 I5.7): an
                # estimate names its formula or is Cockcroft-Gault's, with the warning
                "estimated creatinine clearance",
                "creatinine clearance",
                "creatinin clearance",
                "CrCl",
            ),
            "Cockcroft DW, Gault MH. Nephron 1976;16:31-41",
        ),
        DerivedQuantity(
            "egfr",
            "eGFR (CKD-EPI 2021)",
            "mL/min/1.73m^2",
            "ckd-epi-2021",
            ("age", "sex", "creatinine"),
            "98979-8",  # LOINC: GFR/1.73 sq M predicted by creatinine-based formula (CKD-EPI 2021)
            ("estimated glomerular filtration rate", "estimated GFR", "eGFR"),
            "Inker LA et al. N Engl J Med 2021;385:1737-49 (race-free CKD-EPI creatinine)",
        ),
        DerivedQuantity(
            "qtc",
            "QT interval corrected (Fridericia)",
            "ms",
            "fridericia",
            ("qt", "heart_rate"),
            "8636-3",
            (
                # the cabozantinib template's name for it: "Corrected QT interval calculated by
                # the Fridericia formula (QTcF) > 500 ms per electrocardiogram (ECG)" (NCT05931393
                # E10 and 12 other development records, jwlieb/clinical-trial-agent data/demo
                # @387df17)
                "corrected QT interval calculated by the Fridericia formula",
                "corrected QT interval calculated by the Fridericia's formula",
                "QTc calculated by the Fridericia formula",
                "corrected QT interval",
                "QTcF",
                "QTc",
            ),
            "Fridericia LS. Acta Med Scand 1920;53:469-86 (QTcF = QT / RR^(1/3), RR in seconds)",
        ),
        DerivedQuantity(
            "qtcb",
            "QT interval corrected (Bazett)",
            "ms",
            "bazett",
            ("qt", "heart_rate"),
            "8636-3",  # LOINC has one QTc code whatever the method; the key says which
            ("Bazett-corrected QT", "QTcB"),
            "Bazett HC. Heart 1920;7:353-70 (QTcB = QT / RR^(1/2), RR in seconds)",
        ),
        DerivedQuantity(
            "bmi",
            "Body mass index",
            "kg/m^2",
            "quetelet",
            ("weight", "height"),
            "39156-5",
            ("body mass index", "BMI"),
            "WHO: BMI = weight (kg) / height (m)^2",
        ),
    )
}


def analyte(key: str) -> Analyte:
    """The analyte ``key``; an unknown key is an error naming the known ones."""
    try:
        return ANALYTES[key]
    except KeyError:
        raise DictionaryError(
            f"unknown analyte {key!r}",
            hint=f"Use one of: {', '.join(sorted(ANALYTES))}.",
        ) from None


def analyte_for_loinc(code: str) -> Analyte | None:
    """The analyte a LOINC code reports, or None for a code no rule uses."""
    return _BY_LOINC.get(code.strip())


_ORDINAL_SPELLINGS = {
    "neg": "negative",
    "negative": "negative",
    "-": "negative",
    "nil": "negative",
    "not detected": "negative",
    "undetectable": "negative",
    "not detectable": "negative",
    "trace": "trace",
    "tr": "trace",
    "±": "trace",
    "+-": "trace",
    "+": "1+",
    "1+": "1+",
    "++": "2+",
    "2+": "2+",
    "+++": "3+",
    "3+": "3+",
    "++++": "4+",
    "4+": "4+",
    "pos": "positive",
    "positive": "positive",
    "detected": "positive",
    "detectable": "positive",
}


_NYHA_RESULT = re.compile(
    r"(?:(?:new\s+york\s+heart\s+association|nyha)(?:\s+(?:functional\s+)?classification)?"
    r"\s*[-:,]?\s*)?(?:(?:functional\s+)?class\s*[-:]?\s*)?(?P<c>iv|i{1,3}|[1-4])",
    re.I,
)


def _nyha_class(result: str) -> str:
    """'Class III', 'NYHA 3', 'New York Heart Association Classification - Class III' → 'III'."""
    m = _NYHA_RESULT.fullmatch(result.strip())
    if m is None:
        return result.strip()
    c = m.group("c").upper()
    return {"1": "I", "2": "II", "3": "III", "4": "IV"}.get(c, c)


def ordinal_rank(item: Analyte, result: str) -> int:
    """The position of ``result`` on ``item``'s scale ('1+' → 2 on the dipstick scale)."""
    if item.key == "nyha_class":
        spelled = _nyha_class(result)
    else:
        spelled = _ORDINAL_SPELLINGS.get(result.strip().casefold(), result.strip().casefold())
    if spelled not in item.results:
        raise DictionaryError(
            f"{item.name}: unknown result {result!r}",
            hint=f"Use one of: {', '.join(item.results)}.",
        )
    return item.results.index(spelled)
