"""Browser and PDF tests never skip silently.

`python3 dev.py test` installs Debian chromium and poppler-utils when they are missing and it can
(root with apt-get), otherwise stops with the command to run, unless `--no-browser` opts out;
the test fixtures fail when a tool is missing, and skip only in the opted-out run, whose summary
counts them.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def dev() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dev_script", ROOT / "dev.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_missing_packages_without_root_stop_with_the_command(
    dev: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        dev, "_missing_packages", lambda no_browser=False: ["chromium", "poppler-utils"]
    )
    monkeypatch.setattr(dev, "_can_install", lambda: False)
    with pytest.raises(SystemExit) as stopped:
        dev.ensure_system_packages(no_browser=False)
    assert stopped.value.code == 1
    err = capsys.readouterr().err
    assert "sudo apt-get install chromium poppler-utils" in err
    assert "python3 dev.py test --no-browser" in err
    assert "chromium for the browser tests; poppler-utils for the PDF tests" in err


def test_missing_packages_as_root_are_installed_with_apt(
    dev: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = [["chromium"], []]
    monkeypatch.setattr(dev, "_missing_packages", lambda no_browser=False: missing.pop(0))
    monkeypatch.setattr(dev, "_can_install", lambda: True)
    ran: list[tuple[str, ...]] = []
    monkeypatch.setattr(dev, "_run", lambda *cmd, **kw: ran.append(tuple(map(str, cmd))))
    assert dev.ensure_system_packages(no_browser=False) is None
    assert ran == [("apt-get", "update", "-q"), ("apt-get", "install", "-y", "-q", "chromium")]


def test_no_browser_is_an_explicit_opt_out_stated_in_the_summary(
    dev: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dev, "_present", lambda tool: tool != "/usr/bin/chromium")
    monkeypatch.setattr(dev, "_can_install", lambda: True)
    monkeypatch.setattr(dev, "_run", lambda *cmd, **kw: pytest.fail("nothing is installed"))
    note = dev.ensure_system_packages(no_browser=True)
    assert note is not None
    assert "--no-browser: the browser and PDF tests were skipped (chromium missing)" in note


def test_no_browser_still_needs_r_for_the_transport_files(
    dev: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(dev, "_present", lambda tool: "foreign" not in tool)
    monkeypatch.setattr(dev, "_can_install", lambda: False)
    with pytest.raises(SystemExit):
        dev.ensure_system_packages(no_browser=True)
    assert "sudo apt-get install r-cran-foreign" in capsys.readouterr().err


def _pdf_test_without_poppler(no_browser: bool) -> subprocess.CompletedProcess[str]:
    """One PDF test in a pytest of its own, with poppler out of PATH."""
    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}
    env["ONCOTRIAL_NO_BROWSER"] = "1" if no_browser else "0"
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-n",
            "0",
            "-p",
            "no:cacheprovider",
            "tests/report/test_report_pdf.py::test_pdf_embeds_only_dejavu_sans",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_a_missing_tool_fails_the_test_and_only_an_opt_out_skips_it() -> None:
    failed = _pdf_test_without_poppler(no_browser=False)
    assert failed.returncode == 1, failed.stdout[-2000:]
    assert "1 error" in failed.stdout or "1 failed" in failed.stdout, failed.stdout[-2000:]
    assert "never skip silently" in failed.stdout
    assert "sudo apt-get install poppler-utils" in failed.stdout
    skipped = _pdf_test_without_poppler(no_browser=True)
    assert skipped.returncode == 0, skipped.stdout[-2000:]
    assert "1 skipped" in skipped.stdout
    assert "--no-browser: 1 browser/PDF test(s) NOT RUN" in skipped.stdout
