"""The production server of the repository (gunicorn.conf.py: gevent workers): slow phones do not
stall it, a client that stops sending is let go, password hashes wait their turn without holding
the event loop, and SQLite's writers take turns inside a process."""
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import pytest
from argon2 import PasswordHasher

from tests.conftest import PASSWORD
from tests.servers import ROOT, HttpClient, gunicorn_server


def run_gevent_check(name, tmp_path) -> dict:
    result = subprocess.run([sys.executable, "tests/gevent_checks.py", name, str(tmp_path)],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


class SlowClient(threading.Thread):
    """A phone sending a form of `size` bytes, `chunk` bytes at a time, `pause` seconds apart,
    then reading the answer; `stop_after` bytes: it stops sending and waits."""

    def __init__(self, base_url, size=300_000, chunk=2_000, pause=0.05, stop_after=None):
        super().__init__(daemon=True)
        self.port = int(base_url.rsplit(":", 1)[1])
        self.size, self.chunk, self.pause, self.stop_after = size, chunk, pause, stop_after
        self.status, self.sent = None, 0

    def run(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=60) as connection:
            connection.sendall((f"POST /connexion HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                f"Content-Type: application/x-www-form-urlencoded\r\n"
                                f"Content-Length: {self.size}\r\n\r\n").encode())
            try:
                while self.sent < self.size:
                    if self.stop_after is not None and self.sent >= self.stop_after:
                        break
                    piece = b"x" * min(self.chunk, self.size - self.sent)
                    connection.sendall(piece)
                    self.sent += len(piece)
                    time.sleep(self.pause)
                answer = connection.recv(200).decode(errors="replace")
            except OSError:
                return
            self.status = int(answer.split(" ", 2)[1]) if answer.startswith("HTTP/") else None


def get(url) -> int:
    with urllib.request.urlopen(url, timeout=30) as response:
        response.read()
        return response.status


def test_pages_are_served_while_thirty_phones_upload_slowly(app):
    with gunicorn_server(app, workers=1) as base_url:
        phones = [SlowClient(base_url) for _ in range(30)]
        for phone in phones:
            phone.start()
        time.sleep(1)  # every phone is sending, slowly (7 s each)
        assert all(phone.is_alive() for phone in phones)
        # One worker: with sync workers nothing would answer until the phones are done.
        statuses = [get(f"{base_url}{path}") for path in ("/", "/connexion", "/ouverture-des-services") * 5]
        still_sending = sum(phone.is_alive() for phone in phones)
        for phone in phones:
            phone.join(timeout=60)
    assert statuses == [200] * 15
    assert still_sending >= 25  # the pages did not wait for the phones
    # Each phone's form reached the portal whole (refused for its missing CSRF token, not lost).
    assert [phone.status for phone in phones] == [400] * 30


def test_new_visitors_get_in_while_kept_alive_clients_keep_the_workers_busy(app):
    """gunicorn's gevent worker accepted one connection per turn of its event loop when it ran
    beside others: 124 of 200 new visitors waited more than 15 s behind 40 busy clients."""
    with gunicorn_server(app, workers=2) as base_url:
        port = int(base_url.rsplit(":", 1)[1])
        stop = threading.Event()

        def busy():
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            while not stop.is_set():
                connection.request("GET", "/aide")
                connection.getresponse().read()

        def visit(answers):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
                connection.request("GET", "/")
                answers.append(connection.getresponse().status)
            except OSError as error:
                answers.append(repr(error))

        clients = [threading.Thread(target=busy, daemon=True) for _ in range(40)]
        for client in clients:
            client.start()
        time.sleep(1)
        answers = []
        visitors = [threading.Thread(target=visit, args=(answers,)) for _ in range(150)]
        for visitor in visitors:
            visitor.start()
        for visitor in visitors:
            visitor.join()
        stop.set()
    assert answers == [200] * 150


def _workers_cpu(master: int) -> dict[int, float]:
    """CPU seconds of each gunicorn worker of `master`, by pid."""
    found = {}
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            found[int(entry)] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return found


def _listeners(port: int) -> int:
    """Listening TCP sockets on 127.0.0.1:`port` (one per worker: SO_REUSEPORT)."""
    with open("/proc/net/tcp") as handle:
        return sum(1 for line in handle.readlines()[1:]
                   if line.split()[1] == f"0100007F:{port:04X}" and line.split()[3] == "0A")


def test_connections_opened_at_once_are_shared_by_the_workers(app):
    """Each worker listens on a socket of its own (SO_REUSEPORT) and the kernel spreads new
    connections over them: on a shared socket, the first worker to wake took every connection
    of a burst, then kept them alive, and the other stayed idle (two workers, one core)."""
    with gunicorn_server(app, workers=2) as base_url:
        port = int(base_url.rsplit(":", 1)[1])
        deadline = time.monotonic() + 20
        while _listeners(port) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _listeners(port) == 2
        start = threading.Barrier(20)

        def client():
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            start.wait()  # twenty connections at once, each kept alive
            for _ in range(15):
                connection.request("GET", "/aide")
                assert connection.getresponse().read()

        before = _workers_cpu(base_url.master)
        clients = [threading.Thread(target=client) for _ in range(20)]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join()
        after = _workers_cpu(base_url.master)
    used = [after[pid] - before.get(pid, 0) for pid in after]
    assert len(used) == 2 and min(used) > 0.15 * sum(used), used


def test_a_phone_that_stops_sending_is_let_go(app):
    with gunicorn_server(app, workers=1, CYCLADES_BODY_IDLE="1") as base_url:
        stalled = SlowClient(base_url, size=100_000, chunk=10_000, pause=0, stop_after=30_000)
        stalled.start()
        stalled.join(timeout=20)
        assert get(f"{base_url}/") == 200
    assert stalled.status == 408


def test_a_candidate_logs_in_through_gunicorn_and_an_old_hash_is_replaced(app, db, make_account):
    old_hash = PasswordHasher().hash(PASSWORD)  # the first sessions' parameters (64 MiB, t=3, p=4)
    account = make_account(email="ancien.hash@example.fr")
    type(account).update(password_hash=old_hash).where(type(account).id == account.id).execute()
    with gunicorn_server(app, workers=2) as base_url:
        browser = HttpClient()
        status, headers, _ = browser.submit(f"{base_url}/connexion", f"{base_url}/connexion",
                                            {"email": account.email, "password": PASSWORD})
        assert status == 303
        status, _, page = browser.request(f"{base_url}/")
        assert status == 200 and "Me déconnecter" in page
    new_hash = type(account).get_by_id(account.id).password_hash
    assert new_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    # The password still opens the account, and the new hash is not replaced again.
    browser = HttpClient()
    with gunicorn_server(app, workers=1) as base_url:
        status, _, _ = browser.submit(f"{base_url}/connexion", f"{base_url}/connexion",
                                      {"email": account.email, "password": PASSWORD})
    assert status == 303
    assert type(account).get_by_id(account.id).password_hash == new_hash


def test_password_hashes_wait_their_turn_without_holding_the_event_loop(tmp_path):
    seen = run_gevent_check("hashing_leaves_the_loop_free", tmp_path)
    assert seen["hashed"] == 6
    assert 1 <= seen["most_at_once"] <= seen["slots"] == 2
    # A greenlet sleeping 1 ms at a time ran all along (the hashes took tens of milliseconds).
    assert seen["ticks"] >= 10, seen


def test_a_photo_being_checked_does_not_hold_the_event_loop(tmp_path):
    seen = run_gevent_check("photo_check_leaves_the_loop_free", tmp_path)
    assert seen["mimetype"] == "image/jpeg"
    assert seen["ticks"] >= 10, seen


def test_requests_waiting_for_a_file_check_give_their_connection_to_the_others(tmp_path):
    seen = run_gevent_check("waiting_checks_hold_no_connection", tmp_path)
    assert seen["errors"] == [] and seen["answered"] == 6, seen


def test_sqlite_writers_of_one_process_take_turns(tmp_path):
    seen = run_gevent_check("sqlite_writers_take_turns", tmp_path)
    assert seen["errors"] == []
    assert seen["rows"] == 4


def test_a_stuck_request_ends_with_a_page_and_the_others_go_on(tmp_path):
    seen = run_gevent_check("a_stuck_request_ends_alone", tmp_path)
    assert seen["statuses"] == {"/": "200 OK", "/bloque": "503 Service Unavailable"}
    assert "Le serveur n'a pas pu répondre à temps" in seen["stuck_page"]


@pytest.mark.parametrize("setting", ["postgresql://cyclades:secret@db.example/cyclades"])
def test_the_database_url_is_printed_without_its_password(setting):
    from cyclades.db import describe
    assert describe(setting) == "postgresql://cyclades:***@db.example/cyclades"
