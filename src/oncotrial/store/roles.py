"""The roles a person can hold in a trial: the vocabulary the trial database stores.

A trial's memberships (``oncotrial.store.conduct.Membership``) are its delegation log; what each
role may do is the web application's declared permissions (``oncotrial.web.roles``). This module
imports no Django, so the permission table can be read before Django is set up.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Role"]


class Role(StrEnum):
    INVESTIGATOR = "investigator"
    DATA_MANAGER = "data_manager"
    STATISTICIAN = "statistician"
    MONITOR = "monitor"
    ADMINISTRATOR = "administrator"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")
