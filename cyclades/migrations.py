"""Forward migrations, so that an existing database is upgraded in place and loses nothing.

A new database gets every table from the models and is stamped with the latest version. An
existing one runs, in order, each migration above its recorded version. A migration never uses a
model whose definition may change later: it names its columns itself (playhouse.migrate's
SchemaMigrator and migrate()), or
creates a table that no later migration alters before it runs. `tests/test_migrations.py` checks
that a database created with schema 1 and upgraded ends with the same columns as a new one.

To change the schema: change the model, append a migration below, and add to the test a fixture
database of the previous version if the change alters an existing table.
"""
from cyclades import models


def _v2_audit_log(db):
    """Audit lines for every write made by a person (STYLE: one operation, one audit line).
    As v2 made it: v11 adds the gestionnaire who made a write."""
    from peewee import CharField, DateTimeField, ForeignKeyField

    class AuditLogV2(models.BaseModel):
        at = DateTimeField(default=models.utcnow, index=True)
        account = ForeignKeyField(models.Account, null=True, on_delete="SET NULL")
        action = CharField(index=True)
        detail = models.JSONField(default=dict)

        class Meta:
            table_name = "audit_log"

    db.create_tables([AuditLogV2])


def _v3_candidatures(db):
    """M'inscrire: the candidatures, their saved versions, and the account's N° candidat."""
    from peewee import CharField
    from playhouse.migrate import SchemaMigrator, migrate

    migrator = SchemaMigrator.from_database(db)
    migrate(migrator.add_column("account", "numero_candidat", CharField(null=True)),
            migrator.add_index("account", ("numero_candidat",), unique=True))
    db.create_tables([models.Candidature, models.CandidatureVersion])


def _v4_regulations(db):
    """The exam rules as data: each specialty's units and the dispense table (filled by
    load-reference), and the single-language services specialties (R26)."""
    from peewee import BooleanField
    from playhouse.migrate import SchemaMigrator, migrate

    migrator = SchemaMigrator.from_database(db)
    migrate(migrator.add_column("specialty", "single_language", BooleanField(default=False)))
    db.create_tables([models.Unit, models.Diploma])
    _rename_bp_codes(db)


#: The brevets professionnels of the dispense table had their position as code before v4.
BP_CODES = {"bp:0": "bp:froid", "bp:1": "bp:menuisier", "bp:2": "bp:charpentier",
            "bp:3": "bp:electricien"}


def _rename_bp_codes(db):
    """Candidatures (draft, saved answers, every version) that declared a BP keep it."""
    import re

    pattern = re.compile(r'"(bp:[0-3])"')
    for table, columns in (("candidature", ("draft", "answers")),
                           ("candidature_version", ("answers",))):
        for row_id, *values in db.execute_sql(
                f"SELECT id, {', '.join(columns)} FROM {table}").fetchall():
            changed = {column: pattern.sub(lambda m: f'"{BP_CODES[m.group(1)]}"', value)
                       for column, value in zip(columns, values) if value and "bp:" in value}
            if changed:
                assignments = ", ".join(f"{column} = {db.param}" for column in changed)
                db.execute_sql(f"UPDATE {table} SET {assignments} WHERE id = {db.param}",
                               [*changed.values(), row_id])


def _v5_documents(db):
    """Mes documents: every version of every document of a candidature (R40)."""
    db.create_tables([models.Document])


def _v6_pieces(db):
    """Mes justificatifs: the pieces' statuses and files, the declaration « J'ai fourni toutes
    mes pièces », and the pieces an académie wants by post."""
    from peewee import DateTimeField, TextField
    from playhouse.migrate import SchemaMigrator, migrate

    migrator = SchemaMigrator.from_database(db)
    wanted = [("candidature", "pieces_declared_at", DateTimeField(null=True)),
              ("academie", "postal_pieces", TextField(default="[]"))]
    # A database upgraded from before v3 got `candidature` from today's model: it has the column.
    migrate(*[migrator.add_column(table, column, field) for table, column, field in wanted
              if column not in {c.name for c in db.get_columns(table)}])
    db.create_tables([models.CandidaturePiece, models.PieceFile])


