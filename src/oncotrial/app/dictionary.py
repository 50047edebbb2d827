"""The CTCAE v5.0 dictionary for reports and the demo, or why there is none.

oncotrial does not ship NCI's file (docs/protocol.md; ``oncotrial.formats.ctcae``). A report
needs it to check adverse-event terms and grades. When the user named no file (no ``--ctcae``,
no ``ONCOTRIAL_CTCAE``) and none is in the data directory, the analysis goes on without it and
the adverse-event sections say why, and how to get the file — never a crash, never a silent
pass. A file the user did name but that cannot be read is an error.
"""

from __future__ import annotations

import os
from pathlib import Path

from oncotrial.endpoints.ctcae import CtcaeDictionary
from oncotrial.errors import ConfigurationError
from oncotrial.formats.ctcae import CTCAE_DOWNLOAD_URL, load_ctcae

__all__ = ["MISSING_DICTIONARY", "find_dictionary"]

MISSING_DICTIONARY = (
    "no CTCAE v5.0 dictionary is available on this machine, so adverse-event terms and grades "
    "cannot be checked against it (oncotrial does not ship NCI's file). Download "
    f"{CTCAE_DOWNLOAD_URL} and pass it with --ctcae FILE, set ONCOTRIAL_CTCAE=FILE, or copy it "
    "into the oncotrial data directory as CTCAE_v5.0.xlsx (or .csv), then run again"
)


def find_dictionary(path: Path | None = None) -> tuple[CtcaeDictionary | None, str | None]:
    """(dictionary, None), or (None, the reason) when no file was named and none was found."""
    named = path is not None or bool(os.environ.get("ONCOTRIAL_CTCAE"))
    try:
        return load_ctcae(path), None
    except ConfigurationError:
        if named:
            raise
        return None, MISSING_DICTIONARY
