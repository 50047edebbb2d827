"""Simon two-stage search speed (nmax = 100) against a straightforward loop in the same run.

The peer is the textbook search written plainly — loop over n, n₁ and r₁, and for each the
type I error and power over every r with scipy — which is how clinfun's ph2simon and most
ports proceed (clinfun's Fortran loop is not available here: R is not installed). Both must
return the same designs; the script checks that before printing the ratio.

    .venv/bin/python bench/design_bench.py
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy import stats

from oncotrial.stats import simon_designs

CASES = ((0.2, 0.4, 0.1, 0.1), (0.05, 0.25, 0.05, 0.2), (0.1, 0.3, 0.05, 0.2))


def loop_search(p0: float, p1: float, alpha: float, beta: float, nmax: int) -> tuple:
    best_en0 = best_mm = None
    for n in range(2, nmax + 1):
        for n1 in range(1, n):
            n2 = n - n1
            x1 = np.arange(n1 + 1)
            b0 = stats.binom.pmf(x1, n1, p0)
            b1 = stats.binom.pmf(x1, n1, p1)
            r = np.arange(n)
            k = r[None, :] - x1[:, None]
            sf0 = np.where(k < 0, 1.0, stats.binom.sf(k, n2, p0))
            sf1 = np.where(k < 0, 1.0, stats.binom.sf(k, n2, p1))
            for r1 in range(n1):
                a = (b0[r1 + 1 :, None] * sf0[r1 + 1 :]).sum(axis=0)
                rr = max(int((a > alpha).sum()), r1)
                if rr >= n:
                    continue
                power = float((b1[r1 + 1 :] * sf1[r1 + 1 :, rr]).sum())
                if power < 1 - beta:
                    continue
                pet0 = float(stats.binom.cdf(r1, n1, p0))
                en0 = n1 + (1 - pet0) * n2
                design = (r1, n1, rr, n)
                if best_en0 is None or (en0, n, n1) < best_en0[0]:
                    best_en0 = ((en0, n, n1), design)
                if best_mm is None or (n, en0, n1) < best_mm[0]:
                    best_mm = ((n, en0, n1), design)
    assert best_en0 is not None
    assert best_mm is not None
    return best_en0[1], best_mm[1]


def main() -> None:
    parser = argparse.ArgumentParser(description="Simon search benchmark")
    parser.add_argument("--nmax", type=int, default=100)
    args = parser.parse_args()
    for p0, p1, alpha, beta in CASES:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            ours = simon_designs(p0, p1, alpha, beta, nmax=args.nmax)
            times.append(time.perf_counter() - start)
        start = time.perf_counter()
        optimal, minimax = loop_search(p0, p1, alpha, beta, args.nmax)
        t_loop = time.perf_counter() - start
        same = optimal == (ours.optimal.r1, ours.optimal.n1, ours.optimal.r, ours.optimal.n) and (
            minimax == (ours.minimax.r1, ours.minimax.n1, ours.minimax.r, ours.minimax.n)
        )
        t = min(times)
        print(
            f"p0={p0} p1={p1} α={alpha} β={beta} nmax={args.nmax}: oncotrial {t:.3f} s, "
            f"loop {t_loop:.2f} s, ratio {t_loop / t:.0f}; same designs: {same} "
            f"(optimal {ours.optimal.r1}/{ours.optimal.n1}, {ours.optimal.r}/{ours.optimal.n}; "
            f"minimax {ours.minimax.r1}/{ours.minimax.n1}, {ours.minimax.r}/{ours.minimax.n})"
        )
        if not same:
            raise SystemExit("the two searches disagree")


if __name__ == "__main__":
    main()
