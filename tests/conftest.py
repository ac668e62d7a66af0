"""Fixtures shared by every test: an app on a database of its own (a temporary SQLite file, or
with `CYCLADES_TEST_DATABASE=postgresql` a new database on a throw-away PostgreSQL server), a
real SMTP server on 127.0.0.1, account factories, and a client that posts forms with their CSRF
token."""
import email
import email.policy
import os
import re
import socket
import threading
import time
from contextlib import contextmanager
from datetime import date

import pytest
from aiosmtpd.controller import Controller

from cyclades import create_app
from cyclades.db import database, make_database
from cyclades.migrations import upgrade
from cyclades.models import Account, utcnow
from cyclades.queue import run_pending
from cyclades.security import hash_password
from tests import postgres

PASSWORD = "Tournesol-Vert42"


# --- A real SMTP server on loopback -----------------------------------------------------------

class _Collect:
    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    handler = _Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller
    controller.stop()


class Mailbox:
    """What the SMTP server received during one test, once the worker has done what was waiting
    (the tasks run here, in the test's thread, as `flask --app app worker --once` runs them)."""

    def __init__(self, handler):
        self.handler = handler
        handler.messages.clear()

    def received(self):
        """What the server has received so far, without running the worker."""
        with self.handler.lock:
            return list(self.handler.messages)

    def all(self):
        run_pending()
        return self.received()

    def to(self, address):
        return [m for rcpts, m in self.all() if address in rcpts]

    def last(self, address):
        found = self.to(address)
        assert found, f"aucun mail reçu par {address}; reçus : {[r for r, _ in self.all()]}"
        return found[-1]

    @staticmethod
    def body(message):
        return message.get_content()

    @classmethod
    def link(cls, message, path_part):
        urls = re.findall(r"https?://\S+", cls.body(message))
        matching = [u for u in urls if path_part in u]
        assert matching, f"pas de lien contenant {path_part!r} dans :\n{cls.body(message)}"
        return matching[0]


@pytest.fixture
def mailbox(app, smtp_server):
    return Mailbox(smtp_server.handler)


# --- The database -----------------------------------------------------------------------------

#: What the main database of every test is: `sqlite` (a file of its own) or, with
#: CYCLADES_TEST_DATABASE=postgresql, a database of its own on a PostgreSQL server started for
#: the session (tests/postgres.py). `make test` runs the suite on both. The rate limits and the
#: queue stay on their SQLite files either way.
ENGINE = os.environ.get("CYCLADES_TEST_DATABASE", "sqlite").strip().lower() or "sqlite"
ON_POSTGRESQL = ENGINE in {"postgresql", "postgres"}
if not ON_POSTGRESQL and ENGINE != "sqlite":
    raise pytest.UsageError(f"CYCLADES_TEST_DATABASE={ENGINE!r} : sqlite ou postgresql")

#: For the few tests of SQLite itself (its file, its PRAGMAs): PostgreSQL has its own beside them.
sqlite_only = pytest.mark.skipif(ON_POSTGRESQL, reason="propre à SQLite (fichier, PRAGMA)")
postgresql_only = pytest.mark.skipif(
    not ON_POSTGRESQL, reason="propre à PostgreSQL (CYCLADES_TEST_DATABASE=postgresql)")


def pytest_report_header(config):
    return f"base de données des tests : {'PostgreSQL' if ON_POSTGRESQL else 'SQLite'}"


@pytest.fixture(scope="session")
def postgres_cluster():
    """The throw-away PostgreSQL server of the session (initdb in a temporary folder, stopped
    and removed at the end). Missing: a failure on CI, a skip on a developer's machine."""
    reason = postgres.unavailable_reason()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    with postgres.running_cluster() as cluster:
        yield cluster


@pytest.fixture(scope="session")
def database_template(postgres_cluster):
    """A database migrated once, that every test's database is a copy of."""
    name = postgres_cluster.create_database()
    template = make_database(postgres_cluster.url(name), pool_size=1)
    database.initialize(template)
    with database.connection_context():
        upgrade(database)
    postgres.close_pool(template)  # a template with a connection open cannot be copied
    return name


@contextmanager
def _postgres_database(request):
    cluster = request.getfixturevalue("postgres_cluster")
    with cluster.database(request.getfixturevalue("database_template")) as url:
        try:
            yield url
        finally:
            # Every connection the test's app pooled is closed before its database is dropped.
            postgres.close_pool(database.obj)


@pytest.fixture
def database_url(request, tmp_path):
    """The DATABASE setting of the test's app: a SQLite file of its own, or a new PostgreSQL
    database already migrated (processes the test starts reach it by the same URL)."""
    if not ON_POSTGRESQL:
        yield str(tmp_path / "cyclades.sqlite3")
        return
    with _postgres_database(request) as url:
        yield url


@pytest.fixture(scope="session")
def session_database_url(request, tmp_path_factory):
    """The same, for an app that lasts the session (the browser tests' live server)."""
    if not ON_POSTGRESQL:
        yield str(tmp_path_factory.mktemp("session-db") / "cyclades.sqlite3")
        return
    with _postgres_database(request) as url:
        yield url


# --- The application --------------------------------------------------------------------------

