"""REDCap: the data dictionary REDCap reads, records out and back in, refusals that say where.

The round trip runs on every demo trial: dictionary + records export, imported into an empty
database through `oncotrial redcap import`, gives the same SDTM as the original."""

from __future__ import annotations

import contextlib
import csv
import io
from pathlib import Path

import pytest

from oncotrial.formats.redcap.design import PATTERNS, choice_code, unique_event_name
from oncotrial.formats.redcap.dictionary import FIELD_TYPES, HEADER, VALIDATION_TYPES

DEMO_TRIALS = ("000", "001", "NCT07064876", "003", "004")


def _main(*args: str) -> tuple[int, str, str]:
    from oncotrial.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`oncotrial demo` once for this module, in its own data directory."""
    home = tmp_path_factory.mktemp("redcap-demo")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ONCOTRIAL_HOME", str(home))
        for name in ("ONCOTRIAL_CTCAE", "ONCOTRIAL_DB", "DATABASE_URL"):
            patch.delenv(name, raising=False)
        code, _, err = _main("demo")
    assert code == 0, err
    return home / "demo" / "oncotrial-demo.sqlite3"


@pytest.fixture(scope="module")
def exported(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("redcap-files")
    for trial in DEMO_TRIALS:
        code, _, err = _main("redcap", "dictionary", trial, "--out", str(out / f"{trial}.csv"),
                             "--db", str(demo_db))  # fmt: skip
        assert code == 0, err
        code, _, err = _main("redcap", "export", trial, "--out",
                             str(out / f"{trial}.records.csv"), "--db", str(demo_db))  # fmt: skip
        assert code == 0, err
    return out


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _sdtm(db: Path, trial: str) -> dict[str, object]:
    from oncotrial.formats.sdtm_spec import to_text_frame
    from oncotrial.store import configure

    configure(db)
    from oncotrial.store.sdtm_export import export_sdtm

    return {d: to_text_frame(f, d) for d, f in export_sdtm(trial).items()}


@pytest.mark.slow
@pytest.mark.parametrize("trial", DEMO_TRIALS)
def test_round_trip_gives_the_same_sdtm(
    trial: str, demo_db: Path, exported: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.sqlite3"
    assert _main("db", "init", "--db", str(empty))[0] == 0
    code, out, err = _main(
        "redcap", "import", str(exported / f"{trial}.records.csv"), "--dictionary",
        str(exported / f"{trial}.csv"), "--trial", trial, "--db", str(empty),
    )  # fmt: skip
    assert code == 0, err
    assert f"imported REDCap records into trial {trial}" in out
    original, again = _sdtm(demo_db, trial), _sdtm(empty, trial)
    assert sorted(again) == sorted(original)
    for domain, frame in original.items():
        assert list(again[domain].columns) == list(frame.columns), domain  # type: ignore[attr-defined]
        assert again[domain].equals(frame), domain  # type: ignore[attr-defined]


@pytest.mark.slow
def test_dictionary_is_one_redcap_accepts(exported: Path) -> None:
    path = exported / "NCT07064876.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert tuple(header) == HEADER and len(HEADER) == 18
    fields = _rows(path)
    names = [f["Variable / Field Name"] for f in fields]
    assert names[0] == "record_id" and len(set(names)) == len(names)
    assert all(n[0].isalpha() and n == n.lower() and n.replace("_", "").isalnum() for n in names)
    from oncotrial.catalogue import ENTITIES

    assert list(dict.fromkeys(f["Form Name"] for f in fields)) == list(ENTITIES)
    assert {f["Field Type"] for f in fields} <= FIELD_TYPES
    validations = {f["Text Validation Type OR Show Slider Number"] for f in fields} - {""}
    assert validations <= VALIDATION_TYPES and {"date_ymd", "integer", "number"} <= validations
    by_name = {f["Variable / Field Name"]: f for f in fields}
    grade = by_name["ae_aetoxgr"]
    assert grade["Field Type"] == "dropdown"
    assert grade["Choices, Calculations, OR Slider Labels"] == "1, 1 | 2, 2 | 3, 3 | 4, 4 | 5, 5"
    assert grade["Field Annotation"] == "SDTM: AE.AETOXGR"
    outcome = by_name["ae_aeout"]["Choices, Calculations, OR Slider Labels"]
    assert "not_recovered_not_resolved, Not recovered / not resolved" in outcome
    assert by_name["ecog_qstestcd"]["Choices, Calculations, OR Slider Labels"].startswith(
        "ecog101, "
    )
    assert by_name["measurement_trreasnd"]["Branching Logic (Show field only if...)"] == (
        "[measurement_trstat] = 'not_done'"
    )
    assert by_name["demographics_dthdtc"]["Branching Logic (Show field only if...)"] == (
        "[demographics_dthfl] = 'y'"
    )
    assert by_name["demographics_age"]["Text Validation Min"] == "0"
    for choices in (f["Choices, Calculations, OR Slider Labels"] for f in fields):
        for part in filter(None, choices.split(" | ")):
            code = part.split(",", 1)[0]
            assert code and code.replace("_", "").isalnum() and code == code.lower(), code
    events = _rows(exported / "NCT07064876.events.csv")
    assert [e["unique_event_name"] for e in events[:3]] == [
        "subject_arm_1",
        "screening_arm_1",
        "cycle_1_day_1_arm_1",
    ]
    assert all(len(e["unique_event_name"]) <= 18 + len("_arm_1") for e in events)
    designations = _rows(exported / "NCT07064876.instruments.csv")
    assert list(designations[0]) == ["arm_num", "unique_event_name", "form"]
    assert {"arm_num": "1", "unique_event_name": "subject_arm_1", "form": "ae"} in designations
    repeating = _rows(exported / "NCT07064876.repeating.csv")
    assert list(repeating[0]) == ["event_name", "form_name", "custom_form_label"]
    assert not any(r["form_name"] == "demographics" for r in repeating)
    assert len(repeating) == len(designations) - 1


@pytest.mark.slow
def test_records_pass_the_dictionary(exported: Path) -> None:
    fields = {f["Variable / Field Name"]: f for f in _rows(exported / "003.csv")}
    rows = _rows(exported / "003.records.csv")
    events = {e["unique_event_name"] for e in _rows(exported / "003.events.csv")}
    designated = {(d["unique_event_name"], d["form"])
                  for d in _rows(exported / "003.instruments.csv")}  # fmt: skip
    for row in rows:
        assert row["redcap_event_name"] in events
        for name, value in row.items():
            if name in fields and value and name != "record_id":  # the record id is on every row
                field = fields[name]
                validation = field["Text Validation Type OR Show Slider Number"]
                if validation:
                    assert PATTERNS[validation].match(value), (name, value)
                if field["Field Type"] == "dropdown":
                    codes = [
                        p.split(",")[0]
                        for p in field["Choices, Calculations, OR Slider Labels"].split(" | ")
                    ]
                    assert value in codes, (name, value)
                assert (row["redcap_event_name"], field["Form Name"]) in designated
    first = rows[0]
    assert first["redcap_repeat_instrument"] == "" and first["demographics_sex"] in ("f", "m")


def _corrupt(path: Path, target: Path, field: str, value: str, form: str) -> dict[str, str]:
    rows = _rows(path)
    row = next(r for r in rows if r["redcap_repeat_instrument"] == form and r[field])
    row[field] = value
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return row


@pytest.mark.slow
@pytest.mark.parametrize(
    ("field", "value", "form", "why"),
    [
        ("ae_aetoxgr", "7", "ae", "'7' is not one of the field's choice codes (1, 2, 3, 4, 5)"),
        ("ae_aestdtc", "03/02/2024", "ae", "'03/02/2024' is not a REDCap date_ymd value"),
        ("lab_lbstresn", "high", "lab", "'high' is not a REDCap number value"),
    ],
)
def test_a_bad_value_is_refused_naming_where(
    field: str, value: str, form: str, why: str, exported: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.sqlite3"
    _main("db", "init", "--db", str(empty))
    bad = tmp_path / "records.csv"
    row = _corrupt(exported / "004.records.csv", bad, field, value, form)
    code, _, err = _main("redcap", "import", str(bad), "--dictionary", str(exported / "004.csv"),
                         "--trial", "004", "--db", str(empty))  # fmt: skip
    assert code == 1 and "Traceback" not in err
    text = " ".join(err.split())
    assert "nothing was imported" in text and why in text
    assert (
        f"record {row['record_id']}, event {row['redcap_event_name']}, instrument {form}, "
        f"instance {row['redcap_repeat_instance']}"
        in text
        and f"field {field}" in text
    )
    assert _main("data", "export", "004", "--out", str(tmp_path / "x"), "--db", str(empty))[0] == 1


@pytest.mark.slow
def test_a_store_check_is_refused_naming_record_event_instrument(
    exported: Path, tmp_path: Path
) -> None:
    """A value REDCap would accept but the trial database refuses (an AE term that is not a
    CTCAE v5.0 term) is reported with its REDCap location and field, and nothing is written."""
    empty = tmp_path / "empty.sqlite3"
    _main("db", "init", "--db", str(empty))
    bad = tmp_path / "records.csv"
    row = _corrupt(exported / "004.records.csv", bad, "ae_aedecod", "Unicorn fever", "ae")
    code, _, err = _main("redcap", "import", str(bad), "--dictionary", str(exported / "004.csv"),
                         "--trial", "004", "--db", str(empty))  # fmt: skip
    text = " ".join(err.split())
    assert code == 1 and "Traceback" not in err, err
    assert "nothing was imported" in text and "Unicorn fever" in text, text
    assert (
        f"record {row['record_id']}, event subject_arm_1, instrument ae, instance "
        f"{row['redcap_repeat_instance']} (row " in text
    ), text
    assert "field ae_aedecod" in text, text
    assert _main("data", "export", "004", "--out", str(tmp_path / "x"), "--db", str(empty))[0] == 1


def test_unknown_columns_and_missing_files_are_refused(tmp_path: Path) -> None:
    dictionary = tmp_path / "dict.csv"
    dictionary.write_text(",".join(f'"{h}"' for h in HEADER) + "\n"
                          "record_id,demographics,,text,Subject,,,,,,,,,,,,,SDTM: DM.USUBJID\n"
                          "demographics_sex,demographics,,dropdown,Sex,\"f, Female | m, Male\",,,"
                          ",,,,,,,,,SDTM: DM.SEX\n", encoding="utf-8")  # fmt: skip
    records = tmp_path / "records.csv"
    records.write_text("record_id,demographics_sex,favourite_colour\nS-1,f,blue\n")
    empty = tmp_path / "empty.sqlite3"
    _main("db", "init", "--db", str(empty))
    code, _, err = _main("redcap", "import", str(records), "--dictionary", str(dictionary),
                         "--trial", "S", "--db", str(empty))  # fmt: skip
    assert code == 1 and "column 'favourite_colour' is not a field of the data dictionary" in err
    not_a_dictionary = tmp_path / "other.csv"
    not_a_dictionary.write_text("a,b\n1,2\n")
    code, _, err = _main("redcap", "import", str(records), "--dictionary", str(not_a_dictionary),
                         "--trial", "S", "--db", str(empty))  # fmt: skip
    assert code == 1 and "is not a REDCap data dictionary" in err and "Traceback" not in err
    code, _, err = _main("redcap", "import", "--trial", "S", "--db", str(empty))
    assert code == 2 and "give RECORDS and --dictionary, or --url and --token" in err


def test_codes_and_event_names() -> None:
    assert choice_code("NOT RECOVERED/NOT RESOLVED") == "not_recovered_not_resolved"
    assert choice_code("NON-CR/NON-PD") == "non_cr_non_pd"
    assert unique_event_name("SURVIVAL FOLLOW-UP") == "survival_follow_up_arm_1"
    assert unique_event_name("CYCLE 10 DAY 1") == "cycle_10_day_1_arm_1"
    assert unique_event_name("Week 6", ["week_6_arm_1"]) == "week_62_arm_1"
