"""`oncotrial endpoints`: time-to-event endpoints (ADaM ADTTE) from SDTM and a subject file."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from oncotrial.app.derivations import run_endpoints, tte_settings
from oncotrial.cli._options import (
    evaluator_option,
    response_source_option,
    table_format_option,
    write_adam_tables,
)
from oncotrial.cli._output import console, err_console
from oncotrial.endpoints.tte import Param, RuleSet, rules_for
from oncotrial.formats.protocol_files import find_protocol

__all__ = ["endpoints"]

_PARAMS = {"OS": Param.OS, "PFS": Param.PFS, "TTP": Param.TTP, "DOR": Param.DOR, "RSD": Param.DOR}


@click.group()
def endpoints() -> None:
    """Endpoints: time-to-event derivations (ADTTE) with declared censoring rules.

    \b
    Example:
      oncotrial endpoints derive --sdtm sdtm/ --adsl adsl.csv --out adtte.csv
      oncotrial endpoints rules --rules fda2018
    """


@endpoints.command("derive")
@click.option(
    "--sdtm",
    type=click.Path(path_type=Path),
    help="SDTM folder (tu/tr or rs; cm for new anticancer therapy), one file per domain.",
)
@click.option(
    "--adrs",
    type=click.Path(path_type=Path),
    help="Use an existing ADRS (CSV or Dataset-JSON) instead of deriving responses from --sdtm.",
)
@click.option(
    "--adsl",
    type=click.Path(path_type=Path),
    required=True,
    help="Subject file with USUBJID, RANDDT/TRTSDT, DTHDT, LSTALVDT.",
)
@click.option(
    "--protocol",
    help="Trial id or protocol file: takes the reference date, response criteria settings and "
    "imaging schedule from the protocol's analysis plan.",
)
@click.option(
    "--rules",
    "rule_set",
    type=click.Choice([r.value for r in RuleSet]),
    default=RuleSet.FDA_2018.value,
    show_default=True,
    help="Censoring rules: FDA 2018 guidance (Table 4) or the admiralonco template.",
)
@click.option(
    "--reference",
    type=click.Choice(["RANDDT", "TRTSDT"]),
    help="Time zero (default: the protocol's reference date, else RANDDT).",
)
@click.option(
    "--params",
    default="OS,PFS,TTP,DOR",
    show_default=True,
    help="Comma-separated parameters: OS, PFS, TTP, DOR.",
)
@click.option(
    "--assessment-interval-days",
    type=click.IntRange(min=1),
    help="Imaging interval for the FDA missed-assessment rule (default: the protocol's).",
)
@click.option(
    "--assessment-window-days",
    type=click.IntRange(min=0),
    help="Imaging visit window (default: the protocol's, else 0).",
)
@click.option("--out", type=click.Path(path_type=Path), required=True, help="ADTTE file to write.")
@response_source_option
@evaluator_option
@table_format_option
def derive(
    sdtm: Path | None,
    adrs: Path | None,
    adsl: Path,
    protocol: str | None,
    rule_set: str,
    reference: str | None,
    params: str,
    assessment_interval_days: int | None,
    assessment_window_days: int | None,
    evaluator: str | None,
    source: str,
    out: Path,
    fmt: str | None,
) -> None:
    """Derive OS, PFS, TTP and DoR (ADTTE) for every subject with a reference date.

    Responses come from the SDTM folder (derived with the response engine, settings from
    --protocol or RECIST 1.1 defaults) or from an existing ADRS; deaths and the last known
    alive date from the subject file; new anticancer therapy from CM. Each row records the
    event or censoring and its source record (EVNTDESC/CNSDTDSC, SRCDOM/SRCVAR/SRCSEQ).
    AVAL is ADT − STARTDT + 1 days.

    \b
    Example:
      oncotrial endpoints derive --sdtm sdtm/ --adsl adsl.csv --out adtte.csv
      oncotrial endpoints derive --protocol 002 --sdtm sdtm/ --adsl adsl.csv --out adtte.csv
      oncotrial endpoints derive --adrs adrs.csv --adsl adsl.csv --rules admiralonco \\
          --params OS,PFS,DOR --out adtte.csv
    """
    if (sdtm is None) == (adrs is None):
        raise click.UsageError("give exactly one of --sdtm DIR or --adrs FILE")
    wanted = []
    for name in (p.strip().upper() for p in params.split(",") if p.strip()):
        if name not in _PARAMS:
            raise click.BadParameter(
                f"{name!r} is not one of {', '.join(sorted(_PARAMS))}", param_hint="--params"
            )
        wanted.append(_PARAMS[name])
    chosen = tte_settings(
        rule_set,
        plan=find_protocol(protocol).analysis if protocol is not None else None,
        reference=reference,
        assessment_interval_days=assessment_interval_days,
        assessment_window_days=assessment_window_days,
    )
    rules, reference = chosen.rules, chosen.reference
    run = run_endpoints(
        adsl,
        rules=rules,
        reference=reference,
        params=tuple(dict.fromkeys(wanted)),
        settings=chosen.response,
        sdtm=sdtm,
        adrs=adrs,
        source=source,
        evaluator=evaluator,
    )
    adtte = run.tte.adtte
    write_adam_tables([(adtte, out, "ADTTE")], fmt)
    table = Table(title=f"ADTTE ({rules.name.value} censoring rules, time zero {reference})")
    for column in ("Parameter", "Subjects", "Events", "Censored"):
        table.add_column(column, justify="left" if column == "Parameter" else "right")
    for paramcd, group in adtte.groupby("PARAMCD", sort=False):
        events = int((group["CNSR"] == 0).sum())
        table.add_row(str(paramcd), str(len(group)), str(events), str(len(group) - events))
    console.print(table)
    console.print(f"ADTTE written to {out} ({len(adtte)} rows).")
    if run.tte.excluded:
        err_console.print(
            f"[yellow]warning:[/] {len(run.tte.excluded)} subject(s) without a reference date "
            "are not in the analysis (first: "
            f"{run.tte.excluded[0].record}).",
            markup=True,
        )


@endpoints.command("rules")
@click.option(
    "--rules",
    "rule_set",
    type=click.Choice([r.value for r in RuleSet]),
    default=RuleSet.FDA_2018.value,
    show_default=True,
)
@click.option("--assessment-interval-days", type=click.IntRange(min=1), default=42)
@click.option("--assessment-window-days", type=click.IntRange(min=0), default=7)
def rules(rule_set: str, assessment_interval_days: int, assessment_window_days: int) -> None:
    """Print a censoring rule set with the source of each rule, for audit.

    \b
    Example:
      oncotrial endpoints rules --rules admiralonco
    """
    click.echo(
        rules_for(
            rule_set,
            assessment_interval_days=assessment_interval_days,
            assessment_window_days=assessment_window_days,
        ).describe()
    )
