"""The lock files satisfy pyproject.toml: every dependency (runtime, the test extra, the build
requirements) is pinned, for every Python the lock covers, to a version inside its range, with
hashes; and the runtime lock agrees with the test lock. `python3 dev.py lock` refreshes them."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
LOCKS = {"base": ROOT / "requirements.lock", "test": ROOT / "requirements-test.lock"}
# The Pythons pyproject admits (requires-python >= 3.11) that the universal lock resolves for.
PYTHONS = ("3.11", "3.12", "3.13", "3.14")


@dataclass(frozen=True)
class Pin:
    name: str
    version: Version
    marker: Marker | None
    hashes: int


def read_lock(path: Path) -> list[Pin]:
    """The pins of a `pip install --require-hashes` requirements file (continuation lines)."""
    text = path.read_text(encoding="utf-8").replace("\\\n", " ")
    pins = []
    for line in text.splitlines():
        if not line or line.startswith(("#", " ")):
            continue
        found = re.match(r"^([A-Za-z0-9._-]+)==([^\s;]+)\s*(?:;\s*(.*?))?\s*(--hash.*)?$", line)
        assert found, f"{path.name}: not a pinned requirement: {line[:80]}"
        name, version, marker, hashes = found.groups()
        pins.append(
            Pin(
                canonicalize_name(name),
                Version(version),
                Marker(marker) if marker else None,
                len(re.findall(r"--hash=sha256:[0-9a-f]{64}", hashes or "")),
            )
        )
    return pins


def applies(pin: Pin, python: str) -> bool:
    if pin.marker is None:
        return True
    env = {"python_version": python, "python_full_version": python + ".0"}
    # Platform markers (colorama on Windows) count as applying: the lock must hold them anyway.
    return (
        pin.marker.evaluate(env)
        or "platform" in str(pin.marker)
        or "implementation" in str(pin.marker)
    )


def requirements(*groups: str) -> list[Requirement]:
    found = [Requirement(r) for r in PYPROJECT["project"]["dependencies"]]
    for group in groups:
        found += [Requirement(r) for r in PYPROJECT["project"]["optional-dependencies"][group]]
    found += [Requirement(r) for r in PYPROJECT["build-system"]["requires"]]
    return found


@pytest.mark.parametrize(("lock", "groups"), [("base", ()), ("test", ("test",))])
def test_every_pyproject_range_is_pinned_inside_it(lock: str, groups: tuple[str, ...]) -> None:
    pins = read_lock(LOCKS[lock])
    problems = []
    for requirement in requirements(*groups):
        name = canonicalize_name(requirement.name)
        for python in PYTHONS:
            chosen = [p for p in pins if p.name == name and applies(p, python)]
            if not chosen:
                problems.append(f"{name} is not pinned for Python {python}")
            for pin in chosen:
                if not requirement.specifier.contains(pin.version, prereleases=True):
                    problems.append(f"{name}=={pin.version} is outside {requirement}")
    assert problems == [], "run `python3 dev.py lock`:\n" + "\n".join(sorted(set(problems)))


def test_every_pin_has_hashes_and_the_locks_agree() -> None:
    base, test = read_lock(LOCKS["base"]), read_lock(LOCKS["test"])
    assert all(p.hashes >= 1 for p in base + test)
    in_test = {(p.name, str(p.marker)): p.version for p in test}
    for pin in base:
        assert in_test.get((pin.name, str(pin.marker))) == pin.version, pin
    # the test lock holds the test tools, the runtime lock does not
    assert {"pytest", "mypy", "playwright"} <= {p.name for p in test}
    assert not {"pytest", "mypy", "playwright"} & {p.name for p in base}


def test_the_locks_say_how_to_refresh_them() -> None:
    for path in LOCKS.values():
        assert "python3 dev.py lock" in path.read_text(encoding="utf-8").splitlines()[1]


def test_read_lock_sees_an_unsatisfying_pin(tmp_path: Path) -> None:
    """The check can fail: a pin outside pyproject's range is reported."""
    lock = tmp_path / "bad.lock"
    lock.write_text("pandas==1.5.3 \\\n    --hash=sha256:" + "0" * 64 + "\n", encoding="utf-8")
    (pin,) = read_lock(lock)
    (pandas,) = [r for r in requirements() if r.name == "pandas"]
    assert not pandas.specifier.contains(pin.version)
