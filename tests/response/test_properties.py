"""Hypothesis: the vectorised engine agrees with the per-subject reference, and invariants hold.

``recist_reference`` (beside this file) is a plain loop-per-subject implementation of RECIST 1.1,
mRECIST and iRECIST written independently of the vectorised engine; on random trials (several
subjects with random lesions, assessments and settings, confirmation intervals from 0 to 84 days)
both must give the same timepoint responses, best responses, their dates and the response dates.
Then: shuffling the input rows changes nothing, and removing an assessment after PD never improves
a subject's best response.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from recist_reference import (
    Measurement,
    reference_best_response,
    reference_subject,
)
from response_builders import REF, subjects

from oncotrial.response import (
    AfterCompleteResponse,
    ResponseCriteria,
    ResponseSettings,
    derive_response,
)

ORDER = ["CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE", "ND", "MISSING"]
IORDER = ["iCR", "iPR", "iSD", "NON-iCR/NON-iUPD", "iCPD", "iUPD", "NE", "ND", "MISSING"]
FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

settings_strategy = st.builds(
    ResponseSettings,
    criteria=st.sampled_from(list(ResponseCriteria)),
    # 0 to 84 days, the edges included: a 0-day interval still needs a later assessment.
    confirmation_days=st.integers(0, 84) | st.sampled_from([0, 1, 28, 84]),
    sd_min_days=st.sampled_from([28, 42, 56]),
    max_ne_between=st.integers(0, 2),
    accept_sd_between=st.booleans(),
    count_after_pd=st.booleans(),
    after_cr=st.sampled_from(list(AfterCompleteResponse)),
    # iRECIST: confirmation of iUPD at least 0-42 days later (default 28).
    irecist_min_confirm_days=st.sampled_from([0, 21, 28, 42]),
)


@st.composite
def subject_records(draw: st.DrawFn, subject: str) -> list[Measurement]:
    """One subject's clean lesion records: a full baseline, then 1-7 assessments."""
    n_targets = draw(st.integers(0, 4))
    n_nontargets = draw(st.integers(0 if n_targets else 1, 2))
    nodes = [draw(st.booleans()) for _ in range(n_targets)]
    records: list[Measurement] = []
    base_day = REF - timedelta(days=draw(st.integers(0, 20)))
    sizes = []
    for i in range(n_targets):
        size = float(draw(st.sampled_from([10, 20, 30, 50]) | st.integers(10, 60)))
        sizes.append(max(size, 15.0) if nodes[i] else size)
        records.append(Measurement(base_day, f"T{i}", "TARGET", nodes[i], sizes[i], None))
    for i in range(n_nontargets):
        records.append(Measurement(base_day, f"N{i}", "NON-TARGET", False, None, "PRESENT"))
    when = REF
    new_ids = 0
    last = list(sizes)  # each target's latest measured size
    for _ in range(draw(st.integers(1, 7))):
        when = when + timedelta(days=draw(st.integers(14, 70)))
        for i in range(n_targets):
            kind = draw(st.sampled_from(["size", "size", "size", "zero", "small", "ne", "missing"]))
            if kind == "missing":
                continue
            if kind == "zero":
                records.append(Measurement(when, f"T{i}", "TARGET", nodes[i], 0.0, "ABSENT"))
            elif kind == "small":
                records.append(Measurement(when, f"T{i}", "TARGET", nodes[i], None, "TOO SMALL"))
            elif kind == "ne":
                records.append(
                    Measurement(when, f"T{i}", "TARGET", nodes[i], None, "NOT EVALUABLE")
                )
            else:
                # Often the same factor for every target, on the rule boundaries (-30%, +20%),
                # so that the sum lands exactly on them; sometimes any size; nodes near 10 mm;
                # or a few mm more than last time (iRECIST confirms iUPD at +5 mm of the sum).
                factor = draw(st.sampled_from([0.3, 0.69, 0.7, 0.71, 1.0, 1.19, 1.2, 1.21, 1.5]))
                size = draw(
                    st.just(sizes[i] * factor)
                    | st.floats(0, 80, allow_nan=False).map(lambda x: round(x, 1))
                    | st.sampled_from([9.9, 10.0] if nodes[i] else [5.0])
                    | st.sampled_from([0.0, 2.0, 2.5, 4.0, 5.0, 6.0]).map(
                        lambda mm, i=i: last[i] + mm
                    )
                )
                last[i] = size
                records.append(Measurement(when, f"T{i}", "TARGET", nodes[i], size, None))
        for i in range(n_nontargets):
            state = draw(
                st.sampled_from(
                    [
                        "PRESENT",
                        "PRESENT",
                        "ABSENT",
                        "UNEQUIVOCAL PROGRESSION",
                        "NOT EVALUABLE",
                        "INCREASED",  # iRECIST: further increase after iUPD
                    ]
                )
            )
            records.append(Measurement(when, f"N{i}", "NON-TARGET", False, None, state))
        if draw(st.integers(0, 6)) == 0:
            # New lesions: a new one or one seen before (again, larger, or increased).
            state = draw(st.sampled_from([None, None, "EQUIVOCAL", "INCREASED"]))
            lesion = f"X{draw(st.integers(0, new_ids))}"
            new_ids += 1
            size = draw(st.sampled_from([8.0, 12.0, 14.0]))
            records.append(Measurement(when, lesion, "NEW", False, size, state))
    return records


