"""Dataset-level metadata of the exports: SDTM domains and the ADaM datasets oncotrial derives.

Declared once here for the writers of submission metadata (``oncotrial.formats.metadata`` builds
the variable-level metadata from these and the data; ``xpt``, ``define_xml`` and ``odm`` write
it). SDTM variable labels and types are ``oncotrial.formats.sdtm_spec``'s. Labels follow
SDTMIG 3.4 and ADaMIG 1.3 (and admiral/admiralonco for the oncology ADaM variables); every label
is at most 40 characters, the SAS transport (XPT v5) limit.

The controlled-terminology map names the CDISC CT codelist (NCI code) of each variable whose
values are CDISC terms; the terms listed in define.xml are those present in the data. When the
entity catalogue (issue 11) declares the vocabularies, this map is to be read from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "ADAM_DATASETS",
    "ADAM_VARIABLES",
    "CODELISTS",
    "SDTM_DATASETS",
    "AdamVariable",
    "CodelistSpec",
    "DatasetSpec",
    "adam_variable",
]


@dataclass(frozen=True)
class DatasetSpec:
    """One dataset: label, CDISC class, structure (one record per …) and key variables."""

    name: str
    label: str
    class_name: str
    structure: str
    keys: tuple[str, ...]
    subclass: str | None = None


def _sdtm(name: str, label: str, class_name: str, structure: str, *keys: str) -> DatasetSpec:
    return DatasetSpec(name, label, class_name, structure, ("STUDYID", "USUBJID", *keys))


SDTM_DATASETS: dict[str, DatasetSpec] = {
    spec.name: spec
    for spec in (
        _sdtm("DM", "Demographics", "SPECIAL PURPOSE", "One record per subject"),
        _sdtm("DS", "Disposition", "EVENTS", "One record per disposition status", "DSSEQ"),
        _sdtm(
            "IE",
            "Inclusion/Exclusion Criteria Not Met",
            "FINDINGS",
            "One record per inclusion/exclusion criterion not met per subject",
            "IESEQ",
        ),
        _sdtm(
            "TU",
            "Tumor/Lesion Identification",
            "FINDINGS",
            "One record per identified tumor per subject per assessor",
            "TUSEQ",
        ),
        _sdtm(
            "TR",
            "Tumor/Lesion Results",
            "FINDINGS",
            "One record per tumor measurement/assessment per visit per subject per assessor",
            "TRSEQ",
        ),
        _sdtm(
            "RS",
            "Disease Response and Clin Classification",
            "FINDINGS",
            "One record per response assessment per visit per subject per assessor",
            "RSSEQ",
        ),
        _sdtm(
            "EX", "Exposure", "INTERVENTIONS", "One record per constant dosing interval", "EXSEQ"
        ),
        _sdtm("PR", "Procedures", "INTERVENTIONS", "One record per recorded procedure", "PRSEQ"),
        _sdtm("AE", "Adverse Events", "EVENTS", "One record per adverse event", "AESEQ"),
        _sdtm(
            "LB",
            "Laboratory Test Results",
            "FINDINGS",
            "One record per lab test per time point per visit per subject",
            "LBSEQ",
        ),
        _sdtm(
            "CM",
            "Concomitant/Prior Medications",
            "INTERVENTIONS",
            "One record per recorded medication occurrence",
            "CMSEQ",
        ),
        _sdtm(
            "QS",
            "Questionnaires",
            "FINDINGS",
            "One record per questionnaire per question per time point per visit per subject",
            "QSSEQ",
        ),
        _sdtm(
            "VS",
            "Vital Signs",
            "FINDINGS",
            "One record per vital sign measurement per time point per visit per subject",
            "VSSEQ",
        ),
        _sdtm(
            "SC",
            "Subject Characteristics",
            "FINDINGS",
            "One record per characteristic per visit per subject",
            "SCSEQ",
        ),
        _sdtm(
            "GF",
            "Genomics Findings",
            "FINDINGS",
            "One record per finding per observation per biospecimen per subject",
            "GFSEQ",
        ),
        _sdtm(
            "MI",
            "Microscopic Findings",
            "FINDINGS",
            "One record per finding per specimen per subject",
            "MISEQ",
        ),
    )
}

ADAM_DATASETS: dict[str, DatasetSpec] = {
    "ADSL": DatasetSpec(
        "ADSL",
        "Subject-Level Analysis Dataset",
        "SUBJECT LEVEL ANALYSIS DATASET",
        "One record per subject",
        ("STUDYID", "USUBJID"),
    ),
    "ADRS": DatasetSpec(
        "ADRS",
        "Response Analysis Dataset",
        "BASIC DATA STRUCTURE",
        "One record per subject per parameter per analysis date",
        ("STUDYID", "USUBJID", "PARAMCD", "ASEQ"),
    ),
    "ADTTE": DatasetSpec(
        "ADTTE",
        "Time-to-Event Analysis Dataset",
        "BASIC DATA STRUCTURE",
        "One record per subject per parameter",
        ("STUDYID", "USUBJID", "PARAMCD"),
        subclass="TIME-TO-EVENT",
    ),
    "ADAE": DatasetSpec(
        "ADAE",
        "Adverse Events Analysis Dataset",
        "OCCURRENCE DATA STRUCTURE",
        "One record per subject per adverse event",
        ("STUDYID", "USUBJID", "AESEQ"),
        subclass="ADVERSE EVENT",
    ),
}


@dataclass(frozen=True)
class AdamVariable:
    """An ADaM variable: label, type (text, integer, float, date) and where it comes from.

    ``predecessor``: the SDTM variable it copies (define.xml origin "Predecessor"); None means
    derived by oncotrial.
    """

    label: str
    kind: str = "text"
    predecessor: str | None = None


def _adam(rows: str) -> dict[str, AdamVariable]:
    """'NAME|Label|kind|predecessor' lines (kind defaults to text)."""
    out = {}
    for line in rows.strip().splitlines():
        name, label, *rest = (part.strip() for part in line.split("|"))
        kind = rest[0] if rest and rest[0] else "text"
        predecessor = rest[1] if len(rest) > 1 and rest[1] else None
        out[name] = AdamVariable(label, kind, predecessor)
    return out


ADAM_VARIABLES: dict[str, AdamVariable] = _adam(
    """
    STUDYID|Study Identifier||DM.STUDYID
    USUBJID|Unique Subject Identifier||DM.USUBJID
    SUBJID|Subject Identifier for the Study||DM.SUBJID
    SITEID|Study Site Identifier||DM.SITEID
    AGE|Age|integer|DM.AGE
    AGEU|Age Units||DM.AGEU
    SEX|Sex||DM.SEX
    RACE|Race||DM.RACE
    COUNTRY|Country||DM.COUNTRY
    ARMCD|Planned Arm Code||DM.ARMCD
    ARM|Description of Planned Arm||DM.ARM
    ACTARMCD|Actual Arm Code||DM.ACTARMCD
    ACTARM|Description of Actual Arm||DM.ACTARM
    TRT01P|Planned Treatment for Period 01
    TRT01A|Actual Treatment for Period 01
    RANDDT|Date of Randomization|date
    STRATUM|Randomization Stratum||DS.STRATUM
    TRTSDT|Date of First Exposure to Treatment|date
    TRTEDT|Date of Last Exposure to Treatment|date
    TRTDURD|Total Treatment Duration (Days)|integer
    DTHDT|Date of Death|date
    DTHFL|Subject Death Flag||DM.DTHFL
    DTHCAUS|Cause of Death
    LSTALVDT|Date Last Known Alive|date
    EOTSTT|End of Treatment Status
    DCTREAS|Reason for Discontinuation of Treatment
    EOSSTT|End of Study Status
    EOSDT|End of Study Date|date
    DCSREAS|Reason for Discontinuation from Study
    SCRFFL|Screen Failure Flag
    RANDFL|Randomized Population Flag
    ITTFL|Intent-To-Treat Population Flag
    SAFFL|Safety Population Flag
    ECOGBL|Baseline ECOG Performance Status
    STAGE|Disease Stage at Baseline||SC.SCSTRESC
    HISTTYP|Histologic Type||SC.SCSTRESC
    PRIMSITE|Primary Tumor Site||SC.SCSTRESC
    PDL1TPS|Baseline PD-L1 Tumor Proportion Score|float|MI.MISTRESN
    PDL1ASY|PD-L1 Assay||MI.SPDEVID
    PDL1GR1|PD-L1 TPS Group 1
    EGFR|EGFR Mutation Status||GF.GFSTRESC
    ALK|ALK Rearrangement Status||GF.GFSTRESC
    ROS1|ROS1 Rearrangement Status||GF.GFSTRESC
    KRAS|KRAS Mutation Status||GF.GFSTRESC
    BRAF|BRAF Mutation Status||GF.GFSTRESC
    NRAS|NRAS Mutation Status||GF.GFSTRESC
    MSI|Microsatellite Instability Status||GF.GFSTRESC
    DRVMUTFL|Driver Mutation Positive Flag
    HEIGHTBL|Baseline Height (cm)|float|VS.VSSTRESN
    WEIGHTBL|Baseline Weight (kg)|float|VS.VSSTRESN
    PRTHXN|Number of Prior Therapy Lines|integer
    PARAMCD|Parameter Code
    PARAM|Parameter
    PARCAT1|Parameter Category 1
    PARCAT2|Parameter Category 2
    PARCAT3|Parameter Category 3
    AVISIT|Analysis Visit
    ADT|Analysis Date|date
    ADTF|Analysis Date Imputation Flag
    AVALC|Analysis Value (C)
    AVAL|Analysis Value|float
    ANL01FL|Analysis Flag 01
    ANL02FL|Analysis Flag 02
    RSEVAL|Evaluator||RS.RSEVAL
    RSEVALID|Evaluator Identifier||RS.RSEVALID
    RULE|Derivation Rule Identifier
    ASEQ|Analysis Sequence Number|integer
    STARTDT|Time-to-Event Origin Date for Subject|date
    CNSR|Censor|integer
    EVNTDESC|Event or Censoring Description
    CNSDTDSC|Censor Date Description
    SRCDOM|Source Data
    SRCVAR|Source Variable
    SRCSEQ|Source Sequence Number|integer
    TRTA|Actual Treatment
    AESEQ|Sequence Number|integer|AE.AESEQ
    AETERM|Reported Term for the Adverse Event||AE.AETERM
    AEDECOD|Dictionary-Derived Term||AE.AEDECOD
    AESOC|Primary System Organ Class||AE.AEBODSYS
    AETOXGR|Standard Toxicity Grade||AE.AETOXGR
    AETOXGRN|Standard Toxicity Grade (N)|integer
    AESTDTC|Start Date/Time of Adverse Event||AE.AESTDTC
    AEENDTC|End Date/Time of Adverse Event||AE.AEENDTC
    ASTDT|Analysis Start Date|date
    TRTEMFL|Treatment Emergent Analysis Flag
    TEAERULE|Treatment Emergence Rule Identifier
    AERELFL|Related to Any Intervention Flag
    AERELIMP|Related Flag, Imputed When Missing
    AESERFL|Serious Event Flag
    AEDISCFL|Led to Treatment Discontinuation Flag
    """
)


#: Per-intervention relatedness flags (analysis.adam): RELFL<k>/RELIMP<k> for the protocol's
#: k-th intervention, numbered because SAS transport names hold 8 characters.
_INDEXED_ADAM = (
    (re.compile(r"RELFL(\d+)"), "Related to Intervention {k} Flag"),
    (re.compile(r"RELIMP(\d+)"), "Intervention {k} Related Flag Imputed"),
)


def adam_variable(name: str) -> AdamVariable | None:
    """The declared ADaM variable ``name``, the numbered families included; None if undeclared."""
    declared = ADAM_VARIABLES.get(name)
    if declared is not None:
        return declared
    for pattern, label in _INDEXED_ADAM:
        found = pattern.fullmatch(name)
        if found:
            return AdamVariable(label.format(k=found.group(1)))
    return None


@dataclass(frozen=True)
class CodelistSpec:
    """A CDISC controlled-terminology codelist: its name and NCI code (C-code)."""

    name: str
    nci_code: str
    extensible: bool = True


_NY = CodelistSpec("No Yes Response", "C66742", extensible=False)
_ONCRSR = CodelistSpec("Oncology Response Assessment Result", "C96785")

# variable (SDTM or ADaM name) -> codelist; "--" stands for any domain prefix.
CODELISTS: dict[str, CodelistSpec] = {
    "SEX": CodelistSpec("Sex", "C66731", extensible=False),
    "AGEU": CodelistSpec("Age Unit", "C66781"),
    "RACE": CodelistSpec("Race", "C74457"),
    "ETHNIC": CodelistSpec("Ethnic Group", "C66790"),
    "COUNTRY": CodelistSpec("Country", "C66786", extensible=False),
    "DTHFL": CodelistSpec("No Yes Response (Y)", "C66742"),
    "EPOCH": CodelistSpec("Epoch", "C99079"),
    "DSDECOD": CodelistSpec("Completion/Reason for Non-Completion", "C66727"),
    "DSCAT": CodelistSpec("Category for Disposition Event", "C74558"),
    "IECAT": CodelistSpec("Category for Inclusion/Exclusion", "C66797", extensible=False),
    "IEORRES": _NY,
    "IESTRESC": _NY,
    "TUTESTCD": CodelistSpec("Tumor or Lesion Identification Test Code", "C96784"),
    "TRTESTCD": CodelistSpec("Tumor or Lesion Properties Test Code", "C96779"),
    "RSTESTCD": CodelistSpec("Oncology Response Assessment Test Code", "C96782"),
    "RSSTRESC": _ONCRSR,
    "TRORRESU": CodelistSpec("Unit", "C71620"),
    "TRSTRESU": CodelistSpec("Unit", "C71620"),
    "LBORRESU": CodelistSpec("Unit", "C71620"),
    "LBSTRESU": CodelistSpec("Unit", "C71620"),
    "VSORRESU": CodelistSpec("Unit", "C71620"),
    "VSSTRESU": CodelistSpec("Unit", "C71620"),
    "EXDOSU": CodelistSpec("Unit", "C71620"),
    "EXROUTE": CodelistSpec("Route of Administration Response", "C66729"),
    "EXDOSFRM": CodelistSpec("Pharmaceutical Dosage Form", "C66726"),
    "EXDOSFRQ": CodelistSpec("Frequency", "C71113"),
    "AESER": _NY,
    "AETOXGR": CodelistSpec("Common Terminology Criteria for Adverse Events", "C87162"),
    "AEOUT": CodelistSpec("Outcome of Event", "C66768", extensible=False),
    "AEACN": CodelistSpec("Action Taken with Study Treatment", "C66767", extensible=False),
    "LBNRIND": CodelistSpec("Reference Range Indicator", "C78736"),
    "LBTESTCD": CodelistSpec("Laboratory Test Code", "C65047"),
    "LBSPEC": CodelistSpec("Specimen Type", "C78734"),
    "VSTESTCD": CodelistSpec("Vital Signs Test Code", "C66741"),
    "--BLFL": CodelistSpec("No Yes Response (Y)", "C66742"),
    "--ACPTFL": CodelistSpec("No Yes Response (Y)", "C66742"),
    "--EVAL": CodelistSpec("Evaluator", "C78735"),
    "--METHOD": CodelistSpec("Method", "C85492"),
    "--LAT": CodelistSpec("Laterality", "C99073"),
    "--LOC": CodelistSpec("Anatomical Location", "C74456"),
    "--STAT": CodelistSpec("Not Done", "C66789", extensible=False),
    # ADaM flags (ADaMIG 1.3: Y/N or Y/null)
    "SAFFL": _NY,
    "ITTFL": _NY,
    "RANDFL": _NY,
    "SCRFFL": _NY,
    "TRTEMFL": _NY,
    "ANL01FL": _NY,
    "ANL02FL": _NY,
    "DRVMUTFL": _NY,
    "AERELFL": _NY,
    "AESERFL": _NY,
    "AEDISCFL": _NY,
}
