"""The roles a person can hold in a trial: the vocabulary the trial database stores.

A trial's memberships (``oncotrial.store.conduct.Membership``) are its delegation log; what each
role may do is the web application's declared permissions (``oncotrial.web.roles``). This module
imports no Django, so the permission table can be read before Django is set up.
"""

from __future__ import annotations

import re
from enum import StrEnum

__all__ = ["USERNAME", "Role"]

# An account's user name: plain characters only, so that it reads the same in every page,
# history, export and log line, and carries no markup (issue 13 item 11). The members page and
# ``oncotrial serve --create-admin`` both check it.
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,63}")


class Role(StrEnum):
    INVESTIGATOR = "investigator"
    DATA_MANAGER = "data_manager"
    STATISTICIAN = "statistician"
    MONITOR = "monitor"
    ADMINISTRATOR = "administrator"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")