def _v7_outbox(db):
    """Mail that never blocks a page nor is lost: the outbox, delivered by the worker."""
    db.create_tables([models.OutgoingMail])


def _v8_login_sessions(db):
    """Sessions held on the server (logout ends them); the account's session token, which only
    a new password could end, goes."""
    from playhouse.migrate import SchemaMigrator, migrate

    db.create_tables([models.LoginSession])
    if "session_token" in {c.name for c in db.get_columns("account")}:
        migrator = SchemaMigrator.from_database(db)
        indexes = {index.name for index in db.get_indexes("account")}
        steps = [migrator.drop_index("account", "account_session_token")] \
            if "account_session_token" in indexes else []
        migrate(*steps, migrator.drop_column("account", "session_token"))


def _v9_reference_version(db):
    """Reference data kept in each process: the version its tables' triggers move."""
    from cyclades import reference
    reference.create_version_table(db)


def _v10_kept_tabs(db):
    """A tab sent after its session ended is kept until its owner logs in again."""
    db.create_tables([models.KeptTab])


def _v11_gestionnaires(db):
    """The gestionnaire side: its people, their recovery codes and sessions; the audit trail
    says which gestionnaire made a write."""
    from peewee import BooleanField, CharField
    from playhouse.migrate import SchemaMigrator, migrate

    db.create_tables([models.Gestionnaire, models.RecoveryCode, models.GestionSession])
    migrator = SchemaMigrator.from_database(db)
    present = {(table, column.name) for table in ("audit_log", "candidature")
               for column in db.get_columns(table)}
    if ("audit_log", "gestionnaire_id") not in present:
        # Written out: playhouse.migrate adds a foreign key column twice on SQLite.
        db.execute_sql('ALTER TABLE "audit_log" ADD COLUMN "gestionnaire_id" INTEGER '
                       'REFERENCES "gestionnaire" ("id") ON DELETE SET NULL')
        migrate(migrator.add_index("audit_log", ("gestionnaire_id",)))
    # A database made before v3 got its candidature table from the model as it is today
    # (v3 creates it): only what it lacks is added.
    columns = {"pieces_state": CharField(default=""),
               "signed_confirmation": BooleanField(default=False),
               "specialite": CharField(default=""), "forme_passage": CharField(default=""),
               "handicap": BooleanField(default=False), "birth_name_key": CharField(default=""),
               "usage_name_key": CharField(default="")}
    indexed = ("pieces_state", "specialite", "birth_name_key", "usage_name_key")
    for name, field in columns.items():
        if ("candidature", name) not in present:
            migrate(migrator.add_column("candidature", name, field))
            if name in indexed:
                migrate(migrator.add_index("candidature", (name,)))


def _fill_pieces_states(db):
    """What v11's columns say of the candidatures already registered, from their pieces: run
    once the schema is the latest (it reads through today's models)."""
    from cyclades.operations.pieces import refresh_state

    for candidature in models.Candidature.select():
        refresh_state(candidature)


#: (version, what it does); version 1 is the first released schema.
MIGRATIONS = [
    (2, _v2_audit_log),
    (3, _v3_candidatures),
    (4, _v4_regulations),
    (5, _v5_documents),
    (6, _v6_pieces),
    (7, _v7_outbox),
    (8, _v8_login_sessions),
    (9, _v9_reference_version),
    (10, _v10_kept_tabs),
    (11, _v11_gestionnaires),
]
LATEST = MIGRATIONS[-1][0] if MIGRATIONS else 1


def current_version(db) -> int:
    if not db.table_exists(models.SchemaVersion._meta.table_name):
        return 0
    row = models.SchemaVersion.select().order_by(models.SchemaVersion.version.desc()).first()
    return row.version if row else 0


def upgrade(db):
    """Bring `db` to the latest schema; returns (version before, version after)."""
    before = current_version(db)
    with db.atomic():
        if before == 0:
            db.create_tables(models.ALL_MODELS)
            _v9_reference_version(db)  # its table and triggers are not a model's
            models.SchemaVersion.create(version=LATEST)
            return before, LATEST
        for version, step in MIGRATIONS:
            if version > before:
                step(db)
                models.SchemaVersion.create(version=version)
        if before < 11:
            _fill_pieces_states(db)
    return before, current_version(db)
