"""The Django app holding the trial database's models."""

from __future__ import annotations

from django.apps import AppConfig


class StoreConfig(AppConfig):
    name = "oncotrial.store"
    label = "store"
    verbose_name = "oncotrial trial database"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from oncotrial.store import audit, casebook

        audit.connect_signals()
        audit.share_history_managers()
        casebook.connect_signals()
