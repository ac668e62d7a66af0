"""Mail that never blocks a page and is never lost: the outbox, the worker, its retries, and
what a person sees when the mail server is down or hangs."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine

from cyclades import mail
from cyclades.models import Account, OutgoingMail, utcnow
from cyclades.queue import huey, run_pending
from tests.conftest import account_form, text, wait_until
from tests.test_account_creation import activation_link

ROOT = Path(__file__).resolve().parent.parent


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once it is closed


class SilentServer:
    """A "mail server" that accepts connections and never answers: what a hung one does."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.port = self.socket.getsockname()[1]
        self.connections = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.connections.append(connection)

    def close(self):
        self.socket.close()
        for connection in self.connections:
            connection.close()


@pytest.fixture
def silent_smtp():
    server = SilentServer()
    yield server
    server.close()


def create(client, email="chloe@example.fr"):
    return client.submit("/compte/creer", account_form(email=email), page="/compte/creer")


def test_smtp_down_at_creation_gives_a_normal_page_and_the_mail_arrives_once_it_is_back(
        app, client, mailbox, smtp_server, db):
    app.config["SMTP_PORT"] = _closed_port()
    response = create(client)
    assert response.status_code == 303
    assert "Vérifiez votre messagerie" in text(client.get(response.headers["Location"]))
    assert Account.get(Account.email == "chloe@example.fr").activated_at is None
    assert mailbox.all() == []  # the worker tried, the server was down
    [waiting] = mail.undelivered()
    assert (waiting.status, waiting.attempts) == ("pending", 1)
    assert "ConnectionRefusedError" in waiting.last_error

    app.config["SMTP_PORT"] = smtp_server.port  # the server is back
    run_pending()
    assert mailbox.received() == []  # not before its next attempt is due
    with time_machine.travel(utcnow() + timedelta(minutes=1, seconds=5)):
        mail.deliver_due_mail()  # the worker's periodic job
        run_pending()
    activated = client.get(activation_link(mailbox, "chloe@example.fr"))
    assert activated.status_code == 302
    assert Account.get(Account.email == "chloe@example.fr").activated_at is not None
    assert mail.undelivered() == []


def test_a_hanging_mail_server_never_holds_a_page(app, client, mailbox, silent_smtp, db):
    app.config.update(SMTP_PORT=silent_smtp.port, SMTP_TIMEOUT=0.5)
    for page, form in (("/compte/creer", account_form(email="a@example.fr")),
                       ("/mot-de-passe-oublie", {"email": "a@example.fr"}),
                       ("/connexion/renvoyer-le-lien", {"email": "a@example.fr"})):
        response = client.submit(page, form, page="/connexion" if "renvoyer" in page else page)
        assert response.status_code in (200, 303), page
    # No page talked to the mail server: it has not seen a single connection.
    assert silent_smtp.connections == []
    run_pending()  # the worker does, and gives up after its timeout: the mail waits
    assert len(silent_smtp.connections) >= 1
    waiting = mail.undelivered()
    assert [m.template for m in waiting] == ["activation", "password_reset", "activation"]
    assert all(m.status == "pending" and "timed out" in m.last_error for m in waiting)


def test_a_mail_whose_queued_task_was_lost_is_still_delivered(app, client, mailbox, db):
    create(client)
    huey.flush()  # the queue lost (a killed worker, an emptied queue): the row remains
    assert mailbox.all() == []
    mail.deliver_due_mail()
    run_pending()
    assert mailbox.last("chloe@example.fr")["Subject"] == "Cyclades libre : activez votre compte"


def test_nothing_is_queued_by_a_change_that_is_rolled_back(app, client, mailbox, db,
                                                          monkeypatch):
    from cyclades.operations import accounts

    queue = mail.queue

    def queued_then_failed(*args, **kwargs):
        queue(*args, **kwargs)  # the mail is stored, its delivery asked for after the commit…
        raise RuntimeError("disque plein")  # …which never comes

    monkeypatch.setattr(accounts.mail, "queue", queued_then_failed)
    response = create(client)
    assert response.status_code == 500
    assert OutgoingMail.select().count() == 0 and Account.select().count() == 0
    assert huey.pending_count() == 0 and mailbox.all() == []


def test_what_a_rolled_back_savepoint_asked_for_is_never_run(app, db):
    from cyclades.db import on_commit, write_transaction

    ran = []
    with app.app_context():
        with write_transaction():
            on_commit(lambda: ran.append("outer"))
            try:
                with write_transaction():
                    on_commit(lambda: ran.append("inner, rolled back"))
                    raise ValueError
            except ValueError:
                pass
            with write_transaction():
                on_commit(lambda: ran.append("inner, kept"))
            assert ran == []  # nothing before the commit
    assert ran == ["outer", "inner, kept"]


def test_a_delivered_mail_keeps_no_link(app, client, mailbox, db):
    create(client)
    assert mailbox.all()
    row = OutgoingMail.get()
    assert row.status == "sent" and row.sent_at is not None
    assert row.message == "" and "/compte/activer/" not in row.subject


