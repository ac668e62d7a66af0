"""The Peewee database: pooled connections, SQLite tuned for a web server, schema CLI.

`CYCLADES_DATABASE` is a SQLite file path (the default) or a database URL such as
`postgresql://user:password@host/cyclades` when an académie outgrows one machine.

A request takes a connection from the process's pool and gives it back at its end: connections
stay open (SQLite's PRAGMAs run once per connection, not per request). Peewee keeps the current
connection per thread, which gevent's monkey-patching makes per greenlet.
"""
import logging
import threading
from contextlib import contextmanager
from contextvars import ContextVar
from urllib.parse import urlsplit

import click
from flask.cli import with_appcontext
from flask import current_app
from peewee import DatabaseProxy, SqliteDatabase, Value
from playhouse.db_url import connect as connect_url
from playhouse.pool import PooledSqliteDatabase

database = DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",  # readers never wait for the writer
    "foreign_keys": 1,
    "busy_timeout": 5000,  # ms a writer waits for another before "database is locked"
    "synchronous": "normal",  # safe with WAL, much faster than "full"
}


#: Connections one process keeps at most; a request that finds none free waits this long.
POOL_SIZE = 32
POOL_WAIT = 10  # seconds
#: Connections unused this long are closed (a PostgreSQL server restarted meanwhile).
POOL_STALE = 600  # seconds


def make_database(setting: str, pool_size: int = POOL_SIZE):
    if "://" in setting:
        scheme, rest = setting.split("://", 1)
        if scheme in {"postgres", "postgresql"}:
            _cooperate_with_gevent()
            setting = f"{scheme}+pool://{rest}"
        return connect_url(setting, max_connections=pool_size, timeout=POOL_WAIT,
                           stale_timeout=POOL_STALE)
    return PooledSqliteDatabase(setting, pragmas=SQLITE_PRAGMAS, check_same_thread=False,
                                max_connections=pool_size, timeout=POOL_WAIT)


def _cooperate_with_gevent() -> None:
    """Under gevent's workers, psycopg2 waits for the server through select(), which gevent
    patched: a query in flight lets the other requests of the process run."""
    try:
        from gevent import monkey
    except ImportError:
        return
    if monkey.is_module_patched("select"):
        import psycopg2.extensions
        import psycopg2.extras
        psycopg2.extensions.set_wait_callback(psycopg2.extras.wait_select)


def is_sqlite() -> bool:
    return isinstance(database.obj, SqliteDatabase)


def describe(setting: str) -> str:
    """`setting` without its password, to be printed."""
    if "://" not in setting:
        return setting
    parts = urlsplit(setting)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return setting


#: SQLite has one writer at a time. Within a process, writers queue on this lock (cooperative
#: under gevent): without it, a greenlet waiting for the write lock in SQLite's C busy loop would
#: hold the whole event loop, and with it the greenlet that holds the lock.
_sqlite_writer = threading.Lock()


log = logging.getLogger(__name__)

#: The callbacks to run once the outermost write_transaction() has committed.
_after_commit: ContextVar[list | None] = ContextVar("after_commit", default=None)


@contextmanager
def write_transaction():
    """A transaction for a write. On SQLite it takes the write lock at once (IMMEDIATE), so a
    read-then-write that meets another writer waits (busy_timeout) instead of failing with
    "database is locked", and writers run one after the other. On PostgreSQL they run side by
    side: a read-then-write locks the rows it reads with `for_write()`. What `on_commit()`
    registered inside runs once the outermost one has committed, and never if it (or the
    savepoint it was registered in) rolls back."""
    parent = _after_commit.get()
    callbacks: list = []
    token = _after_commit.set(callbacks)
    try:
        if parent is not None or database.in_transaction():
            with database.atomic():  # a savepoint: the outer transaction commits
                yield
        elif is_sqlite():
            with _sqlite_writer, database.atomic(lock_type="IMMEDIATE"):
                yield
        else:
            with database.atomic():
                yield
    finally:
        _after_commit.reset(token)
    # Only reached when the block (savepoint or transaction) succeeded.
    if parent is not None:
        parent.extend(callbacks)  # they wait for the outer commit
        return
    if callbacks and database.in_transaction():
        # Inside a transaction not opened here (a command's own atomic()): its commit cannot be
        # waited for. The tasks run now may find nothing yet; the periodic jobs catch up.
        log.warning("on_commit() hors d'une write_transaction() extérieure")
    for callback in callbacks:
        try:
            callback()
        except Exception:  # what was committed stays; the callback's own work is retried
            log.exception("Après la transaction : %r a échoué", callback)


