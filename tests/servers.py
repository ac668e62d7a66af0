"""Real processes for the tests that need them: the portal served by several processes on one
database (as gunicorn's workers are), its worker, a Redis server; and a small HTTP client with
cookies, that follows no redirect."""
import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process=None, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"process ended: {process.stderr.read().decode()[-2000:]}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on {port}")


def environment_of(app, **overrides) -> dict:
    """The CYCLADES_* settings that give another process the same database, files, queue,
    rate limits, mail server and secret as the test's `app`."""
    config = app.config
    environment = {
        **os.environ,
        "CYCLADES_DATABASE": config["DATABASE"], "CYCLADES_SECRET_KEY": config["SECRET_KEY"],
        "CYCLADES_QUEUE": config["QUEUE"], "CYCLADES_RATELIMIT_STORAGE": config["RATELIMIT_STORAGE"],
        "CYCLADES_SMTP_HOST": config["SMTP_HOST"] or "", "CYCLADES_SMTP_PORT": str(config["SMTP_PORT"] or ""),
        "CYCLADES_BASE_URL": config["BASE_URL"], "CYCLADES_MAIL_FROM": config["MAIL_FROM"],
        "CYCLADES_UPLOAD_DIR": config["UPLOAD_DIR"], "CYCLADES_DOCUMENTS_DIR": config["DOCUMENTS_DIR"],
    }
    environment.update(overrides)
    return environment


@contextmanager
def portal_processes(app, count: int = 2, **overrides):
    """`count` processes serving the portal (Werkzeug, one each) on the test's database: their
    base URLs."""
    processes, urls = [], []
    try:
        for _ in range(count):
            port = free_port()
            process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "app", "run", "--port", str(port)],
                cwd=ROOT, env=environment_of(app, **overrides), stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE)
            processes.append(process)
            wait_for_port(port, process)
            urls.append(f"http://127.0.0.1:{port}")
        yield urls
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=20)


@contextmanager
def gunicorn_server(app, workers: int = 1, **overrides):
    """The portal served as in production: gunicorn with the repository's gunicorn.conf.py
    (gevent workers), on the test's database. Its base URL."""
    port = free_port()
    environment = environment_of(app, GUNICORN_BIND=f"127.0.0.1:{port}",
                                 GUNICORN_WORKERS=str(workers), **overrides)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:app"], cwd=ROOT,
        env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for_port(port, process)
        url = ServerURL(f"http://127.0.0.1:{port}")
        url.master = process.pid
        yield url
    finally:
        process.terminate()
        process.wait(timeout=40)


class ServerURL(str):
    """A server's base URL, with its master's pid (`master`)."""
    master: int


@contextmanager
def worker_process(app, **overrides):
    process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "worker"],
                               cwd=ROOT, env=environment_of(app, **overrides),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture
def redis_url(tmp_path):
    """A Redis server of this test's own, on a free port: its URL."""
    executable = shutil.which("redis-server")
    if executable is None:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server est introuvable (make test l'installe)", pytrace=False)
        pytest.skip("redis-server est introuvable : sudo apt-get install redis-server")
    port = free_port()
    process = subprocess.Popen([executable, "--port", str(port), "--bind", "127.0.0.1",
                                "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for_port(port, process)
        yield f"redis://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class HttpClient:
    """A browser's cookies (for every port of 127.0.0.1), forms posted with the page's CSRF
    token, no redirect followed: (status, headers, text) for each request."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  _NoRedirect())

    def request(self, url, data=None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(url, data=body, timeout=30) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def submit(self, page_url, action_url, data):
        _, _, html = self.request(page_url)
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)
        return self.request(action_url, {**data, "csrf_token": token})
