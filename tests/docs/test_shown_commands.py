"""The commands the README and docs/ show are run, and their output compared with what is shown.

A shown command is a line ``$ oncotrial …`` inside a ```text or ```sh block; the lines after it,
up to the next ``$`` line or the end of the block, are its shown output. Each page runs in its own
folder (``../shared`` reachable as in the repository) against its own copy of the demo's data
directory: the demo database is the default database (``ONCOTRIAL_DB``) and
``~/.local/share/oncotrial`` stands for that directory, so the pages' commands see the five demo
trials. Commands of one page run in order, so a page may use what an earlier command wrote.

Comparison, after normalising: whitespace (line wrapping) is collapsed; the data directory, the
page folder and ``/home/me/.local/share/oncotrial`` read ``~/.local/share/oncotrial``; run-specific
values (elapsed seconds, times of day, dates of today, audit timestamps) read ``<time>``. A shown
line ``…`` or ``...`` (or ``…`` inside a line) elides output: the shown pieces between elisions
must appear in the output in order. The exit status must be 0 unless the shown output begins with
``error:`` (or a following ``$ echo $?`` shows it).

Markers, HTML comments on the lines before a block's fence:

- ``<!-- docs-test: skip (why) -->``: the block is not run (the reason is required);
- ``<!-- docs-test: copy PATH[:NAME] … -->``: files (relative to the repository) are copied into
  the page's folder (as NAME, which may name a sub-folder) before the block runs;
- ``<!-- docs-test: file NAME -->`` before any block (```json …): its text is the example file
  NAME, written into every page's folder (the README screens the patient docs/eligibility.md shows);

and anywhere in a page, ``<!-- docs-test: fresh-home -->``: the page runs in an empty data
directory with the default database instead of the demo's.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SHOWN_HOME = "~/.local/share/oncotrial"
_FENCE = re.compile(r"^```(\w*)\s*$")
_MARKER = re.compile(r"^<!--\s*docs-test:\s*(skip|copy|file)\b(.*?)-->\s*$")
_FRESH_HOME = "<!-- docs-test: fresh-home -->"
_BOX = re.compile(r"[─━═]+")
_TIME_PATTERNS = (
    re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?"),
    re.compile(r"\b\d+(\.\d+)? ?(s|ms|seconds)\b"),
)


@dataclass
class Command:
    line: int
    text: str
    shown: list[str] = field(default_factory=list)


@dataclass
class Block:
    page: Path
    line: int
    commands: list[Command]
    skip: str | None = None
    copies: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def _blocks(page: Path) -> list[Block]:
    lines = page.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        fence = _FENCE.match(lines[i])
        if not fence:
            i += 1
            continue
        start, body = i, []
        i += 1
        while i < len(lines) and not lines[i].startswith("```"):
            body.append((i + 1, lines[i]))
            i += 1
        i += 1
        commands: list[Command] = []
        for number, text in body:
            if commands and commands[-1].text.endswith("\\"):  # a continued command line
                commands[-1].text = commands[-1].text[:-1] + " " + text.strip()
            elif text.startswith("$ "):
                commands.append(Command(number, text[2:]))
            elif commands:
                commands[-1].shown.append(text)
        named = _MARKER.match(lines[start - 1]) if start else None
        if named and named.group(1) == "file":
            EXAMPLE_FILES[named.group(2).strip()] = "\n".join(t for _, t in body) + "\n"
        if fence.group(1) not in ("", "text", "sh", "console"):
            continue
        if not any(c.text.startswith("oncotrial ") for c in commands):
            continue
        block = Block(page, start + 1, commands)
        j = start - 1
        while j >= 0 and _MARKER.match(lines[j]):
            kind, rest = _MARKER.match(lines[j]).groups()  # type: ignore[union-attr]
            if kind == "file":
                pass
            elif kind == "skip":
                block.skip = rest.strip().strip("()").strip() or ""
            else:
                block.copies += rest.split()
            j -= 1
        blocks.append(block)
    return blocks


EXAMPLE_FILES: dict[str, str] = {}
BLOCKS = [b for page in PAGES for b in _blocks(page)]


def test_every_skipped_block_says_why() -> None:
    unexplained = [b.id for b in BLOCKS if b.skip is not None and len(b.skip) < 8]
    assert not unexplained, f"docs-test: skip needs a reason: {unexplained}"


def test_blocks_are_found() -> None:
    pages = {b.page.name for b in BLOCKS}
    assert {"README.md", "formats.md", "design.md", "statistics.md"} <= pages


def _normalise(text: str, replacements: dict[str, str]) -> str:
    for old, new in replacements.items():
        text = text.replace(old, new)
    for pattern in _TIME_PATTERNS:
        text = pattern.sub("<time>", text)
    text = _BOX.sub("─", text)  # rules and table borders: their length is the terminal's
    return " ".join(text.split())


def _pieces(shown: list[str], replacements: dict[str, str]) -> list[str]:
    text = "\n".join(shown)
    parts = re.split(r"…|\.\.\.", text)
    return [p for p in (_normalise(part, replacements) for part in parts) if p]


def _run(argv: list[str], cwd: Path) -> tuple[int, str]:
    """The command as a user runs it: its own process, with this test's environment. (In this
    process the Django database is set up once, by whichever test came first, so a command run
    here could answer from another test's database.)"""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, "-m", "oncotrial", *argv],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    return done.returncode, done.stdout


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The demo run once (its data directory and console output)."""
    home = tmp_path_factory.mktemp("docs-demo-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ONCOTRIAL_HOME", str(home))
        patch.setenv("COLUMNS", "100")
        for name in ("ONCOTRIAL_CTCAE", "ONCOTRIAL_DB", "DATABASE_URL"):
            patch.delenv(name, raising=False)
        code, output = _run(["demo"], home)
    assert code == 0, output
    return home, output


# Session-scoped: under xdist a worker may run other modules' tests between a page's blocks, and a
# module-scoped fixture would then be made again, losing what the page's earlier blocks wrote.
@pytest.fixture(scope="session")
def pages(tmp_path_factory: pytest.TempPathFactory, demo_home: tuple[Path, str]) -> dict[str, Path]:
    """One working folder per page, each with its own copy of the demo's data directory."""
    folders: dict[str, Path] = {}
    for page in PAGES:
        base = tmp_path_factory.mktemp(f"docs-{page.stem}")
        home = base / "home"
        if _FRESH_HOME in page.read_text(encoding="utf-8"):
            home.mkdir()
        else:
            shutil.copytree(demo_home[0], home)
        (base / "work").mkdir()
        for name, text in EXAMPLE_FILES.items():
            (base / "work" / name).write_text(text, encoding="utf-8")
        (base / "shared").symlink_to((ROOT / ".." / "shared").resolve())
        folders[str(page)] = base
    return folders


