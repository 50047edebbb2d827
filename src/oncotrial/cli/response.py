"""`oncotrial response`: tumour response (RECIST 1.1, iRECIST, mRECIST) to ADaM ADRS."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd
from rich.table import Table

from oncotrial.app.derivations import run_response
from oncotrial.cli._options import (
    evaluator_option,
    response_source_option,
    table_format_option,
    write_adam_tables,
)
from oncotrial.cli._output import console, err_console
from oncotrial.response import (
    AfterCompleteResponse,
    ReferenceDate,
    ResponseCriteria,
    ResponseSettings,
    rules_table,
)

__all__ = ["response"]

_CRITERIA = {
    "recist1.1": ResponseCriteria.RECIST_1_1,
    "recist": ResponseCriteria.RECIST_1_1,
    "irecist": ResponseCriteria.IRECIST,
    "mrecist": ResponseCriteria.MRECIST,
}
_SETTINGS_DEFAULTS = ResponseSettings()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def response() -> None:
    """Tumour response: lesion measurements or recorded responses to best overall response.

    \b
    Example:
      oncotrial response derive --sdtm sdtm/ --adsl adsl.csv --out adrs.csv
      oncotrial response rules
    """


@response.command("derive")
@click.option(
    "--sdtm",
    "sdtm",
    type=click.Path(path_type=Path),
    help="SDTM folder with tu/tr (lesions) or rs (recorded responses), CSV or Dataset-JSON.",
)
@click.option(
    "--lesions",
    "lesion_csv",
    type=click.Path(path_type=Path),
    help="The long lesion CSV (subject, date, lesion_id, role, organ, is_node, diameter_mm, "
    "status) instead of SDTM.",
)
@click.option(
    "--adsl",
    type=click.Path(path_type=Path),
    required=True,
    help="Subject file (ADSL) with USUBJID and the reference date (RANDDT or TRTSDT).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="Where to write the ADRS (CSV, or Dataset-JSON with --format json).",
)
@click.option(
    "--criteria",
    type=click.Choice(sorted(_CRITERIA), case_sensitive=False),
    default="recist1.1",
    show_default=True,
    help="Response criteria of the protocol.",
)
@click.option(
    "--confirmation-days",
    type=click.IntRange(min=0),
    default=_SETTINGS_DEFAULTS.confirmation_days,
    show_default=True,
    help="Minimum days between a CR/PR and its confirmation.",
)
@click.option(
    "--sd-min-days",
    type=click.IntRange(min=0),
    default=_SETTINGS_DEFAULTS.sd_min_days,
    show_default=True,
    help="Minimum days from the reference date for SD to count.",
)
@click.option(
    "--max-ne",
    type=click.IntRange(min=0),
    default=_SETTINGS_DEFAULTS.max_ne_between,
    show_default=True,
    help="Maximum NE assessments between a response and its confirmation.",
)
@click.option("--accept-sd", is_flag=True, help="Accept one SD between a PR and its confirmation.")
@click.option("--count-after-pd", is_flag=True, help="Let assessments after the first PD count.")
@click.option(
    "--after-cr",
    type=click.Choice([a.value for a in AfterCompleteResponse]),
    default=_SETTINGS_DEFAULTS.after_cr.value,
    show_default=True,
    help="A PR/SD right after an unconfirmed CR: PD by RECIST 1.1 Table 3, or itself as "
    "admiralonco counts it.",
)
@click.option(
    "--reference",
    type=click.Choice([r.value for r in ReferenceDate]),
    default=_SETTINGS_DEFAULTS.reference_date.value,
    show_default=True,
    help="Subject-file date the SD window is measured from.",
)
@click.option(
    "--lesion-table",
    type=click.Path(path_type=Path),
    help="Also write the lesion-level table (sums, change from baseline and nadir).",
)
@click.option(
    "--summary",
    "summary_out",
    type=click.Path(path_type=Path),
    help="Also write the per-subject summary.",
)
@click.option(
    "--excluded",
    "excluded_out",
    type=click.Path(path_type=Path),
    help="Also write the excluded and flagged records.",
)
@response_source_option
@evaluator_option
@table_format_option
def derive(
    sdtm: Path | None,
    lesion_csv: Path | None,
    adsl: Path,
    out: Path,
    criteria: str,
    source: str,
    confirmation_days: int,
    sd_min_days: int,
    max_ne: int,
    accept_sd: bool,
    count_after_pd: bool,
    after_cr: str,
    reference: str,
    evaluator: str | None,
    fmt: str | None,
    lesion_table: Path | None,
    summary_out: Path | None,
    excluded_out: Path | None,
) -> None:
    """Derive timepoint responses, best overall response and ADRS parameters.

    Reads lesions (SDTM TU/TR or the long lesion CSV) or recorded timepoint responses (SDTM RS),
    and the subject file for the reference date; writes the ADRS (OVR per assessment; BOR,
    CBOR, RSP, CRSP, CB, CCB, BCP, CBCP, PD, LSTA, MDIS per subject). Records that cannot be used
    are listed and left out; the rest of the trial is derived.

    \b
    Example:
      oncotrial response derive --sdtm sdtm/ --adsl adam/adsl.csv --out adrs.csv
      oncotrial response derive --sdtm sdtm/ --from responses --evaluator INVESTIGATOR \\
          --after-cr admiralonco --adsl adam/adsl.csv --out adrs.csv
      oncotrial response derive --lesions lesions.csv --criteria mrecist \\
          --reference TRTSDT --adsl adsl.csv --out adrs.json
    """
    if (sdtm is None) == (lesion_csv is None):
        raise click.UsageError("give exactly one of --sdtm DIR or --lesions FILE")
    settings = ResponseSettings(
        criteria=_CRITERIA[criteria.lower()],
        confirmation_days=confirmation_days,
        sd_min_days=sd_min_days,
        max_ne_between=max_ne,
        accept_sd_between=accept_sd,
        count_after_pd=count_after_pd,
        after_cr=AfterCompleteResponse(after_cr),
        reference_date=ReferenceDate(reference),
    )
    result = run_response(
        adsl, settings, sdtm=sdtm, lesion_csv=lesion_csv, source=source, evaluator=evaluator
    )
    tables = [(result.adrs, out, "ADRS")]
    if lesion_table is not None:
        tables.append((result.lesions, lesion_table, "LESIONS"))
    if summary_out is not None:
        tables.append((result.summary, summary_out, "SUMMARY"))
    if excluded_out is not None:
        problems = pd.concat([result.excluded, result.flags], ignore_index=True)
        tables.append((problems, excluded_out, "EXCLUDED"))
    write_adam_tables(tables, fmt)
    _report(result, out)


def _report(result: object, out: Path) -> None:
    from oncotrial.response import ResponseResult

    assert isinstance(result, ResponseResult)
    summary = result.summary
    console.print(
        f"Best overall response ({result.settings.criteria.value}, {result.assessor}, "
        f"reference date {result.settings.reference_date.value})"
    )
    table = Table()
    table.add_column("Response")
    table.add_column("BOR", justify="right")
    table.add_column("Confirmed BOR", justify="right")
    bor = summary["BOR"].value_counts()
    cbor = summary["CBOR"].value_counts()
    for label in list(dict.fromkeys([*bor.index, *cbor.index])):
        table.add_row(str(label), str(int(bor.get(label, 0))), str(int(cbor.get(label, 0))))
    console.print(table)
    console.print(
        f"{len(summary)} subjects, {int((summary['N_ASSESSMENTS'] > 0).sum())} with assessments; "
        f"ADRS written to {out} ({len(result.adrs)} rows)."
    )
    if len(result.excluded):
        err_console.print(
            f"[yellow]warning:[/] {len(result.excluded)} record(s) or subject(s) excluded:",
            markup=True,
        )
        for row in result.excluded.head(20).itertuples(index=False):
            where = ", ".join(str(p) for p in (row.SOURCE, row.RECORD) if p is not None)
            err_console.print(
                f"  - subject {row.USUBJID} ({where or 'subject'}): {row.PROBLEM} — {row.ACTION}",
                markup=False,
                highlight=False,
            )
        if len(result.excluded) > 20:
            err_console.print(f"  … and {len(result.excluded) - 20} more (see --excluded FILE)")
    if len(result.flags):
        err_console.print(
            f"{len(result.flags)} record(s) flagged for review (see --excluded FILE)."
        )


@response.command("rules")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "csv"]), default="text", show_default=True
)
def rules(fmt: str) -> None:
    """Print every response rule with its id, description and source, for audit.

    Rules declared as conditions (the RECIST tables and the best-response events) also print
    the condition the engine executes.

    \b
    Example:
      oncotrial response rules
      oncotrial response rules --format csv > rules.csv
    """
    rows = rules_table()
    if fmt == "csv":
        click.echo(pd.DataFrame(rows).to_csv(index=False), nl=False)
        return
    for row in rows:
        click.echo(f"{row['id']}\n    {row['description']}\n    Source: {row['source']}")
        if row["condition"]:
            click.echo(f"    Executed: {row['condition']}")
