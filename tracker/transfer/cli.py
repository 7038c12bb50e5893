"""The `flask import ...` commands (DESIGN.md 4.1): companies and contact history from a file.

Every error goes to stderr on a line of its own, with its row and column, and the command exits
with status 1 having written nothing; `--dry-run` reports what would be written and writes nothing.
"""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from tracker.common.cli import OneLineErrors
from tracker.extensions import db
from tracker.gdpr import people_import
from tracker.transfer import imports

import_cli = AppGroup(
    "import", help="Import companies, contact history or people from CSV or XLSX files."
)


FILE = click.argument(
    "file", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path)
)
DRY_RUN = click.option(
    "--dry-run", is_flag=True, help="Check the file and say what would change; write nothing."
)


@import_cli.command("companies", cls=OneLineErrors)
@FILE
@DRY_RUN
def companies_command(file: Path, dry_run: bool) -> None:
    """Create or update companies from a CSV or XLSX file (DESIGN.md 4.3)."""
    _run("companies", file, dry_run)


@import_cli.command("interactions", cls=OneLineErrors)
@FILE
@DRY_RUN
def interactions_command(file: Path, dry_run: bool) -> None:
    """Log past contacts from a CSV or XLSX file (DESIGN.md 4.4)."""
    _run("interactions", file, dry_run)


@import_cli.command("people", cls=OneLineErrors)
@FILE
@DRY_RUN
@click.option(
    "--allow-erased",
    is_flag=True,
    help="Create again people who were erased at their request (only if they agreed).",
)
def people_command(file: Path, dry_run: bool, allow_erased: bool) -> None:
    """Create or update contact persons from a CSV or XLSX file (README, "Importing people")."""
    data = _read(file)
    try:
        plan = people_import.plan_people(data, actor=None, source=file.name)
        if plan.errors:
            _refuse(plan.errors)
        if plan.erased and (dry_run or allow_erased):
            for row in plan.erased:
                click.echo(people_import.erased_warning(row))
        if dry_run:
            db.session.rollback()
            click.echo(plan.summary())
            return
        if plan.erased and not allow_erased:
            db.session.rollback()
            numbers = ", ".join(str(row.row) for row in plan.erased)
            raise click.ClickException(
                f"Row{'s' if len(plan.erased) > 1 else ''} {numbers} match people erased at their "
                "request (GDPR); nothing was imported. Run again with --allow-erased only if "
                "they agreed."
            )
        people_import.apply_people(plan, actor=None, allow_erased=allow_erased)
        db.session.commit()
    except imports.FileRefused as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    except imports.ImportFailed as error:
        _refuse(error.problems)
    click.echo(plan.done())


def _read(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except OSError as error:
        raise click.ClickException(f"Cannot read {file}: {error.strerror}.") from None


def _run(kind: str, file: Path, dry_run: bool) -> None:
    data = _read(file)
    try:
        plan = imports.plan_import(kind, data, actor=None, source=file.name)
        if plan.errors:
            _refuse(plan.errors)
        for row in getattr(plan, "likely_duplicates", []):
            names = " or ".join(f"{m.name}: {', '.join(m.reasons)}" for m in row.duplicates)
            click.echo(f"Row {row.row}: {row.name} may already exist as {names}.")
        if dry_run:
            db.session.rollback()
            click.echo(plan.summary())
            return
        imports.apply_plan(plan, actor=None)
        db.session.commit()
    except imports.FileRefused as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    except imports.ImportFailed as error:
        _refuse(error.problems)
    except sa.exc.IntegrityError:
        db.session.rollback()
        raise click.ClickException(
            "Someone saved the same record meanwhile (a company with one of these RCS numbers); "
            "nothing was imported. Run the command again."
        ) from None
    click.echo(plan.done())


def _refuse(problems: list[imports.Problem]) -> None:
    db.session.rollback()
    for problem in problems:
        click.echo(str(problem), err=True)
    count = f"{len(problems):,} error{'s' if len(problems) > 1 else ''}"
    raise click.ClickException(f"{count} in the file; nothing was imported.")
