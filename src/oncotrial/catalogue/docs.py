"""The catalogue as Markdown: the field tables of docs/catalogue.md, generated (never typed).

``render_markdown()`` returns the reference part of docs/catalogue.md; a test compares the file
with it, so the documentation cannot drift from what the code declares.
"""

from __future__ import annotations

from collections.abc import Iterable

from oncotrial.catalogue.model import Entity, Field, Test
from oncotrial.catalogue.registry import ENTITIES, IMPORT_TERMS, VARIABLE_TERMS
from oncotrial.catalogue.staging import STAGING_SYSTEMS, edition_category
from oncotrial.catalogue.vocabulary import Vocabulary

__all__ = ["render_markdown"]

_MAX_LISTED = 12  # longer vocabularies are summarised by their name and size


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ") if text not in (None, "") else ""


def _codes(vocabulary: Vocabulary | None) -> str:
    if vocabulary is None:
        return ""
    codes = [f"`{c}`" for c in vocabulary.codes]
    if len(codes) > _MAX_LISTED:
        return f"{vocabulary.name} ({len(codes)} terms)"
    return ", ".join(codes)


def _table(header: Iterable[str], rows: Iterable[Iterable[object]]) -> list[str]:
    head = list(header)
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def _limits(field: Field) -> str:
    parts = []
    if field.minimum is not None or field.maximum is not None:
        low = "" if field.minimum is None else f"{field.minimum:g}"
        high = "" if field.maximum is None else f"{field.maximum:g}"
        parts.append(f"{low}–{high}")
    if field.plausible is not None:
        parts.append(f"plausible {field.plausible.low:g}–{field.plausible.high:g}")
    return "; ".join(parts)


def _fields(entity: Entity) -> list[str]:
    rows = [
        (
            f"`{f.name}`",
            f.label,
            f.kind.value,
            "yes" if f.required else "",
            f.unit or "",
            _limits(f),
            _codes(f.vocabulary),
            f.sdtm,
        )
        for f in entity.fields
    ]
    header = ("Field", "Label", "Type", "Required", "Unit", "Limits", "Values", "SDTM")
    return _table(header, rows)


def _test_row(test: Test) -> tuple[object, ...]:
    plausible = test.plausible
    return (
        test.domain,
        f"`{test.testcd}`",
        test.test,
        test.category or "",
        test.unit or "",
        test.loinc or "",
        test.method or "",
        test.specimen or "",
        "" if plausible is None else f"{plausible.low:g}–{plausible.high:g}",
        _codes(test.results),
        test.adsl,
    )


def _tests(entity: Entity) -> list[str]:
    header = ("Domain", "TESTCD", "TEST", "CAT", "Unit", "LOINC", "Method", "Specimen",
              "Plausible", "Results", "ADSL")  # fmt: skip
    return _table(header, (_test_row(t) for t in entity.tests))


def _checks(entity: Entity) -> list[str]:
    rows = [(f"`{c.id}`", c.severity.value, c.description, c.source) for c in entity.checks]
    return _table(("Check", "Severity", "Rule", "Source"), rows)


def _entity(entity: Entity) -> list[str]:
    lines = [
        f"### {entity.title} (`{entity.key}`)",
        "",
        f"{entity.description} Domain{'s' if len(entity.domains) > 1 else ''}: "
        + ", ".join(entity.domains)
        + ".",
        "",
    ]
    if entity.fields:
        lines += [*_fields(entity), ""]
    if entity.tests:
        lines += [*_tests(entity), ""]
    if entity.checks:
        lines += [*_checks(entity), ""]
    lines += [f"{note}" for note in entity.notes]
    if entity.notes:
        lines.append("")
    return lines


def _staging() -> list[str]:
    rows = [
        (
            s.site.title(),
            s.edition,
            edition_category(s.edition),
            ", ".join(s.groups),
            ", ".join(s.parents),
            " ".join(s.t),
            " ".join(s.n),
            " ".join(s.m),
            s.source,
        )
        for s in STAGING_SYSTEMS
    ]
    header = ("Site", "Edition", "SCCAT", "Stage groups", "Also accepted", "T", "N", "M", "Source")
    return ["### Staging", "", *_table(header, rows), ""]


def _variables() -> list[str]:
    enforced = {(t.domain, t.variable) for t in IMPORT_TERMS}
    rows = [
        (
            domain,
            f"`{variable}`",
            _codes(terms),
            terms.source,
            "yes" if (domain, variable) in enforced else "",
        )
        for (domain, variable), terms in VARIABLE_TERMS.items()
    ]
    header = ("Domain", "Variable", "Values", "Source", "Refused on import")
    return ["### Controlled variables", "", *_table(header, rows), ""]


def render_markdown() -> str:
    """The generated reference of docs/catalogue.md (entities, staging, controlled variables)."""
    lines: list[str] = []
    for entity in ENTITIES.values():
        lines += _entity(entity)
    lines += _staging()
    lines += _variables()
    return "\n".join(lines).rstrip() + "\n"
