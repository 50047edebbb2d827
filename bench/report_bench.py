"""Time to render a full trial report, by stage, against a bare matplotlib figure as the peer.

    .venv/bin/python bench/report_bench.py [--repeat 5]

The report is the example fixture (``tests/report/example_report.py``: two arms of 30 invented
patients, 7 figures, 5 tables/listings, ~11 PDF pages), about the size of each seed trial's
report. Stages: building the figures (matplotlib drawing + PNG at 200 dpi), HTML, PDF (two
reportlab layout passes), XLSX + CSV, and ``write_report`` end to end. The peer is one plain line
plot at the same size and dpi saved to PNG, so the ratios carry across machines; the absolute
times tell whether the demo's five reports fit its 60 s budget on this machine.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def best_of(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def peer_figure() -> bytes:
    from oncotrial.report.figures.style import TEXT_WIDTH_IN, figure_style, new_figure

    with figure_style():
        fig = new_figure(TEXT_WIDTH_IN, 4.0)
        ax = fig.add_subplot()
        ax.plot(range(100), [i * i for i in range(100)])
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=200)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat

    start = time.perf_counter()
    from oncotrial.report import render_csv, render_html, render_pdf, render_xlsx, write_report

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "report"))
    from example_report import build_example_report

    import_s = time.perf_counter() - start
    peer_figure()  # warm caches (fonts) before timing anything
    report = build_example_report()
    render_pdf(report)

    peer = best_of(repeat, peer_figure)
    stages = {
        "figures (7, PNG 200 dpi)": best_of(repeat, build_example_report),
        "HTML": best_of(repeat, lambda: render_html(report)),
        "PDF": best_of(repeat, lambda: render_pdf(report)),
        "XLSX + CSV": best_of(
            repeat, lambda: (render_xlsx(report), [render_csv(t) for t in report.tables()])
        ),
    }
    with tempfile.TemporaryDirectory() as folder:
        stages["write_report (all formats)"] = best_of(
            repeat, lambda: write_report(report, Path(folder))
        )
        whole = [
            best_of(1, lambda: write_report(build_example_report(), Path(folder)))
            for _ in range(repeat)
        ]
    full = statistics.median(whole)

    print(f"import of oncotrial.report: {import_s:.2f} s (once per process)")
    print(f"peer: one line plot, {peer * 1000:.0f} ms")
    print(f"{'stage':32} {'best (s)':>9} {'× peer':>8}")
    for name, seconds in stages.items():
        print(f"{name:32} {seconds:9.3f} {seconds / peer:8.1f}")
    print(f"{'full report (figures + files)':32} {full:9.3f} {full / peer:8.1f}   (median)")
    print(f"five reports, one process: {5 * full:.1f} s")


if __name__ == "__main__":
    main()
