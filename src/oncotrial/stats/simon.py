"""Simon's two-stage designs for single-arm phase II trials (Simon, Control Clin Trials 1989).

Stage 1 enrols n₁ patients and stops for futility if at most r₁ respond; otherwise enrolment
continues to n, and the treatment is declared worth further study if more than r respond.
With X₁ ~ Bin(n₁, p), X₂ ~ Bin(n − n₁, p):

* P(reject H₀ | p) = Σ_{x₁ > r₁} P(X₁ = x₁) P(X₂ > r − x₁) — the type I error α at p = p₀,
  the power at p = p₁;
* PET(p) = P(X₁ ≤ r₁), early termination; EN(p) = n₁ + (1 − PET(p))(n − n₁).

Among designs with n ≤ nmax, actual α ≤ α and power ≥ 1 − β, the *optimal* design minimises
EN(p₀) and the *minimax* design minimises n, then EN(p₀) (ties: smaller n, then n₁). For
each (n₁, n, r₁) the final cut-off r is the smallest meeting the α constraint (the most
powerful); the search is vectorised over r, r₁ and n − n₁. As clinfun's ``ph2simon``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats as _st

from oncotrial.errors import AnalysisError, ValueProblem

__all__ = [
    "SimonDecision",
    "SimonDesign",
    "SimonDesigns",
    "simon_characteristics",
    "simon_decision",
    "simon_designs",
    "simon_stages",
]


@dataclass(frozen=True)
class SimonDesign:
    """A two-stage design r₁/n₁, r/n with its operating characteristics."""

    kind: str  # "optimal", "minimax" or "given"
    r1: int
    n1: int
    r: int
    n: int
    p0: float
    p1: float
    en0: float
    pet0: float
    en1: float
    pet1: float
    alpha: float  # actual type I error
    power: float  # actual power

    def describe(self) -> str:
        return (
            f"{self.kind}: stage 1 stop if ≤ {self.r1}/{self.n1} respond; overall "
            f"promising if > {self.r}/{self.n} respond (EN0 {self.en0:.2f}, "
            f"PET0 {self.pet0:.4f}, α {self.alpha:.4f}, power {self.power:.4f})"
        )


@dataclass(frozen=True)
class SimonDesigns:
    """The optimal and minimax designs for (p₀, p₁, α, β, nmax)."""

    p0: float
    p1: float
    alpha: float
    beta: float
    nmax: int
    optimal: SimonDesign
    minimax: SimonDesign
    feasible: int  # number of designs meeting the constraints


def _check(p0: float, p1: float, alpha: float, beta: float, nmax: int) -> None:
    if not 0 < p0 < p1 < 1:
        raise ValueProblem(
            f"need 0 < p0 < p1 < 1, got p0={p0}, p1={p1}",
            field="p0",
            hint="p0 is the uninteresting response rate, p1 the one worth detecting.",
        )
    if not 0 < alpha < 1 or not 0 < beta < 1:
        raise ValueProblem(f"alpha and beta must be in (0, 1), got {alpha}, {beta}", field="alpha")
    if not 2 <= nmax <= 1000:
        raise ValueProblem(f"nmax must be between 2 and 1000, got {nmax}", field="nmax")


def _sf_table(p: float, nmax: int, offset: int) -> npt.NDArray[np.float64]:
    """P(Bin(m, p) > k) for m = 0..nmax (rows) and k = −offset..nmax (columns)."""
    k = np.arange(-offset, nmax + 1)
    m = np.arange(nmax + 1)[:, None]
    table: npt.NDArray[np.float64] = np.where(k[None, :] < 0, 1.0, _st.binom.sf(k[None, :], m, p))
    return table


def _reject_matrix(
    pmf: npt.NDArray[np.float64], stage2_sf: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """P(X₁ > r₁, X₁ + X₂ > r) for every (n − n₁, r₁, r); ``stage2_sf`` is (n₂, x₁, r)."""
    cells = pmf[None, :, None] * stage2_sf
    above = np.cumsum(cells[:, ::-1, :], axis=1)[:, ::-1, :]  # Σ over x ≥ x₁
    result: npt.NDArray[np.float64] = above[:, 1:, :]  # Σ over x > r₁, r₁ = 0..n₁ − 1
    return result


def simon_designs(
    p0: float, p1: float, alpha: float, beta: float, *, nmax: int = 100
) -> SimonDesigns:
    """Simon optimal and minimax two-stage designs (α one-sided, power 1 − β)."""
    _check(p0, p1, alpha, beta, nmax)
    sf0 = _sf_table(p0, nmax, nmax)
    sf1 = _sf_table(p1, nmax, nmax)
    r_all = np.arange(nmax + 1)
    found: list[npt.NDArray[np.float64]] = []
    for n1 in range(1, nmax):
        n2 = np.arange(1, nmax - n1 + 1)
        x1 = np.arange(n1 + 1)
        column = r_all[None, :] - x1[:, None] + nmax  # index of k = r − x₁
        pmf0 = _st.binom.pmf(x1, n1, p0)
        pmf1 = _st.binom.pmf(x1, n1, p1)

        alpha_rr = _reject_matrix(pmf0, sf0[n2][:, column])
        power_rr = _reject_matrix(pmf1, sf1[n2][:, column])
        r1 = np.arange(n1)
        # smallest r with α(r) ≤ α (α falls as r grows), and never below r₁
        r_star = np.maximum((alpha_rr > alpha).sum(axis=2), r1[None, :])
        n_total = n1 + n2[:, None]
        valid = r_star < n_total
        r_idx = np.minimum(r_star, nmax)
        act_alpha = np.take_along_axis(alpha_rr, r_idx[:, :, None], axis=2)[:, :, 0]
        act_power = np.take_along_axis(power_rr, r_idx[:, :, None], axis=2)[:, :, 0]
        ok = valid & (act_alpha <= alpha) & (act_power >= 1 - beta)
        if not ok.any():
            continue
        i2, i1 = np.nonzero(ok)
        pet0 = _st.binom.cdf(r1[i1], n1, p0)
        en0 = n1 + (1 - pet0) * n2[i2]
        found.append(
            np.column_stack(
                (
                    np.full(i1.size, n1),
                    r1[i1],
                    n1 + n2[i2],
                    r_star[i2, i1],
                    en0,
                    act_alpha[i2, i1],
                    act_power[i2, i1],
                )
            )
        )
    if not found:
        raise AnalysisError(
            f"no two-stage design with n ≤ {nmax} meets α ≤ {alpha} and power ≥ {1 - beta} "
            f"for p0={p0}, p1={p1}",
            field="nmax",
            hint="Increase nmax, or relax alpha or beta.",
        )
    designs = np.concatenate(found)
    n1c, r1c, nc, rc, en0c = (designs[:, i] for i in range(5))
    optimal = np.lexsort((n1c, nc, en0c))[0]
    minimax = np.lexsort((n1c, en0c, nc))[0]

    def build(row: int, kind: str) -> SimonDesign:
        return simon_characteristics(
            int(r1c[row]), int(n1c[row]), int(rc[row]), int(nc[row]), p0, p1, kind=kind
        )

    return SimonDesigns(
        p0=p0,
        p1=p1,
        alpha=alpha,
        beta=beta,
        nmax=nmax,
        optimal=build(int(optimal), "optimal"),
        minimax=build(int(minimax), "minimax"),
        feasible=int(designs.shape[0]),
    )


def simon_characteristics(
    r1: int, n1: int, r: int, n: int, p0: float, p1: float, *, kind: str = "given"
) -> SimonDesign:
    """Operating characteristics (α, power, PET, EN) of a given design r₁/n₁, r/n."""
    if not (0 <= r1 < n1 < n and r1 <= r < n):
        raise ValueProblem(
            f"not a two-stage design: need 0 ≤ r1 < n1 < n and r1 ≤ r < n, got {r1}/{n1}, {r}/{n}",
            field="design",
        )
    if not 0 < p0 < p1 < 1:
        raise ValueProblem(f"need 0 < p0 < p1 < 1, got p0={p0}, p1={p1}", field="p0")
    x1 = np.arange(r1 + 1, n1 + 1)

    def reject(p: float) -> float:
        return float(
            (
                _st.binom.pmf(x1, n1, p)
                * np.where(r - x1 < 0, 1.0, _st.binom.sf(r - x1, n - n1, p))
            ).sum()
        )

    pet0 = float(_st.binom.cdf(r1, n1, p0))
    pet1 = float(_st.binom.cdf(r1, n1, p1))
    return SimonDesign(
        kind=kind,
        r1=r1,
        n1=n1,
        r=r,
        n=n,
        p0=p0,
        p1=p1,
        en0=n1 + (1 - pet0) * (n - n1),
        pet0=pet0,
        en1=n1 + (1 - pet1) * (n - n1),
        pet1=pet1,
        alpha=reject(p0),
        power=reject(p1),
    )


@dataclass(frozen=True)
class SimonDecision:
    """What a two-stage design says given the responses observed so far."""

    stage: int
    evaluated: int
    responses: int
    decision: str  # "continue enrolment", "stop for futility", "promising", "not promising"
    reason: str


def simon_decision(design: SimonDesign, responses: int, evaluated: int) -> SimonDecision:
    """The decision for a running trial with ``responses`` among ``evaluated`` patients.

    During stage 1 (evaluated < n₁) futility can already be certain (even if every remaining
    stage-1 patient responded, responses would stay ≤ r₁) or continuation already assured.
    """
    if not 0 <= responses <= evaluated:
        raise ValueProblem(
            f"responses ({responses}) must be between 0 and evaluated ({evaluated})",
            field="responses",
        )
    if evaluated > design.n:
        raise ValueProblem(
            f"{evaluated} evaluated patients exceed the design's n = {design.n}",
            field="evaluated",
        )
    r1, n1, r, n = design.r1, design.n1, design.r, design.n
    if evaluated <= n1:
        if responses > r1:
            return SimonDecision(
                1,
                evaluated,
                responses,
                "continue enrolment",
                f"{responses} responses > r1 = {r1}: stage 1 is passed; enrol to n = {n}",
            )
        if responses + (n1 - evaluated) <= r1:
            reason = (
                f"stage 1 complete: {responses} responses ≤ r1 = {r1}"
                if evaluated == n1
                else f"at most {responses + n1 - evaluated} responses are possible among the "
                f"{n1} stage-1 patients, ≤ r1 = {r1}"
            )
            return SimonDecision(1, evaluated, responses, "stop for futility", reason)
        return SimonDecision(
            1,
            evaluated,
            responses,
            "continue enrolment",
            f"stage 1 not complete ({evaluated}/{n1} evaluated); more than {r1} responses "
            f"needed among the first {n1}",
        )
    if responses > r:
        return SimonDecision(
            2,
            evaluated,
            responses,
            "promising" if evaluated == n else "continue enrolment",
            f"{responses} responses > r = {r}: H0 (p ≤ {design.p0}) is rejected"
            + ("" if evaluated == n else f" once enrolment to n = {n} completes"),
        )
    if responses + (n - evaluated) <= r:
        return SimonDecision(
            2,
            evaluated,
            responses,
            "not promising",
            f"at most {responses + n - evaluated} responses are possible among {n}, ≤ r = {r}",
        )
    return SimonDecision(
        2,
        evaluated,
        responses,
        "continue enrolment",
        f"{evaluated}/{n} evaluated; more than {r} responses needed among {n}",
    )


def simon_stages(design: SimonDesign, responses: Sequence[bool]) -> tuple[SimonDecision, ...]:
    """The decision at each stage reached, for evaluable patients in order of evaluation.

    Stage 1 is judged on the first n₁ patients (Simon 1989: the stage-1 cohort is fixed by
    order of entry, not chosen after the fact); while fewer have been evaluated, the running
    decision is given. Stage 2 is judged on all patients, up to n, once stage 1 is passed.
    """
    if len(responses) > design.n:
        raise ValueProblem(
            f"{len(responses)} evaluated patients exceed the design's n = {design.n}",
            field="responses",
        )
    outcomes = [bool(r) for r in responses]
    first = outcomes[: design.n1]
    stage1 = simon_decision(design, sum(first), len(first))
    if len(outcomes) <= design.n1 or stage1.decision == "stop for futility":
        return (stage1,)
    return (stage1, simon_decision(design, sum(outcomes), len(outcomes)))
