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

from oncotrial.catalogue.durations import DAYS_PER_MONTH, DAYS_PER_WEEK, DAYS_PER_YEAR
from oncotrial.catalogue.model import Entity, Field, Kind, Range, Test
from oncotrial.catalogue.registry import ENTITIES, TESTS, check_record, entity
from oncotrial.catalogue.rule import EditCheck, Rule, Severity
from oncotrial.catalogue.vocabulary import Term, Vocabulary

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
