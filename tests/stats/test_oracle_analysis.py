"""Analysis-plan statistics against R (../shared/oracles/analysis, generate.R beside them).

Every case in the folder is run through the command a statistician types,
``oncotrial stats survival CASE.csv --time time --event event --group group --covariates …
--subgroup … --format json``, and each number R wrote is compared at 1e-6 relative:
``followup`` (reverse KM), ``cox_adjusted`` (coxph, Efron), ``ph_test`` (cox.zph, transform km,
terms = TRUE), ``subgroups`` (per-level HR and the interaction LR test). The binomial cases go
through ``oncotrial stats proportion`` (binom.test).

``oracle_analysis/`` beside this file holds cases of our own where the shared oracle leaves gaps
(heavy ties with missing covariates and subgroup values, a stratum without events, a subgroup
level with one arm and a constant covariate), made by ``oracle_analysis/generate.R`` with the same
R calls; each JSON's ``notes`` state the expected behaviour where oncotrial deliberately differs
(a skipped level is listed with a null HR; an aliased coefficient has a null SE where R prints 0).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from _survival_oracle import RTOL

from oncotrial.cli import main

ORACLE = Path("oracles") / "analysis"
OWN = Path(__file__).parent / "oracle_analysis"
OWN_CASES = ("constant_within_subgroup", "stratum_no_events", "ties_heavy")


def _cases(shared_dir: Path) -> list[str]:
    folder = shared_dir / ORACLE
    return sorted(
        p.name.removesuffix(".expected.json")
        for p in folder.glob("*.expected.json")
        if p.name != "binomial.expected.json"
    )


def _shared_dir() -> Path:
    # the cases are collected before fixtures exist: the same rule as the `shared` fixture
    root = Path(__file__).resolve().parents[2]
    return Path(os.environ.get("ONCOTRIAL_SHARED", root.parent / "shared")).resolve()


CASES = _cases(_shared_dir())


def _json(capsys: pytest.CaptureFixture[str], args: list[str]) -> dict[str, Any]:
    with pytest.raises(SystemExit) as stop:
        main(args)
    captured = capsys.readouterr()
    assert stop.value.code == 0, captured.err
    result: dict[str, Any] = json.loads(captured.out)
    return result


def _close(got: float | None, want: float | None, what: str) -> None:
    if want is None:
        assert got is None, f"{what}: R has null, got {got}"
        return
    assert got is not None, f"{what}: R has {want}, got null"
    assert got == pytest.approx(want, rel=RTOL, abs=0), f"{what}: {got} != R {want}"


def test_the_oracle_folder_has_cases(shared: Path) -> None:
    assert {"lung_adjusted", "veteran_adjusted"} <= set(_cases(shared))


def _command(data: Path, expected: dict[str, Any]) -> list[str]:
    args = ["stats", "survival", str(data), "--time", "time", "--event", "event"]
    args += ["--group", "group", "--covariates", ",".join(expected["covariates"])]
    args += ["--subgroup", expected["subgroup"], "--format", "json"]
    if expected.get("strata"):
        args += ["--strata", expected["strata"]]
    return args


def _compare(got: dict[str, Any], expected: dict[str, Any], case: str) -> None:
    assert got["n"] == expected["n"]
    for label, want in expected["followup"].items():
        for key in ("median", "lower", "upper"):
            _close(got["followup"][label][key], want[key], f"{case} followup {label} {key}")

    cox, want_cox = got["cox_adjusted"], expected["cox_adjusted"]
    if "formula" in want_cox:
        assert cox["formula"] == want_cox["formula"]
    if "n" in want_cox:
        assert (cox["n"], cox["events"]) == (want_cox["n"], want_cox["events"])
    assert list(cox["terms"]) == list(want_cox["terms"]), "coefficient names and order as R"
    for name, want in want_cox["terms"].items():
        keys = ("coef", "hr", "se", "lower", "upper", "p") if want["coef"] is not None else ()
        for key in keys:
            _close(cox["terms"][name][key], want[key], f"{case} cox {name} {key}")
        if want["coef"] is None:  # aliased: R's NA (R prints se 0, meaningless)
            assert cox["terms"][name]["coef"] is None and name in cox["aliased"]
    _close(cox["lr_chisq"], want_cox["lr_chisq"], f"{case} LR χ²")
    assert cox["lr_df"] == want_cox["lr_df"]
    _close(cox["lr_p"], want_cox["lr_p"], f"{case} LR p")

    for model in ("unadjusted", "adjusted"):
        want_rows = expected["ph_test"][model]
        have_rows = got["ph_test"][model]
        assert list(have_rows) == list(want_rows), f"{case} {model} zph terms"
        for term, want in want_rows.items():
            assert have_rows[term]["df"] == want["df"]
            _close(have_rows[term]["chisq"], want["chisq"], f"{case} zph {model} {term} χ²")
            _close(have_rows[term]["p"], want["p"], f"{case} zph {model} {term} p")

    sub, want_sub = got["subgroups"], expected["subgroups"]
    assert sub["variable"] == want_sub["variable"]
    for level, want in want_sub["levels"].items():
        have = sub["levels"][level]
        assert (have["n"], have["events"]) == (want["n"], want["events"]), f"{case} {level}"
        for key in ("hr", "lower", "upper"):
            _close(have[key], want[key], f"{case} subgroup {level} {key}")
    for level in set(sub["levels"]) - set(want_sub["levels"]):
        # R's loop skips a level with one arm or no events; we list it, with the reason
        skipped = sub["levels"][level]
        assert skipped["hr"] is None and skipped["note"], f"{case} {level}"
    inter, want_inter = sub["interaction"], want_sub["interaction"]
    assert inter["df"] == want_inter["df"]
    _close(inter["chisq"], want_inter["chisq"], f"{case} interaction χ²")
    _close(inter["p"], want_inter["p"], f"{case} interaction p")


@pytest.mark.parametrize("case", CASES)
def test_survival_json_matches_r(
    shared: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    expected = json.loads((shared / ORACLE / f"{case}.expected.json").read_text())
    data = tmp_path / f"{case}.csv"
    shutil.copy(shared / ORACLE / f"{case}.csv", data)
    _compare(_json(capsys, _command(data, expected)), expected, case)


@pytest.mark.parametrize("case", OWN_CASES)
def test_own_cases_match_r(capsys: pytest.CaptureFixture[str], case: str) -> None:
    expected = json.loads((OWN / f"{case}.expected.json").read_text())
    got = _json(capsys, _command(OWN / f"{case}.csv", expected))
    _compare(got, expected, case)
    if "logrank" in expected:  # stratified: a stratum without events adds nothing
        _close(got["logrank"]["chisq"], expected["logrank"]["chisq"], f"{case} log-rank")
        _close(got["logrank"]["p"], expected["logrank"]["p"], f"{case} log-rank p")
        _close(got["cox"]["hr"], expected["cox"]["hr"], f"{case} stratified HR")
        _close(got["cox"]["wald_p"], expected["cox"]["p"], f"{case} stratified HR p")


def test_missing_values_are_counted_not_dropped(capsys: pytest.CaptureFixture[str]) -> None:
    expected = json.loads((OWN / "ties_heavy.expected.json").read_text())
    got = _json(capsys, _command(OWN / "ties_heavy.csv", expected))
    assert got["cox_adjusted"]["excluded"] == 2  # age missing: out of the adjusted model only
    assert got["subgroups"]["missing"] == 5
    assert got["subgroups"]["levels"]["missing"]["n"] == 5
    total = sum(level["n"] for level in got["subgroups"]["levels"].values())
    assert total == got["n"]


def test_proportion_json_matches_binom_test(
    shared: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = json.loads((shared / ORACLE / "binomial.expected.json").read_text())
    assert len(cases) >= 4
    for want in cases:
        got = _json(
            capsys,
            [
                "stats",
                "proportion",
                "--events",
                str(want["events"]),
                "--n",
                str(want["n"]),
                "--null",
                str(want["null"]),
                "--alternative",
                want["alternative"],
                "--format",
                "json",
            ],
        )
        what = f"binom.test({want['events']}, {want['n']}, {want['null']}, {want['alternative']})"
        for key in ("estimate", "lower", "upper", "p_value"):
            _close(got[key], want[key], f"{what} {key}")


def test_proportion_text_reads_as_a_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(
            [
                "stats",
                "proportion",
                "--events",
                "9",
                "--n",
                "25",
                "--null",
                "0.15",
                "--alternative",
                "greater",
            ]
        )
    out = " ".join(capsys.readouterr().out.split())
    assert stop.value.code == 0
    # trial 002's primary: 9/25 against 15%, one-sided exact p = 0.008 (issue 14)
    assert "9/25 (36.0%; 95% CI 18.0–57.5); one-sided (greater) exact p = 0.007973" in out


def _fails(capsys: pytest.CaptureFixture[str], args: list[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as stop:
        main(args)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Traceback" not in captured.err
    return int(stop.value.code or 0), captured.err


def test_bad_plan_statistics_input_is_named(
    shared: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "lung.csv"
    shutil.copy(shared / ORACLE / "lung_adjusted.csv", data)
    base = ["stats", "survival", str(data), "--time", "time", "--event", "event"]
    code, err = _fails(capsys, [*base, "--group", "group", "--covariates", "age,weight"])
    assert code == 1 and "no column 'weight'" in err and str(data) in err
    code, err = _fails(capsys, [*base, "--subgroup", "pdl1"])
    assert code == 2 and "--subgroup" in err and "--group" in err
    code, err = _fails(capsys, [*base, "--group", "group", "--covariates", "age,,ecog"])
    assert code == 2 and "--covariates" in err
    code, err = _fails(
        capsys, ["stats", "proportion", "--events", "30", "--n", "25", "--null", "0.2"]
    )
    assert code == 1 and "outside 0..25" in err
    code, err = _fails(
        capsys, ["stats", "proportion", "--events", "3", "--n", "25", "--null", "1.5"]
    )
    assert code == 1 and "p0 must be in [0, 1]" in err


def test_a_covariate_missing_for_everyone_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "empty_cov.csv"
    data.write_text("time,event,group,age\n1,1,a,\n2,0,b,\n3,1,a,\n4,1,b,\n")
    code, err = _fails(
        capsys,
        [
            "stats",
            "survival",
            str(data),
            "--time",
            "time",
            "--event",
            "event",
            "--group",
            "group",
            "--covariates",
            "age",
        ],
    )
    assert code == 1 and str(data) in err and "age" in err
