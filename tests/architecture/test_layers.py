"""The layer contract of DESIGN.md: core is pure and never imports the layers above it.

Two independent checks: import-linter's contracts in pyproject.toml, and an AST scan of the core
for I/O, printing and clock reads (which an import graph cannot see).
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "oncotrial"
CORE = (
    "catalogue",
    "protocol",
    "eligibility",
    "response",
    "endpoints",
    "stats",
    "simulate",
    "enrollment",
    "plan",
)
FORBIDDEN_PREFIXES = (
    "oncotrial.store",
    "oncotrial.web",
    "oncotrial.cli",
    "oncotrial.report",
    "oncotrial.formats",
    "oncotrial.app",
    "oncotrial.home",
    "django",
    "click",
    "rich",
    "matplotlib",
    "jinja2",
    "psycopg",
    "sqlite3",
    "subprocess",
    "socket",
    "urllib",
    "requests",
    "os",
    "pathlib",
    "shutil",
    "tempfile",
)
FORBIDDEN_CALLS = {"print", "open", "input", "breakpoint"}
FORBIDDEN_ATTRIBUTE_CALLS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "perf_counter"),
    ("time", "monotonic"),
    ("Path", "read_text"),
    ("Path", "write_text"),
    ("pd", "read_csv"),
    ("pd", "read_excel"),
}


def impurities(source: str, filename: str = "<src>") -> list[str]:
    """Every import of an upper layer, I/O call, print or clock read in ``source``."""
    found = []
    tree = ast.parse(source, filename)
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            if any(name == p or name.startswith(p + ".") for p in FORBIDDEN_PREFIXES):
                found.append(f"{filename}:{node.lineno}: imports {name}")
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in FORBIDDEN_CALLS:
                found.append(f"{filename}:{node.lineno}: calls {func.id}()")
            if isinstance(func, ast.Attribute):
                owner = func.value
                owner_name = (
                    owner.id
                    if isinstance(owner, ast.Name)
                    else (owner.attr if isinstance(owner, ast.Attribute) else "")
                )
                if (owner_name, func.attr) in FORBIDDEN_ATTRIBUTE_CALLS:
                    found.append(f"{filename}:{node.lineno}: calls {owner_name}.{func.attr}()")
                if func.attr in {"to_csv", "to_excel", "to_parquet", "savefig", "write_text"}:
                    found.append(f"{filename}:{node.lineno}: writes a file via .{func.attr}()")
    return found


def test_core_is_pure() -> None:
    problems = []
    for package in CORE:
        for path in sorted((SRC / package).rglob("*.py")):
            problems += impurities(path.read_text(encoding="utf-8"), str(path.relative_to(SRC)))
    assert problems == [], "core must stay pure (DESIGN.md, layers):\n" + "\n".join(problems)


def test_analysis_pipeline_reads_no_files_and_no_clock() -> None:
    """The analysis pipeline keeps the core's rules: frames in, results out. Above the core it
    may import only oncotrial.formats (to map SDTM frames), and it does no I/O, printing or
    clock reads."""
    problems = []
    for path in sorted((SRC / "analysis").rglob("*.py")):
        found = impurities(path.read_text(encoding="utf-8"), str(path.relative_to(SRC)))
        problems += [p for p in found if not re.search(r": imports oncotrial\.formats(\.|$)", p)]
    assert problems == [], "the analysis pipeline must stay pure:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    "snippet",
    [
        "from oncotrial.store import models",
        "import oncotrial.cli",
        "from django.db import models",
        "print('x')",
        "open('f').read()",
        "import datetime\ndatetime.datetime.now()",
        "from datetime import date\ndate.today()",
        "import pathlib",
        "df.to_csv('x.csv')",
    ],
)
def test_purity_scan_catches_violations(snippet: str) -> None:
    assert impurities(snippet), f"the scan missed: {snippet}"


def test_import_contracts_hold() -> None:
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if lint is None:
        pytest.fail("lint-imports (import-linter) is not installed; run `python3 dev.py test`")
    result = subprocess.run([lint], cwd=SRC.parents[1], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout
