"""The maintenance commands: `flask --app tracker purge KIND ID [--yes]`, and more to come.

How to add commands here without editing this file: write them in a module of this package
named in `COMMAND_MODULES` (`backup.py` is expected), as `click` commands, and list them in a
module-level `COMMANDS` list::

    # tracker/maintenance/backup.py
    @click.command("backup", cls=OneLineErrors)
    @with_appcontext
    def backup_command(...): ...

    COMMANDS = [backup_command, restore_command]

`commands()` collects `purge` and the `COMMANDS` of every such module that exists, and
tracker/cli.py registers them all; a module that is absent is skipped.
"""

from __future__ import annotations

import importlib

import click
from flask.cli import with_appcontext

from tracker.common.cli import OneLineErrors
from tracker.extensions import db
from tracker.maintenance.purge import KINDS, PurgeRefused, describe, plan_purge, purge

COMMAND_MODULES = ("backup",)


@click.command("purge", cls=OneLineErrors)
@with_appcontext
@click.argument("kind", type=click.Choice(list(KINDS), case_sensitive=False))
@click.argument("record_id", metavar="ID", type=click.IntRange(1, 2**31 - 1))
@click.option("--yes", is_flag=True, help="Purge without asking for confirmation.")
def purge_command(kind: str, record_id: int, yes: bool) -> None:
    """Permanently delete one archived company, person or interaction, with what depends on it.

    Refuses a record that is not archived. Writes a "purge" audit entry (by the system) that
    keeps the record's values; earlier audit entries of the record are kept too.
    """
    kind = kind.lower()
    try:
        plan = plan_purge(kind, record_id)
    except PurgeRefused as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    name = plan.name
    dependents = {label: n for label, n in plan.counts().items() if label != kind}
    click.echo(f"Purging the {name} also deletes: {describe(dependents) or 'nothing else'}.")
    # Read everything before asking: no transaction stays open while the admin decides.
    db.session.rollback()
    if not yes and not click.confirm("Delete it permanently? This cannot be undone", default=False):
        raise click.ClickException("Nothing was purged.")
    try:
        plan = plan_purge(kind, record_id)  # again: it may have changed while we asked
        removed = purge(plan)
        db.session.commit()
    except PurgeRefused as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    others = {label: n for label, n in removed.items() if label != kind}
    click.echo(
        f"Purged the {name} and {describe(others) or 'nothing else'}. "
        "A purge entry is in the audit trail."
    )


def commands() -> list[click.Command]:
    """`purge` and the commands of the other modules of this package (see the docstring)."""
    found: list[click.Command] = [purge_command]
    for name in COMMAND_MODULES:
        qualified = f"{__package__}.{name}"
        try:
            module = importlib.import_module(qualified)
        except ModuleNotFoundError as error:
            if error.name != qualified:  # a missing dependency of the module is a real error
                raise
            continue
        found.extend(getattr(module, "COMMANDS", []))
    return found
