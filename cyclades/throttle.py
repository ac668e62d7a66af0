"""Rate limits that count what they protect, shared by every process of the server.

A limit counts an event, not a request: a failed login (per address and client together, per
address with a higher cap, per client), a mail sent (per address, per client). A candidate who
mistypes a field, or logs in five times, is never held back; an attacker who tries passwords
on someone's address from elsewhere blocks only their own attempts, until the higher cap, and
the owner is let through by the reset link (which clears that address's counters).

The counters live in the storage of CYCLADES_RATELIMIT_STORAGE, a `limits` storage: by default a
SQLite file under instance/ (`sqlite:///path`, the storage below: every process of one machine
shares it, no service to run), or `redis://…` when several machines serve the portal. The
moving-window strategy: a limit of 5 per 15 minutes means at most 5 in any 15 minutes.

A view calls `enforce()` before it acts (raises Exceeded, a 429 page saying until when) and
`count()` once the event has happened; `take()` does both in one step, before the outcome is
known, where parallel requests must not all pass (failed logins for one address and client:
the success gives it back with `forget()`).
"""
import ipaddress
import os
import sqlite3
import threading
import time
from datetime import datetime, timedelta, timezone

from flask import current_app, request
from limits import parse
from limits.storage import MovingWindowSupport, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from cyclades.queue import crontab, periodic


class Exceeded(Exception):
    """A limit is reached: the action is refused until `retry_at` (UTC, naive)."""

    def __init__(self, retry_at: datetime, setting: str):
        super().__init__(setting)
        self.retry_at = retry_at
        self.setting = setting

    @property
    def retry_after(self) -> int:
        """Seconds to wait (the Retry-After header)."""
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        return max(1, int((self.retry_at - now).total_seconds()) + 1)


class SQLiteStorage(Storage, MovingWindowSupport):
    """A `limits` storage in a SQLite file: the processes of one machine share its counters.
    Moving windows (what cyclades uses) and fixed ones; one connection per thread and
    process."""

    STORAGE_SCHEME = ["sqlite"]
    #: Hits older than this are deleted by the hourly job (the longest window is an hour).
    KEEP_SECONDS = 24 * 3600

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = uri.split("://", 1)[1]
        self._local = threading.local()

    @property
    def base_exceptions(self):
        return sqlite3.Error

    def _db(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None or self._local.pid != os.getpid():
            os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=5, isolation_level=None,
                                         check_same_thread=False)
            self._prepare(connection)
            self._local.connection, self._local.pid = connection, os.getpid()
        return connection

    @staticmethod
    def _prepare(connection: sqlite3.Connection) -> None:
        """WAL (readers never wait) and the table. Switching a new file to WAL needs it alone,
        which the busy timeout does not cover: processes starting together take turns."""
        deadline = time.monotonic() + 10
        while True:
            try:
                if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("PRAGMA synchronous=NORMAL")
                connection.execute("CREATE TABLE IF NOT EXISTS hit (key TEXT NOT NULL, "
                                   "at REAL NOT NULL)")
                connection.execute("CREATE INDEX IF NOT EXISTS hit_key_at ON hit (key, at)")
                connection.execute("CREATE TABLE IF NOT EXISTS counter (key TEXT PRIMARY KEY, "
                                   "value INTEGER NOT NULL, expires REAL NOT NULL)")
                return
            except sqlite3.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        if amount > limit:
            return False
        now = time.time()
        db = self._db()
        db.execute("BEGIN IMMEDIATE")  # processes count one after the other
        try:
            db.execute("DELETE FROM hit WHERE key = ? AND at <= ?", (key, now - expiry))
            (count,) = db.execute("SELECT COUNT(*) FROM hit WHERE key = ?", (key,)).fetchone()
            acquired = count + amount <= limit
            if acquired:
                db.executemany("INSERT INTO hit (key, at) VALUES (?, ?)",
                               [(key, now)] * amount)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        return acquired

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        now = time.time()
        oldest, count = self._db().execute(
            "SELECT MIN(at), COUNT(*) FROM hit WHERE key = ? AND at > ?",
            (key, now - expiry)).fetchone()
        return (oldest if oldest is not None else now), count

    # The fixed-window part of the Storage interface (limits' other strategies).
    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("DELETE FROM counter WHERE key = ? AND expires <= ?", (key, now))
            db.execute("INSERT INTO counter (key, value, expires) VALUES (?, ?, ?) "
                       "ON CONFLICT (key) DO UPDATE SET value = value + excluded.value",
                       (key, amount, now + expiry))
            (value,) = db.execute("SELECT value FROM counter WHERE key = ?", (key,)).fetchone()
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        return value

    def get(self, key: str) -> int:
        row = self._db().execute("SELECT value FROM counter WHERE key = ? AND expires > ?",
                                 (key, time.time())).fetchone()
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._db().execute("SELECT expires FROM counter WHERE key = ? AND expires > ?",
                                 (key, time.time())).fetchone()
        return row[0] if row else time.time()

    def check(self) -> bool:
        return self._db().execute("SELECT 1").fetchone() == (1,)

    def reset(self) -> int | None:
        db = self._db()
        return db.execute("DELETE FROM hit").rowcount + db.execute("DELETE FROM counter").rowcount

    def clear(self, key: str) -> None:
        db = self._db()
        db.execute("DELETE FROM hit WHERE key = ?", (key,))
        db.execute("DELETE FROM counter WHERE key = ?", (key,))

    def forget_old(self) -> int:
        db = self._db()
        now = time.time()
        return (db.execute("DELETE FROM hit WHERE at < ?", (now - self.KEEP_SECONDS,)).rowcount
                + db.execute("DELETE FROM counter WHERE expires < ?", (now,)).rowcount)


