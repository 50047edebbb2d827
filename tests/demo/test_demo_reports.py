"""Each seed trial's report holds every endpoint its registration lists, and its numbers are the
engines' own: every table is compared with direct engine calls on the trial's data as stored in
the demo database (no number is re-computed inside the report layer)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from oncotrial.endpoints.adsl import derive_adsl
from oncotrial.endpoints.biomarker import analyse_pdl1_response
from oncotrial.endpoints.local_progression import derive_local_progression, treated_lesions
from oncotrial.endpoints.qol import summarise_scores
from oncotrial.endpoints.rates import DCR, ORR, compute_rate
from oncotrial.endpoints.safety import ae_overview, derive_adae
from oncotrial.endpoints.tte import Param, derive_adtte, new_therapy_from_cm, rules_for
from oncotrial.formats.ctcae import load_ctcae
from oncotrial.formats.lesions import sdtm_lesions
from oncotrial.formats.plan_files import find_plan
from oncotrial.formats.protocol_files import find_protocol
from oncotrial.protocol.endpoints import EndpointKind, Origin
from oncotrial.protocol.model import Protocol
from oncotrial.response import ReferenceDate, ResponseSettings, derive_response
from oncotrial.stats.cox import cox_two_groups
from oncotrial.stats.km import kaplan_meier
from oncotrial.stats.logrank import logrank_test

TRIALS = ("000", "001", "002", "003", "004")
MONTH = 365.25 / 12


def table(report: Path, table_id: str) -> pd.DataFrame:
    return pd.read_csv(report / "tables" / f"{table_id}.csv", keep_default_na=False, na_values=[""])


def close(a: object, b: object, tol: float = 1e-5) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    return (
        b is not None
        and not (isinstance(b, float) and math.isnan(b))
        and abs(float(a) - float(b)) <= tol
    )


class Engines:
    """The engines called directly, with the definitions the report states in its methods."""

    def __init__(self, frames: dict[str, pd.DataFrame], protocol: Protocol) -> None:
        self.frames = frames
        self.protocol = protocol
        self.adsl = derive_adsl(frames)
        self.ref = "TRTSDT" if protocol.analysis.reference_date is Origin.FIRST_DOSE else "RANDDT"
        adsl = self.adsl
        self.efficacy = adsl[(adsl["RANDFL"] == "Y") & adsl[self.ref].notna() & adsl["ARM"].notna()]
        self.settings = (protocol.analysis.response or ResponseSettings()).model_copy(
            update={"reference_date": ReferenceDate(self.ref)}
        )
        lesions = sdtm_lesions(frames["TU"], frames["TR"])
        self.lesions = lesions[lesions["USUBJID"].isin(set(self.efficacy["USUBJID"]))]
        self.confirmed = not protocol.is_randomized
        plan = protocol.analysis
        self.rules = rules_for(
            "fda2018",
            assessment_interval_days=plan.imaging_interval_days,
            assessment_window_days=plan.imaging_window_days or 0,
        )

    def response(self, horizon_days: float | None = None):
        lesions = self.lesions
        if horizon_days is not None:
            zero = pd.to_datetime(
                lesions["USUBJID"].map(
                    dict(zip(self.efficacy["USUBJID"], self.efficacy[self.ref], strict=False))
                )
            )
            when = pd.to_datetime(lesions["DTC"].str.slice(0, 10))
            lesions = lesions[((when - zero).dt.days <= math.floor(horizon_days)).to_numpy()]
        return derive_response(
            self.efficacy[["USUBJID", "STUDYID", self.ref]], lesions=lesions, settings=self.settings
        )

    def bor_table(self, horizon_days: float | None = None) -> pd.DataFrame:
        summary = self.response(horizon_days).summary
        arm = dict(zip(self.efficacy["USUBJID"], self.efficacy["ARM"], strict=False))
        return pd.DataFrame(
            {
                "USUBJID": summary["USUBJID"],
                "ARM": summary["USUBJID"].map(arm),
                "BOR": summary["CBOR" if self.confirmed else "BOR"],
            }
        )

    def adtte(self, param: Param, residual: bool = False) -> pd.DataFrame:
        response = self.response()
        adrs = response.adrs
        subjects = self.efficacy
        local = None
        if param is Param.LPFS and residual:
            # the plan (001): every baseline lesion in both arms, followed from time zero
            base = response.lesions[response.lesions["ABLFL"] == "Y"]
            lesions = base[["USUBJID", "LESION_ID"]].astype(str).drop_duplicates()
            zero = dict(zip(self.efficacy["USUBJID"], self.efficacy[self.ref], strict=False))
            lesions = lesions.assign(START=pd.to_datetime(lesions["USUBJID"].map(zero)))
            local = derive_local_progression(response.lesions, lesions).events
        elif param is Param.LPFS:
            found = derive_local_progression(response.lesions, treated_lesions(self.frames["PR"]))
            subjects = subjects[subjects["USUBJID"].isin(set(found.subjects))]
            local = found.events
        if param is Param.DOR and self.confirmed:
            adrs = pd.concat(
                [
                    adrs[adrs["PARAMCD"] != "RSP"],
                    adrs[adrs["PARAMCD"] == "CRSP"].assign(PARAMCD="RSP"),
                ]
            )
        return derive_adtte(
            subjects,
            adrs,
            reference=self.ref,
            params=(param,),
            rules=self.rules,
            new_therapy=new_therapy_from_cm(self.frames["CM"]),
            local_progression=local,
        ).adtte

    def curves(self, param: Param, limit_days: float | None = None, residual: bool = False):
        adtte = self.adtte(param, residual)
        if limit_days is not None:
            # the plan's maximum follow-up: times beyond it censored there
            over = adtte["AVAL"].astype(float) > limit_days
            adtte = adtte.assign(
                AVAL=adtte["AVAL"].astype(float).where(~over, limit_days),
                CNSR=adtte["CNSR"].where(~over, 1),
            )
        return {
            arm: kaplan_meier(rows["AVAL"].to_numpy(float), 1 - rows["CNSR"].to_numpy(int))
            for arm, rows in adtte.groupby("ARM")
        }, adtte


@pytest.fixture(scope="module")
def engines(demo_run) -> dict[str, Engines]:
    from oncotrial.store import configure
    from oncotrial.store.sdtm_export import export_sdtm

    configure(demo_run.database)
    out = {}
    for key in TRIALS:
        protocol = find_protocol(key)
        out[key] = Engines(export_sdtm(protocol.trial_id), protocol)
    return out


def first_intervention_window(frames, adsl) -> pd.DataFrame:
    """USUBJID, ARM (as treated), TRTSDT/TRTEDT: first start and last end over EX and PR."""
    spans = []
    for domain, start, end in (("EX", "EXSTDTC", "EXENDTC"), ("PR", "PRSTDTC", "PRENDTC")):
        frame = frames.get(domain)
        if frame is None or frame.empty:
            continue
        began = pd.to_datetime(frame[start].astype(str).str[:10], errors="coerce")
        ended = pd.to_datetime(frame[end].astype(str).str[:10], errors="coerce").fillna(began)
        spans.append(pd.DataFrame({"USUBJID": frame["USUBJID"], "S": began, "E": ended}))
    span = (
        pd.concat(spans).dropna(subset=["S"]).groupby("USUBJID").agg(S=("S", "min"), E=("E", "max"))
    )
    treated = adsl[adsl["USUBJID"].isin(set(span.index))]
    return pd.DataFrame(
        {
            "USUBJID": treated["USUBJID"],
            "ARM": treated["ACTARM"].where(treated["ACTARM"].notna(), treated["ARM"]),
            "TRTSDT": treated["USUBJID"].map(span["S"]).dt.date,
            "TRTEDT": treated["USUBJID"].map(span["E"]).dt.date,
        }
    )


def check_rate(report: Path, item: str, expected) -> None:
    got = table(report, f"{item}-rate").set_index("Arm")
    assert len(expected.arms) >= 1
    for arm in expected.arms:
        row = got.loc[arm.arm]
        p = arm.proportion
        assert row["Patients with the outcome (n)"] == p.count
        assert row["Patients (N)"] == p.total
        assert close(row["Rate (%)"], 100 * p.estimate)
        assert close(row["95% CI lower (%)"], 100 * p.lower)
        assert close(row["95% CI upper (%)"], 100 * p.upper)


def check_km(report: Path, item: str, curves, landmark_days: float | None) -> None:
    got = table(report, f"{item}-km").set_index("Arm")
    assert set(got.index) == set(curves)
    for arm, curve in curves.items():
        row = got.loc[arm]
        assert row["Patients"] == curve.n and row["Events"] == curve.events
        median = curve.median
        for column, value in (
            ("Median (months)", median.time),
            ("95% CI lower", median.lower),
            ("95% CI upper", median.upper),
        ):
            assert close(row[column], None if value is None else value / MONTH), (arm, column)
        if landmark_days is not None:
            (estimate,) = curve.survival_at([landmark_days])
            rates = table(report, f"{item}-landmark").set_index("Arm")
            assert close(rates.loc[arm, "Time point (days)"], landmark_days, 1e-3)
            assert close(rates.loc[arm, "Rate (%)"], 100 * estimate.survival)
            assert close(rates.loc[arm, "95% CI lower (%)"], 100 * estimate.lower)
            assert close(rates.loc[arm, "95% CI upper (%)"], 100 * estimate.upper)
            assert rates.loc[arm, "At risk"] == estimate.n_risk


@pytest.mark.parametrize("key", TRIALS)
def test_every_registered_endpoint_has_its_section_in_registration_order(
    demo_run, key: str
) -> None:
    protocol = find_protocol(key)
    html = (demo_run.reports / key / "report.html").read_text(encoding="utf-8")
    positions = []
    for index, endpoint in enumerate(protocol.endpoints, start=1):
        anchor = f'id="sec-ep{index}"'
        assert anchor in html, f"{key}: endpoint {index} ({endpoint.title}) has no section"
        section = html[html.index(anchor) :]
        section = section[
            : section.find('id="sec-ep', 10) if index < len(protocol.endpoints) else None
        ]
        positions.append(html.index(anchor))
        # the registration's own words, quoted (HTML-escaped as the renderer writes them)
        import html as html_lib

        for text in (endpoint.title, endpoint.description, endpoint.time_frame):
            if text:
                assert (
                    html_lib.escape(text, quote=False) in section
                    or html_lib.escape(text) in section
                ), (key, index, text[:40])
        assert "registration text" in section, (key, index)
    assert positions == sorted(positions)


@pytest.mark.parametrize("key", TRIALS)
def test_report_tables_equal_direct_engine_calls(demo_run, engines, ctcae_file, key: str) -> None:
    report = demo_run.reports / key
    e = engines[key]
    protocol = e.protocol
    control = next(
        (a.label for a in protocol.arms if a.type and a.type.value == "ACTIVE_COMPARATOR"), None
    )
    checked = set()
    for index, endpoint in enumerate(protocol.endpoints, start=1):
        item = f"ep{index}"
        kind = endpoint.reading.kind
        horizon = endpoint.reading.time_frame.days if endpoint.reading.time_frame else None
        if kind in (EndpointKind.ORR, EndpointKind.DCR):
            expected = compute_rate(
                e.bor_table(horizon), ORR if kind is EndpointKind.ORR else DCR, arm="ARM"
            )
            check_rate(report, item, expected)
        elif kind in (
            EndpointKind.PFS,
            EndpointKind.OS,
            EndpointKind.TTP,
            EndpointKind.DOR,
            EndpointKind.LOCAL_CONTROL,
        ):
            param = {
                EndpointKind.PFS: Param.PFS,
                EndpointKind.OS: Param.OS,
                EndpointKind.TTP: Param.TTP,
                EndpointKind.DOR: Param.DOR,
                EndpointKind.LOCAL_CONTROL: Param.LPFS,
            }[kind]
            planned = next(
                (p for p in find_plan(key).plan.endpoints if p.registration == index - 1), None
            )
            limit = (
                planned.time_frame.value.days
                if planned is not None
                and planned.time_frame is not None
                and planned.time_frame_use is not None
                and planned.time_frame_use.value.value == "maximum follow-up"
                and param in (Param.PFS, Param.OS, Param.TTP)
                else None
            )
            residual = planned is not None and planned.method.value.value.startswith(
                "cumulative incidence"
            )
            curves, adtte = e.curves(param, limit, residual)
            landmark = endpoint.reading.landmark.days if endpoint.reading.landmark else None
            check_km(report, item, curves, landmark)
            if protocol.is_randomized and adtte["ARM"].nunique() > 1:
                time = adtte["AVAL"].to_numpy(float)
                event = 1 - adtte["CNSR"].to_numpy(int)
                group = adtte["ARM"].to_numpy(object)
                cox = cox_two_groups(time, event, group, reference=control)
                lr = logrank_test(time, event, group)
                row = table(report, f"{item}-hr").iloc[0]
                assert row["Reference arm"] == control
                assert close(row["Hazard ratio"], cox.terms[0].hr, 1e-6)
                assert close(row["95% CI lower"], cox.terms[0].lower, 1e-6)
                assert close(row["95% CI upper"], cox.terms[0].upper, 1e-6)
                assert close(row["Log-rank p"], lr.p, 1e-6)
        elif kind is EndpointKind.SURVIVAL_RATE:
            curves, _ = e.curves(Param.OS)
            days = endpoint.reading.landmark.days
            got = table(report, f"{item}-rate").set_index("Arm")
            for arm, curve in curves.items():
                (estimate,) = curve.survival_at([days])
                assert close(got.loc[arm, "Rate (%)"], 100 * estimate.survival)
                assert close(got.loc[arm, "95% CI lower (%)"], 100 * estimate.lower)
                assert got.loc[arm, "At risk"] == estimate.n_risk
        elif kind is EndpointKind.AE_INCIDENCE:
            # The reviewed plans open the treatment-emergent window at the first protocol
            # intervention of any kind (EX doses, PR procedures and radiotherapy), computed here
            # from the SDTM records directly.
            subjects = first_intervention_window(e.frames, e.adsl)
            ae = e.frames["AE"]
            adae = derive_adae(
                ae[ae["USUBJID"].isin(set(subjects["USUBJID"]))],
                subjects,
                dictionary=load_ctcae(ctcae_file),
                window_days=find_plan(key).plan.safety.window_days_after_last.value,
            )
            overview = ae_overview(adae, subjects)
            got = table(report, f"{item}-overview").set_index("Category")
            arms = sorted(subjects["ARM"].unique())
            for category, counts in overview:
                for name, count in zip([*arms, "Total"], counts, strict=True):
                    if len(arms) == 1 and name == "Total":
                        continue  # one arm: the arm's column is the total
                    prefix = name  # columns are named by the arms' labels (issue 14)
                    column = next(c for c in got.columns if c.startswith(f"{prefix} (N ="))
                    assert got.loc[category.label, column] == count.describe(), (category.id, name)
        elif kind is EndpointKind.BIOMARKER_RESPONSE:
            bor = e.bor_table(horizon)
            bor["TPS"] = bor["USUBJID"].map(
                dict(zip(e.adsl["USUBJID"], e.adsl["PDL1TPS"], strict=False))
            )
            analysis = analyse_pdl1_response(bor, tps="TPS", bor="BOR")
            got = table(report, f"{item}-pdl1").set_index("PD-L1 TPS")
            for c in analysis.categories:
                assert got.loc[c.category.label, "Responders (n)"] == c.rate.count
                assert got.loc[c.category.label, "Patients (N)"] == c.rate.total
                assert close(got.loc[c.category.label, "ORR (%)"], 100 * c.rate.estimate)
        elif kind is EndpointKind.QOL:
            summary = summarise_scores(e.frames["QS"], e.efficacy[["USUBJID", "ARM"]])
            codes = {a.label: chr(ord("a") + i) for i, a in enumerate(protocol.arms)}
            for arm in summary.arms:
                got = table(report, f"{item}-qol-{codes[arm]}").set_index("Visit")
                for row in (r for r in summary.rows if r.arm == arm):
                    assert got.loc[row.visit, "n"] == row.n
                    assert close(got.loc[row.visit, "Mean"], row.mean, 1e-4)
                    if not row.baseline:
                        assert close(got.loc[row.visit, "Mean change"], row.change_mean, 1e-4)
        else:
            pytest.fail(f"{key}: endpoint kind {kind} is not checked")
        checked.add(kind)
    assert checked == {e.reading.kind for e in protocol.endpoints}


def test_the_summary_names_the_trials_and_where_the_reports_are(demo_run) -> None:
    out = demo_run.cli.out
    for key in TRIALS:
        assert (demo_run.reports / key / "report.html").is_file()
        assert (demo_run.reports / key / "report.pdf").is_file()
        assert (demo_run.reports / key / "report.xlsx").is_file()
        assert str(demo_run.reports / key / "report.html") in out.replace("\n", "")
    assert "creating the demo database" in out
    assert "not trial results" in out
    for header in ("ORR (95% CI)", "Median PFS", "Median OS"):
        assert header in out
    assert "001 arms: A = Maintenance therapy + radiotherapy; B = Maintenance therapy" in out
    assert demo_run.database.is_file()
    assert "note:" not in demo_run.cli.err  # the dictionary was found: every AE table is there


def test_the_demo_database_holds_the_five_simulated_trials(demo_database) -> None:
    from oncotrial.store.trials import database_status

    state = database_status()
    ids = {t.trial_id for t in state.trials}
    assert ids == {find_protocol(k).trial_id for k in TRIALS}
    sizes = {t.trial_id: t for t in state.trials}
    assert "AE" in sizes["NCT07064876"].records
