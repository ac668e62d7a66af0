"""Reference data (académies, exams, sessions, specialties and their units, windows) kept in each
process.

Every page of a candidature reads its académie, exam, session, specialty and windows, and the
units of the specialty: rows that change only when `load-reference` runs or a gestionnaire edits
them. They are
read once per process and kept, keyed by id.

They are never served stale: a trigger on each of their tables adds one to
`reference_version.version` on every insert, update or delete, whoever writes (a command, the
back-office, a test). Each request reads that number first (one small statement) and drops what it
kept when it has moved. Outside a request (the worker, a command), nothing is kept: every read
goes to the database.
"""
from contextvars import ContextVar

from peewee import DatabaseError, ForeignKeyAccessor, ForeignKeyField

from cyclades.db import database

#: The reference tables, whose writes move the version. Their rows are read-only to the pages.
TABLES = ("academie", "exam", "exam_session", "specialty", "unit", "window")

#: Set for the duration of a request whose version has been checked.
_checked: ContextVar[dict | None] = ContextVar("reference_cache", default=None)


class _Store:
    def __init__(self):
        self.version = None
        self.rows: dict = {}


def _store() -> _Store:
    """The cache of the current database (a new database, as each test has, starts empty)."""
    db = database.obj
    store = getattr(db, "_cyclades_reference", None)
    if store is None:
        store = db._cyclades_reference = _Store()
    return store


def begin_request() -> None:
    try:
        row = database.execute_sql("SELECT version FROM reference_version").fetchone()
    except DatabaseError:  # a database not upgraded yet (init-db): nothing is kept
        if not database.in_transaction() and not is_sqlite_database(database):
            database.rollback()
        row = None
    store = _store()
    version = row[0] if row else None
    if version != store.version:
        store.rows = {}
        store.version = version
    _checked.set(store.rows if version is not None else None)


def end_request() -> None:
    _checked.set(None)


def cached(key, load):
    """`load()` once per reference version, during a request; at every call outside one."""
    rows = _checked.get()
    if rows is None:
        return load()
    try:
        return rows[key]
    except KeyError:
        value = rows[key] = load()
        return value


class _CachedAccessor(ForeignKeyAccessor):
    def get_rel_instance(self, instance):
        value = instance.__data__.get(self.name)
        if value is None or self.name in instance.__rel__ or _checked.get() is None:
            return super().get_rel_instance(instance)
        model = self.rel_model
        found = cached((model.__name__, value), lambda: model.get_or_none(model.id == value))
        if found is None:
            return super().get_rel_instance(instance)  # raises DoesNotExist as Peewee does
        instance.__rel__[self.name] = found
        return found


class ReferenceField(ForeignKeyField):
    """A foreign key to a reference table: followed through the process's cache."""
    accessor_class = _CachedAccessor


# --- The version and its triggers ------------------------------------------------------------

def create_version_table(db) -> None:
    db.execute_sql("CREATE TABLE IF NOT EXISTS reference_version (version INTEGER NOT NULL)")
    if not db.execute_sql("SELECT 1 FROM reference_version").fetchone():
        db.execute_sql("INSERT INTO reference_version (version) VALUES (1)")
    sqlite = is_sqlite_database(db)
    for table in TABLES:
        if sqlite:
            for operation in ("INSERT", "UPDATE", "DELETE"):
                db.execute_sql(
                    f'CREATE TRIGGER IF NOT EXISTS "{table}_reference_{operation.lower()}" '
                    f'AFTER {operation} ON "{table}" '
                    f"BEGIN UPDATE reference_version SET version = version + 1; END")
        else:
            db.execute_sql(
                "CREATE OR REPLACE FUNCTION reference_changed() RETURNS trigger AS $$ "
                "BEGIN UPDATE reference_version SET version = version + 1; RETURN NULL; END; "
                "$$ LANGUAGE plpgsql")
            db.execute_sql(f'DROP TRIGGER IF EXISTS "{table}_reference" ON "{table}"')
            db.execute_sql(
                f'CREATE TRIGGER "{table}_reference" AFTER INSERT OR UPDATE OR DELETE '
                f'ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION reference_changed()')


def is_sqlite_database(db) -> bool:
    from peewee import SqliteDatabase
    return isinstance(getattr(db, "obj", None) or db, SqliteDatabase)


def init_app(app) -> None:
    @app.before_request
    def _check_version():
        begin_request()

    @app.teardown_request
    def _forget(exc):
        end_request()
