"""The Django app of the web application (its own models, templates and static files)."""

from __future__ import annotations

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "oncotrial.web"
    label = "web"
    verbose_name = "oncotrial web application"
    default_auto_field = "django.db.models.BigAutoField"
