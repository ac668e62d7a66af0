"""The commands a gestionnaire or the server runs: `flask --app app <command>`."""
import click
from flask.cli import with_appcontext

from cyclades import demo
from cyclades.domain import documents as document_kinds
from cyclades.operations import accounts as operations
from cyclades.db import database


@click.command("demo-data")
@with_appcontext
def demo_data_command():
    """Load the académies, exams, specialties, windows, and the demo accounts with their
    candidatures (idempotent)."""
    with database.connection_context():
        counts = demo.load()
    demo.load_candidatures()  # its own request context and connection
    click.echo(", ".join(f"{name} : {count}" for name, count in counts.items()))
    click.echo(f"Comptes de démonstration (mot de passe : {demo.DEMO_PASSWORD}) :")
    for email, what in demo.LOGINS:
        click.echo(f"  {email} : {what}")


@click.command("load-reference")
@with_appcontext
def load_reference_command():
    """Load the académies, exams, specialties, their units and the dispense table from
    cyclades/data/*.toml (idempotent: run it again after editing them)."""
    with database.connection_context(), database.atomic():
        academies, exams = demo.load_reference()
    click.echo(f"académies : {len(academies)}, examens : {len(exams)}")


@click.command("publish-document")
@click.argument("numero_inscription")
@click.argument("kind", type=click.Choice(document_kinds.PUBLISHED))
@click.argument("pdf_file", type=click.File("rb"))
@click.option("--by", default="", help="Who publishes it (kept with the document).")
@with_appcontext
def publish_document_command(numero_inscription, kind, pdf_file, by):
    """Publish a PDF (relance, aménagements, convocation, relevé de notes) to a candidature, by
    its N° inscription; the candidate gets a mail (R40, R42)."""
    from cyclades.i18n import gettext

    from cyclades.i18n import force_locale

    from cyclades.models import Candidature
    from cyclades.operations.documents import DocumentRefused, publish_document

    with database.connection_context(), force_locale("fr"):
        candidature = Candidature.get_or_none(Candidature.numero_inscription == numero_inscription)
        if candidature is None:
            raise click.ClickException(f"Aucune candidature n° {numero_inscription}.")
        try:
            document = publish_document(candidature, kind, pdf_file.read(), by=by)
        except DocumentRefused as refused:
            raise click.ClickException(gettext(refused.reason)) from None
        click.echo(f"{gettext(document_kinds.LABELS[kind])}, version n°{document.version}, "
                   f"publiée pour {numero_inscription} ; mail envoyé à "
                   f"{candidature.account.email}.")


@click.command("piece-status")
@click.argument("numero_inscription")
@click.argument("code")
@click.argument("status", type=click.Choice(["recue", "non_conforme", "conforme"]))
@click.option("--commentaire", "comment", default="",
              help="What is wrong, read by the candidate (required for non_conforme).")
