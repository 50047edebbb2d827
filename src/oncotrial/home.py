"""Where oncotrial keeps its data on this machine.

The data directory holds the default SQLite database, imported protocols and the CTCAE dictionary
a user installs. It is ``$ONCOTRIAL_HOME`` when set, else ``$XDG_DATA_HOME/oncotrial``, else
``~/.local/share/oncotrial``.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["data_home"]


def data_home(create: bool = False) -> Path:
    """The oncotrial data directory (created on request)."""
    configured = os.environ.get("ONCOTRIAL_HOME")
    if configured:
        home = Path(configured).expanduser()
    else:
        xdg = os.environ.get("XDG_DATA_HOME")
        base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
        home = base / "oncotrial"
    if create:
        home.mkdir(parents=True, exist_ok=True)
    return home
