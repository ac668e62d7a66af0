"""An existing database is upgraded in place and loses nothing: a SQLite file as schema 1
created it, and on the PostgreSQL run a PostgreSQL database as schema 1 created it."""
import sqlite3
from datetime import date
from pathlib import Path

from peewee import SqliteDatabase

from cyclades.db import database, make_database
from cyclades.migrations import LATEST, current_version, upgrade
from cyclades.models import Academie, Account
from tests.conftest import postgresql_only, sqlite_only
from tests.postgres import close_pool

V1_DUMP = Path(__file__).parent / "data" / "schema_v1.sql"
V1_POSTGRESQL_DUMP = Path(__file__).parent / "data" / "schema_v1.postgresql.sql"


def columns(path):
    connection = sqlite3.connect(path)
    tables = [r[0] for r in connection.execute(
        "select name from sqlite_master where type='table' and name != 'sqlite_sequence'")]
    shape = {t: sorted((r[1], r[2], r[3]) for r in connection.execute(f'pragma table_info("{t}")'))
             for t in tables}
    connection.close()
    return shape


@sqlite_only
def test_a_version_1_database_is_upgraded_without_losing_rows(app, tmp_path):
    old = tmp_path / "ancienne.sqlite3"
    connection = sqlite3.connect(old)
    connection.executescript(V1_DUMP.read_text())
    connection.close()

    database.initialize(make_database(str(old)))
    with database.connection_context():
        assert current_version(database) == 1
        before, after = upgrade(database)
        assert (before, after) == (1, LATEST)
        assert Account.get(Account.email == "ancienne.candidate@example.fr").prenoms == "Élodie Anne"
        assert Academie.get(Academie.code == "lille").name == "Lille"
        assert upgrade(database) == (LATEST, LATEST)  # running it again changes nothing

    fresh = tmp_path / "neuve.sqlite3"
    database.initialize(SqliteDatabase(str(fresh)))
    with database.connection_context():
        upgrade(database)
    assert columns(old) == columns(fresh)


def postgresql_shape(db):
    """Every column (type, null or not, default), index, constraint (keys, foreign keys) and
    trigger of a PostgreSQL database."""
    shape = {}
    for table, column, kind, nullable, default in db.execute_sql(
            "SELECT table_name, column_name, data_type, is_nullable, column_default "
            "FROM information_schema.columns WHERE table_schema = 'public'"):
        shape.setdefault(table, set()).add((column, kind, nullable, default))
    for table, index in db.execute_sql(
            "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'"):
        shape.setdefault(table, set()).add(index)
    for table, constraint in db.execute_sql(
            "SELECT trim('\"' FROM conrelid::regclass::text), pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE connamespace = 'public'::regnamespace"):
        shape.setdefault(table, set()).add(constraint)
    for table, trigger, timing, event, action in db.execute_sql(
            "SELECT event_object_table, trigger_name, action_timing, event_manipulation, "
            "action_statement FROM information_schema.triggers "
            "WHERE trigger_schema = 'public'"):
        shape.setdefault(table, set()).add((trigger, timing, event, action))
    return {table: sorted(map(str, items)) for table, items in shape.items()}


@postgresql_only
def test_a_version_1_postgresql_database_is_upgraded_without_losing_rows(app, postgres_cluster):
    import psycopg2

    fresh = make_database(app.config["DATABASE"], pool_size=1)  # a new database, migrated
    with postgres_cluster.database() as url:
        connection = psycopg2.connect(url)
        connection.autocommit = True  # the dump has its own BEGIN and COMMIT
        with connection.cursor() as cursor:
            cursor.execute(V1_POSTGRESQL_DUMP.read_text())
        connection.close()

        old = make_database(url, pool_size=1)
        database.initialize(old)
        try:
            with database.connection_context():
                assert current_version(database) == 1
                assert upgrade(database) == (1, LATEST)
                account = Account.get(Account.email == "ancienne.candidate@example.fr")
                assert account.prenoms == "Élodie Anne"
                assert Academie.get(Academie.code == "lille").name == "Lille"
                assert upgrade(database) == (LATEST, LATEST)  # running it again changes nothing
                # The sequences follow the rows kept: the next account gets the next id.
                newcomer = Account.create(
                    email="nouvelle@example.fr", civilite="MME", nom_naissance="MARTIN",
                    prenoms="Chloé", date_naissance=date(2000, 1, 2), pays_naissance="FR",
                    password_hash="x")
                assert newcomer.id == account.id + 1
                upgraded = postgresql_shape(database)
        finally:
            close_pool(old)
    database.initialize(fresh)
    try:
        with database.connection_context():
            assert upgraded == postgresql_shape(database)
    finally:
        close_pool(fresh)


def test_init_db_command_reports_the_schema(app):
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert f"schéma {LATEST}" in result.output


@sqlite_only
def test_sqlite_runs_in_wal_with_foreign_keys(app, db):
    assert database.execute_sql("pragma journal_mode").fetchone()[0] == "wal"
    assert database.execute_sql("pragma foreign_keys").fetchone()[0] == 1
    assert database.execute_sql("pragma busy_timeout").fetchone()[0] == 5000


def test_init_db_loads_the_rules_the_new_schema_needs(app, db):
    from cyclades.models import Specialty, Unit
    app.test_cli_runner().invoke(args=["init-db"])
    assert Unit.select().count() > 0
    assert Specialty.get(Specialty.code == "CSR").single_language


def test_candidatures_keep_the_brevet_professionnel_they_declared(app, db, make_account):
    from cyclades import demo, migrations
    from cyclades.models import Candidature, CandidatureVersion, ExamSession

    academies, exams = demo.load_reference()
    answers = {"acquis": {"acquis": "diplome", "diplome": "bp:3", "items": [
        {"unit": "U31", "kind": "diplome", "diploma": "bp:3"}]}, "identification": {
        "adresse": "3 rue bp:2"}}
    candidature = Candidature.create(account=make_account(), academie=academies["lille"],
                                     exam=exams["BCP"], session=ExamSession.create(year=2027),
                                     draft=answers, answers=answers)
    CandidatureVersion.create(candidature=candidature, number=1, answers=answers)
    migrations._rename_bp_codes(database)
    for stored in (Candidature.get_by_id(candidature.id).answers,
                   Candidature.get_by_id(candidature.id).draft,
                   CandidatureVersion.get(CandidatureVersion.candidature == candidature).answers):
        assert stored["acquis"]["diplome"] == "bp:electricien"
        assert stored["acquis"]["items"][0]["diploma"] == "bp:electricien"
        assert stored["identification"]["adresse"] == "3 rue bp:2"  # only whole codes change
