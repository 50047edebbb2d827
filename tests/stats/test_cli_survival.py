"""`oncotrial stats survival` end to end: JSON against the R oracles, text, and bad input.

The JSON of the command carries the oracle files' structure and field names, with ``km`` for
the chosen --conf-type and ``cox`` for the chosen --ties (R calls as in test_oracle_survival).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from _survival_oracle import CASES, TWO_GROUP_CASES, assert_close, assert_exact, load
from click.testing import CliRunner

from oncotrial.cli import cli, main

TABLE_FIELDS = ("survival", "std_err", "lower", "upper")


def _run(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.stdout, result.stderr


def _copy(shared: Path, tmp_path: Path, case: str) -> Path:
    target = tmp_path / f"{case}.csv"
    shutil.copy(shared / "oracles" / "survival" / f"{case}.csv", target)
    return target


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize(
    ("key", "conf_type", "ties"), [("km_log", "log", "efron"), ("km_loglog", "log-log", "breslow")]
)
def test_json_matches_the_r_oracle(
    shared: Path, tmp_path: Path, case: str, key: str, conf_type: str, ties: str
) -> None:
    _, expected = load(shared, case)
    path = _copy(shared, tmp_path, case)
    landmarks = next(iter(expected[key]["groups"].values()))["landmarks"]["time"]
    args = ["stats", "survival", str(path), "--time", "time", "--event", "event"]
    if case in TWO_GROUP_CASES:
        args += ["--group", "group"]
    args += ["--conf-type", conf_type, "--ties", ties, "--format", "json"]
    args += ["--landmarks", ",".join(f"{t:g}" for t in landmarks)]
    code, out, err = _run(args)
    assert code == 0, err
    got = json.loads(out)
    assert got["n"] == expected["n"]
    assert got["km"]["conf_type"] == conf_type
    assert sorted(got["km"]["groups"]) == sorted(expected[key]["groups"])
    for group, want in expected[key]["groups"].items():
        have = got["km"]["groups"][group]
        where = f"{case} {group} {conf_type}"
        for field in ("n", "events", "median", "median_lower", "median_upper"):
            assert have[field] == want[field], f"{where} {field}"
        for field in ("time", "n_risk", "n_event"):
            assert_exact(have["table"][field], want["table"][field], f"{where} {field}")
        for field in TABLE_FIELDS:
            assert_close(have["table"][field], want["table"][field], f"{where} {field}")
        assert_exact(have["landmarks"]["time"], want["landmarks"]["time"], where)
        for field in ("survival", "lower", "upper"):
            assert_close(have["landmarks"][field], want["landmarks"][field], f"{where} {field}")
    if case in TWO_GROUP_CASES:
        for field in ("chisq", "p", "expected"):
            want_lr = expected["logrank"][field]
            assert_close(
                got["logrank"][field] if isinstance(want_lr, list) else [got["logrank"][field]],
                want_lr if isinstance(want_lr, list) else [want_lr],
                f"{case} logrank {field}",
            )
        assert got["logrank"]["groups"] == expected["logrank"]["groups"]
        want_cox = expected[f"cox_{ties}"]
        assert got["cox"]["reference"] == want_cox["reference"]
        assert got["cox"]["compared"] == want_cox["compared"]
        for field in ("coef", "hr", "se", "lower", "upper", "wald_p", "score_p", "lr_p"):
            assert_close([got["cox"][field]], [want_cox[field]], f"{case} cox {field}")
    else:
        assert "logrank" not in got
        assert "cox" not in got


def test_text_output_names_median_landmarks_tests(shared: Path, tmp_path: Path) -> None:
    path = _copy(shared, tmp_path, "randomized_120")
    code, out, err = _run(
        [
            "stats",
            "survival",
            str(path),
            "--time",
            "time",
            "--event",
            "event",
            "--group",
            "group",
            "--landmarks",
            "6,12",
            "--table",
        ]
    )
    assert code == 0, err
    assert "7.5" in out
    assert "5.9 – 11.5" in out
    assert "Log-rank: χ² = 7.4014" in out
    assert "0.5544" in out  # HR experimental vs control, as R's coxph
    assert "Event table — experimental" in out


def test_out_file_is_written_whole(shared: Path, tmp_path: Path) -> None:
    path = _copy(shared, tmp_path, "tiny_ties")
    out = tmp_path / "res" / "km.json"
    code, stdout, err = _run(
        [
            "stats",
            "survival",
            str(path),
            "--time",
            "time",
            "--event",
            "event",
            "--format",
            "json",
            "--out",
            str(out),
        ]
    )
    assert code == 0, err
    assert stdout == ""
    assert json.loads(out.read_text())["km"]["groups"]["all"]["median"] == 5


def _bad(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "bad.csv"
    path.write_text("time,event,arm\n" + body)
    return path


@pytest.mark.parametrize(
    ("body", "line", "column", "words"),
    [
        ("1,1,a\n-2,0,a\n3,1,b\n", "line 3", "time", "≥ 0"),
        ("1,1,a\n,0,a\n3,1,b\n", "line 3", "time", "missing time"),
        ("1,1,a\nNA,0,a\n3,1,b\n", "line 3", "time", "missing time"),
        ("1,1,a\nsoon,0,a\n3,1,b\n", "line 3", "time", "not a number"),
        ("1,1,a\n2,2,a\n3,1,b\n", "line 3", "event", "0 (censored) or 1 (event)"),
        ("1,1,a\n2,yes,a\n3,1,b\n", "line 3", "event", "0 (censored) or 1 (event)"),
        ("1,1,a\n2,,a\n3,1,b\n", "line 3", "event", "missing event code"),
        ("1,1,a\n2,0,\n3,1,b\n", "line 3", "arm", "missing group label"),
    ],
)
def test_bad_cells_name_file_line_and_column(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    body: str,
    line: str,
    column: str,
    words: str,
) -> None:
    path = _bad(tmp_path, body)
    out = tmp_path / "never.json"
    with pytest.raises(SystemExit) as stop:
        main(
            [
                "stats",
                "survival",
                str(path),
                "--time",
                "time",
                "--event",
                "event",
                "--group",
                "arm",
                "--format",
                "json",
                "--out",
                str(out),
            ]
        )
    assert stop.value.code == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert str(path) in captured.err
    assert line in captured.err
    assert f"field {column}" in captured.err
    assert words in captured.err
    assert "Traceback" not in captured.err
    assert not out.exists()


def test_every_bad_cell_is_listed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _bad(tmp_path, "1,1,a\n-2,0,a\n,1,b\n3,2,b\n")
    with pytest.raises(SystemExit):
        main(["stats", "survival", str(path), "--time", "time", "--event", "event"])
    err = capsys.readouterr().err
    assert "3 problems in all" in err
    for line in ("line 3", "line 4", "line 5"):
        assert line in err


def test_group_with_one_level_is_an_error(
    shared: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _copy(shared, tmp_path, "tiny_ties")
    with pytest.raises(SystemExit) as stop:
        main(
            [
                "stats",
                "survival",
                str(path),
                "--time",
                "time",
                "--event",
                "event",
                "--group",
                "group",
            ]
        )
    assert stop.value.code == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "one level ('all')" in captured.err
    assert str(path) in captured.err


def test_landmark_beyond_follow_up_is_an_error(
    shared: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _copy(shared, tmp_path, "randomized_120")
    with pytest.raises(SystemExit) as stop:
        main(
            [
                "stats",
                "survival",
                str(path),
                "--time",
                "time",
                "--event",
                "event",
                "--group",
                "group",
                "--landmarks",
                "6,30",
            ]
        )
    assert stop.value.code == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "landmark time 30 is beyond the last follow-up in group 'control' (27.2)" in (
        captured.err
    )


def test_unknown_column_lists_the_columns(
    shared: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _copy(shared, tmp_path, "tiny_ties")
    with pytest.raises(SystemExit) as stop:
        main(["stats", "survival", str(path), "--time", "days", "--event", "event"])
    assert stop.value.code == 1
    err = capsys.readouterr().err
    assert "no column 'days'" in err
    assert "time, event, group" in err


def test_missing_file_and_empty_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for path in (tmp_path / "absent.csv", tmp_path / "empty.csv"):
        if path.name == "empty.csv":
            path.write_text("time,event\n")
        with pytest.raises(SystemExit) as stop:
            main(["stats", "survival", str(path), "--time", "time", "--event", "event"])
        assert stop.value.code == 1
        assert str(path) in capsys.readouterr().err


def test_malformed_landmarks_is_a_usage_error(shared: Path, tmp_path: Path) -> None:
    path = _copy(shared, tmp_path, "tiny_ties")
    code, _, err = _run(
        [
            "stats",
            "survival",
            str(path),
            "--time",
            "time",
            "--event",
            "event",
            "--landmarks",
            "6;12",
        ]
    )
    assert code == 2
    assert "--landmarks" in err


def test_stratified_analysis_and_plain_limits(tmp_path: Path) -> None:
    # stratified log-rank checked against statsmodels' survdiff (an independent implementation)
    import numpy as np
    from statsmodels.duration.survfunc import survdiff

    rng = np.random.default_rng(3)
    n = 150
    arm = rng.choice(["control", "experimental"], n)
    site = rng.choice(["north", "south"], n)
    t = np.round(rng.exponential(np.where(arm == "control", 8, 12)), 1)
    c = np.round(rng.uniform(4, 24, n), 1)
    path = tmp_path / "strat.csv"
    path.write_text(
        "months,status,arm,site\n"
        + "".join(
            f"{min(a, b)},{int(a <= b)},{g},{s}\n"
            for a, b, g, s in zip(t, c, arm, site, strict=True)
        )
    )
    code, out, err = _run(
        [
            "stats",
            "survival",
            str(path),
            "--time",
            "months",
            "--event",
            "status",
            "--group",
            "arm",
            "--strata",
            "site",
            "--conf-type",
            "plain",
            "--format",
            "json",
        ]
    )
    assert code == 0, err
    doc = json.loads(out)
    chisq, _ = survdiff(np.minimum(t, c), (t <= c).astype(int), arm, strata=site)
    assert doc["logrank"]["chisq"] == pytest.approx(chisq, rel=1e-10)
    assert doc["settings"]["stratified"] is True
    assert doc["km"]["conf_type"] == "plain"
    lower = doc["km"]["groups"]["control"]["table"]["lower"]
    assert all(v is None or 0 <= v <= 1 for v in lower)


def test_strata_without_group_is_an_error(
    shared: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _copy(shared, tmp_path, "tiny_ties")
    with pytest.raises(SystemExit) as stop:
        main(
            [
                "stats",
                "survival",
                str(path),
                "--time",
                "time",
                "--event",
                "event",
                "--strata",
                "group",
            ]
        )
    assert stop.value.code == 1
    assert "strata only apply to the comparison of groups" in capsys.readouterr().err
