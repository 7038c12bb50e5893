"""The `flask report ...` commands."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import lazy_gettext as _l

from tracker.admin.services import clusters_by_slug
from tracker.common.cli import OneLineErrors
from tracker.i18n import DEFAULT_LOCALE, LANGUAGES
from tracker.models import ReportEdition
from tracker.reports.content import report_content
from tracker.reports.data import build_report_data, to_document
from tracker.reports.pdf import RenderingError, render_pdf
from tracker.reports.services import checked_month

report_cli = AppGroup("report", help="Monthly sector-health reports.")

# What the command's PDF prints where a stored report has its executive summary (translated into
# the report's language when it is rendered).
NO_SUMMARY_CLI = _l(
    "No executive summary: this edition was produced from the command line, without a "
    "manager's review."
)


def _writable(out: Path) -> Path:
    """`out` if a file can be written there; a one-line reason otherwise (checked before the
    work, so that a typo does not cost a render)."""
    if out.is_dir():
        raise click.ClickException(f"Cannot write {out}: it is a directory.")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise click.ClickException(f"Cannot write {out}: the folder {folder} does not exist.")
    if not os.access(folder, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise click.ClickException(f"Cannot write {out}: permission denied.")
    return out


@report_cli.command("monthly", cls=OneLineErrors)
@click.option("--month", required=True, help="The month the report covers, YYYY-MM.")
@click.option("--cluster", "cluster_slug", default=None, help="A cluster slug (default: all).")
@click.option(
    "--edition",
    type=click.Choice([e.value for e in ReportEdition], case_sensitive=False),
    default=ReportEdition.MINISTRY.value,
    show_default=True,
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["pdf", "json"], case_sensitive=False),
    default="pdf",
    show_default=True,
)
@click.option(
    "--language",
    type=click.Choice(list(LANGUAGES), case_sensitive=False),
    default=DEFAULT_LOCALE,
    show_default=True,
    help="The language of the PDF's text, dates and numbers (the JSON's figures are the same).",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    help="The file to write.",
)
def monthly_command(
    month: str,
    cluster_slug: str | None,
    edition: str,
    output_format: str,
    language: str,
    out: Path,
) -> None:
    """Write the monthly sector-health report (DESIGN.md section 5) to a file.

    The report is written, not stored: it does not appear in the archive of /reports.
    """
    language = language.lower()
    started = time.perf_counter()
    try:
        month = checked_month(month)
        cluster = clusters_by_slug([cluster_slug])[0] if cluster_slug else None
    except ValueError as error:  # a bad month, an unknown cluster: the message says which
        raise click.ClickException(str(error)) from None
    out = _writable(out)
    data = build_report_data(month, cluster, ReportEdition(edition.lower()), locale=language)
    if output_format.lower() == "json":
        payload = (json.dumps(to_document(data), ensure_ascii=False, indent=2) + "\n").encode()
    else:
        content = report_content(data, summary_placeholder=NO_SUMMARY_CLI)
        try:
            payload = render_pdf(content)
        except RenderingError as error:
            raise click.ClickException(f"The PDF could not be rendered: {error}") from None
    try:
        out.write_bytes(payload)
    except OSError as error:
        raise click.ClickException(f"Cannot write {out}: {error.strerror or error}.") from None
    scope = cluster.slug if cluster is not None else "all"
    click.echo(
        f"Wrote {out} ({output_format.lower()}, {scope}, {month}, {edition.lower()} edition, "
        f"{language}, {len(payload):,} bytes) in {time.perf_counter() - started:.1f} s."
    )
