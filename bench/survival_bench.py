"""Survival statistics speed, as ratios against peers measured in the same run.

1. KM + log-rank + Cox (one binary covariate) on n = 10^6 (two arms): oncotrial vs statsmodels
   (SurvfuncRight per arm, survdiff, PHReg) and vs R survival (survfit, survdiff, coxph) when
   ``Rscript`` is installed — otherwise the R column says so.
2. Simulation: R = 10,000 replicate two-arm trials of 120 patients, KM median per arm and the
   log-rank test for each: the vectorised batch path vs looping statsmodels (run on a subset of
   replicates and scaled, because the full loop takes minutes).

    .venv/bin/python bench/survival_bench.py            # full sizes
    .venv/bin/python bench/survival_bench.py --quick    # small sizes, for a smoke run
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

from oncotrial.stats import batch_two_arm, cox_two_groups, kaplan_meier, logrank_test

R_SCRIPT = r"""
suppressMessages(library(survival))
d <- read.csv(commandArgs(trailingOnly = TRUE)[1])
best <- Inf
for (i in 1:REPEATS) {
  t0 <- proc.time()[["elapsed"]]
  f <- survfit(Surv(time, event) ~ arm, data = d)
  m <- summary(f)$table[, "median"]
  s <- survdiff(Surv(time, event) ~ arm, data = d)
  cx <- coxph(Surv(time, event) ~ arm, data = d, ties = "efron")
  best <- min(best, proc.time()[["elapsed"]] - t0)
}
cat(sprintf("%.4f\n", best))
"""


def best_of(repeats: int, func: object) -> float:
    assert callable(func)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def make_trial(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    arm = rng.integers(0, 2, n)
    t = np.round(rng.exponential(np.where(arm == 0, 7.0, 11.0) * 30.4375))  # days
    c = np.round(rng.uniform(180, 900, n))
    return np.minimum(t, c), (t <= c).astype(int), arm


def large_n(n: int, repeats: int) -> None:
    rng = np.random.default_rng(20261120)
    time_, event, arm = make_trial(n, rng)

    def ours() -> None:
        for a in (0, 1):
            kaplan_meier(time_[arm == a], event[arm == a]).median  # noqa: B018
        logrank_test(time_, event, arm)
        cox_two_groups(time_, event, arm, ties="efron")

    def statsmodels() -> None:
        for a in (0, 1):
            SurvfuncRight(time_[arm == a], event[arm == a]).quantile(0.5)
        survdiff(time_, event, arm)
        PHReg(time_, arm.astype(float), status=event, ties="efron").fit()

    t_ours = best_of(repeats, ours)
    t_sm = best_of(repeats, statsmodels)
    r_text = "R not installed (Rscript not on PATH)"
    t_r = None
    rscript = shutil.which("Rscript")
    if rscript:
        with tempfile.TemporaryDirectory() as folder:
            data = Path(folder) / "trial.csv"
            np.savetxt(
                data,
                np.column_stack((time_, event, arm)),
                delimiter=",",
                fmt="%d",
                header="time,event,arm",
                comments="",
            )
            script = Path(folder) / "bench.R"
            script.write_text(R_SCRIPT.replace("REPEATS", str(repeats)))
            done = subprocess.run(
                [rscript, str(script), str(data)], capture_output=True, text=True, check=False
            )
            if done.returncode == 0:
                t_r = float(done.stdout.strip().splitlines()[-1])
                r_text = f"{t_r:.3f} s"
            else:
                r_text = f"R failed: {done.stderr.strip()[:200]}"
    print(f"KM (2 arms) + log-rank + Cox, n = {n:,} (best of {repeats}):")
    print(f"  oncotrial    {t_ours:8.3f} s")
    print(f"  statsmodels  {t_sm:8.3f} s   ratio statsmodels/oncotrial = {t_sm / t_ours:.1f}")
    if t_r is not None:
        print(f"  R survival   {t_r:8.3f} s   ratio R/oncotrial = {t_r / t_ours:.2f}")
    else:
        print(f"  R survival   {r_text}")


def batch(replicates: int, patients: int, loop_replicates: int, repeats: int) -> None:
    rng = np.random.default_rng(7)
    arm = np.repeat([0, 1], patients // 2)
    t = np.round(rng.exponential(np.where(arm == 0, 7.0, 11.0), size=(replicates, patients)), 1)
    c = np.round(rng.uniform(6, 30, size=(replicates, patients)), 1)
    times, events = np.minimum(t, c), (t <= c).astype(int)

    t_batch = best_of(repeats, lambda: batch_two_arm(times, events, arm))

    def loop_statsmodels() -> None:
        for r in range(loop_replicates):
            for a in (0, 1):
                SurvfuncRight(times[r][arm == a], events[r][arm == a]).quantile(0.5)
            survdiff(times[r], events[r], arm)

    def loop_ours() -> None:
        for r in range(loop_replicates):
            for a in (0, 1):
                kaplan_meier(times[r][arm == a], events[r][arm == a]).median  # noqa: B018
            logrank_test(times[r], events[r], arm)

    scale = replicates / loop_replicates
    t_sm = best_of(1, loop_statsmodels) * scale
    t_loop = best_of(1, loop_ours) * scale
    print(f"Batch: {replicates:,} two-arm trials × {patients} patients, KM medians + log-rank:")
    print(f"  oncotrial batch_two_arm           {t_batch:8.3f} s (best of {repeats})")
    print(
        f"  looping statsmodels (scaled from {loop_replicates})  {t_sm:8.1f} s   "
        f"ratio = {t_sm / t_batch:.0f}"
    )
    print(
        f"  looping oncotrial single path (scaled)  {t_loop:8.1f} s   "
        f"ratio = {t_loop / t_batch:.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke run)")
    args = parser.parse_args()
    if args.quick:
        large_n(20_000, 1)
        batch(500, 120, 50, 1)
    else:
        large_n(1_000_000, 3)
        batch(10_000, 120, 500, 5)


if __name__ == "__main__":
    main()
