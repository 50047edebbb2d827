"""`oncotrial redcap`: a trial's REDCap data dictionary and records, and REDCap records imported."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from oncotrial.cli._output import console, err_console
from oncotrial.cli._store import ctcae_option, db_option, load_dictionary, open_store, user_option

__all__ = ["redcap"]


@click.group()
def redcap() -> None:
    """REDCap: a trial's data dictionary and records for REDCap, and REDCap records imported.

    \b
    Example:
      oncotrial redcap dictionary NCT07064876 --out dict.csv
      oncotrial redcap export NCT07064876 --out records.csv
      oncotrial redcap import records.csv --dictionary dict.csv --trial NCT07064876
    """


@redcap.command("dictionary")
@click.argument("trial_id")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The data dictionary CSV; the events, arms, instrument designations and repeating "
    "instruments are written beside it (OUT.events.csv …).",
)
@db_option
def dictionary(trial_id: str, out: Path, db: str | None) -> None:
    """Write the trial's REDCap data dictionary and longitudinal design.

    One instrument per entity of the catalogue, one field per SDTM variable, the trial's visits
    as events, every instrument but the demographics repeating. docs/formats.md (REDCap).

    \b
    Example:
      oncotrial redcap dictionary NCT07064876 --out dict.csv
    """
    open_store(db)
    from oncotrial.app.redcap import write_trial_dictionary

    done = write_trial_dictionary(trial_id, out)
    fields = sum(len(i.fields) for i in done.project.instruments)
    console.print(
        f"[green]wrote[/] the REDCap data dictionary of {escape(trial_id)}: "
        f"{len(done.project.instruments)} instruments, {fields} fields, "
        f"{len(done.project.events)} events → " + escape(", ".join(str(p) for p in done.files))
    )
    for note in done.project.notes:
        err_console.print(f"note: {escape(note)}")


@redcap.command("export")
@click.argument("trial_id")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The records CSV (REDCap flat records, raw values).",
)
@db_option
def export(trial_id: str, out: Path, db: str | None) -> None:
    """Write the trial's data as a REDCap records import file for its data dictionary.

    \b
    Example:
      oncotrial redcap export NCT07064876 --out records.csv
    """
    open_store(db)
    from oncotrial.app.redcap import export_redcap

    done = export_redcap(trial_id, out)
    console.print(
        f"[green]exported[/] {escape(trial_id)}: {done.rows} REDCap record row(s) → "
        f"{escape(str(out))}"
    )


@redcap.command("import")
@click.argument("records", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--dictionary",
    "dictionary_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The project's REDCap data dictionary (CSV).",
)
@click.option("--trial", "trial_id", required=True, help="The trial (its STUDYID) to import into.")
@click.option("--url", help="REDCap API URL: read records and dictionary from the project.")
@click.option("--token", envvar="REDCAP_TOKEN", help="REDCap API token (default: $REDCAP_TOKEN).")
@db_option
@user_option
@ctcae_option
def import_(
    records: Path | None,
    dictionary_path: Path | None,
    trial_id: str,
    url: str | None,
    token: str | None,
    db: str | None,
    user: str | None,
    ctcae: Path | None,
) -> None:
    """Import REDCap records into the trial through the SDTM mapping — all or nothing.

    RECORDS is a REDCap records export (flat CSV, raw values) of the project whose data
    dictionary is --dictionary; with --url and --token both are read from the REDCap API
    instead. Every refusal names record, event, instrument and field; nothing is written
    unless every record passes the import checks.

    \b
    Example:
      oncotrial redcap import records.csv --dictionary dict.csv --trial NCT07064876
      oncotrial redcap import --url https://redcap.example.org/api/ --trial NCT07064876
    """
    import tempfile

    if url:
        if not token:
            raise click.UsageError("--url needs --token (or REDCAP_TOKEN)")
        if records is not None or dictionary_path is not None:
            raise click.UsageError("with --url, records and dictionary come from the API")
    elif records is None or dictionary_path is None:
        raise click.UsageError("give RECORDS and --dictionary, or --url and --token")
    open_store(db)
    from oncotrial.app.redcap import import_redcap

    with tempfile.TemporaryDirectory() as folder:
        if url:
            from oncotrial.formats.redcap.api import download_project

            assert token is not None
            records, dictionary_path = download_project(url, token, Path(folder))
        assert records is not None and dictionary_path is not None
        result = import_redcap(
            records,
            dictionary_path,
            trial_id,
            user=user,
            ctcae=load_dictionary(ctcae, required=False),
        )
    added = ", ".join(f"{d} {n}" for d, n in result.inserted.items() if n) or "nothing"
    console.print(
        f"[green]imported[/] REDCap records into trial {escape(result.trial_id)}: "
        f"added {escape(added)}"
    )
