"""CSV/Excel templates per entity: blank templates with field descriptions, imports that are all
or nothing with every bad row reported."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from oncotrial.errors import ValueProblem
from oncotrial.formats.templates import TEMPLATES, read_template, write_template


@pytest.mark.parametrize("entity", list(TEMPLATES))
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_blank_templates_list_every_field_with_a_description(
    entity: str, suffix: str, tmp_path: Path
) -> None:
    path = tmp_path / f"{entity}{suffix}"
    written = write_template(entity, path)
    assert list(read_template(path).columns) == TEMPLATES[entity].columns
    if suffix == ".csv":
        fields = pd.read_csv(written[1], dtype=str, keep_default_na=False)
    else:
        fields = pd.read_excel(path, sheet_name="fields", dtype=str).fillna("")
    assert list(fields["field"]) == TEMPLATES[entity].columns
    assert all(fields["description"].str.len() > 0)


def _xlsx(path: Path, rows: list[dict[str, object]]) -> Path:
    pd.DataFrame(rows).to_excel(path, index=False, sheet_name="data")
    return path


def test_a_trial_entered_through_templates(store, ctcae, tmp_path: Path) -> None:
    from oncotrial.formats.protocol_files import find_protocol
    from oncotrial.store.sdtm_export import export_sdtm
    from oncotrial.store.trials import ensure_trial, import_template

    trial = ensure_trial(find_protocol("NCT07064876"), user="dm")
    subjects = _xlsx(
        tmp_path / "subjects.xlsx",
        [
            {
                "screening_number": "01-0001",
                "site_id": "01",
                "sex": "M",
                "age": 64,
                "consent_date": "2025-11-03",
                "height_cm": 171,
                "weight_kg": 66.5,
                "ecog": 1,
                "stage": "IA",
                "histology": "Adenocarcinoma",
                "pdl1_tps": 60,
                "pdl1_assay": "22C3 pharmDx",
                "egfr": "NEGATIVE",
            },
            {
                "screening_number": "01-0002",
                "site_id": "01",
                "sex": "F",
                "age": 58,
                "consent_date": "2025-11-05",
                "ecog": 0,
            },
        ],
    )
    result = import_template("subject", subjects, trial_id=trial, user="dm", ctcae=ctcae)
    assert result.inserted["DM"] == 2 and result.inserted["VS"] == 2
    randomization = tmp_path / "randomization.csv"
    pd.DataFrame({"subject_id": [f"{trial}-01-0001"], "date": ["2025-11-10"], "arm": ["A"]}).to_csv(
        randomization, index=False
    )
    import_template("randomization", randomization, trial_id=trial, user="dm", ctcae=ctcae)
    scans = tmp_path / "scans.csv"
    u = f"{trial}-01-0001"
    pd.DataFrame(
        {
            "subject_id": [u, u, u, u],
            "date": ["2025-11-08", "2025-11-08", "2025-12-20", "2025-12-20"],
            "visit": ["SCREENING", "SCREENING", "WEEK 6", "WEEK 6"],
            "lesion_id": ["T01", "T02", "T01", "T02"],
            "role": ["TARGET"] * 4,
            "location": ["LUNG", "MEDIASTINAL", "LUNG", "MEDIASTINAL"],
            "is_node": ["N", "Y", "N", "Y"],
            "diameter_mm": [24, 17, 15, 9],
        }
    ).to_csv(scans, index=False)
    import_template("tumour_assessment", scans, trial_id=trial, user="reader", ctcae=ctcae)
    events = tmp_path / "ae.csv"
    pd.DataFrame(
        {
            "subject_id": [u],
            "ctcae_term": ["pneumothorax"],
            "grade": ["2"],
            "start_date": ["2025-11-12"],
            "relatedness": ["Serplulimab=NOT RELATED; CT-guided Cryoablation=RELATED"],
        }
    ).to_csv(events, index=False)
    import_template("adverse_event", events, trial_id=trial, user="dm", ctcae=ctcae)

    frames = export_sdtm(trial)
    dm = frames["DM"].set_index("USUBJID")
    assert dm.loc[u, "ARMCD"] == "A" and dm.loc[u, "ARM"] == "Serplulimab + Cryoablation"
    assert frames["DS"]["DSDECOD"].tolist().count("ENROLLED") == 1  # single-arm: enrollment
    tu = frames["TU"]
    assert tu[["TULNKID", "TULOC", "TULOCDTL"]].values.tolist() == [
        ["T01", "LUNG", None],
        ["T02", "LYMPH NODE", "MEDIASTINAL"],
    ]
    tr = frames["TR"]
    assert tr["TRTESTCD"].tolist() == ["LDIAM", "LPERP", "LDIAM", "LPERP"]
    assert tr["TRSEQ"].tolist() == ["1", "2", "3", "4"]
    ae = frames["AE"].iloc[0]
    assert (ae["AEDECOD"], ae["AEBODSYS"], ae["AEREL1"], ae["AEREL2"]) == (
        "Pneumothorax",
        "Respiratory, thoracic and mediastinal disorders",
        "NOT RELATED",
        "RELATED",
    )
    mi = frames["MI"].iloc[0]
    assert (mi["MISTRESC"], mi["SPDEVID"]) == ("60", "22C3 PHARMDX")


def test_a_template_with_bad_rows_is_rejected_whole(store, ctcae, tmp_path: Path) -> None:
    from oncotrial.formats.protocol_files import find_protocol
    from oncotrial.store import models
    from oncotrial.store.trials import ensure_trial, import_template

    trial = ensure_trial(find_protocol("NCT07064876"), user="dm")
    subjects = tmp_path / "subjects.csv"
    pd.DataFrame(
        {
            "screening_number": ["01-0001", "01-0002", None, "01-0004"],
            "site_id": ["01"] * 4,
            "sex": ["M", "Q", "F", "F"],
            "age": ["64", "58", "70", "61"],
            "consent_date": ["2025-11-03", "2025-11-05", "2025-11-06", "03/11/2025"],
        }
    ).to_csv(subjects, index=False)
    with pytest.raises(ValueProblem) as caught:
        import_template("subject", subjects, trial_id=trial, user="dm", ctcae=ctcae)
    assert [(p.record, p.field, p.value) for p in caught.value.problems] == [
        ("row 3", "sex", "Q"),
        ("row 4", "screening_number", None),
        ("row 5", "consent_date", "03/11/2025"),
    ]
    assert not models.Subject.objects.exists()
    events = tmp_path / "ae.csv"
    pd.DataFrame(
        {
            "subject_id": ["NOBODY"],
            "ctcae_term": ["Coughing fits"],
            "grade": ["1"],
            "start_date": ["2025-12-01"],
        }
    ).to_csv(events, index=False)
    with pytest.raises(ValueProblem) as caught:
        import_template("adverse_event", events, trial_id=trial, user="dm", ctcae=ctcae)
    assert [(p.record, p.field) for p in caught.value.problems] == [
        ("row 2", "USUBJID"),
        ("row 2", "AEDECOD"),
    ]
    assert "Closest CTCAE v5.0 terms" in caught.value.problems[1].message


def test_a_changed_protocol_becomes_a_new_version(store) -> None:
    from oncotrial.formats.protocol_files import find_protocol
    from oncotrial.store import models
    from oncotrial.store.trials import ensure_trial, trial_protocol

    protocol = find_protocol("NCT07064876")
    ensure_trial(protocol, user="dm")
    ensure_trial(protocol, user="dm")  # unchanged: still version 1
    assert models.ProtocolVersion.objects.count() == 1
    amended = protocol.model_copy(update={"keywords": (*protocol.keywords, "amendment 1")})
    ensure_trial(amended, user="dm")
    versions = list(
        models.ProtocolVersion.objects.order_by("version").values_list("version", flat=True)
    )
    assert versions == [1, 2]
    assert trial_protocol("NCT07064876") == amended
