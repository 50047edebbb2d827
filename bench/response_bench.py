"""Benchmark: RECIST 1.1 from the long lesion CSV to ADRS, vectorised engine vs per-subject peer.

    .venv/bin/python bench/response_bench.py                 # 100,000 subjects (4M rows)
    .venv/bin/python bench/response_bench.py --subjects 20000 --peer-subjects 1000

Generates N subjects x 8 assessments (baseline + 7) x 5 lesions (3 target, one of them a lymph
node, and 2 non-target) with responders, progressors and missing lesions, writes the long CSV
and an ADSL in a temporary folder (not timed), then in a fresh process times
``read_lesion_csv`` + ``read_adsl`` + ``derive_response`` (CSV to ADRS frame) and, separately,
writing the ADRS CSV, and reports that process's peak resident memory. The peer is
``reference_derive`` of ``tests/response/recist_reference.py`` (a straightforward loop per
subject, from the
same CSV read as text); it is timed on a subsample of ``--peer-subjects`` subjects and scaled
linearly to N, which is said in the output. Both give the same BOR/CBOR and dates on the
subsample (checked). Record the figures in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

N_ASSESSMENTS = 8
LESIONS = (
    ("T1", "TARGET", "LIVER", "N"),
    ("T2", "TARGET", "LUNG", "N"),
    ("T3", "TARGET", "LYMPH NODE", "Y"),
    ("NT1", "NON-TARGET", "BONE", "N"),
    ("NT2", "NON-TARGET", "PLEURA", "N"),
)


def generate(n_subjects: int, folder: Path, seed: int = 20240601) -> tuple[Path, Path]:
    """Write lesions.csv and adsl.csv for n_subjects; returns their paths."""
    rng = np.random.default_rng(seed)
    n_les = len(LESIONS)
    subj = np.repeat(np.arange(n_subjects), N_ASSESSMENTS * n_les)
    visit = np.tile(np.repeat(np.arange(N_ASSESSMENTS), n_les), n_subjects)
    lesion = np.tile(np.arange(n_les), n_subjects * N_ASSESSMENTS)
    start = rng.integers(0, 3000, n_subjects)  # baseline day offset from 2015-01-01
    jitter = rng.integers(-3, 4, (n_subjects, N_ASSESSMENTS))
    jitter[:, 0] = 0
    days = start[subj] + visit * 42 + jitter[subj, visit]
    dates = (np.datetime64("2015-01-01") + days.astype("timedelta64[D]")).astype(str)
    # Per-subject tumour kinetics: shrink (responders), grow (progressors) or stay.
    slope = rng.choice([-0.25, -0.12, 0.0, 0.06, 0.12], n_subjects, p=[0.15, 0.2, 0.3, 0.2, 0.15])
    base = np.where(
        np.arange(n_les) == 2,
        rng.uniform(15, 30, (n_subjects, n_les)),
        rng.uniform(10, 60, (n_subjects, n_les)),
    )
    factor = np.exp(slope[subj] * visit + rng.normal(0, 0.05, len(subj)))
    diameter = np.round(base[subj, lesion] * factor, 1)
    diameter = np.where(diameter < 4, 0.0, diameter)
    is_target = lesion < 3
    missing = is_target & (visit > 0) & (rng.random(len(subj)) < 0.01)
    diameter_text = np.where(is_target & ~missing, diameter.astype(str), "")
    nt_state = np.where(
        slope[subj] * visit > 0.5,
        "UNEQUIVOCAL PROGRESSION",
        np.where(factor < 0.3, "ABSENT", "PRESENT"),
    )
    status = np.where(is_target, np.where(missing, "NOT EVALUABLE", ""), nt_state)
    ids = np.array([f"S{i:06d}" for i in range(n_subjects)], dtype=object)
    names = np.array([x[0] for x in LESIONS], dtype=object)
    frame = pd.DataFrame(
        {
            "subject": ids[subj],
            "date": dates,
            "lesion_id": names[lesion],
            "role": np.array([x[1] for x in LESIONS], dtype=object)[lesion],
            "organ": np.array([x[2] for x in LESIONS], dtype=object)[lesion],
            "is_node": np.array([x[3] for x in LESIONS], dtype=object)[lesion],
            "diameter_mm": diameter_text,
            "status": status,
        }
    )
    lesions = folder / "lesions.csv"
    frame.to_csv(lesions, index=False)
    randdt = (np.datetime64("2015-01-01") + (start + 3).astype("timedelta64[D]")).astype(str)
    adsl = folder / "adsl.csv"
    pd.DataFrame({"STUDYID": "BENCH", "USUBJID": ids, "RANDDT": randdt}).to_csv(adsl, index=False)
    return lesions, adsl


def run_engine(lesions: Path, adsl: Path, out: Path) -> dict[str, float]:
    """The timed pipeline (run in a fresh process so that peak memory is its own)."""
    from oncotrial.formats.adam import read_adsl, write_tables
    from oncotrial.formats.lesions import read_lesion_csv
    from oncotrial.response import derive_response

    t0 = time.perf_counter()
    subjects = read_adsl(adsl, required=["RANDDT"])
    frame = read_lesion_csv(lesions)
    t1 = time.perf_counter()
    result = derive_response(subjects, lesions=frame)
    t2 = time.perf_counter()
    write_tables([(result.adrs, out, "csv", "ADRS")], created="bench")
    t3 = time.perf_counter()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "read_s": t1 - t0,
        "derive_s": t2 - t1,
        "csv_to_adrs_s": t2 - t0,
        "write_s": t3 - t2,
        "peak_mb": peak_kb / 1024,
        "adrs_rows": float(len(result.adrs)),
        "excluded": float(len(result.excluded)),
    }


def run_peer(lesions: Path, adsl: Path, n_peer: int) -> tuple[float, pd.DataFrame]:
    """Straightforward per-subject reference on the first n_peer subjects (CSV read included)."""
    from oncotrial.formats.sdtm import read_table_csv
    from oncotrial.response import ResponseSettings

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "response"))
    from recist_reference import reference_derive

    t0 = time.perf_counter()
    text = read_table_csv(lesions)
    keep = text["subject"].isin(text["subject"].drop_duplicates().iloc[:n_peer])
    text = text.loc[keep]
    subjects = read_table_csv(adsl)
    ref = {
        s: date.fromisoformat(d)
        for s, d in zip(subjects["USUBJID"], subjects["RANDDT"], strict=True)
    }
    result = reference_derive(text, ref, ResponseSettings())
    return time.perf_counter() - t0, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=100_000)
    parser.add_argument("--peer-subjects", type=int, default=2_000)
    parser.add_argument("--engine-only", nargs=3, metavar=("LESIONS", "ADSL", "OUT"))
    args = parser.parse_args()
    if args.engine_only:
        paths = [Path(p) for p in args.engine_only]
        print(json.dumps(run_engine(*paths)))
        return

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        lesions, adsl = generate(args.subjects, folder)
        rows = args.subjects * N_ASSESSMENTS * len(LESIONS)
        print(
            f"generated {args.subjects:,} subjects, {rows:,} lesion rows "
            f"({lesions.stat().st_size / 1e6:.0f} MB CSV) in {time.perf_counter() - t0:.1f} s"
        )
        out = folder / "adrs.csv"
        child = subprocess.run(
            [sys.executable, __file__, "--engine-only", str(lesions), str(adsl), str(out)],
            check=True,
            capture_output=True,
            text=True,
        )
        figures = json.loads(child.stdout.strip().splitlines()[-1])
        n_peer = min(args.peer_subjects, args.subjects)
        peer_s, peer = run_peer(lesions, adsl, n_peer)
        peer_scaled = peer_s * args.subjects / n_peer

        # Same answers on the peer's subsample.
        from oncotrial.formats.adam import read_adsl
        from oncotrial.formats.lesions import read_lesion_csv
        from oncotrial.response import derive_response

        sub_ids = set(peer["USUBJID"])
        frame = read_lesion_csv(lesions)
        frame = frame.loc[frame["USUBJID"].isin(sub_ids)]
        subjects = read_adsl(adsl, required=["RANDDT"])
        subjects = subjects.loc[subjects["USUBJID"].isin(sub_ids)]
        summary = derive_response(subjects, lesions=frame).summary.set_index("USUBJID")
        check = peer.set_index("USUBJID")
        agree = (
            (summary.loc[check.index, "BOR"] == check["BOR"]).all()
            and (summary.loc[check.index, "CBOR"] == check["CBOR"]).all()
            and (
                summary.loc[check.index, "BOR_DT"].dt.date.astype(object).values
                == check["BOR_DT"].values
            ).all()
        )

        frame_s = figures["csv_to_adrs_s"]
        file_s = frame_s + figures["write_s"]
        print(
            f"CSV -> ADRS frame, vectorised: {frame_s:.2f} s (read {figures['read_s']:.2f} s, "
            f"derive {figures['derive_s']:.2f} s); + writing the ADRS CSV "
            f"({int(figures['adrs_rows']):,} rows) {figures['write_s']:.2f} s = {file_s:.2f} s"
        )
        print(f"peak resident memory of the engine process: {figures['peak_mb']:.0f} MB")
        print(
            f"per-subject peer: {peer_s:.2f} s for {n_peer:,} subjects (timed on a subsample, "
            f"scaled linearly to {args.subjects:,}: {peer_scaled:.0f} s)"
        )
        print(f"ratio peer / vectorised (CSV -> ADRS frame): {peer_scaled / frame_s:.0f}x")
        print(f"same BOR, CBOR and BOR dates on the subsample: {bool(agree)}")


if __name__ == "__main__":
    main()
