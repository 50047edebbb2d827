"""Stratification factors, strata labels, arms and the allocation ratio."""

from __future__ import annotations

import pytest

from oncotrial.enrollment import (
    StratificationFactor,
    allocation_ratio,
    enumerate_strata,
    parse_factor,
    stratum_label,
    trial_arms,
)
from oncotrial.enrollment.arms import arm_code
from oncotrial.errors import ValueProblem
from oncotrial.formats.protocol_files import find_protocol


def test_factor_text_forms() -> None:
    assert parse_factor("PD-L1 TPS: <1% | 1-49% | >=50%") == StratificationFactor(
        "PD-L1 TPS", ("<1%", "1-49%", ">=50%")
    )
    assert parse_factor("Histology: squamous, non-squamous").levels == ("squamous", "non-squamous")
    assert parse_factor("ECOG") == StratificationFactor("ECOG")
    assert parse_factor("ECOG:").levels == ()


def test_strata_and_labels() -> None:
    factors = (parse_factor("PD-L1: <50% | >=50%"), parse_factor("Histology: SQ | NSQ"))
    assert enumerate_strata(factors) == ("<50%; SQ", "<50%; NSQ", ">=50%; SQ", ">=50%; NSQ")
    assert stratum_label(factors, {"pd-l1": ">=50%", "HISTOLOGY": "nsq"}) == ">=50%; NSQ"
    assert enumerate_strata(()) == ("",)
    with pytest.raises(ValueProblem, match="has no value"):
        stratum_label(factors, {"PD-L1": ">=50%"})
    with pytest.raises(ValueProblem, match="not a level"):
        stratum_label(factors, {"PD-L1": "high", "Histology": "SQ"})


def test_bad_factors() -> None:
    with pytest.raises(ValueProblem, match="twice"):
        parse_factor("Sex: M | m")
    with pytest.raises(ValueProblem, match="no levels"):
        enumerate_strata((parse_factor("ECOG"),))
    with pytest.raises(ValueProblem, match="more than 200"):
        enumerate_strata(tuple(parse_factor(f"F{i}: a | b | c") for i in range(6)))
    with pytest.raises(ValueProblem, match=";"):
        parse_factor("Site: a;b | c")


def test_arms_of_seed_001_and_ratio() -> None:
    protocol = find_protocol("001")
    arms = trial_arms(protocol)
    assert [(a.code, a.label) for a in arms] == [
        ("A", "Maintenance therapy + radiotherapy"),
        ("B", "Maintenance therapy"),
    ]
    assert allocation_ratio(protocol) == (1, 1)
    bad = protocol.model_copy(
        update={"analysis": protocol.analysis.model_copy(update={"randomization_ratio": (1, 1, 1)})}
    )
    with pytest.raises(ValueProblem, match="3 parts for 2 arms"):
        allocation_ratio(bad)


def test_arm_codes_continue_after_z() -> None:
    assert [arm_code(i) for i in (0, 1, 25, 26, 27)] == ["A", "B", "Z", "AA", "AB"]
