"""Records of each shape that are not the seeds: the importers read shapes, not five files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from oncotrial.errors import SchemaError, ValueProblem
from oncotrial.formats.protocol_files import read_protocols
from oncotrial.protocol.dosing import Route
from oncotrial.protocol.endpoints import EndpointKind, EndpointLevel
from oncotrial.protocol.importers.ctgov_csv import CSV_COLUMNS
from oncotrial.protocol.model import ImportFormat
from oncotrial.protocol.vocabulary import (
    Allocation,
    ArmType,
    InterventionType,
    Masking,
    OverallStatus,
    Phase,
)
from oncotrial.response.settings import ResponseCriteria

FIELDS_RECORD = """\
Lenvatinib Plus Pembrolizumab With TACE for Intermediate-stage HCC
This phase II study evaluates lenvatinib and pembrolizumab combined with transarterial
chemoembolization in intermediate-stage hepatocellular carcinoma.

A second paragraph of the summary, with a comma, and more.
Hepatocellular Carcinoma|Liver Neoplasms
DRUG: Lenvatinib|BIOLOGICAL: Pembrolizumab|PROCEDURE: Transarterial chemoembolization
Objective response rate (ORR), Proportion of patients with CR or PR per mRECIST, assessed by blinded central review, From enrollment to 12 months
Progression-free survival, Time from enrollment to progression or death, Up to 3 years|Incidence of adverse events, Graded with CTCAE v5.0, Up to 90 days after last dose
Quality of life, EORTC QLQ-C30 global health status, Baseline to week 24
The detailed description begins here, with its own commas, and ends here.
"""

BULLETED_RECORD = """\
Stereotactic Radiotherapy for Oligometastatic Prostate Cancer
A randomized study of SBRT to all metastases versus standard of care.
Key Inclusion Criteria:
1. Histologically confirmed prostate adenocarcinoma
2. One to five metastases on PSMA PET
   a) bone or lymph node metastases only
   b) each lesion ≤ 5 cm
3. ECOG 0-2
Exclusion Criteria:
- Prior chemotherapy for metastatic disease
- Spinal cord compression
"""

PAGE_RECORD = """\
Camrelizumab Plus Apatinib Versus Sorafenib in Advanced HCC

NCT ID: NCT01234567

Last Updated: 2024-02-01

Basic Information

Recruitment Status

RECRUITING

Clinical Phase

PHASE3

Total Enrollment

540 participants

Study Classification

INTERVENTIONAL

Study Start Date

2023-01-15

Brief Summary

A randomized, open-label study of camrelizumab plus apatinib versus sorafenib.

Conditions

Hepatocellular Carcinoma

Study Design

Allocation Method

RANDOMIZED

Intervention Model

PARALLEL

Primary Study Purpose

TREATMENT

Blinding Strategy

NONE

Study Groups

Camrelizumab + Apatinib

Camrelizumab 200 mg IV every 2 weeks plus apatinib 250 mg orally once daily.

Group Type EXPERIMENTAL

Camrelizumab

Intervention Type DRUG

200 mg intravenously every 2 weeks.

Apatinib

Intervention Type DRUG

250 mg orally once daily.

Sorafenib

Sorafenib 400 mg orally twice daily.

Group Type ACTIVE_COMPARATOR

Sorafenib

Intervention Type DRUG

400 mg orally twice daily.

Interventions

Camrelizumab

200 mg intravenously every 2 weeks.

Intervention Type DRUG

Apatinib

250 mg orally once daily.

Intervention Type DRUG

Sorafenib

400 mg orally twice daily.

Intervention Type DRUG

Outcome Measures

Primary Outcomes

Overall survival

Time from randomization to death from any cause.

Time Frame: Up to 4 years

Secondary Outcomes

Objective response rate

Per RECIST 1.1 and mRECIST.

Time Frame: Up to 2 years

Eligibility Criteria

Inclusion Criteria

* Age 18-75 years
* Child-Pugh A

Exclusion Criteria

* Prior systemic therapy

Minimum Eligible Age

18 Years

Maximum Eligible Age

75 Years

Eligible Sex

ALL

Accepts Healthy Volunteers

No

Sponsors

Jiangsu HengRui Medicine Co., Ltd.

INDUSTRY

Sponsor Role lead

Other Identifiers

SHR-1210-III-310

Identifier Type: -