def test_the_outbox_forgets_delivered_mail_after_a_month(app, client, mailbox, db):
    create(client)
    assert mailbox.all()
    with time_machine.travel(utcnow() + timedelta(days=29)):
        mail.purge_old_mail()
        run_pending()
    assert OutgoingMail.select().count() == 1
    with time_machine.travel(utcnow() + timedelta(days=31)):
        mail.purge_old_mail()
        run_pending()
    assert OutgoingMail.select().count() == 0


def test_retries_back_off_then_give_up_and_the_command_lists_and_retries(
        app, client, mailbox, smtp_server, db):
    app.config["SMTP_PORT"] = _closed_port()
    create(client)
    run_pending()
    moment = utcnow()
    for minutes in mail.RETRY_MINUTES:
        row = OutgoingMail.get()
        assert row.status == "pending"
        assert timedelta(minutes=minutes - 1) < row.next_attempt_at - moment \
            <= timedelta(minutes=minutes, seconds=5)
        moment = row.next_attempt_at + timedelta(seconds=1)
        with time_machine.travel(moment), app.app_context():
            assert mail.deliver_due() in ({"pending": 1}, {"failed": 1})
    row = OutgoingMail.get()
    assert row.status == "failed" and row.attempts == len(mail.RETRY_MINUTES) + 1
    listed = app.test_cli_runner().invoke(args=["mail-queue"])
    assert "chloe@example.fr  activation" in listed.output and "abandonné" in listed.output

    app.config["SMTP_PORT"] = smtp_server.port
    retried = app.test_cli_runner().invoke(args=["mail-queue", "--retry"])
    assert "remis : 1" in retried.output and "Tous les mails ont été remis." in retried.output
    assert mailbox.last("chloe@example.fr")


def test_a_recipient_refused_for_good_is_given_up_at_once(app, client, mailbox, smtp_server,
                                                          db):
    handler = smtp_server.handler

    async def refuse(server, session, envelope, address, rcpt_options):
        return "550 5.1.1 Adresse inconnue"

    handler.handle_RCPT = refuse
    try:
        create(client)
        assert mailbox.all() == []
    finally:
        del handler.handle_RCPT
    row = OutgoingMail.get()
    assert row.status == "failed" and row.attempts == 1 and "550" in row.last_error


def test_the_same_form_sent_twice_sends_one_mail_whose_link_works(client, mailbox, db):
    create(client)
    create(client)
    [message] = mailbox.to("chloe@example.fr")
    assert client.get(activation_link(mailbox, "chloe@example.fr")).status_code == 302


def test_without_a_mail_server_the_mails_are_files_of_the_outbox(app, client, db):
    app.config["SMTP_HOST"] = None
    create(client)
    run_pending()
    [eml] = list(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))
    assert "Subject: Cyclades libre : activez votre compte" in eml.read_text()


def test_the_worker_process_delivers_what_the_pages_queued(app, client, mailbox, smtp_server,
                                                           db):
    """`flask --app app worker`, as `make run` starts it, in a process of its own."""
    config = app.config
    environment = {**os.environ, "CYCLADES_DATABASE": config["DATABASE"],
                   "CYCLADES_QUEUE": config["QUEUE"], "CYCLADES_SECRET_KEY": config["SECRET_KEY"],
                   "CYCLADES_SMTP_HOST": "127.0.0.1", "CYCLADES_SMTP_PORT": str(smtp_server.port),
                   "CYCLADES_BASE_URL": config["BASE_URL"], "CYCLADES_MAIL_FROM": config["MAIL_FROM"]}
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "worker"],
                              cwd=ROOT, env=environment, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    try:
        create(client)
        assert wait_until(lambda: mailbox.received(), timeout=20), \
            worker.stderr.read1().decode() if worker.poll() is not None else "no mail"
        assert client.get(activation_link(mailbox, "chloe@example.fr")).status_code == 302
    finally:
        worker.send_signal(signal.SIGINT)
        worker.wait(timeout=20)


# --- The links' address -------------------------------------------------------------------------

