"""`flask --app app demo-data`, `load-reference` and `purge-inactive`."""
import click
from flask.cli import with_appcontext

from cyclades import demo
from cyclades.operations import accounts as operations
from cyclades.db import database


@click.command("demo-data")
@with_appcontext
def demo_data_command():
    """Load the académies, exams, specialties, windows and a demo account (idempotent)."""
    with database.connection_context():
        counts = demo.load()
    click.echo(", ".join(f"{name} : {count}" for name, count in counts.items()))


@click.command("load-reference")
@with_appcontext
def load_reference_command():
    """Load the académies, exams, specialties, their units and the dispense table from
    cyclades/data/*.toml (idempotent: run it again after editing them)."""
    with database.connection_context(), database.atomic():
        academies, exams = demo.load_reference()
    click.echo(f"académies : {len(academies)}, examens : {len(exams)}")


@click.command("purge-inactive")
@with_appcontext
def purge_inactive_command():
    """Delete the accounts not activated within 48 hours (R4). Run it from cron."""
    with database.connection_context():
        count = operations.purge_inactive()
    click.echo(f"Comptes non activés supprimés : {count}")


def init_app(app):
    app.cli.add_command(demo_data_command)
    app.cli.add_command(load_reference_command)
    app.cli.add_command(purge_inactive_command)
