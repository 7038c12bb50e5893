"""The flask commands of DESIGN.md 4.1; each calls a service and commits once."""

from __future__ import annotations

import time

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from tracker.admin import services
from tracker.common.cli import OneLineErrors
from tracker.extensions import db
from tracker.models import Role

users_cli = AppGroup("users", help="Manage user accounts.")
clusters_cli = AppGroup("clusters", help="Manage clusters.")


def _fail(message: str) -> None:
    db.session.rollback()
    raise click.ClickException(message)


@users_cli.command("create", cls=OneLineErrors)
@click.option("--email", required=True, help="Sign-in e-mail.")
@click.option("--name", required=True, help="Display name.")
@click.option(
    "--role", required=True, type=click.Choice([r.value for r in Role], case_sensitive=False)
)
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Prompted for, hidden, when left out.",
)
@click.option("--cluster", "clusters", multiple=True, help="A cluster slug; may repeat.")
def create_user_command(
    email: str, name: str, role: str, password: str, clusters: tuple[str, ...]
) -> None:
    """Create a user."""
    try:
        user = services.create_user(
            email=email,
            name=name,
            role=Role(role.lower()),
            password=password,
            clusters=services.clusters_by_slug(clusters),
        )
        db.session.commit()
    except services.ValidationError as error:
        _fail(str(error))
    click.echo(f"Created {user.role.value} {user.email}.")


@clusters_cli.command("create", cls=OneLineErrors)
@click.option("--slug", required=True, help="Permanent identifier, e.g. materials-manufacturing.")
@click.option("--name", required=True, help="Display name.")
@click.option("--description", default="", help="What the cluster covers.")
def create_cluster_command(slug: str, name: str, description: str) -> None:
    """Create a cluster."""
    try:
        cluster = services.create_cluster(slug=slug, name=name, description=description)
        db.session.commit()
    except services.ValidationError as error:
        _fail(str(error))
    click.echo(f"Created cluster {cluster.slug}.")


@click.command("seed-demo", cls=OneLineErrors)
@with_appcontext
@click.option(
    "--if-empty",
    is_flag=True,
    help="On a database that already has data, say so and exit 0 instead of failing.",
)
def seed_demo_command(if_empty: bool) -> None:
    """Fill an empty database with the demo data set; refuses a non-empty one."""
    from tracker.demo.seed import DemoRefused, seed_demo

    started = time.perf_counter()
    try:
        summary = seed_demo()
        db.session.commit()
    except DemoRefused as error:
        if not if_empty:
            _fail(str(error))
        db.session.rollback()
        click.echo("The database already holds data: demo data not loaded again.")
        click.echo("The demo accounts are listed in README.md.")
        return
    click.echo(
        f"Demo data loaded in {time.perf_counter() - started:.1f} s: {summary.counts_line()}"
    )
    click.echo("Demo accounts (e-mail / password):")
    for account in summary.accounts:
        click.echo(f"  {account.role:<8} {account.email:<36} {account.password}")


@click.command("seed-volume", cls=OneLineErrors)
@with_appcontext
@click.option("--companies", type=click.IntRange(min=1), default=5_000, show_default=True)
@click.option("--interactions", type=click.IntRange(min=0), default=100_000, show_default=True)
def seed_volume_command(companies: int, interactions: int) -> None:
    """Fill an empty database with generated data at agency scale (for benchmarks)."""
    from tracker.demo.volume import VOLUME_PASSWORD, VolumeRefused, seed_volume

    try:
        summary = seed_volume(companies, interactions)
        db.session.commit()
    except VolumeRefused as error:
        _fail(str(error))
    counts = ", ".join(f"{n:,} {table}" for table, n in summary.counts.items())
    click.echo(f"Generated in {summary.seconds:.1f} s: {counts}.")
    click.echo(f"Busiest company: /companies/{summary.busiest_company_id}")
    click.echo(f"Every generated account has the password {VOLUME_PASSWORD}.")


def init_app(app: Flask) -> None:
    from tracker.maintenance.cli import commands as maintenance_commands
    from tracker.reports.cli import report_cli
    from tracker.transfer.cli import import_cli

    app.cli.add_command(report_cli)
    app.cli.add_command(import_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(clusters_cli)
    app.cli.add_command(seed_demo_command)
    for command in maintenance_commands():
        app.cli.add_command(command)
    app.cli.add_command(seed_volume_command)