def _settings(tmp_path, monkeypatch, **environment) -> dict:
    """from_environment() with only these FLASK_RUN_* / CYCLADES_BASE_URL variables set."""
    from cyclades import config

    for name in ("CYCLADES_BASE_URL", "FLASK_RUN_HOST", "FLASK_RUN_PORT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("CYCLADES_SECRET_KEY", "clé de test")
    return config.from_environment(str(tmp_path))


def test_the_links_point_at_the_port_flask_run_serves_unless_the_base_url_is_set(
        tmp_path, monkeypatch):
    assert _settings(tmp_path, monkeypatch)["BASE_URL"] == "http://127.0.0.1:5000"
    assert _settings(tmp_path, monkeypatch, FLASK_RUN_PORT="8080")["BASE_URL"] == \
        "http://127.0.0.1:8080"
    assert _settings(tmp_path, monkeypatch, FLASK_RUN_HOST="0.0.0.0", FLASK_RUN_PORT="8080"
                     )["BASE_URL"] == "http://127.0.0.1:8080"  # every interface: this one too
    assert _settings(tmp_path, monkeypatch, FLASK_RUN_HOST="::1")["BASE_URL"] == \
        "http://[::1]:5000"
    public = _settings(tmp_path, monkeypatch, FLASK_RUN_PORT="8080",
                       CYCLADES_BASE_URL="https://cyclades.ac-exemple.fr/")
    assert public["BASE_URL"] == "https://cyclades.ac-exemple.fr"
    assert public["SESSION_COOKIE_SECURE"]


def test_an_activation_mail_of_a_server_on_port_8080_links_to_port_8080(
        tmp_path, monkeypatch, smtp_server, database_url):
    """The app as `make run PORT=8080` creates it: from the environment only."""
    from cyclades import create_app
    from cyclades.db import database
    from cyclades.migrations import upgrade
    from tests.conftest import FormClient, Mailbox

    for name in ("CYCLADES_BASE_URL", "FLASK_RUN_HOST"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {
            "FLASK_RUN_PORT": "8080", "CYCLADES_SECRET_KEY": "clé de test",
            "CYCLADES_DATABASE": database_url, "CYCLADES_QUEUE": str(tmp_path / "queue.sqlite3"),
            "CYCLADES_RATELIMIT_STORAGE": f"sqlite://{tmp_path / 'ratelimits.sqlite3'}",
            "CYCLADES_SMTP_HOST": "127.0.0.1", "CYCLADES_SMTP_PORT": str(smtp_server.port),
            "CYCLADES_SMTP_TLS": "off", "CYCLADES_UPLOAD_DIR": str(tmp_path / "uploads"),
            "CYCLADES_DOCUMENTS_DIR": str(tmp_path / "documents")}.items():
        monkeypatch.setenv(name, value)
    app = create_app()
    assert app.config["BASE_URL"] == "http://127.0.0.1:8080"
    with app.app_context(), database.connection_context():
        upgrade(database)
    mailbox = Mailbox(smtp_server.handler)
    client = FormClient(app.test_client())
    assert create(client).status_code == 303
    link = mailbox.link(mailbox.last("chloe@example.fr"), "/compte/activer/")
    assert link.startswith("http://127.0.0.1:8080/compte/activer/")
    assert client.get(link.replace("http://127.0.0.1:8080", "")).status_code == 302


@pytest.mark.skipif(shutil.which("make") is None, reason="make n'est pas installé")
def test_make_run_on_another_port_gives_every_command_that_port_for_the_links(tmp_path,
                                                                             monkeypatch):
    """`make run PORT=8123`, its `flask` replaced by a script that tells, for each command the
    target runs (init-db, demo-data, worker, run), what its environment says of the links'
    address; read by from_environment() as that command would."""
    fake = tmp_path / "fake-flask.sh"
    said = tmp_path / "said.txt"
    # `run` waits (5 s at most) for the worker, which make starts in the background first.
    fake.write_text(
        f'echo "$1|${{FLASK_RUN_HOST-}}|${{FLASK_RUN_PORT-}}|${{CYCLADES_BASE_URL-}}" | tee -a {said}\n'
        f'if [ "$1" = run ]; then i=0; while ! grep -q "^worker|" {said} 2>/dev/null '
        f'&& [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; fi\n')
    rule = next(line for line in (ROOT / "Makefile").read_text().splitlines()
                if line.startswith("run:") and "export" not in line)
    skipped = [arg for prerequisite in rule.split(":", 1)[1].split()
               for arg in ("-o", prerequisite)]  # installing, packages: not here
    environment = {name: value for name, value in os.environ.items()
                   if name not in ("CYCLADES_BASE_URL", "FLASK_RUN_HOST", "FLASK_RUN_PORT",
                                   "MAKEFLAGS", "MFLAGS")}

    def make_run(**variables) -> dict:
        said.write_text("")
        command = ["make", "--no-print-directory", *skipped, "run", f"FLASK=sh {fake}",
                   "PORT=8123", *[f"{name}={value}" for name, value in variables.items()]]
        done = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        links = {}
        for line in done.stdout.splitlines():
            if line.count("|") != 3:
                continue  # make says each command before running it
            name, host, port, base_url = line.split("|")
            links[name] = _settings(tmp_path, monkeypatch, **{key: value for key, value in (
                ("FLASK_RUN_HOST", host), ("FLASK_RUN_PORT", port),
                ("CYCLADES_BASE_URL", base_url)) if value})["BASE_URL"]
        return links

    assert make_run() == {command: "http://127.0.0.1:8123"
                          for command in ("init-db", "demo-data", "worker", "run")}
    environment["CYCLADES_BASE_URL"] = "https://cyclades.ac-exemple.fr"
    assert set(make_run(HOST="0.0.0.0").values()) == {"https://cyclades.ac-exemple.fr"}
