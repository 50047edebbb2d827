"""Exact Poisson rates against R's poisson.test (oracle_analysis/generate.R, case 5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _survival_oracle import RTOL

from oncotrial.errors import ValueProblem
from oncotrial.stats.poisson import poisson_rate

OWN = Path(__file__).parent / "oracle_analysis"


def test_poisson_rate_matches_poisson_test() -> None:
    for want in json.loads((OWN / "poisson.expected.json").read_text()):
        got = poisson_rate(want["events"], want["years"])
        assert got.rate == pytest.approx(want["rate"], rel=RTOL)
        assert got.lower == pytest.approx(
            want["lower"], rel=RTOL, abs=0 if want["lower"] else 1e-300
        )
        assert got.upper == pytest.approx(want["upper"], rel=RTOL)
    with pytest.raises(ValueProblem, match="positive"):
        poisson_rate(1, 0)
