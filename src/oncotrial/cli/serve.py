"""`oncotrial serve`: the web application for a trial team, and its first-run administrator."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

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
    "--threads",
    default=4,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Threads per server process.",
)
@click.option(
    "--workers",
    default=None,
    type=click.IntRange(1, 64),
    help="Server processes sharing the port (default: one per core, at most 8; 1 on Windows).",
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
    workers: int | None,
    allowed_hosts: tuple[str, ...],
    secure: bool,
    create_admin: str | None,
    email: str,
) -> None:
    """Run the web application for a trial team.

    The database is the embedded SQLite file in the data directory unless --db or
    DATABASE_URL names another (PostgreSQL for teams). Pending migrations are applied at start.
    The server runs one process per core (--workers), each with --threads threads, all
    answering on the same port; Ctrl+C stops them all.
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

    _run_server(host, port, threads, workers, database)


def _run_server(
    host: str, port: int, threads: int, workers: int | None, database: dict[str, Any]
) -> None:
    import gc
    import logging

    import waitress
    from django.core.wsgi import get_wsgi_application
    from django.db import connections
    from django.urls import get_resolver

    from oncotrial.cli._workers import default_workers, listening_sockets, run_workers
    from oncotrial.store.settings import describe_database

    # Server errors (5xx) with their traceback on stderr; refused requests (4xx) are normal use.
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("django.request").setLevel(logging.ERROR)

    application = get_wsgi_application()
    get_resolver().resolve("/login/")  # the URL map and views imported once, before any fork
    sockets = listening_sockets(host, port)
    processes = workers or default_workers()

    def before_fork() -> None:
        # A database connection must not be shared by processes; the children open their own.
        connections.close_all()
        gc.freeze()  # what the parent loaded stays shared, not copied, in the children

    def serve_one() -> None:
        waitress.serve(
            application,
            sockets=sockets,
            threads=threads,
            ident="oncotrial",
            clear_untrusted_proxy_headers=True,
            channel_timeout=60,
            connection_limit=200,
        )

    shown = "1 process" if processes == 1 else f"{processes} processes"
    console.print(
        f"oncotrial web application on [bold]http://{host}:{port}/[/] — "
        f"{describe_database(database)}; {shown} × {threads} threads; press Ctrl+C to stop"
    )
    run_workers(serve_one, processes, before_fork=before_fork, report=console.print)
