"""`--format xml` is the PRS results upload document: it validates against ClinicalTrials.gov's
RRSUploadSchema.xsd (shipped, source in src/oncotrial/results/schema/SOURCE.md) and carries the
numbers of the API JSON, for the five demo trials and every reference record with results."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from lxml import etree

from oncotrial.results.model import ResultsSection, from_api
from oncotrial.results.prs import prs_label, prs_xml, schema_text

from .test_keys import reference_records

_SCHEMA_DIR = Path(__file__).parents[2] / "src" / "oncotrial" / "results" / "schema"


def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.fromstring(schema_text()))


def _valid(text: str) -> etree._Element:
    schema = _schema()
    doc = etree.fromstring(text.encode())
    assert schema.validate(doc), schema.error_log
    return doc


def test_the_shipped_schema_is_the_cited_one() -> None:
    cited = re.search(r"sha256: `([0-9a-f]{64})`", (_SCHEMA_DIR / "SOURCE.md").read_text())
    assert cited and hashlib.sha256(schema_text()).hexdigest() == cited.group(1)
    assert b"Schema Version: 2017.04.18" in schema_text()


def test_the_schema_rejects_api_structure() -> None:
    # The validation can fail: the API's own element names are not an upload document.
    doc = etree.fromstring(
        b'<tns:result xmlns:tns="http://clinicaltrials.gov/rrs"><outcomeMeasuresModule/>'
        b"</tns:result>"
    )
    assert not _schema().validate(doc)


def _numbers(doc: etree._Element) -> dict[str, list[str]]:
    def texts(path: str) -> list[str]:
        return [e.text or "" for e in doc.iterfind(path)]

    return {
        "started": texts(".//startedMilestone//subjectsAchieve"),
        "completed": texts(".//completedMilestone//subjectsAchieve"),
        "outcome values": texts("outcomeMeasures/outcomeMeasure//reportedEntry/parameterValue"),
        "p values": texts(".//measureAnalysis/pValue"),
        "serious affected": texts(".//seriousEvent//numSubjectsAffected"),
        "other affected": texts(".//frequentEvent//numSubjectsAffected"),
        "deaths": texts(".//interventionGroup/numDeaths"),
    }


def _api_numbers(api: dict) -> dict[str, list[str]]:  # type: ignore[type-arg]
    def milestone(kind: str) -> list[str]:
        return [
            a["numSubjects"]
            for period in api.get("participantFlowModule", {}).get("periods", [])
            for m in period.get("milestones", [])
            if m["type"] == kind
            for a in m.get("achievements", [])
        ]

    outcomes = api.get("outcomeMeasuresModule", {}).get("outcomeMeasures", [])
    ae = api.get("adverseEventsModule", {})
    # Per class, the PRS groups a row's entries by group: reorder the API's category-major
    # measurements the same way before comparing.
    values = []
    for measure in outcomes:
        for klass in measure.get("classes", []):
            cats = klass.get("categories", [])
            groups = list(
                dict.fromkeys(m["groupId"] for c in cats for m in c.get("measurements", []))
            )
            for g in groups:
                values += [
                    m["value"] for c in cats for m in c.get("measurements", []) if m["groupId"] == g
                ]
    return {
        "started": milestone("STARTED"),
        "completed": milestone("COMPLETED"),
        "outcome values": values,
        "p values": [a["pValue"] for m in outcomes for a in m.get("analyses", []) if "pValue" in a],
        "serious affected": [
            str(s["numAffected"]) for e in ae.get("seriousEvents", []) for s in e["stats"]
        ],
        "other affected": [
            str(s["numAffected"]) for e in ae.get("otherEvents", []) for s in e["stats"]
        ],
        "deaths": [str(g["deathsNumAffected"]) for g in ae.get("eventGroups", [])],
    }


def test_demo_trials_validate_and_carry_the_json_numbers(demo_trials) -> None:
    for trial, demo in demo_trials.items():
        api = demo.made.api()["resultsSection"]
        doc = _valid(prs_xml(demo.made.section))
        assert doc.tag == "{http://clinicaltrials.gov/rrs}result", trial
        assert _numbers(doc) == _api_numbers(api), trial
        assert len(doc.findall("outcomeMeasures/outcomeMeasure")) == len(
            api["outcomeMeasuresModule"]["outcomeMeasures"]
        )
        types = [e.text for e in doc.iterfind("outcomeMeasures/outcomeMeasure/measureType")]
        assert set(types) <= {"Primary", "Secondary", "Other Pre-specified"}, trial


def test_reference_records_with_results_validate(shared: Path) -> None:
    records = reference_records(shared)
    assert records
    for record in records:
        api = json.loads(record.read_text())["resultsSection"]
        section = from_api(ResultsSection, api, source=record.name)
        doc = _valid(prs_xml(section))
        assert _numbers(doc) == _api_numbers(api), record.name


def test_the_command_writes_the_upload_document(demo_db, demo_home, cli_run, tmp_path) -> None:
    out = tmp_path / "002.xml"
    env = {"ONCOTRIAL_HOME": str(demo_home), "ONCOTRIAL_CTCAE": None, "ONCOTRIAL_DB": None}
    code, _stdout, err = cli_run(
        ["results", "002", "--db", str(demo_db), "--format", "xml", "--out", str(out)],
        {**env, "DATABASE_URL": None},
    )
    assert code == 0, err
    text = out.read_text()
    head = text.split("<tns:result")[0]
    assert "oncotrial results of trial" in head and "DRAFT" in head
    doc = _valid(text)
    assert doc.get("partialUpload") == "true"


def test_picklist_labels() -> None:
    assert prs_label("COUNT_OF_PARTICIPANTS") == "Count of Participants"
    assert prs_label("OTHER_PRE_SPECIFIED") == "Other Pre-specified"
    assert prs_label("NON_SYSTEMATIC_ASSESSMENT") == "Non-Systematic Assessment"
    assert prs_label("FULL_RANGE") == "Full Range"
    assert prs_label("95% Confidence Interval") == "95% Confidence Interval"
    assert prs_label("Hazard Ratio (HR)") == "Hazard Ratio (HR)"
