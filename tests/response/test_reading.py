"""The scan-by-scan reader (used by the simulator) reads as the engine does.

``ScanReader`` reads one scan after the other with the engine's own functions; on random trials
(the property tests' generator, all three criteria) every scan's overall response, rule and sum
must equal what ``derive_response`` gives for the whole record. Subjects with an equivocal new
lesion are left out: a later scan may confirm it, which only the whole record can know.
"""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from recist_reference import Measurement
from response_builders import REF, subjects
from test_properties import _date, _frame, settings_strategy, trials

from oncotrial.response import ResponseCriteria, ResponseSettings, derive_response
from oncotrial.response.reading import NewLesion, ScanReader

_NOT_MEASURED = {"NOT EVALUABLE"}


def _value(m: Measurement, config: ResponseSettings) -> float | None:
    if m.status == "TOO SMALL":
        return config.too_small_mm
    if m.status in _NOT_MEASURED:
        return None
    return m.diameter


def _read(records: list[Measurement], config: ResponseSettings) -> list[tuple]:
    baseline = [m for m in records if m.day <= REF]
    targets = [m for m in baseline if m.role == "TARGET"]
    nontargets = [m for m in baseline if m.role == "NON-TARGET"]
    reader = ScanReader(
        [m.diameter or 0.0 for m in targets], [m.is_node for m in targets], len(nontargets), config
    )
    out = []
    for day in sorted({m.day for m in records if m.day > REF}):
        today = {(m.role, m.lesion): m for m in records if m.day == day}
        values = [
            _value(today[("TARGET", t.lesion)], config) if ("TARGET", t.lesion) in today else None
            for t in targets
        ]
        states = [
            today[("NON-TARGET", n.lesion)].status if ("NON-TARGET", n.lesion) in today else None
            for n in nontargets
        ]
        new = [NewLesion(m.lesion, m.status, m.diameter) for m in today.values() if m.role == "NEW"]
        reading = reader.read((day - REF).days, values, states, new)
        out.append((day, reading.overall, reading.rule, reading.target_sum))
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trial=trials(), config=settings_strategy)
def test_the_scan_reader_reads_as_the_engine(trial, config) -> None:
    trial = {
        s: records
        for s, records in trial.items()
        if not any(m.role == "NEW" and m.status == "EQUIVOCAL" for m in records)
    }
    if not trial:
        return
    result = derive_response(subjects(*trial), lesions=_frame(trial), settings=config)
    for subject, records in trial.items():
        tp = result.timepoints[result.timepoints["USUBJID"] == subject]
        engine = [
            (_date(d), o, rule, None if pd.isna(s) else s)
            for d, o, rule, s in zip(tp["ADT"], tp["OVRLRESP"], tp["RULE"], tp["SUM"], strict=True)
        ]
        assert _read(records, config) == engine


def test_irecist_components_and_progression_in_irecist_words() -> None:
    config = ResponseSettings(criteria=ResponseCriteria.IRECIST)
    reader = ScanReader([30.0, 20.0], [False, False], 1, config)
    first = reader.read(42, [40.0, 30.0], ["PRESENT"])  # +40% and +20 mm: iUPD
    assert (first.target, first.nontarget, first.overall, first.progression) == (
        "iUPD",
        "NON-iCR/NON-iUPD",
        "iUPD",
        False,
    )
    assert reader.awaiting_confirmation
    second = reader.read(84, [44.0, 32.0], ["PRESENT"])  # +6 mm more: confirmed
    assert (second.target, second.overall, second.rule, second.progression) == (
        "iCPD",
        "iCPD",
        "IR-ICPD-TARGET",
        True,
    )
    assert second.recist_overall == "PD"
