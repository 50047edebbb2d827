"""docs/catalogue.md's reference is what the catalogue generates (it cannot drift from the code).

Regenerate after a deliberate change with
    ONCOTRIAL_DOCS_UPDATE=1 python3 dev.py test tests/catalogue/test_docs.py
"""

from __future__ import annotations

import os
from pathlib import Path

from oncotrial.catalogue.docs import render_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "catalogue.md"
MARK = "## Reference\n"


def test_the_docs_reference_is_generated_from_the_catalogue() -> None:
    text = DOC.read_text(encoding="utf-8")
    head, found, tail = text.partition(MARK)
    assert found, f"{DOC} has no {MARK.strip()!r} section"
    intro, _, generated = tail.partition("\n\n")  # the section's own sentence, then the tables
    expected = render_markdown()
    if os.environ.get("ONCOTRIAL_DOCS_UPDATE") == "1":
        DOC.write_text(head + MARK + intro + "\n\n" + expected, encoding="utf-8")
        generated = expected
    assert generated == expected, "docs/catalogue.md is out of date; see this test's docstring"