Identifier Source: org_study_id
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_fields_export_of_another_trial(tmp_path: Path) -> None:
    (p,) = read_protocols(write(tmp_path, "hcc_tace.txt", FIELDS_RECORD))
    assert p.source.format is ImportFormat.TEXT_FIELDS
    assert p.identity.local_id == "hcc_tace"
    assert p.conditions == ("Hepatocellular Carcinoma", "Liver Neoplasms")
    assert [i.type for i in p.interventions] == [
        InterventionType.DRUG,
        InterventionType.BIOLOGICAL,
        InterventionType.PROCEDURE,
    ]
    orr, pfs, ae, qol = p.endpoints
    assert orr.level is EndpointLevel.PRIMARY and orr.reading.kind is EndpointKind.ORR
    assert orr.description == (
        "Proportion of patients with CR or PR per mRECIST, assessed by blinded central review"
    )
    assert orr.time_frame == "From enrollment to 12 months"
    assert orr.reading.criteria == (ResponseCriteria.MRECIST,)
    assert pfs.reading.kind is EndpointKind.PFS and str(pfs.reading.time_frame) == "up to 3 years"
    assert ae.reading.ctcae_version == "5.0"
    assert qol.level is EndpointLevel.OTHER and qol.reading.kind is EndpointKind.QOL
    assert p.description.brief_summary is not None
    assert "second paragraph" in p.description.brief_summary
    assert p.description.detailed_description is not None
    assert p.description.detailed_description.startswith("The detailed description begins")


def test_bulleted_record_with_headings_and_numbers(tmp_path: Path) -> None:
    (p,) = read_protocols(write(tmp_path, "sbrt.txt", BULLETED_RECORD))
    assert p.source.format is ImportFormat.TEXT_BULLETED
    assert [c.id for c in p.eligibility.inclusion] == ["I1", "I2", "I2.1", "I2.2", "I3"]
    assert p.eligibility.inclusion[2].text == "bone or lymph node metastases only"
    assert p.eligibility.inclusion[2].bullet == "a)"
    assert [c.text for c in p.eligibility.exclusion] == [
        "Prior chemotherapy for metastatic disease",
        "Spinal cord compression",
    ]


def test_registry_page_of_a_randomized_trial(tmp_path: Path) -> None:
    (p,) = read_protocols(write(tmp_path, "hcc_page.txt", PAGE_RECORD))
    assert p.source.format is ImportFormat.REGISTRY_PAGE
    assert p.identity.nct_id == "NCT01234567"
    assert p.identity.org_study_id == "SHR-1210-III-310"
    assert p.status.overall_status is OverallStatus.RECRUITING
    assert p.design.phases == (Phase.PHASE3,)
    assert p.design.allocation is Allocation.RANDOMIZED and p.design.masking is Masking.NONE
    assert p.enrollment is not None and p.enrollment.count == 540
    assert [(a.label, a.type, a.interventions) for a in p.arms] == [
        ("Camrelizumab + Apatinib", ArmType.EXPERIMENTAL, ("Camrelizumab", "Apatinib")),
        ("Sorafenib", ArmType.ACTIVE_COMPARATOR, ("Sorafenib",)),
    ]
    camrelizumab = p.interventions[0]
    assert camrelizumab.dosing.dose == 200 and camrelizumab.dosing.interval_days == 14
    assert camrelizumab.dosing.route is Route.IV
    apatinib = p.interventions[1]
    assert apatinib.dosing.route is Route.ORAL and apatinib.dosing.interval_days == 1
    os_, orr = p.endpoints
    assert (os_.level, os_.reading.kind) == (EndpointLevel.PRIMARY, EndpointKind.OS)
    assert str(os_.reading.time_frame) == "up to 4 years"
    assert (orr.level, orr.reading.kind) == (EndpointLevel.SECONDARY, EndpointKind.ORR)
    assert orr.reading.criteria == (ResponseCriteria.MRECIST, ResponseCriteria.RECIST_1_1)
    assert p.eligibility.maximum_age is not None and p.eligibility.maximum_age.value == 75
    assert len(p.eligibility.inclusion) == 2 and len(p.eligibility.exclusion) == 1
    assert p.sponsors.lead is not None and p.sponsors.lead.agency_class == "INDUSTRY"
    assert not p.consistency_warnings()