@click.option("--recue-le", "received_on", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Reception date (AAAA-MM-JJ), else the first status's day.")
@click.option("--by", default="", help="Who sets it (kept in the audit log).")
@with_appcontext
def piece_status_command(numero_inscription, code, status, comment, received_on, by):
    """Set the status of one piece of a candidature, by its N° inscription (R54): reçue,
    non_conforme (with --commentaire) or conforme. No mail is sent."""
    from cyclades.i18n import gettext

    from cyclades.i18n import force_locale

    from cyclades.dates import from_local
    from cyclades.models import Candidature
    from cyclades.operations.pieces import PieceRefused, piece_of, set_piece_status

    with database.connection_context(), force_locale("fr"):
        candidature = Candidature.get_or_none(Candidature.numero_inscription == numero_inscription)
        if candidature is None:
            raise click.ClickException(f"Aucune candidature n° {numero_inscription}.")
        received = from_local(received_on, candidature.academie.timezone) if received_on \
            else None
        try:
            piece = set_piece_status(piece_of(candidature, code.upper()), status, comment, by,
                                     received_at=received)
        except PieceRefused as refused:
            raise click.ClickException(gettext(refused.reason, **refused.values)) from None
        click.echo(f"{numero_inscription} {piece.code} : {status}.")


@click.command("purge-inactive")
@with_appcontext
def purge_inactive_command():
    """Delete the accounts not activated within 48 hours (R4). The worker does it every 15
    minutes."""
    with database.connection_context():
        count = operations.purge_inactive()
    click.echo(f"Comptes non activés supprimés : {count}")


@click.command("purge-files")
@with_appcontext
def purge_files_command():
    """Remove the stored files no row owns (left by an interrupted upload or save), older than
    an hour. The worker does it every hour."""
    from cyclades.operations.files import purge_orphan_files

    with database.connection_context():
        count = purge_orphan_files()
    click.echo(f"Fichiers orphelins supprimés : {count}")


@click.command("mail-queue")
@click.option("--retry", is_flag=True,
              help="Try again now every mail given up or waiting (once the SMTP server works).")
@with_appcontext
def mail_queue_command(retry):
    """List the mails not delivered yet: waiting for a new attempt, or given up (failed)."""
    from cyclades.i18n import force_locale

    from cyclades import mail
    from cyclades.dates import short_datetime

    with database.connection_context(), force_locale("fr"):
        if retry:
            counts = mail.retry_now()
            labels = {"sent": "remis", "pending": "en attente", "failed": "abandonnés"}
            click.echo(", ".join(f"{labels[status]} : {count}" for status, count
                                 in counts.items()) or "Aucun mail à remettre.")
        waiting = mail.undelivered()
        if not waiting:
            click.echo("Tous les mails ont été remis.")
        for row in waiting:
            state = "abandonné" if row.status == row.FAILED else \
                f"nouvel essai le {short_datetime(row.next_attempt_at, 'Europe/Paris')}"
            click.echo(f"{short_datetime(row.created_at, 'Europe/Paris')}  {row.to_address}  "
                       f"{row.template}  {row.attempts} essai(s), {state}  {row.last_error}")

@click.command("create-gestionnaire")
@click.argument("email")
@click.option("--academie", "academie_code", required=True, help="Code of the académie.")
@click.option("--role", type=click.Choice(["gestionnaire", "responsable"]),
              default="responsable", show_default=True)
@click.option("--nom", "name", default="", help="First name and name, as colleagues read it.")
@with_appcontext
def create_gestionnaire_command(email, academie_code, role, name):
    """Give someone access to the gestionnaire side of an académie (usually its first
    responsable, who then invites the others from the web): prints a single-use activation
    link, valid 48 hours."""
    from cyclades.models import Academie, Gestionnaire
    from cyclades.operations.gestionnaires import create_gestionnaire

    with database.connection_context():
        academie = Academie.get_or_none(Academie.code == academie_code)
        if academie is None:
            codes = ", ".join(a.code for a in Academie.select().order_by(Academie.code))
            raise click.ClickException(f"Aucune académie « {academie_code} » ({codes}).")
        if Gestionnaire.select().where(Gestionnaire.email == email.strip().lower()).exists():
            raise click.ClickException(f"{email} a déjà un accès au service gestionnaire.")
        gestionnaire, link = create_gestionnaire(email, academie, role, name)
    click.echo(f"{gestionnaire.email} : {role} de l'académie de {academie.name}.")
    click.echo("Lien d'activation (48 heures, une seule fois) : à transmettre à cette personne "
               "seulement.")
    click.echo(link)


def init_app(app):
    app.cli.add_command(demo_data_command)
    app.cli.add_command(load_reference_command)
    app.cli.add_command(publish_document_command)
    app.cli.add_command(piece_status_command)
    app.cli.add_command(purge_inactive_command)
    app.cli.add_command(purge_files_command)
    app.cli.add_command(mail_queue_command)
    app.cli.add_command(create_gestionnaire_command)
