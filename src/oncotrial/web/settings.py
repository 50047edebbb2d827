"""Settings of the web application: the store's settings plus sessions, auth, CSRF and security.

``web_settings`` builds on ``oncotrial.store.settings.build_settings`` (the same database choice:
``--db``, ``ONCOTRIAL_DB``, ``DATABASE_URL``, else the SQLite file in the data directory) and adds:

- sessions in the database that expire after ``idle_minutes`` without a request and after
  ``max_hours`` in any case (``oncotrial.web.middleware.SessionExpiry``), and when the browser
  closes;
- login required for every page but the login page (Django's ``LoginRequiredMiddleware``);
- CSRF on every unsafe request; cookies HttpOnly and SameSite=Lax (Secure with ``secure=True``,
  for a server behind HTTPS);
- security headers: a Content-Security-Policy allowing only this server's own scripts and styles
  (no inline script), X-Frame-Options DENY, nosniff, a strict referrer policy;
- the secret key from ``ONCOTRIAL_SECRET_KEY`` or a file ``web-secret-key`` in the data
  directory, created with random bytes on first use (readable by its owner only).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from oncotrial.errors import ConfigurationError
from oncotrial.home import data_home
from oncotrial.store import configure
from oncotrial.store.settings import database_config

__all__ = ["WEB_APPS", "WEB_MIDDLEWARE", "configure_web", "secret_key", "web_settings"]

WEB_APPS = (
    "django.contrib.sessions",
    "django.contrib.messages",
    "oncotrial.web",
)

WEB_MIDDLEWARE = (
    "django.middleware.security.SecurityMiddleware",
    "oncotrial.web.middleware.HeadAsGet",
    "oncotrial.web.middleware.SecurityHeaders",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "oncotrial.web.middleware.SessionExpiry",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "oncotrial.web.middleware.DomainErrors",
)

SECRET_FILE = "web-secret-key"


def secret_key() -> str:
    """The signing key of sessions and CSRF tokens (see the module docstring)."""
    configured = os.environ.get("ONCOTRIAL_SECRET_KEY")
    if configured:
        if len(configured) < 32:
            raise ConfigurationError(
                "ONCOTRIAL_SECRET_KEY is shorter than 32 characters",
                hint="Use a long random value, e.g. from `python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'`.",
            )
        return configured
    path: Path = data_home(create=True) / SECRET_FILE
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="ascii").strip()


def web_settings(
    *,
    allowed_hosts: Iterable[str] = ("127.0.0.1", "localhost"),
    secure: bool = False,
    idle_minutes: int = 30,
    max_hours: int = 12,
    debug: bool = False,
    **overrides: Any,
) -> dict[str, Any]:
    """The settings the web application adds to the store's (see the module docstring)."""
    settings: dict[str, Any] = {
        "SECRET_KEY": overrides.pop("SECRET_KEY", None) or secret_key(),
        "DEBUG": debug,
        "ALLOWED_HOSTS": list(allowed_hosts),
        "ROOT_URLCONF": "oncotrial.web.urls",
        "TEMPLATES": [
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "DIRS": [],
                "APP_DIRS": True,
                "OPTIONS": {
                    "context_processors": [
                        "django.template.context_processors.request",
                        "django.template.context_processors.csrf",
                        "django.contrib.auth.context_processors.auth",
                        "django.contrib.messages.context_processors.messages",
                    ],
                    "builtins": ["oncotrial.web.templatetags.oncotrial_web"],
                },
            }
        ],
        "FORMAT_MODULE_PATH": "oncotrial.web.locale_formats",
        "LOGIN_URL": "/login/",
        "LOGIN_REDIRECT_URL": "/",
        "LOGOUT_REDIRECT_URL": "/login/",
        "SESSION_ENGINE": "django.contrib.sessions.backends.db",
        "SESSION_COOKIE_AGE": max_hours * 3600,
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        "SESSION_COOKIE_NAME": "oncotrial_session",
        "CSRF_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": secure,
        "CSRF_COOKIE_NAME": "oncotrial_csrf",
        "CSRF_FAILURE_VIEW": "oncotrial.web.views.errors.csrf_failure",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "X_FRAME_OPTIONS": "DENY",
        "ONCOTRIAL_IDLE_MINUTES": idle_minutes,
        "ONCOTRIAL_MAX_HOURS": max_hours,
        # Flash messages travel in a signed cookie: no session write for every saved form.
        "MESSAGE_STORAGE": "django.contrib.messages.storage.cookie.CookieStorage",
        "AUTH_PASSWORD_VALIDATORS": [
            {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
            {
                "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
                "OPTIONS": {"min_length": 10},
            },
            {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
            {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
        ],
        "DATA_UPLOAD_MAX_MEMORY_SIZE": 10 * 1024 * 1024,
        "FILE_UPLOAD_MAX_MEMORY_SIZE": 10 * 1024 * 1024,
    }
    settings.update(overrides)
    return settings


def configure_web(
    db: str | Path | None = None, *, persistent_connections: bool = False, **options: Any
) -> dict[str, Any]:
    """Set Django up with the store and the web application; returns the database settings.

    ``persistent_connections`` (the server) keeps each worker thread's database connection for
    a minute instead of opening one per request — on PostgreSQL a new connection costs a server
    process.
    """
    settings = web_settings(**options)
    if persistent_connections:
        database = dict(database_config(db))
        database.update({"CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True})
        settings["DATABASES"] = {"default": database}
    return configure(db, extra_apps=WEB_APPS, extra_middleware=WEB_MIDDLEWARE, **settings)