def test_registry_page_unknown_status_is_refused(tmp_path: Path) -> None:
    bad = PAGE_RECORD.replace("RECRUITING\n", "SORT_OF_RECRUITING\n", 1)
    with pytest.raises(ValueProblem) as info:
        read_protocols(write(tmp_path, "bad_page.txt", bad))
    assert info.value.record == "NCT01234567"
    assert info.value.field == "Recruitment Status"


def _csv(tmp_path: Path, rows: list[dict[str, str]], columns=CSV_COLUMNS) -> Path:
    path = tmp_path / "ctg-studies.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns))
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})
    return path


CSV_ROW = {
    "NCT Number": "NCT05000001",
    "Study Title": "Atezolizumab With SBRT in Oligoprogressive NSCLC",
    "Study URL": "https://clinicaltrials.gov/study/NCT05000001",
    "Study Status": "RECRUITING",
    "Brief Summary": "A single-arm phase II trial.",
    "Study Results": "NO",
    "Conditions": "Non-small Cell Lung Cancer|Oligoprogression",
    "Interventions": "DRUG: Atezolizumab|RADIATION: Stereotactic body radiotherapy",
    "Primary Outcome Measures": "Progression-free survival, PFS per RECIST 1.1, 12 months",
    "Secondary Outcome Measures": "Overall survival, Time to death, Up to 3 years|"
    "1-year overall survival rate, Kaplan-Meier estimate, 1 year",
    "Sponsor": "Example University Hospital",
    "Collaborators": "Roche",
    "Sex": "ALL",
    "Age": "18 Years and older   (Adult, Older Adult)",
    "Phases": "PHASE2",
    "Enrollment": "40",
    "Funder Type": "OTHER",
    "Study Type": "INTERVENTIONAL",
    "Study Design": "Allocation: NA|Intervention Model: SINGLE_GROUP|Masking: NONE|"
    "Primary Purpose: TREATMENT",
    "Other IDs": "EUH-2021-07|2021-000123-45",
    "Start Date": "2021-09",
    "Primary Completion Date": "2024-09-30",
    "Completion Date": "April 2025",
    "First Posted": "August 4, 2021",
    "Last Update Posted": "2024-01-10",
    "Locations": "Example University Hospital, Lyon, 69003, France",
}


def test_csv_export_rows_become_protocols(tmp_path: Path) -> None:
    second = {**CSV_ROW, "NCT Number": "NCT05000002", "Age": "ADULT, OLDER_ADULT"}
    first_p, second_p = read_protocols(_csv(tmp_path, [CSV_ROW, second]))
    assert first_p.source.format is ImportFormat.CTGOV_CSV
    assert first_p.identity.org_study_id == "EUH-2021-07"
    assert [s.id for s in first_p.identity.secondary_ids] == ["2021-000123-45"]
    assert first_p.enrollment is not None and first_p.enrollment.count == 40
    assert first_p.eligibility.minimum_age is not None
    assert first_p.eligibility.minimum_age.value == 18
    assert first_p.eligibility.standard_ages == ("ADULT", "OLDER_ADULT")
    assert second_p.eligibility.minimum_age is None
    assert first_p.status.completion is not None and first_p.status.completion.date == "2025-04"
    assert first_p.status.first_posted is not None
    assert first_p.status.first_posted.date == "2021-08-04"
    kinds = [e.reading.kind for e in first_p.endpoints]
    assert kinds == [EndpointKind.PFS, EndpointKind.OS, EndpointKind.SURVIVAL_RATE]
    assert first_p.endpoints[2].reading.landmark is not None
    assert any("no eligibility criteria" in n for n in first_p.source.notes)
    assert first_p.locations[0].country == "France"


def test_csv_with_missing_columns(tmp_path: Path) -> None:
    columns = [c for c in CSV_COLUMNS if c not in {"Phases", "Study Design"}]
    with pytest.raises(SchemaError) as info:
        read_protocols(_csv(tmp_path, [CSV_ROW], columns=columns))
    assert "Phases" in str(info.value) and "Study Design" in str(info.value)
    assert info.value.file is not None and info.value.file.endswith("ctg-studies.csv")


def test_csv_bad_value_names_the_row(tmp_path: Path) -> None:
    bad = {**CSV_ROW, "NCT Number": "NCT05000009", "Enrollment": "forty"}
    with pytest.raises(ValueProblem) as info:
        read_protocols(_csv(tmp_path, [CSV_ROW, bad]))
    assert info.value.record == "NCT05000009"
    assert info.value.field == "Enrollment"
