"""`oncotrial serve`: the web application for a trial team, and its first-run administrator."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from oncotrial.cli._output import console
from oncotrial.errors import ConfigurationError, ValueProblem

__all__ = ["serve"]


def _create_admin(username: str, email: str) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from oncotrial.store.roles import USERNAME

    if not USERNAME.fullmatch(username):
        raise ValueProblem(
            f"{username!r} is not a user name",
            field="--create-admin",
            hint="Use 2 to 64 letters, digits, dots, hyphens or underscores.",
        )
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        raise ValueProblem(
            f"an account {username!r} already exists; nothing was changed",
            field="--create-admin",
            hint="Choose another user name.",
        )
    password = os.environ.get("ONCOTRIAL_ADMIN_PASSWORD")
    if password is None:
        if not sys.stdin.isatty():
            raise ConfigurationError(
                "no password: standard input is not a terminal",
                hint="Run the command in a terminal, or set ONCOTRIAL_ADMIN_PASSWORD.",
            )
        password = click.prompt(
            f"Password for {username}", hide_input=True, confirmation_prompt=True
        )
    candidate = user_model(username=username, email=email)
    try:
        validate_password(password, candidate)
    except ValidationError as exc:
        raise ValueProblem(
            "the password is not accepted: " + " ".join(exc.messages), field="password"
        ) from exc
    user_model.objects.create_superuser(username=username, email=email, password=password)
    console.print(
        f"[green]created[/] the site administrator [bold]{username}[/]; start the server with "
        "`oncotrial serve` and sign in."
    )


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--db",
    "db",
    default=None,
    help="SQLite file or postgresql:// URL (default: DATABASE_URL, else the data directory).",
)
@click.option(
    "--threads", default=4, show_default=True, type=click.IntRange(1, 64), help="Worker threads."
)
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    help="Host name the server answers to (repeatable); the --host address is always allowed.",
)
@click.option(
    "--secure",
    is_flag=True,
    help="Behind HTTPS: send cookies only over HTTPS.",
)
@click.option(
    "--create-admin",
    "create_admin",
    metavar="USERNAME",
    help="First run: create the site administrator (asks for the password) and exit.",
)
@click.option("--email", default="", help="E-mail of the administrator made by --create-admin.")
def serve(
    host: str,
    port: int,
    db: str | None,
    threads: int,
    allowed_hosts: tuple[str, ...],
    secure: bool,
    create_admin: str | None,
    email: str,
) -> None:
    """Run the web application for a trial team.

    The database is the embedded SQLite file in the data directory unless --db or
    DATABASE_URL names another (PostgreSQL for teams). Pending migrations are applied at start.
    On the first run, create the site administrator with --create-admin; the administrator then
    imports trials and gives the team their roles from the browser.

    \b
    Example:
      oncotrial serve --create-admin alice
      oncotrial serve --host 127.0.0.1 --port 8000
      DATABASE_URL=postgresql://postgres@127.0.0.1:5432/oncotrial oncotrial serve
    """
    from oncotrial.store import migrate
    from oncotrial.store.settings import describe_database
    from oncotrial.web.settings import configure_web

    hosts = {host, "127.0.0.1", "localhost", *allowed_hosts}
    if host in {"0.0.0.0", "::"}:
        hosts.discard(host)
    database = configure_web(
        Path(db).expanduser() if db and "://" not in db else db,
        persistent_connections=True,
        allowed_hosts=sorted(hosts),
        secure=secure,
    )
    applied = migrate()
    if applied:
        console.print(f"applied {len(applied)} migration(s) to {describe_database(database)}")
    if create_admin:
        _create_admin(create_admin.strip(), email)
        return

    from django.contrib.auth import get_user_model

    if not get_user_model().objects.filter(is_superuser=True, is_active=True).exists():
        raise ConfigurationError(
            f"{describe_database(database)} has no site administrator yet",
            hint="Create one first: oncotrial serve --create-admin USERNAME",
        )

    import logging

    import waitress
    from django.core.wsgi import get_wsgi_application

    # Server errors (5xx) with their traceback on stderr; refused requests (4xx) are normal use.
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("django.request").setLevel(logging.ERROR)

    application = get_wsgi_application()
    console.print(
        f"oncotrial web application on [bold]http://{host}:{port}/[/] — "
        f"{describe_database(database)}; press Ctrl+C to stop"
    )
    waitress.serve(
        application,
        host=host,
        port=port,
        threads=threads,
        ident="oncotrial",
        clear_untrusted_proxy_headers=True,
        channel_timeout=60,
        connection_limit=200,
    )
