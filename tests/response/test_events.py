"""The best-response parameters are declared events that the engine executes.

Each parameter (``oncotrial.response.rules.BOR``, ``CBOR``, …) is an ordered list of events with
conditions, as admiralonco's ``event()`` objects; these tests check that the declarations are
what runs (a different declaration gives a different result) and that they print for audit.
"""

from __future__ import annotations

import numpy as np
from response_builders import param, subjects, timepoints

from oncotrial.response import RULES, ResponseSettings, derive_response, rules_table
from oncotrial.response import codes as c
from oncotrial.response import rules as r
from oncotrial.response.best_response import _segments, decide
from oncotrial.response.conditions import Assessments, Response, SdWindow
from oncotrial.response.confirmation import K_NE, K_PD, K_PR, K_SD


def _rows(codes: list[int], days: list[int], settings: ResponseSettings) -> Assessments:
    n = len(codes)
    return Assessments(
        subj=np.zeros(n, dtype=np.int64),
        day=np.asarray(days, dtype=np.int64),
        code=np.asarray(codes, dtype=np.int64),
        ref_day=np.zeros(n, dtype=np.int64),
        counted=np.ones(n, dtype=bool),
        settings=settings,
    )


def test_the_declared_parameter_is_what_runs() -> None:
    settings = ResponseSettings()
    rows = _rows([K_SD, K_PR, K_NE], [14, 56, 98], settings)
    starts, ends = _segments(rows.subj, 1)
    standard = decide(r.BOR, rows, starts, ends)
    assert (standard.value[0], standard.row[0], standard.rule[0]) == (c.PR, 1, "BOR-PR")
    # The same events ranked the other way round: NE now wins, decided by the NE event.
    reversed_ranking = r.Parameter(
        "BOR", r.BOR.events, tuple(reversed(r.BOR.ranking)), c.MISSING, "BOR-MISSING"
    )
    other = decide(reversed_ranking, rows, starts, ends)
    assert (other.value[0], other.row[0], other.rule[0]) == (c.NE, 0, "BOR-NE")
    # A declaration without the SD window: the day-14 SD counts.
    no_window = r.Parameter(
        "X",
        (
            r.Event("X-SD", "SD at any time", "test", condition=Response((K_SD,)), value=c.SD),
            r.Event("X-PD", "PD", "test", condition=Response((K_PD,)), value=c.PD),
        ),
        (c.SD, c.PD),
        c.MISSING,
        "BOR-MISSING",
    )
    decided = decide(no_window, rows, starts, ends)
    assert (decided.value[0], decided.row[0], decided.rule[0]) == (c.SD, 0, "X-SD")


def test_conditions_read_the_settings() -> None:
    rows = _rows([K_SD], [30], ResponseSettings(sd_min_days=28))
    assert SdWindow().mask(rows).tolist() == [True]
    rows = _rows([K_SD], [30], ResponseSettings(sd_min_days=42))
    assert SdWindow().mask(rows).tolist() == [False]


def test_every_event_is_a_declared_rule_and_prints_its_condition() -> None:
    table = {row["id"]: row for row in rules_table()}
    for parameter in r.PARAMETERS:
        assert parameter.otherwise_rule in RULES
        for event in parameter.events:
            assert RULES[event.id] is event
            assert table[event.id]["condition"] == f"{event.condition} -> {event.value}"
        assert parameter.describe().startswith(f"{parameter.paramcd}: best of")
    assert str(r.CBOR.events[1].condition).startswith("confirmed (AVALC == CR")
    assert table["T1-CR"]["condition"].endswith("-> CR")
    assert table["BL-DATE"]["condition"] == ""


def test_the_deciding_event_names_the_rule_end_to_end() -> None:
    result = derive_response(subjects("S1"), timepoints=timepoints([(42, "ND"), (84, "ND")]))
    assert param(result.adrs, "BOR")[["AVALC", "RULE"]].tolist() == ["ND", "BOR-ND"]
    assert param(result.adrs, "CBOR")[["AVALC", "RULE"]].tolist() == ["ND", "CBOR-ND"]
    pr = derive_response(subjects("S1"), timepoints=timepoints([(42, "PR"), (84, "PR")]))
    assert param(pr.adrs, "CRSP")[["AVALC", "RULE"]].tolist() == ["Y", "CRSP"]