@st.composite
def trials(draw: st.DrawFn) -> dict[str, list[Measurement]]:
    n = draw(st.integers(1, 5))
    return {f"S{k}": draw(subject_records(f"S{k}")) for k in range(n)}


def _frame(trial: dict[str, list[Measurement]]) -> pd.DataFrame:
    rows = [
        {
            "USUBJID": subject,
            "DTC": m.day.isoformat(),
            "LESION_ID": m.lesion,
            "ROLE": m.role,
            "IS_NODE": "Y" if m.is_node else "N",
            "DIAMETER": None if m.diameter is None else m.diameter,
            "STATUS": m.status,
        }
        for subject, records in trial.items()
        for m in records
    ]
    return pd.DataFrame(rows)


def _date(value: object) -> date | None:
    return None if pd.isna(value) else pd.Timestamp(value).date()


@FAST
@given(trial=trials(), config=settings_strategy)
def test_vectorised_engine_equals_per_subject_reference(trial, config) -> None:
    result = derive_response(subjects(*trial), lesions=_frame(trial), settings=config)
    assert result.excluded.empty, result.excluded
    summary = result.summary.set_index("USUBJID")
    adrs = result.adrs
    for subject, records in trial.items():
        expected = reference_subject(records, REF, config)
        tp = result.timepoints[result.timepoints["USUBJID"] == subject]
        assert list(zip(tp["ADT"].map(_date), tp["OVRLRESP"], strict=True)) == expected.timepoints
        row = summary.loc[subject]
        assert (row["BOR"], _date(row["BOR_DT"])) == (expected.bor, expected.bor_date)
        assert (row["CBOR"], _date(row["CBOR_DT"])) == (expected.cbor, expected.cbor_date)
        assert _date(row["FIRST_RESPONSE_DT"]) == expected.rsp_date
        assert _date(row["FIRST_CONFIRMED_RESPONSE_DT"]) == expected.crsp_date
        assert _date(row["FIRST_PD_DT"]) == expected.pd_date
        assert _date(row["LAST_ASSESSMENT_DT"]) == expected.last_date
        params = adrs[adrs["USUBJID"] == subject].set_index("PARAMCD")
        assert _date(params.loc["CB", "ADT"]) == expected.cb_date
        assert _date(params.loc["CCB", "ADT"]) == expected.ccb_date


irecist_settings = settings_strategy.filter(lambda c: c.criteria is ResponseCriteria.IRECIST)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trial=trials(), config=irecist_settings)
def test_irecist_engine_equals_the_reference(trial, config) -> None:
    """iRECIST's confirmation of iUPD has many paths (Seymour 2017 Table 2): more examples."""
    test_vectorised_engine_equals_per_subject_reference.hypothesis.inner_test(trial, config)


RECIST_RESPONSES = ["CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE", "ND"]
IRECIST_RESPONSES = ["iCR", "iPR", "iSD", "NON-iCR/NON-iUPD", "iUPD", "iCPD", "NE", "ND"]


