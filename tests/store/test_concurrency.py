"""Two processes writing the same trial at once lose nothing (SQLite and PostgreSQL).

Both processes import adverse-event templates for the same subjects in many small transactions,
interleaved; record numbers (AESEQ) are taken inside the trial's write lock, so every event is
stored once, with its own number and its own history row.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd

WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from oncotrial.store import configure
    db, trial, template, rounds, start, user = sys.argv[1:7]
    configure(db)
    from oncotrial.formats.ctcae import load_ctcae
    from oncotrial.store.trials import import_template
    ctcae = load_ctcae(Path(sys.argv[7]))
    while time.time() < float(start):
        time.sleep(0.01)
    for _ in range(int(rounds)):
        import_template("adverse_event", Path(template), trial_id=trial, user=user, ctcae=ctcae)
    """
)


def test_two_writers_at_once_lose_nothing(store, ctcae, ctcae_path: Path, tmp_path: Path) -> None:
    from oncotrial.store import models
    from oncotrial.store.sdtm_import import import_sdtm

    subjects = [f"S{i}" for i in range(1, 4)]
    import_sdtm(
        {"DM": pd.DataFrame({"STUDYID": "T1", "DOMAIN": "DM", "USUBJID": subjects})},
        user="setup",
        ctcae=ctcae,
    )
    template = tmp_path / "ae.csv"
    pd.DataFrame(
        {
            "subject_id": subjects,
            "ctcae_term": ["Fatigue", "Pruritus", "Hypothyroidism"],
            "grade": ["1", "2", "2"],
            "start_date": ["2024-03-01", "2024-03-02", "2024-03-03"],
        }
    ).to_csv(template, index=False)
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    rounds = 8
    start = time.time() + 4.0
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                str(script),
                store.db,
                "T1",
                str(template),
                str(rounds),
                str(start),
                user,
                str(ctcae_path),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for user in ("site-a", "site-b")
    ]
    for process in processes:
        _out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    events = models.AdverseEvent.objects.all()
    assert events.count() == 2 * rounds * len(subjects)
    for subject in subjects:
        numbers = sorted(events.filter(subject__usubjid=subject).values_list("seq", flat=True))
        assert numbers == list(range(1, 2 * rounds + 1))
    history = models.AdverseEvent.history.filter(history_type="+")
    assert history.count() == events.count()
    assert {h.history_user.username for h in history} == {"site-a", "site-b"}
    assert history.filter(history_user__username="site-a").count() == rounds * len(subjects)
