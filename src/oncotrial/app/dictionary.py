"""The CTCAE dictionary for reports and the demo.

oncotrial ships NCI's CTCAE v5.0 (``oncotrial.formats.ctcae``), so a report always has a
dictionary unless the user named a file that cannot be read, which is an error. A caller that
analyses without one (``ctcae=None``) gets adverse-event sections that say why
(``MISSING_DICTIONARY``) — never a silent pass.
"""

from __future__ import annotations

from pathlib import Path

from oncotrial.endpoints.ctcae import CtcaeDictionary
from oncotrial.formats.ctcae import load_ctcae

__all__ = ["MISSING_DICTIONARY", "find_dictionary"]

MISSING_DICTIONARY = (
    "no CTCAE dictionary was given to the analysis, so adverse-event terms and grades cannot be "
    "checked against it. Run without --ctcae and ONCOTRIAL_CTCAE to use the CTCAE v5.0 shipped "
    "with oncotrial, or name a CTCAE file with --ctcae FILE or ONCOTRIAL_CTCAE=FILE"
)


def find_dictionary(path: Path | None = None) -> tuple[CtcaeDictionary | None, str | None]:
    """(dictionary, None): the named file's dictionary, else the shipped CTCAE v5.0.

    The pair's second member is the reason when there is no dictionary; with the dictionary
    shipped that no longer happens, but callers keep handling it (``analyse_trial(ctcae=None)``).
    """
    return load_ctcae(path), None
