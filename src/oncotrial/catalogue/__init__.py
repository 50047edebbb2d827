"""The entity catalogue: each clinical fact oncotrial records, declared once.

The catalogue sits just above ``oncotrial.errors``: every other package may use it, and it imports
nothing of theirs (pure data and pure functions; import-linter enforces it). It declares

- each **entity** a trial team records — demographics, eligibility, allocation, ECOG, height and
  weight, disease characteristics with the AJCC stage, driver mutations, PD-L1, labs, study drug,
  local therapy (incl. radiotherapy), medications (prior, concomitant, subsequent therapy),
  adverse events (CTCAE v5.0), lesions, measurements, responses, quality of life, disposition and
  death — with its fields (type, unit, vocabulary, limits, help), its SDTM tests and its edit
  checks (``oncotrial.catalogue.registry.ENTITIES``);
- the controlled **vocabularies** (``Vocabulary``) and the AJCC **staging** by edition
  (``oncotrial.catalogue.staging``);
- the one **month** (``DAYS_PER_MONTH`` = 30.4375 days) and the one **rule** type (``Rule``).

Web forms, CSV/Excel templates, the simulator's writers, the database's import checks and the
field tables of docs/catalogue.md are generated from it or tested against it
(``check_record``). docs/catalogue.md is the reference.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from oncotrial.catalogue.durations import DAYS_PER_MONTH, DAYS_PER_WEEK, DAYS_PER_YEAR
    from oncotrial.catalogue.model import Entity, Field, Kind, Range, Test
    from oncotrial.catalogue.registry import ENTITIES, TESTS, check_record, entity
    from oncotrial.catalogue.rule import EditCheck, Rule, Severity
    from oncotrial.catalogue.vocabulary import Term, Vocabulary

# Each name -> the module that declares it. The names load on first use (PEP 562), so that a
# module needing only the month (``oncotrial.catalogue.durations``) does not build every entity:
# ``oncotrial trial list`` must start fast (issue 11 part 6).
_HOMES: dict[str, str] = {
    "DAYS_PER_MONTH": "durations",
    "DAYS_PER_WEEK": "durations",
    "DAYS_PER_YEAR": "durations",
    "ENTITIES": "registry",
    "TESTS": "registry",
    "EditCheck": "rule",
    "Entity": "model",
    "Field": "model",
    "Kind": "model",
    "Range": "model",
    "Rule": "rule",
    "Severity": "rule",
    "Term": "vocabulary",
    "Test": "model",
    "Vocabulary": "vocabulary",
    "check_record": "registry",
    "entity": "registry",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)


__all__ = [
    "DAYS_PER_MONTH",
    "DAYS_PER_WEEK",
    "DAYS_PER_YEAR",
    "ENTITIES",
    "TESTS",
    "EditCheck",
    "Entity",
    "Field",
    "Kind",
    "Range",
    "Rule",
    "Severity",
    "Term",
    "Test",
    "Vocabulary",
    "check_record",
    "entity",
]