@contextmanager
def connection_released():
    """The request's connection back to the pool for the block (which waits without the
    database); the next statement takes one again. Only a connection opened as a request opens
    it (`connect()`): not one a transaction holds, nor one of a `connection_context()` (a
    command, the worker, a test), which expects to close it itself."""
    if (database.obj is None or database.is_closed() or database.in_transaction()
            or database.obj._state.ctx):
        yield
        return
    database.close()
    yield


def for_write(query):
    """`query`'s rows locked until the transaction ends (SELECT … FOR UPDATE on PostgreSQL), so
    that two read-then-writes of the same rows (a form sent twice at once) run one after the
    other. SQLite needs none: its IMMEDIATE transaction already holds every other writer back."""
    return query.for_update() if getattr(database.obj, "for_update", False) else query


class _Slot:
    """A parameter of a Prepared query, named."""
    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name


def _slot(name: str) -> Value:
    return Value(_Slot(name), converter=False)  # sent as given, not through a field


class Prepared:
    """A query built once, its SQL text kept: each call sends that text with its own values.

    Peewee writes a query's SQL anew at every execution, column by column: a session joined to
    its account (35 columns) costs about 0,4 ms before SQLite is even asked, on every request.
    The queries read at every request are built here once per process (and database kind).
    `build(slot)` returns the query; `slot("name")` stands for the value given as `name=` at
    each call, sent as it is (an id, a string, a datetime: what the column holds, no field
    conversion). The rows come back as the query would give them (joined models included)."""

    def __init__(self, build):
        self.build = build
        self._made: dict = {}

    def _query(self):
        kind = type(database.obj)
        made = self._made.get(kind)
        if made is None:
            query = self.build(_slot)
            sql, params = query.sql()
            made = self._made[kind] = (query, sql, params)
        return made

    def rows(self, **values) -> list:
        query, sql, params = self._query()
        bound = [values[p.name] if isinstance(p, _Slot) else p for p in params]
        return list(query._get_cursor_wrapper(database.execute_sql(sql, bound)))

    def first(self, **values):
        found = self.rows(**values)
        return found[0] if found else None


def on_commit(callback) -> None:
    """Run `callback` once the current write_transaction() has committed (at once outside one):
    a task is enqueued only for rows that exist."""
    callbacks = _after_commit.get()
    if callbacks is None:
        callback()
    else:
        callbacks.append(callback)


def init_app(app):
    database.initialize(make_database(app.config["DATABASE"]))

    @app.before_request
    def _connect():
        database.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(exc):
        if not database.is_closed():
            database.close()  # back to the pool, open

    if app.config.get("COUNT_STATEMENTS"):
        _count_statements(app)
    app.cli.add_command(init_db_command)
    app.cli.add_command(migrate_command)


#: Statements the current request sent, when COUNT_STATEMENTS is on.
_statements: ContextVar[list | None] = ContextVar("statements", default=None)


def _count_statements(app) -> None:
    """Each response says in `X-Statements` how many SQL statements its request sent
    (benchmarks/request_costs.py; CYCLADES_COUNT_STATEMENTS=1). Off by default."""
    execute_sql = database.obj.execute_sql

    def counted(sql, params=None, *args, **kwargs):
        seen = _statements.get()
        if seen is not None:
            seen.append(sql)
        return execute_sql(sql, params, *args, **kwargs)

    database.obj.execute_sql = counted

    @app.before_request
    def _start():
        _statements.set([])

    @app.after_request
    def _header(response):
        seen = _statements.get()
        if seen is not None:
            response.headers["X-Statements"] = str(len(seen))
        return response


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create the database, or bring an existing one up to the current schema, then load the
    reference tables (cyclades/data/*.toml) so that the new schema has its rules."""
    from cyclades import demo
    from cyclades.migrations import upgrade

    with database.connection_context():
        before, after = upgrade(database)
        with database.atomic():
            demo.load_reference()
    if before == after:
        click.echo(f"Base de données à jour (schéma {after}) : {describe(current_app.config['DATABASE'])}")
    else:
        click.echo(f"Schéma {before} → {after} : {describe(current_app.config['DATABASE'])}")


@click.command("migrate")
@with_appcontext
def migrate_command():
    """Upgrade an existing database to the current schema, keeping every row."""
    init_db_command.callback()