@pytest.mark.slow
# One test per page: its blocks run in order in one process (later blocks use the files and
# records the earlier ones made), whichever xdist worker takes the page.
@pytest.mark.parametrize(
    "page",
    sorted({str(b.page) for b in BLOCKS if b.skip is None}),
    ids=lambda page: str(Path(page).relative_to(ROOT)),
)
def test_shown_commands_give_the_shown_output(
    page: str,
    pages: dict[str, Path],
    demo_home: tuple[Path, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    blocks = [b for b in BLOCKS if b.skip is None and str(b.page) == page]
    for block in sorted(blocks, key=lambda b: b.line):
        _check_block(block, pages, demo_home, monkeypatch)


def _check_block(
    block: Block,
    pages: dict[str, Path],
    demo_home: tuple[Path, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base = pages[str(block.page)]
    home, work = base / "home", base / "work"
    database = home / "demo" / "oncotrial-demo.sqlite3"
    monkeypatch.setenv("ONCOTRIAL_HOME", str(home))
    if _FRESH_HOME in block.page.read_text(encoding="utf-8"):
        monkeypatch.delenv("ONCOTRIAL_DB", raising=False)
    else:
        monkeypatch.setenv("ONCOTRIAL_DB", str(database))
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.delenv("ONCOTRIAL_CTCAE", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    for copy in block.copies:
        source, _, name = copy.partition(":")
        target = work / (name or Path(source).name)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / source, target)
    replacements = {
        str(home): SHOWN_HOME,
        str(demo_home[0]): SHOWN_HOME,
        "/home/me/.local/share/oncotrial": SHOWN_HOME,
        str(work) + "/": "",
        str(work): ".",
    }
    code = 0
    for command in block.commands:
        where = f"{block.page.relative_to(ROOT)} line {command.line}: $ {command.text}"
        if command.text == "echo $?":  # the exit status of the command before
            assert [line.strip() for line in command.shown if line.strip()] == [str(code)], where
            continue
        if not command.text.startswith("oncotrial "):
            pytest.fail(f"{block.id}: line {command.line} runs {command.text!r}, not oncotrial; "
                        "mark the block <!-- docs-test: skip (why) -->")  # fmt: skip
        argv = shlex.split(command.text.replace(SHOWN_HOME, str(home)), comments=True)[1:]
        if argv == ["demo"]:
            code, output = 0, demo_home[1]  # the session's demo run: the same command
        else:
            code, output = _run(argv, work)
        expect_error = bool(command.shown) and command.shown[0].startswith("error:")
        followed = block.commands[block.commands.index(command) + 1 :]
        if not (followed and followed[0].text == "echo $?"):  # else the shown status decides
            assert (code != 0) == expect_error, f"{where}\nexit {code}\n{output}"
        actual = _normalise(output, replacements)
        position = 0
        for piece in _pieces(command.shown, replacements):
            found = actual.find(piece, position)
            assert found >= 0, f"{where}\nshown, not in the output:\n  {piece}\noutput:\n{output}"
            position = found + len(piece)
