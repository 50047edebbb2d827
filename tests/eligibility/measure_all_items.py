"""Coverage of *all* criteria items of the corpus's records (issue 12 target: ≥ 45 %
computable), by part (tuning / held-out).

The full texts are not copied into the project: they are read from git mirrors of the cited
repositories at the commit the corpus cites (``sources`` in ``corpus/oncology_records.json``).
Usage (one ``owner/name=git-dir`` per repository; records of a repository not given are skipped)::

    PYTHONPATH=src python tests/eligibility/measure_all_items.py \
        uw-bionlp/leaf-corpora=/path/to/leaf.git hyperlist/trec-pm=/path/to/trec-pm.git \
        hantswilliams/clinicaltrials_trec_2022=/path/to/trec2022.git [-v]

``-v`` lists the checklist and partial items of the tuning part (never of the held-out part,
which is reported in aggregate only).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

from oncotrial.eligibility.coverage import coverage_report
from oncotrial.eligibility.criteria import Eligibility, split_criteria

CORPUS = json.loads(
    (Path(__file__).parent / "corpus" / "oncology_records.json").read_text(encoding="utf-8")
)


def _records() -> dict[str, tuple[str, str, str, str]]:
    """nct -> (repository, commit, path, part) of every record of the corpus."""
    out: dict[str, tuple[str, str, str, str]] = {}
    for item in CORPUS["items"]:
        source = CORPUS["sources"][item["source"]]
        path = source["path"].format(nct=item["nct"])
        out[item["nct"]] = (source["repository"], source["commit"], path, item["part"])
    return out


def _criteria_text(raw: str, path: str) -> str:
    if not path.endswith(".xml"):
        return raw
    node = ET.fromstring(raw).find("eligibility/criteria/textblock")
    return textwrap.dedent(node.text or "") if node is not None else ""


def measure(mirrors: dict[str, str], verbose: bool = False) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {"tuning": Counter(), "held_out": Counter()}
    for nct, (repository, commit, path, part) in sorted(_records().items()):
        if repository not in mirrors:
            continue
        raw = subprocess.run(
            ["git", "--git-dir", mirrors[repository], "show", f"{commit}:{path}"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        text = _criteria_text(raw, path)
        inclusion, exclusion = split_criteria(text)
        report = coverage_report(Eligibility(inclusion=inclusion, exclusion=exclusion))
        counts[part]["records"] += 1
        for item in report.items:
            counts[part]["items"] += 1
            counts[part][item.level] += 1
            if verbose and part == "tuning" and item.level != "computable":
                unread = "; ".join(item.criterion.unread)
                print(f"{item.level:9} {nct} {item.criterion.id}: {item.criterion.text[:160]}")
                if unread:
                    print(f"          unread: {unread[:160]}")
    return counts


def main() -> None:
    mirrors = dict(a.split("=", 1) for a in sys.argv[1:] if "=" in a)
    counts = measure(mirrors, "-v" in sys.argv)
    for part, c in counts.items():
        n = c["items"]
        print(
            f"{part}: {c['records']} records, {n} items: {c['computable']} computable "
            f"({100 * c['computable'] / n:.0f} %), {c['partial']} partial, "
            f"{c['checklist']} checklist"
        )


if __name__ == "__main__":
    main()
