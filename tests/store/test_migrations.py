"""The migration chain matches the models: a model change without its migration fails here
(a database made by `oncotrial db init` would otherwise lack the column the code writes)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# In its own process: Django is configured once per process, and other tests configure it.
CHECK = """
import sys
from oncotrial.store import configure
configure(sys.argv[1])
from django.core.management import call_command
call_command("makemigrations", "store", "--check", "--dry-run", verbosity=1)
"""


def test_models_and_migrations_agree(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK, str(tmp_path / "check.sqlite3")],
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No changes detected" in done.stdout
