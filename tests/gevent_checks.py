"""Checks that need gevent's monkey-patching, which a test process cannot undo: run as
`python tests/gevent_checks.py NAME DIRECTORY` by tests/test_production_server.py, printing
one JSON line of what it saw."""
from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import gevent  # noqa: E402


class Ticker:
    """A greenlet that counts the milliseconds it gets to run: it counts nothing while the event
    loop is held."""

    def __init__(self):
        self.ticks = 0
        self.greenlet = gevent.spawn(self._tick)

    def _tick(self):
        while True:
            gevent.sleep(0.001)
            self.ticks += 1

    def stop(self):
        self.greenlet.kill()


def hashing_leaves_the_loop_free(directory):
    """While six passwords are hashed, another greenlet keeps running; at most HASH_SLOTS
    hashes run at once."""
    from cyclades import security

    running, most = 0, 0
    real = security._hasher

    class Counting:
        def hash(self, password):
            nonlocal running, most
            running += 1  # from the pool's threads: a counter is enough to see overlap
            most = max(most, running)
            try:
                return real.hash(password)
            finally:
                running -= 1

    security._hasher = Counting()
    ticker = Ticker()
    started = time.perf_counter()
    hashes = gevent.joinall([gevent.spawn(security.hash_password, f"mot de passe {n}")
                             for n in range(6)])
    elapsed = time.perf_counter() - started
    ticker.stop()
    return {"hashed": sum(1 for g in hashes if g.value.startswith("$argon2id$")),
            "most_at_once": most, "slots": security.HASH_SLOTS,
            "ticks": ticker.ticks, "elapsed_ms": round(elapsed * 1000)}


def sqlite_writers_take_turns(directory):
    """Two greenlets each write while the other waits inside its own transaction: with the
    writers queued in the process, both commit (without it, the second waits in SQLite's C
    busy loop, holding the event loop, and the first can never finish)."""
    from cyclades.db import database, make_database, write_transaction
    from cyclades.migrations import upgrade
    from cyclades.models import AuditLog

    database.initialize(make_database(f"{directory}/gevent.sqlite3"))
    with database.connection_context():
        upgrade(database)

    def write(n):
        with database.connection_context():
            with write_transaction():
                AuditLog.create(action=f"test.{n}")
                gevent.sleep(0.05)  # the greenlet yields with the write lock held

    started = time.perf_counter()
    greenlets = [gevent.spawn(write, n) for n in range(4)]
    gevent.joinall(greenlets)
    with database.connection_context():
        rows = AuditLog.select().count()
    return {"rows": rows, "errors": [repr(g.exception) for g in greenlets if g.exception],
            "elapsed_ms": round((time.perf_counter() - started) * 1000)}


def a_stuck_request_ends_alone(directory):
    """A request stuck for longer than REQUEST_TIMEOUT gets a 503; one beside it answers."""
    from cyclades.serving import Deadlines

    def application(environ, start_response):
        if environ["PATH_INFO"] == "/bloque":
            gevent.sleep(10)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    app = Deadlines(application, max_body=1024, request_timeout=0.3)
    statuses = {}

    def call(path):
        def start_response(status, headers, exc_info=None):
            statuses[path] = status
        body = b"".join(app({"PATH_INFO": path, "CONTENT_LENGTH": ""}, start_response))
        return body.decode()

    stuck, healthy = gevent.spawn(call, "/bloque"), gevent.spawn(call, "/")
    gevent.joinall([stuck, healthy], timeout=5)
    return {"statuses": statuses, "stuck_page": stuck.value}


def photo_check_leaves_the_loop_free(directory):
    """While a 12 Mpx photo is checked (decoded, cleaned, encoded again), another greenlet
    keeps running."""
    import io
    import os

    from PIL import Image

    from cyclades import uploads
    from cyclades.operations.pieces import FILE_CHECK_SLOTS
    from cyclades.serving import offload

    buffer = io.BytesIO()
    Image.frombytes("RGB", (4000, 3000), os.urandom(4000 * 3000 * 3)).save(buffer, "JPEG")
    ticker = Ticker()
    started = time.perf_counter()
    checked = offload("file-check", FILE_CHECK_SLOTS, uploads.check_file, buffer)
    elapsed = time.perf_counter() - started
    ticker.stop()
    return {"mimetype": checked.mimetype, "ticks": ticker.ticks,
            "elapsed_ms": round(elapsed * 1000)}


def waiting_checks_hold_no_connection(directory):
    """Six requests of a worker whose pool has two connections each read, then wait for a
    one-slot check, then read again: while they wait their turn, their connections serve the
    others (else the third would wait for a connection until POOL_WAIT)."""
    from cyclades.db import database, make_database
    from cyclades.migrations import upgrade
    from cyclades.models import AuditLog
    from cyclades.serving import offload

    database.initialize(make_database(f"{directory}/gevent.sqlite3", pool_size=2))
    database.obj._wait_timeout = 1  # seconds a request waits for a connection here
    with database.connection_context():
        upgrade(database)

    def request(n):
        database.connect(reuse_if_open=True)  # as before_request does
        try:
            AuditLog.select().count()
            offload("check", 1, time.sleep, 0.4)  # 2,4 s for the six, one after the other
            return AuditLog.select().count()
        finally:
            if not database.is_closed():
                database.close()

    started = time.perf_counter()
    greenlets = [gevent.spawn(request, n) for n in range(6)]
    gevent.joinall(greenlets)
    return {"answered": sum(1 for g in greenlets if g.successful()),
            "errors": [repr(g.exception) for g in greenlets if g.exception],
            "elapsed_ms": round((time.perf_counter() - started) * 1000)}


if __name__ == "__main__":
    name, directory = sys.argv[1], sys.argv[2]
    print(json.dumps(globals()[name](directory)))
