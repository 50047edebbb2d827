"""`oncotrial data`: import SDTM folders and templates, export SDTM and the ADSL-like file,
change or delete one record with a reason."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from rich.markup import escape

from oncotrial import __version__
from oncotrial.cli._output import console, err_console
from oncotrial.cli._store import ctcae_option, db_option, load_dictionary, open_store, user_option
from oncotrial.errors import InputError

__all__ = ["data"]


@click.group()
def data() -> None:
    """Trial data in and out of the database: SDTM (CSV, Dataset-JSON) and CSV/Excel templates.

    \b
    Example:
      oncotrial data import sdtm/ --trial 002
      oncotrial data import adverse_events.xlsx --template adverse_event --trial NCT07064876
      oncotrial data export NCT07064876 --out export/ --adsl
    """


def _summary(result: object) -> str:
    inserted = getattr(result, "inserted", {})
    updated = getattr(result, "updated", {})
    parts = [f"{domain} {count}" for domain, count in inserted.items() if count]
    text = "added " + (", ".join(parts) if parts else "nothing")
    changed = [f"{domain} {count}" for domain, count in updated.items() if count]
    if changed:
        text += "; changed " + ", ".join(changed)
    return text


@data.command("import")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--trial", "trial_id", help="Trial id (default: the files' STUDYID).")
@click.option(
    "--template",
    "entity",
    help="Import a filled template of this entity (see `oncotrial template --list`).",
)
@click.option("--domain", help="Import one domain file whose name is not the domain (tu_onco.csv).")
@click.option("--protocol", "protocol_ref", help="Store this protocol with the trial (id or file).")
@click.option("--update", is_flag=True, help="Records already stored are updated (needs --reason).")
@click.option("--reason", help="Why stored records change (required with --update).")
@click.option(
    "--renumber-seq",
    is_flag=True,
    help="Ignore the files' --SEQ numbers and number each subject's records in file order after "
    "those already stored (for files whose --SEQ repeat, e.g. pharmaverse rs_onco_irecist.csv).",
)
@db_option
@user_option
@ctcae_option
def import_(
    source: Path,
    trial_id: str | None,
    entity: str | None,
    domain: str | None,
    protocol_ref: str | None,
    update: bool,
    reason: str | None,
    renumber_seq: bool,
    db: str | None,
    user: str | None,
    ctcae: Path | None,
) -> None:
    """Import an SDTM folder, one domain file, or a filled template — all or nothing.

    SOURCE is a folder of SDTM domain files (dm.csv, tu.csv … or dm.json …, Dataset-JSON), one
    domain file with --domain, or a CSV/Excel template with --template. Every record is checked
    first (CTCAE terms and grades, dates, lesions measured before baseline, one randomization per
    subject, deaths before enrollment, duplicate records…); one bad row rejects the whole import
    with a list of every bad row, and nothing is written. Adverse events are checked against
    NCI's CTCAE v5.0 shipped with oncotrial, or the dictionary --ctcae or ONCOTRIAL_CTCAE names.

    \b
    Example:
      oncotrial data import sdtm/
      oncotrial data import rs_onco_irecist.csv --domain RS --trial CDISCPILOT01 --renumber-seq
      oncotrial data import subjects.xlsx --template subject --trial NCT07064876
      oncotrial data import sdtm/ --update --reason "query 17: AE grade corrected"
    """
    if renumber_seq and update:
        raise click.UsageError("--renumber-seq adds records; it cannot go with --update")
    protocol = None
    if protocol_ref:
        from oncotrial.formats.protocol_files import find_protocol

        protocol = find_protocol(protocol_ref)
    open_store(db)
    from oncotrial.store.files import import_files

    done = import_files(
        source,
        trial_id=trial_id,
        entity=entity,
        domain=domain,
        protocol=protocol,
        update=update,
        reason=reason,
        renumber_seq=renumber_seq,
        user=user,
        ctcae=load_dictionary(ctcae, required=False),
    )
    for name in done.renumbered:
        err_console.print(
            f"note: {name}SEQ numbers of {escape(str(source))} were replaced by new numbers "
            "in file order (--renumber-seq)"
        )
    result = done.result
    console.print(
        f"[green]imported[/] into trial {escape(result.trial_id)}"
        f"{' (new)' if result.created_trial else ''}: {escape(_summary(result))}"
    )


@data.command("export")
@click.argument("trial_id")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the domain files.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json", "xpt", "odm"]),
    default="csv",
    show_default=True,
    help="csv: one CSV per domain; json: CDISC Dataset-JSON 1.1; xpt: SAS transport v5 files "
    "and define.xml 2.1; odm: one CDISC ODM 1.3.2 file (metadata and clinical data).",
)
@click.option("--adsl", is_flag=True, help="Also write adsl.csv, the ADSL-like subject file.")
@click.option(
    "--adam",
    is_flag=True,
    help="Also write the ADaM datasets ADSL, ADRS, ADTTE and ADAE in OUT/adam/ (csv, json, xpt).",
)
@click.option("--domains", help="Only these domains, comma-separated (DM,TU,TR,RS).")
@db_option
@ctcae_option
def export(
    trial_id: str,
    out_dir: Path,
    fmt: str,
    adsl: bool,
    adam: bool,
    domains: str | None,
    db: str | None,
    ctcae: Path | None,
) -> None:
    """Export a trial as SDTM domains, exactly as imported (and adsl.csv with --adsl).

    --format xpt writes FDA/PMDA submission files: one SAS transport (XPT v5) file per domain
    and define.xml; --adam adds ADSL, ADRS, ADTTE and ADAE (with their define.xml for xpt)
    in OUT/adam/. docs/formats.md describes each format and its limits.

    \b
    Example:
      oncotrial data export NCT07064876 --out sdtm/ --adsl
      oncotrial data export 001 --out sdtm-json/ --format json
      oncotrial data export NCT07064876 --out submission/ --format xpt --adam
      oncotrial data export NCT07064876 --out odm/ --format odm
    """
    if adam and fmt == "odm":
        raise click.UsageError("--adam goes with --format csv, json or xpt (ODM carries SDTM)")
    open_store(db)
    from oncotrial.app.exports import export_trial

    done = export_trial(
        trial_id,
        out_dir,
        fmt=fmt,
        adsl=adsl,
        adam=adam,
        domains=domains.split(",") if domains else None,
        ctcae=load_dictionary(ctcae) if fmt in ("xpt", "odm") or adam else None,
        # The clock is read here, at the edge: the files state when they were made.
        created=datetime.now(UTC).replace(microsecond=0).isoformat(),
        source_version=__version__,
    )
    names = ", ".join(p.relative_to(out_dir).as_posix() for p in done.written)
    console.print(
        f"[green]exported[/] {escape(trial_id)}: {len(done.frames)} domain(s), {done.records} "
        f"record(s) → {escape(str(out_dir))} ({names})"
    )
    for note in done.notes:
        err_console.print(f"note: {escape(note)}")


@data.command("change")
@click.argument("record")
@click.argument("assignments", nargs=-1, required=True)
@click.option("--reason", required=True, help="Why the record changes (kept in its history).")
@click.option("--trial", "trial_id", help="Trial id (when the database holds several).")
@db_option
@user_option
@ctcae_option
def change(
    record: str,
    assignments: tuple[str, ...],
    reason: str,
    trial_id: str | None,
    db: str | None,
    user: str | None,
    ctcae: Path | None,
) -> None:
    """Change variables of one record: RECORD is USUBJID or USUBJID/DOMAIN/SEQ.

    The changed record passes the import checks before it is written; its history keeps the
    old and new values, who and when, and the reason.

    \b
    Example:
      oncotrial data change NCT07064876-01-0003/AE/2 AETOXGR=3 --reason "query 12: grade per source"
      oncotrial data change NCT07064876-01-0003 SEX=F --reason "transcription error"
    """
    open_store(db)
    from oncotrial.store.records import parse_record, update_record

    changes: dict[str, str | None] = {}
    for item in assignments:
        if "=" not in item:
            raise InputError(f"write changes as VARIABLE=VALUE (got {item!r})")
        name, value = item.split("=", 1)
        changes[name.strip().upper()] = value if value != "" else None
    ref = parse_record(record)
    dictionary = load_dictionary(ctcae, required=ref.domain == "AE")
    update_record(ref, changes, reason=reason, user=user, trial_id=trial_id, ctcae=dictionary)
    console.print(f"[green]changed[/] {escape(str(ref))}: {escape(', '.join(assignments))}")


@data.command("delete")
@click.argument("record")
@click.option("--reason", required=True, help="Why the record is deleted (kept in its history).")
@click.option("--trial", "trial_id", help="Trial id (when the database holds several).")
@db_option
@user_option
def delete(
    record: str, reason: str, trial_id: str | None, db: str | None, user: str | None
) -> None:
    """Delete one record; its history keeps every value it had.

    \b
    Example:
      oncotrial data delete NCT07064876-01-0003/AE/2 --reason "duplicate of AE 1"
    """
    open_store(db)
    from oncotrial.store.records import delete_record, parse_record

    ref = parse_record(record)
    delete_record(ref, reason=reason, user=user, trial_id=trial_id)
    err_console.print(f"deleted {escape(str(ref))}")