def init_app(app):
    storage = storage_from_string(app.config["RATELIMIT_STORAGE"])
    app.extensions["cyclades.throttle"] = MovingWindowRateLimiter(storage)


def _limiter() -> MovingWindowRateLimiter:
    return current_app.extensions["cyclades.throttle"]


def client() -> str:
    """The client's address (the reverse proxy's X-Forwarded-For when it is trusted); for IPv6
    its /64 network, which one subscriber holds whole (counting each address would give them
    billions of clients)."""
    address = request.remote_addr or "?"
    if ":" in address:
        try:
            return str(ipaddress.ip_network(f"{address}/64", strict=False))
        except ValueError:
            pass
    return address


def _rules(rules):
    config = current_app.config
    for setting, *keys in rules:
        yield setting, parse(config[setting]), [str(k)[:320] for k in keys]


def enforce(*rules) -> None:
    """Each rule: (setting, key, …), e.g. ("LIMIT_LOGIN_FAILURES_PAIR", email, client()).
    Raises Exceeded, with the latest moment one is free again, if any is spent."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    spent = []
    for setting, limit, keys in _rules(rules):
        if not _limiter().test(limit, setting, *keys):
            reset = _limiter().get_window_stats(limit, setting, *keys).reset_time
            spent.append((reset, setting))
    if spent:
        reset, setting = max(spent)
        raise Exceeded(datetime.fromtimestamp(reset, timezone.utc).replace(tzinfo=None),
                       setting)


def take(rule) -> None:
    """One more for `rule`, counted in the same step as the check (the storage does both
    atomically): raises Exceeded when it is already spent. What parallel requests cannot slip
    through between a check and a count."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    [(setting, limit, keys)] = _rules([rule])
    if not _limiter().hit(limit, setting, *keys):
        reset = _limiter().get_window_stats(limit, setting, *keys).reset_time
        raise Exceeded(datetime.fromtimestamp(reset, timezone.utc).replace(tzinfo=None),
                       setting)


def count(*rules) -> None:
    """The event happened: one more for each rule."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    for setting, limit, keys in _rules(rules):
        _limiter().hit(limit, setting, *keys)


def _once(window: timedelta):
    return parse(f"1 per {max(1, int(window.total_seconds()))} seconds")


def seen_within(window: timedelta, *keys) -> bool:
    """An action with these keys was recorded (`record_seen`) less than `window` ago."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return False
    return not _limiter().test(_once(window), "seen", *[str(k)[:320] for k in keys])


def record_seen(window: timedelta, *keys) -> None:
    if current_app.config.get("RATELIMIT_ENABLED", True):
        _limiter().hit(_once(window), "seen", *[str(k)[:320] for k in keys])


def forget(*rules) -> None:
    """Start each rule's count again (the owner proved who they are)."""
    for setting, limit, keys in _rules(rules):
        _limiter().clear(limit, setting, *keys)


@periodic(crontab(minute="41"))
def forget_old_hits() -> None:
    storage = _limiter().storage
    if isinstance(storage, SQLiteStorage):
        storage.forget_old()
