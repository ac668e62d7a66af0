"""The worker: `flask --app app worker` runs every task of the queue (cyclades.queue) and the
periodic jobs, with the application's configuration and database.

The modules imported here define the tasks (next to the operations that enqueue them), so that
the worker knows each one by its name:
- cyclades.mail: deliver a mail, every minute the mails due again (retries), every night
  those delivered or given up a month ago;
- cyclades.operations.accounts: the mails of « Mot de passe oublié » and « Renvoyer le lien »
  (looked up off the request), and every 15 minutes the accounts not activated within 48 h;
- cyclades.operations.files: every hour, the files no row owns (an interrupted upload);
- cyclades.operations.sessions: every night, the sessions ended a month ago;
- cyclades.operations.kept_tabs: every half hour, the tabs kept after a session's end and not
  taken back within two hours.
"""
import logging

import click
from flask.cli import with_appcontext

from cyclades import mail, queue  # noqa: F401 (tasks)
from cyclades.operations import accounts, files, kept_tabs, sessions  # noqa: F401 (tasks)


@click.command("worker")
@click.option("--threads", default=2, show_default=True, help="Tasks run at the same time.")
@click.option("--once", is_flag=True, help="Run what is waiting, then stop (no periodic job).")
@with_appcontext
def worker_command(threads, once):
    """Deliver the mails and run the periodic jobs (purges, retries) until stopped."""
    if once:
        click.echo(f"Tâches exécutées : {queue.run_pending()}")
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    queue.run_worker(workers=threads)


def init_app(app):
    app.cli.add_command(worker_command)