def make_test_config(tmp_path, smtp_port, database_url=None):
    """The settings of a test's app; `database_url`: the `database_url` fixture's (without it,
    a SQLite file in tmp_path)."""
    return {
        "TESTING": True,
        "SECRET_KEY": "clé de test",
        "DATABASE": database_url or str(tmp_path / "cyclades.sqlite3"),
        "BASE_URL": "http://localhost",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": smtp_port,
        "SMTP_TLS": "off",
        "MAIL_FROM": "Cyclades libre <ne-pas-repondre@cyclades.test>",
        "OUTBOX_DIR": str(tmp_path / "outbox"),
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "DOCUMENTS_DIR": str(tmp_path / "documents"),
        "RATELIMIT_STORAGE": f"sqlite://{tmp_path / 'ratelimits.sqlite3'}",
        "QUEUE": str(tmp_path / "queue.sqlite3"),
    }


@pytest.fixture
def app(tmp_path, smtp_server, database_url):
    app = create_app(make_test_config(tmp_path, smtp_server.port, database_url))
    app_database = database.obj
    with app.app_context(), database.connection_context():
        upgrade(database)  # a new SQLite file; nothing to do on a copy of the template
    yield app
    if not database.is_closed():
        database.close()
    postgres.close_pool(app_database)


@pytest.fixture
def db(app):
    """The database, for a test that reads or writes it directly. No app context is pushed:
    one kept open would make Flask reuse `g` across the test client's requests."""
    database.connect(reuse_if_open=True)
    yield database
    if not database.is_closed():
        database.close()


class FormClient:
    """The test client, plus `submit()` which sends a form the way a browser does: with the
    CSRF token the page gave."""

    def __init__(self, client):
        self.client = client

    def __getattr__(self, name):
        return getattr(self.client, name)

    def csrf_token(self, page="/"):
        html = self.client.get(page).get_data(as_text=True)
        found = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
        if found is None and page == "/":  # signed out, the home page has no form
            return self.csrf_token("/connexion")
        return found.group(1)

    def submit(self, url, data=None, page=None, headers=None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token(page or "/"))
        return self.client.post(url, data=data, headers=headers or {}, **kwargs)

    def login(self, email, password=PASSWORD):
        return self.submit("/connexion", {"email": email, "password": password})

    def logout(self):
        return self.submit("/deconnexion")


@pytest.fixture
def client(app):
    return FormClient(app.test_client())


# --- Factories --------------------------------------------------------------------------------

IDENTITY = {
    "civilite": "MME",
    "nom_naissance": "MARTIN",
    "nom_usage": "",
    "prenoms": "Élodie Anne",
    "date_naissance": date(1998, 5, 30),
    "pays_naissance": "FR",
}


@pytest.fixture
def make_account(db):
    """make_account(email=..., active=True, password=PASSWORD, **fields) → Account."""
    counter = {"n": 0}

    def make(email=None, active=True, password=PASSWORD, **fields):
        counter["n"] += 1
        values = {**IDENTITY, **fields}
        return Account.create(
            email=email or f"candidate{counter['n']}@example.fr",
            password_hash=hash_password(password),
            activated_at=utcnow() if active else None, **values)

    return make


def account_form(**overrides):
    """The fields of « Créer mon compte » as a candidate fills them in."""
    email = overrides.pop("email", "nouvelle.candidate@example.fr")
    form = {
        "civilite": "MME",
        "nom_naissance": "Lefèvre",
        "nom_naissance_confirm": "Lefèvre",
        "nom_usage": "",
        "prenoms": "Chloé Marie",
        "date_naissance": "30/05/1998",
        "date_naissance_confirm": "30/05/1998",
        "pays_naissance": "FR",
        "email": email,
        "email_confirm": email,
        "password": PASSWORD,
        "password_confirm": PASSWORD,
    }
    form.update(overrides)
    return form


#: Valid answers for each registration tab, as the forms post them. 63000 is in the académie de
#: Clermont-Ferrand; "MV:0" is Maintenance des véhicules, option A.
TABS = {
    "identification": {"adresse": "12 rue Blatin", "complement": "", "code_postal": "63000",
                       "commune": "Clermont-Ferrand", "telephone_portable": "06 12 34 56 78",
                       "telephone_fixe": "", "pcs_representant": "6"},
    "informations": {"type_candidature": "individuel", "etablissement": "",
                     "declaration_domicile": "y", "declaration_jdc": "y",
                     "declaration_condition": "y", "handicap": "non",
                     "publication_resultats": "oui"},
    "qualification": {"specialite": "MV:0", "forme_passage": "GLOBALE", "echec_precedent": "non"},
    "acquis": {"acquis": "aucun"},
    "epreuves": {"lva": "anglais", "lvf": "", "eps_mode": "APTE",
                 "eps_activities": ["DANSE", "DEMI FOND"], "verification": "y"},
}


def text(response):
    """The page's visible text, with white space folded: what a person reads."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    plain = re.sub(r"<[^>]+>", " ", html)
    import html as html_lib
    return re.sub(r"\s+", " ", html_lib.unescape(plain)).strip()


def wait_until(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def at_once(app, client, count, send):
    """The same request sent `count` times at the same instant (a double click, taps on a slow
    line, two tabs): `send(copy)` runs in a thread for each copy of `client` (its cookies, so
    its session), all released together. Their responses, in no particular order."""
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    copies = []
    for _ in range(count):
        copy = FormClient(app.test_client())
        if cookie is not None:
            copy.set_cookie(cookie.key, cookie.value)
        copies.append(copy)
    barrier = threading.Barrier(count)
    responses, errors = [], []

    def run(copy, prepared):
        barrier.wait()
        try:
            responses.append(prepared())
        except BaseException as error:  # shown by the test, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(copy, send(copy))) for copy in copies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return responses
