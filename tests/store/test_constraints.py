"""The checks that protect the data: each bad record is rejected with a clear message, every bad
row of a file is reported (row number, field, value, why), and nothing is written."""

from __future__ import annotations

import pandas as pd
import pytest

from oncotrial.errors import ValueProblem
from oncotrial.store.source import Source


def dm(*subjects: str, **columns: object) -> pd.DataFrame:
    frame = pd.DataFrame(
        {"STUDYID": "T1", "DOMAIN": "DM", "USUBJID": list(subjects), "SEX": "F", "AGE": "60"}
    )
    for name, value in columns.items():
        frame[name] = value
    return frame


def ds(rows: list[tuple[str, int, str, str, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "STUDYID": "T1",
                "DOMAIN": "DS",
                "USUBJID": u,
                "DSSEQ": str(seq),
                "DSTERM": decod,
                "DSDECOD": decod,
                "DSSCAT": scat,
                "DSSTDTC": date,
            }
            for u, seq, decod, date, scat in rows
        ]
    )


def ae(rows: list[tuple[str, int, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "STUDYID": "T1",
                "DOMAIN": "AE",
                "USUBJID": u,
                "AESEQ": str(seq),
                "AETERM": term,
                "AEDECOD": term,
                "AETOXGR": grade,
                "AESTDTC": "2024-02-01",
            }
            for u, seq, term, grade in rows
        ]
    )


def problems_of(
    error: pytest.ExceptionInfo[ValueProblem],
) -> list[tuple[str | None, str | None, str | None]]:
    return [(p.record, p.field, p.value) for p in error.value.problems]


def counts() -> dict[str, int]:
    from oncotrial.store import models

    return {
        "subjects": models.Subject.objects.count(),
        "ae": models.AdverseEvent.objects.count(),
        "ds": models.Disposition.objects.count(),
        "tr": models.Measurement.objects.count(),
        "history": models.Subject.history.count(),
    }


def test_adverse_event_grade_outside_1_to_5_and_unknown_term_are_rejected(store, ctcae) -> None:
    from oncotrial.store.sdtm_import import import_sdtm

    import_sdtm({"DM": dm("S1", "S2")}, user="t", ctcae=ctcae)
    before = counts()
    bad = ae(
        [
            ("S1", 1, "Pneumonitis", "2"),
            ("S1", 2, "Pneumonitis", "7"),
            ("S2", 1, "Pneumonitiss", "1"),
            ("S2", 2, "Alopecia", "3"),
        ]
    )
    with pytest.raises(ValueProblem) as caught:
        import_sdtm({"AE": bad}, user="t", ctcae=ctcae, sources={"AE": Source("ae.csv")})
    assert problems_of(caught) == [
        ("row 3", "AETOXGR", "7"),
        ("row 4", "AEDECOD", "Pneumonitiss"),
        ("row 5", "AETOXGR", "3"),
    ]
    messages = [p.message for p in caught.value.problems]
    assert "outside CTCAE grades 1–5" in messages[0]
    assert "Closest CTCAE v5.0 terms: Pneumonitis" in messages[1]
    assert "grade 3 is not defined for 'Alopecia'" in messages[2]
    assert all(p.file == "ae.csv" for p in caught.value.problems)
    assert counts() == before  # one bad row rejects the file: nothing written


def test_the_database_itself_refuses_a_grade_outside_1_to_5(store) -> None:
    from django.db import IntegrityError, transaction

    from oncotrial.store import models
    from oncotrial.store.audit import acting_as, get_user

    with acting_as(get_user("t")):
        trial = models.Trial.objects.create(trial_id="T9", studyid="T9")
        subject = models.Subject.objects.create(trial=trial, usubjid="S1")
        with pytest.raises(IntegrityError), transaction.atomic():
            models.AdverseEvent.objects.create(trial=trial, subject=subject, seq=1, grade=6)


def test_a_lesion_measured_before_its_baseline_is_rejected(store, ctcae) -> None:
    from oncotrial.store.sdtm_import import import_sdtm

    tu = pd.DataFrame(
        {
            "STUDYID": "T1",
            "DOMAIN": "TU",
            "USUBJID": ["S1"],
            "TUSEQ": ["1"],
            "TULNKID": ["T01"],
            "TUSTRESC": ["TARGET"],
            "TULOC": ["LUNG"],
            "TUEVAL": ["INVESTIGATOR"],
            "TUDTC": ["2024-03-01"],
        }
    )
    tr = pd.DataFrame(
        {
            "STUDYID": "T1",
            "DOMAIN": "TR",
            "USUBJID": ["S1", "S1", "S1"],
            "TRSEQ": ["1", "2", "3"],
            "TRLNKID": ["T01", "T01", "T09"],
            "TRTESTCD": ["LDIAM"] * 3,
            "TRSTRESN": ["20", "18", "12"],
            "TREVAL": ["INVESTIGATOR"] * 3,
            "TRDTC": ["2024-02-20", "2024-04-12", "2024-04-12"],
        }
    )
    with pytest.raises(ValueProblem) as caught:
        import_sdtm({"DM": dm("S1"), "TU": tu, "TR": tr}, user="t", ctcae=ctcae)
    assert problems_of(caught) == [("row 2", "TRDTC", "2024-02-20"), ("row 4", "TRLNKID", "T09")]
    assert "measured before its baseline (identified in TU on 2024-03-01)" in (
        caught.value.problems[0].message
    )
    assert counts()["subjects"] == 0