@st.composite
def sequences(
    draw: st.DrawFn, criteria: ResponseCriteria = ResponseCriteria.RECIST_1_1
) -> list[tuple[date, str]]:
    words = IRECIST_RESPONSES if criteria is ResponseCriteria.IRECIST else RECIST_RESPONSES
    when = REF - timedelta(days=draw(st.integers(0, 10)))
    out = []
    for _ in range(draw(st.integers(0, 8))):
        when = when + timedelta(days=draw(st.integers(1, 60)))
        out.append((when, draw(st.sampled_from(words))))
    return out


@st.composite
def recorded_trials(draw: st.DrawFn) -> tuple[ResponseSettings, list[list[tuple[date, str]]]]:
    config = draw(settings_strategy)
    trial = draw(st.lists(sequences(config.criteria), min_size=1, max_size=6))
    return config, trial


@FAST
@given(case=recorded_trials())
def test_recorded_responses_equal_the_reference(case) -> None:
    config, trial = case
    ids = [f"S{k}" for k in range(len(trial))]
    records = pd.DataFrame(
        [
            {"USUBJID": s, "DTC": d.isoformat(), "RESPONSE": r}
            for s, seq in zip(ids, trial, strict=True)
            for d, r in seq
        ],
        columns=["USUBJID", "DTC", "RESPONSE"],
    )
    result = derive_response(subjects(*ids), timepoints=records, settings=config)
    summary = result.summary.set_index("USUBJID")
    for subject, seq in zip(ids, trial, strict=True):
        kept = [(d, r) for d, r in seq if d >= REF]  # earlier ones are excluded and reported
        expected = reference_best_response(kept, REF, config)
        row = summary.loc[subject]
        assert (row["BOR"], _date(row["BOR_DT"])) == (expected.bor, expected.bor_date)
        assert (row["CBOR"], _date(row["CBOR_DT"])) == (expected.cbor, expected.cbor_date)
        assert _date(row["FIRST_CONFIRMED_RESPONSE_DT"]) == expected.crsp_date
        assert _date(row["FIRST_PD_DT"]) == expected.pd_date
    assert len(result.excluded) == sum(1 for seq in trial for d, _ in seq if d < REF)


@FAST
@given(trial=trials(), config=settings_strategy, seed=st.integers(0, 2**32 - 1))
def test_shuffling_input_rows_changes_nothing(trial, config, seed) -> None:
    frame = _frame(trial)
    shuffled = frame.sample(frac=1.0, random_state=np.random.RandomState(seed))
    first = derive_response(subjects(*trial), lesions=frame, settings=config)
    second = derive_response(subjects(*trial), lesions=shuffled, settings=config)
    pd.testing.assert_frame_equal(first.adrs, second.adrs)
    pd.testing.assert_frame_equal(first.summary, second.summary)
    pd.testing.assert_frame_equal(first.timepoints, second.timepoints)


@st.composite
def recorded_subjects(draw: st.DrawFn) -> tuple[ResponseSettings, list[tuple[date, str]]]:
    config = draw(settings_strategy)
    return config, draw(sequences(config.criteria))


@FAST
@given(case=recorded_subjects(), pick=st.integers(0, 100))
def test_removing_an_assessment_after_pd_never_improves_the_best_response(case, pick):
    config, seq = case
    seq = [(d, r) for d, r in seq if d >= REF]
    pd_days = [d for d, r in seq if r in ("PD", "iCPD")]
    if not pd_days:
        return
    after = [i for i, (d, _) in enumerate(seq) if d > pd_days[0]]
    if not after:
        return
    removed = [x for i, x in enumerate(seq) if i != after[pick % len(after)]]

    def best(sequence: list[tuple[date, str]]) -> tuple[str, str]:
        frame = pd.DataFrame(
            {
                "USUBJID": "S1",
                "DTC": [d.isoformat() for d, _ in sequence],
                "RESPONSE": [r for _, r in sequence],
            }
        )
        row = derive_response(subjects("S1"), timepoints=frame, settings=config).summary.iloc[0]
        return row["BOR"], row["CBOR"]

    before_bor, before_cbor = best(seq)
    after_bor, after_cbor = best(removed)
    order = IORDER if config.criteria is ResponseCriteria.IRECIST else ORDER
    assert order.index(after_bor) >= order.index(before_bor)
    if not config.count_after_pd:
        # Assessments after PD do not count at all: nothing changes.
        assert (after_bor, after_cbor) == (before_bor, before_cbor)
