"""Analysis-plan files: YAML in and out, the reviewed plans of the seed trials, the user's plans.

A plan is stored as YAML beside its protocol: the bundled seed plans in the package
(``oncotrial/data/plans/<trial>.yaml``), a user's plans in the data directory
(``plans/<trial>.yaml``), which take precedence — ``sap accept`` writes a reviewed version there
and never into the package. Loading validates the whole plan; an invalid file is an error naming
the file, the trial and the field. Writing is atomic (a temporary file renamed over the old).
"""

from __future__ import annotations

import os
import re
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from oncotrial.errors import FormatError, InputError, SchemaError, ValueProblem
from oncotrial.home import data_home
from oncotrial.plan.model import AnalysisPlan

__all__ = [
    "PLAN_HEADER",
    "PlanFile",
    "bundled_plan_names",
    "dump_plan_yaml",
    "find_plan",
    "find_trial_plan",
    "load_plan_yaml",
    "plan_library_dir",
    "write_plan_yaml",
]

PLAN_HEADER = (
    "# oncotrial statistical analysis plan (schema_version 1). Every value has a source:\n"
    "# registry (the registration's words, quoted), derived (the rule), or assumed (who, why,\n"
    "# and who accepted it). `oncotrial sap check TRIAL` lists what is still open.\n"
)


class _Dumper(yaml.SafeDumper):
    """Literal blocks for multi-line text (as protocol files), no aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    multi = "\n" in value and not re.search(r"[ \t]\n|[ \t]$|\r", value)
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if multi else None)


_Dumper.add_representer(str, _str)


class PlanFile:
    """A plan and where it was read from (``bundled`` plans are read-only)."""

    def __init__(self, plan: AnalysisPlan, location: str, bundled: bool) -> None:
        self.plan = plan
        self.location = location
        self.bundled = bundled


def dump_plan_yaml(plan: AnalysisPlan) -> str:
    data = plan.model_dump(mode="json", exclude_none=True, exclude_defaults=False)
    data = _drop_empty(data)
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, indent=2)
    return PLAN_HEADER + body


def _drop_empty(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_empty(v) for k, v in value.items() if v not in ((), [], None)}
    if isinstance(value, list):
        return [_drop_empty(v) for v in value]
    return value


def load_plan_yaml(text: str, name: str) -> AnalysisPlan:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise FormatError(f"not valid YAML{where}", file=name, hint="Fix the YAML syntax.") from exc
    if not isinstance(data, dict) or "trial_id" not in data:
        raise SchemaError(
            "not an oncotrial analysis plan (a mapping with trial_id is expected)", file=name
        )
    try:
        return AnalysisPlan.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise ValueProblem(
            f"{first['msg']} (value {str(first.get('input'))[:80]!r})",
            file=name,
            record=str(data.get("trial_id")),
            field=field,
            hint="Correct the field in the plan file.",
        ) from exc


def plan_library_dir() -> Path:
    return data_home() / "plans"


def _bundled_folder() -> Any:
    return resources.files("oncotrial") / "data" / "plans"


def bundled_plan_names() -> list[str]:
    return sorted(
        entry.name.removesuffix(".yaml")
        for entry in _bundled_folder().iterdir()
        if entry.name.endswith(".yaml")
    )


def find_plan(reference: str) -> PlanFile:
    """The plan of a trial id (the user's copy first, then the bundled one) or a plan file."""
    path = Path(reference)
    if path.suffix.lower() in {".yaml", ".yml"} or any(sep in reference for sep in "/\\"):
        if not path.is_file():
            raise InputError("file not found", file=reference, hint="Check the path.")
        return PlanFile(load_plan_yaml(path.read_text("utf-8"), str(path)), str(path), False)
    own = plan_library_dir() / f"{reference}.yaml"
    if own.is_file():
        return PlanFile(load_plan_yaml(own.read_text("utf-8"), str(own)), str(own), False)
    entry = _bundled_folder() / f"{reference}.yaml"
    if entry.is_file():
        name = f"bundled plans/{reference}.yaml"
        return PlanFile(load_plan_yaml(entry.read_text("utf-8"), name), name, True)
    raise InputError(
        f"no analysis plan for trial {reference!r}",
        hint="The bundled plans are for trials "
        + ", ".join(bundled_plan_names())
        + "; give a plan file's path for another trial.",
    )


def find_trial_plan(*ids: str | None) -> PlanFile | None:
    """The reviewed plan of a trial known by any of ``ids`` (local id, NCT number, …), the
    user's copy first, then the bundled one; None when no plan exists for any of them. A plan
    file that exists but is invalid is an error (never silently skipped)."""
    for reference in ids:
        if (
            not reference
            or any(sep in reference for sep in "/\\")
            or reference.endswith((".yaml", ".yml"))
        ):
            continue
        own = plan_library_dir() / f"{reference}.yaml"
        bundled = _bundled_folder() / f"{reference}.yaml"
        if own.is_file() or bundled.is_file():
            found = find_plan(reference)
            if found.plan.trial_id not in ids:
                raise InputError(
                    f"the analysis plan {found.location} is for trial {found.plan.trial_id!r}, "
                    f"not {reference!r}",
                    file=found.location,
                    field="trial_id",
                    hint="Correct the plan's trial_id or rename the file.",
                )
            return found
    return None


def write_plan_yaml(plan: AnalysisPlan, target: Path) -> Path:
    """Write the plan atomically to ``target`` (nothing is written if anything fails)."""
    text = dump_plan_yaml(plan)
    load_plan_yaml(text, str(target))  # what is written must read back
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
