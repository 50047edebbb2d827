"""Checking an XML file against a CDISC schema (ODM 1.3.2, Define-XML 2.1).

The XSD files are CDISC's, as odmlib ships them (``odmlib/schemas``); lxml (libxml2) validates,
which takes a fraction of a second for a whole trial's ODM file.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from oncotrial.errors import FormatError

__all__ = ["schema_errors", "validate_xml"]

_NAMES = {("odm", "1.3.2"): "ODM 1.3.2", ("define", "2.1"): "Define-XML 2.1"}


@lru_cache(maxsize=4)
def _schema(standard: str, version: str) -> Any:
    from lxml import etree
    from odmlib.schema_manager import get_schema_path

    return etree.XMLSchema(etree.parse(get_schema_path(standard, version)))


def schema_errors(path: Path, standard: str, version: str) -> list[str]:
    """Every schema violation of ``path`` as "line N: message" (empty when valid)."""
    from lxml import etree

    schema = _schema(standard, version)
    try:
        document = etree.parse(str(path))
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {exc}"]
    if schema.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def validate_xml(path: Path, standard: str, version: str) -> None:
    """FormatError naming the first violation when ``path`` is not valid under the schema."""
    errors = schema_errors(path, standard, version)
    if errors:
        raise FormatError(
            f"not valid {_NAMES[(standard, version)]}: {errors[0]} "
            f"({len(errors)} schema error(s) in all)",
            file=str(path),
            hint="This is a defect of oncotrial's writer for this format; please report it.",
        )
