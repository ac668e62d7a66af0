"""What the benchmarks share: the app on a temporary database, and a registered candidature."""
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cyclades import create_app, demo  # noqa: E402
from cyclades.db import database  # noqa: E402
from cyclades.migrations import upgrade  # noqa: E402
from cyclades.models import Account, Window, utcnow  # noqa: E402
from cyclades.operations import registration  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
#: The programs of the interpreter running the benchmark (the project's .venv).
BIN = Path(sys.executable).parent


def bench_app(tmp):
    """The application with every file under the directory `tmp`, and no rate limit."""
    return create_app({
        "SECRET_KEY": "benchmark", "DATABASE": f"{tmp}/bench.sqlite3",
        "BASE_URL": "http://127.0.0.1:5000", "OUTBOX_DIR": f"{tmp}/outbox",
        "UPLOAD_DIR": f"{tmp}/uploads", "DOCUMENTS_DIR": f"{tmp}/documents",
        "QUEUE": f"{tmp}/queue.sqlite3",
        "RATELIMIT_ENABLED": False, "MAIL_FROM": "Cyclades libre <benchmark@localhost>",
    })


def load_demo():
    """The schema, the reference data, the current windows and the demo account; inside an
    app context with a connection."""
    upgrade(database)
    demo.load()


def register_demo_candidature(answers: dict):
    """A Bac Pro candidature of the demo account in Clermont-Ferrand, with these tabs, saved
    with « Enregistrer »; inside a request context with a connection, after load_demo()."""
    account = Account.get(Account.email == demo.DEMO_EMAIL)
    window = next(w for w in Window.open_at(utcnow())
                  if w.academie.code == "clermont-ferrand" and w.exam.code == "BCP"
                  and w.kind == Window.INSCRIPTION)
    candidature, _ = registration.start_candidature(account, window, "63000")
    candidature.draft = answers
    candidature.save()
    return registration.register_candidature(candidature)


# --- The portal served as in production ------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(env: dict, log: Path, app: str = "app:app", extra=(), port: int | None = None):
    """gunicorn with the repository's gunicorn.conf.py on `port` (else a free one) of
    127.0.0.1: (its base URL, the master's pid). Its stderr goes to `log`."""
    port = port or free_port()
    with open(log, "ab") as errors:
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", *extra, app], cwd=ROOT,
            env={**os.environ, **env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
            stdout=subprocess.DEVNULL, stderr=errors)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                sys.exit(f"gunicorn s'est arrêté :\n{log.read_text()[-3000:]}")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