def test_two_randomizations_and_death_before_enrollment_are_rejected(store, ctcae) -> None:
    from oncotrial.store.sdtm_import import import_sdtm

    import_sdtm(
        {"DM": dm("S1", "S2"), "DS": ds([("S1", 1, "RANDOMIZED", "2024-01-10", None)])},
        user="t",
        ctcae=ctcae,
    )
    before = counts()
    with pytest.raises(ValueProblem) as caught:
        import_sdtm(
            {
                "DS": ds(
                    [
                        ("S1", 2, "RANDOMIZED", "2024-01-12", None),
                        ("S2", 1, "RANDOMIZED", "2024-02-01", None),
                        ("S2", 2, "DEATH", "2024-01-20", "END OF STUDY"),
                    ]
                )
            },
            user="t",
            ctcae=ctcae,
        )
    assert problems_of(caught) == [
        ("row 2", "DSDECOD", "RANDOMIZED"),
        ("row 4", "DSSTDTC", "2024-01-20"),
    ]
    assert "already has a randomization" in caught.value.problems[0].message
    assert "before the subject's enrollment date 2024-02-01" in caught.value.problems[1].message
    assert counts() == before


def test_the_database_refuses_a_second_randomization_written_past_the_checks(store) -> None:
    from django.db import IntegrityError, transaction

    from oncotrial.store import models
    from oncotrial.store.audit import acting_as, get_user

    with acting_as(get_user("t")):
        trial = models.Trial.objects.create(trial_id="T9", studyid="T9")
        subject = models.Subject.objects.create(trial=trial, usubjid="S1")
        models.Disposition.objects.create(trial=trial, subject=subject, seq=1, decod="RANDOMIZED")
        with pytest.raises(IntegrityError), transaction.atomic():
            models.Disposition.objects.create(trial=trial, subject=subject, seq=2, decod="ENROLLED")
        models.Disposition.objects.create(
            trial=trial, subject=subject, seq=3, decod="DEATH", scat="END OF TREATMENT"
        )
        models.Disposition.objects.create(
            trial=trial, subject=subject, seq=4, decod="DEATH", scat="END OF STUDY"
        )


def test_every_bad_row_is_reported_with_row_field_value_and_why(store, ctcae) -> None:
    from oncotrial.store.sdtm_import import import_sdtm

    frame = dm("S1", "S1", "S3")
    frame["SEX"] = ["F", "F", "X"]
    frame["RFICDTC"] = ["2024-01-01", "2024-13-01", None]
    frame["AGE"] = ["60", "sixty", "61"]
    with pytest.raises(ValueProblem) as caught:
        import_sdtm({"DM": frame}, user="t", ctcae=ctcae, sources={"DM": Source("dm.csv")})
    found = {(p.record, p.field, p.value) for p in caught.value.problems}
    assert found == {
        ("row 3", "RFICDTC", "2024-13-01"),
        ("row 3", "AGE", "sixty"),
        ("row 4", "SEX", "X"),
        ("row 3", "USUBJID", "S1"),
    }
    report = caught.value.report()
    assert "file dm.csv, record row 3, field AGE: not a number (value 'sixty')" in report


def test_records_of_unknown_subjects_and_foreign_studies_are_rejected(store, ctcae) -> None:
    from oncotrial.store.sdtm_import import import_sdtm

    import_sdtm({"DM": dm("S1")}, user="t", ctcae=ctcae)
    bad = ae([("S9", 1, "Fatigue", "1")])
    with pytest.raises(ValueProblem) as caught:
        import_sdtm({"AE": bad}, user="t", ctcae=ctcae)
    assert problems_of(caught) == [("row 2", "USUBJID", "S9")]
    with pytest.raises(ValueProblem, match="holds study 'T1'"):
        import_sdtm({"DM": dm("S2").assign(STUDYID="OTHER")}, trial_id="T1", user="t")


def test_an_enrollment_after_a_stored_death_and_a_dm_death_date_disagreeing_are_rejected(
    store, ctcae
) -> None:
    from oncotrial.store.sdtm_import import import_sdtm

    import_sdtm(
        {
            "DM": dm("S1", "S2"),
            "DS": ds(
                [
                    ("S1", 1, "DEATH", "2024-01-05", "END OF STUDY"),
                    ("S2", 1, "DEATH", "2024-03-01", "END OF STUDY"),
                ]
            ),
        },
        user="t",
        ctcae=ctcae,
    )
    before = counts()
    with pytest.raises(ValueProblem) as caught:
        import_sdtm(
            {
                # S1's new enrollment is after its stored death: the enrollment is named
                "DS": ds([("S1", 2, "RANDOMIZED", "2024-01-10", None)]),
                # S2's DTHDTC says another day than its stored DS death record
                "DM": dm("S1", "S2", DTHDTC=["2024-01-05", "2024-03-02"]),
            },
            user="t",
            ctcae=ctcae,
            mode="update",
            reason="death dates from the hospital record",
        )
    found = {(p.field, p.value): p.message for p in caught.value.problems}
    assert "after the subject's death on 2024-01-05" in found[("DSSTDTC", "2024-01-10")]
    assert "disagrees with the DS death record (2024-03-01)" in found[("DTHDTC", "2024-03-02")]
    assert counts() == before
