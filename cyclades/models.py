"""Every Peewee model. Times are stored in UTC (naive); they are shown in the académie's zone.

States and kinds are stored as stable slugs; their labels live in templates and translations.
"""
import json
import secrets
import unicodedata
from datetime import datetime, timezone

from peewee import (
    BooleanField, CharField, DateField, DateTimeField, FloatField, ForeignKeyField, IntegerField,
    Model, TextField,
)

from cyclades.db import Prepared, database
from cyclades.db import for_write as locked
from cyclades.reference import ReferenceField, cached


def french_order(text: str) -> tuple:
    """A key that sorts as a French reader expects: accents and capitals aside first
    (« Aéronautique » before « Assistance »), then with them."""
    plain = "".join(c for c in unicodedata.normalize("NFD", text)
                    if not unicodedata.combining(c))
    return plain.casefold(), text


def utcnow() -> datetime:
    """Now in UTC, naive, as stored in the database."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class JSONField(TextField):
    """A list or dict kept as JSON text, portable between SQLite and PostgreSQL."""

    def db_value(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False)

    def python_value(self, value):
        return None if value is None else json.loads(value)


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


# --- Reference data --------------------------------------------------------------------------

class Academie(BaseModel):
    code = CharField(unique=True)  #: slug, e.g. "clermont-ferrand"
    name = CharField()  #: "Clermont-Ferrand"
    timezone = CharField(default="Europe/Paris")  #: IANA zone; overseas académies differ
    service = TextField(default="")  #: the exams division, e.g. "Division des examens et concours"
    postal_address = TextField(default="")
    website = CharField(default="")
    amenagement_url = CharField(default="")  #: where aménagement requests are made (R24)
    e4_languages = JSONField(default=list)  #: languages offered for E4 (R26)
    lvf_languages = JSONField(default=list)  #: languages offered for the optional LVF (R28)
    eps_activities = JSONField(default=list)  #: the three EPS activities (R27)
    eps_adapted_activities = JSONField(default=list)
    #: Codes of the pieces this académie wants by post, not online (R55), e.g. ["CINSIG01"].
    postal_pieces = JSONField(default=list)

    def __str__(self):
        return self.name


class Exam(BaseModel):
    code = CharField(unique=True)  #: BCP, CAP, BP, CS, MC
    name = CharField()
    position = IntegerField(default=0)  #: display order

    class Meta:
        order_by = ("position",)


class ServiceContact(BaseModel):
    """One way to reach the service gestionnaire of an académie (seeds 003, 004)."""
    academie = ForeignKeyField(Academie, backref="contacts", on_delete="CASCADE")
    label = CharField()  #: "Bureau des baccalauréats professionnels", "Secteur de la production"
    exams = JSONField(default=list)  #: exam codes it handles; empty for all
    sector = CharField(default="")  #: "production", "services" or "" for both
    person = CharField(default="")
    email = CharField(default="")
    phone = CharField(default="")
    position = IntegerField(default=0)

    @classmethod
    def for_exam(cls, academie, exam) -> list:
        """The contacts of an académie that handle this exam, in order."""
        contacts = cls.select().where(cls.academie == academie).order_by(cls.position)
        return [c for c in contacts if not c.exams or exam.code in c.exams]


class Specialty(BaseModel):
    exam = ReferenceField(Exam, backref="specialties", on_delete="CASCADE")
    code = CharField()  #: short stable code, unique within its exam
    name = CharField()
    sector = CharField()  #: "production" (industriel) or "services" (tertiaire)
    options = JSONField(default=list)  #: option names, empty when none
    requires_r408 = BooleanField(default=False)  #: scaffolding attestation (R31)
    single_language = BooleanField(default=False)  #: services Bac Pro without LVB (R26)

    class Meta:
        indexes = ((("exam", "code"), True),)

    def unit_list(self) -> list[dict]:
        """Its units, in order, as the rules of cyclades.domain read them (a copy: the callers
        may change it)."""
        units = cached(("units", self.id), lambda: [
            unit.as_dict() for unit in self.units.order_by(Unit.position)])
        return [dict(unit) for unit in units]

    @classmethod
    def of_exam(cls, exam, code: str):
        """The specialty of this code in this exam, or None."""
        exam_id = getattr(exam, "id", exam)
        return cached(("specialty", exam_id, code), lambda: cls.get_or_none(
            (cls.exam == exam_id) & (cls.code == code)))

    @classmethod
    def all_of_exam(cls, exam) -> list:
        exam_id = getattr(exam, "id", exam)
        return cached(("specialties", exam_id), lambda: sorted(
            cls.select().where(cls.exam == exam_id), key=lambda s: french_order(s.name)))


class Unit(BaseModel):
    """One unit of a specialty's règlement d'examen (R25, R26), copied from grilles.toml by
    load-reference."""
    specialty = ReferenceField(Specialty, backref="units", on_delete="CASCADE")
    position = IntegerField()
    epreuve = CharField()  #: "E3"
    code = CharField()  #: "U31"
    title = CharField()
    coefficient = FloatField(null=True)  #: None: set by a règlement not given here
    kind = CharField()  #: ecrite, orale, pratique, "ecrite et orale"
    subject = CharField(default="")  #: key of the dispense table (Diploma.subjects)
    role = CharField(default="")  #: "langues", "eps", "lvf": a choice made in tab 5
    optional = BooleanField(default=False)

    class Meta:
        indexes = ((("specialty", "code"), True),)

    def as_dict(self) -> dict:
        return {"epreuve": self.epreuve, "unit": self.code, "title": self.title,
                "coefficient": self.coefficient, "kind": self.kind, "subject": self.subject,
                "role": self.role, "optional": self.optional}


class Diploma(BaseModel):
    """A diploma of the dispense table of seed 003 (R25), copied from dispenses.toml by
    load-reference: the general subjects it dispenses, or for a brevet professionnel the units
    of one Bac Pro specialty."""
    code = CharField(unique=True)  #: "bac_general", "bp:electricien": kept in candidatures
    label = CharField()
    position = IntegerField(default=0)
    subjects = JSONField(default=dict)  #: {subject key: "oui" | "si_unite"}
    bac_pro = CharField(default="")  #: the Bac Pro specialty code a BP dispenses units of
    units = JSONField(default=list)  #: those units

    @classmethod
    def table(cls) -> dict[str, dict]:
        """{code: {label, subjects, bac_pro, units}}, as cyclades.domain.acquis reads it."""
        return {d.code: {"label": d.label, "subjects": d.subjects, "bac_pro": d.bac_pro,
                         "units": d.units} for d in cls.select().order_by(cls.position)}


class ExamSession(BaseModel):
    year = IntegerField(unique=True)  #: "session 2026"

    def __str__(self):
        return str(self.year)


class Window(BaseModel):
    """A period an académie opens for one exam and session (R10, R12)."""
    INSCRIPTION = "inscription"
    DEPOT = "depot"  #: deposit of the signed confirmation and the pieces
    R408 = "r408"  #: deposit of the R408 attestation, for the specialties that need it (R31)

    academie = ReferenceField(Academie, backref="windows", on_delete="CASCADE")
    exam = ReferenceField(Exam, backref="windows", on_delete="CASCADE")
    session = ReferenceField(ExamSession, backref="windows", on_delete="CASCADE")
    kind = CharField()
    opens_at = DateTimeField(index=True)  #: UTC
    closes_at = DateTimeField(index=True)  #: UTC, exclusive

    class Meta:
        indexes = ((("academie", "exam", "session", "kind"), True),)

    @classmethod
    def _with_relations(cls):
        return (cls.select(cls, Academie, Exam, ExamSession)
                .join(Academie).switch(cls).join(Exam).switch(cls).join(ExamSession))

    @classmethod
    def of_candidature(cls, candidature, kind=INSCRIPTION):
        """The window of this kind for the candidature's académie, exam and session, if any."""
        key = (candidature.academie_id, candidature.exam_id, candidature.session_id, kind)
        return cached(("window", *key), lambda: cls.get_or_none(
            (cls.academie == key[0]) & (cls.exam == key[1]) & (cls.session == key[2])
            & (cls.kind == kind)))

    @classmethod
    def open_at(cls, moment):
        return (cls._with_relations()
                .where((cls.opens_at <= moment) & (cls.closes_at > moment))
                .order_by(Academie.name, Exam.position, cls.kind.desc()))

    @classmethod
    def upcoming(cls, moment, limit=20):
        return (cls._with_relations().where(cls.opens_at > moment)
                .order_by(cls.opens_at, Academie.name, Exam.position).limit(limit))


# --- Accounts ---------------------------------------------------------------------------------

class Account(BaseModel):
    email = CharField(unique=True)  #: normalised (lower case); the login (R3)
    civilite = CharField()  #: "M" or "MME"
    nom_naissance = CharField()
    nom_usage = CharField(default="")
    prenoms = CharField()
    date_naissance = DateField()
    pays_naissance = CharField()  #: ISO 3166 alpha-2 code
    password_hash = CharField()
    locale = CharField(default="fr")  #: language of the mails we send
    created_at = DateTimeField(default=utcnow, index=True)
    activated_at = DateTimeField(null=True)
    last_login_at = DateTimeField(null=True)
    #: Set when the first inscription is saved (R6, R21): identity fields can no longer change.
    identity_locked_at = DateTimeField(null=True)
    #: N° candidat: given at the first « Enregistrer », then the same for every candidature.
    numero_candidat = CharField(null=True, unique=True)

    IDENTITY_FIELDS = ("civilite", "nom_naissance", "nom_usage", "prenoms", "date_naissance",
                       "pays_naissance")

    # Flask-Login protocol: its id is the key of the LoginSession it was loaded by.
    is_authenticated = True
    is_anonymous = False
    session_key = None  #: set by cyclades.operations.sessions, never stored here

    @property
    def is_active(self):
        return self.activated_at is not None

    def get_id(self):
        return self.session_key

    @property
    def can_edit_identity(self) -> bool:
        return self.identity_locked_at is None

    def lock_identity(self, moment=None):
        """Called by the operation that saves an inscription; never undone by the candidate."""
        if self.identity_locked_at is None:
            self.identity_locked_at = moment or utcnow()

    @property
    def display_name(self):
        return f"{self.prenoms.split()[0] if self.prenoms else ''} {self.nom_usage or self.nom_naissance}".strip()

    @classmethod
    def by_email(cls, email, for_write=False):
        """The account of this address; `for_write`: locked until the transaction ends."""
        query = cls.select().where(cls.email == email)
        return (locked(query) if for_write else query).first()

    @classmethod
    def for_write(cls, account_id):
        """The account read again inside a write transaction, locked until it ends: two writes
        of one account (two tabs, a form sent twice) run one after the other and the second
        sees what the first changed. None if it was deleted meanwhile."""
        return locked(cls.select().where(cls.id == account_id)).first()

    @classmethod
    def inactive_since(cls, moment):
        return cls.select().where(cls.activated_at.is_null() & (cls.created_at < moment))


def _new_public_token():
    return secrets.token_urlsafe(12)


class Candidature(BaseModel):
    """A candidate's registration for one exam and session in their académie of residence.

    `draft` holds the tabs as being filled in (kept at each « Suivant »); `answers` holds what
    was saved by « Enregistrer », the version the documents show. Modifying copies `answers`
    into `draft`; « Enregistrer » copies it back and makes version + 1 (R29).
    """
    token = CharField(unique=True, default=_new_public_token)  #: opaque id used in URLs
    account = ForeignKeyField(Account, backref="candidatures", on_delete="CASCADE")
    academie = ReferenceField(Academie, backref="candidatures")
    exam = ReferenceField(Exam, backref="candidatures")
    session = ReferenceField(ExamSession, backref="candidatures")
    status = CharField(default="brouillon", index=True)  #: see cyclades.domain.candidature
    draft = JSONField(default=dict)  #: {step slug: {field: value}} being filled in
    answers = JSONField(default=dict)  #: the saved version's tabs
    editing = BooleanField(default=False)  #: a saved candidature reopened by « Modifier »
    version = IntegerField(default=0)  #: 0 until the first « Enregistrer »
    numero_inscription = CharField(null=True, unique=True)
    created_at = DateTimeField(default=utcnow)
    registered_at = DateTimeField(null=True)  #: first « Enregistrer »
    updated_at = DateTimeField(null=True)  #: last « Enregistrer »
    withdrawn_at = DateTimeField(null=True)
    #: « J'ai fourni toutes mes pièces » (R53), the last time it was clicked.
    pieces_declared_at = DateTimeField(null=True)
    #: For the gestionnaires' lists (cyclades.operations.pieces.refresh_state): where its
    #: pieces stand, and whether the signed confirmation of its current version is there.
    pieces_state = CharField(default="", index=True)
    signed_confirmation = BooleanField(default=False)
    #: Also for them, copied from the answers and the account: the specialty and forme de
    #: passage saved (or being typed), the handicap declared, and the names as a search
    #: compares them (cyclades.domain.identity.search_key).
    specialite = CharField(default="", index=True)
    forme_passage = CharField(default="")
    handicap = BooleanField(default=False)
    birth_name_key = CharField(default="", index=True)
    usage_name_key = CharField(default="", index=True)

    @classmethod
    def for_write(cls, candidature_id):
        """The candidature read again inside a write transaction, locked until it ends: the
        rules see the latest, and a form sent twice at once is handled once after the other."""
        found = _FOR_WRITE.first(id=candidature_id)
        if found is None:
            raise cls.DoesNotExist(f"Candidature {candidature_id}")
        return found

    @classmethod
    def of_account(cls, account_id: int) -> list["Candidature"]:
        """The account's candidatures, latest session first, then latest started first (their
        académie, exam and session come from the reference cache)."""
        found = _OF_ACCOUNT.rows(account=account_id)
        return sorted(found, key=lambda c: (c.session.year, c.created_at), reverse=True)

    @classmethod
    def own(cls, token: str, account_id: int) -> "Candidature | None":
        """The candidature `token` if it is the account's, else None."""
        return _OWN.first(token=token, account=account_id)


# Read at each request of a candidate (built once: cyclades.db.Prepared).
_OF_ACCOUNT = Prepared(lambda slot: Candidature.select().where(
    Candidature.account == slot("account")))
_FOR_WRITE = Prepared(lambda slot: locked(Candidature.select().where(
    Candidature.id == slot("id"))))
_OWN = Prepared(lambda slot: Candidature.select().where(
    (Candidature.token == slot("token")) & (Candidature.account == slot("account"))).limit(1))

# One active (not withdrawn) candidature per account, exam and session: an index, not a check.
Candidature.add_index(Candidature.account, Candidature.exam, Candidature.session, unique=True,
                      where=(Candidature.status != "desinscrite"))


class CandidatureVersion(BaseModel):
    """Every saved version of a candidature, kept for the documents and the gestionnaire."""
    candidature = ForeignKeyField(Candidature, backref="versions", on_delete="CASCADE")
    number = IntegerField()
    answers = JSONField()
    saved_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("candidature", "number"), True),)


class Document(BaseModel):
    """One version of a document of a candidature (R40): generated by the portal (confirmation
    d'inscription, demande de pièces) or published by a gestionnaire. Every version is kept; the
    candidate sees the latest of each type. The PDF is a file under DOCUMENTS_DIR."""
    token = CharField(unique=True, default=_new_public_token)  #: opaque id used in URLs
    candidature = ForeignKeyField(Candidature, backref="documents", on_delete="CASCADE")
    type = CharField()  #: see cyclades.domain.documents
    version = IntegerField()
    stored_name = CharField()  #: random file name under DOCUMENTS_DIR
    size = IntegerField()
    sha256 = CharField()
    content = JSONField(null=True)  #: what a generated document says (its HTML version)
    content_key = CharField(default="")  #: a generated document is made again when it changes
    candidature_version = IntegerField(null=True)  #: the confirmation's candidature version
    published_by = CharField(default="")  #: who published it ("" for the portal)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("candidature", "type", "version"), True),)


class CandidaturePiece(BaseModel):
    """A piece of a candidature (R50) as the gestionnaire sees it: its status (R54). A row
    exists once a file is deposited or a status is set; the list of pieces itself is computed
    from the candidature (cyclades.domain.pieces)."""
    NONE, RECUE, NON_CONFORME, CONFORME = "", "recue", "non_conforme", "conforme"

    candidature = ForeignKeyField(Candidature, backref="pieces", on_delete="CASCADE")
    code = CharField()  #: DCSTID01, CINSIG01…
    status = CharField(default=NONE)
    comment = TextField(default="")  #: the gestionnaire's « Information » (Non conforme)
    received_at = DateTimeField(null=True)  #: « Date de réception »
    validated_at = DateTimeField(null=True)  #: « Validé le » (Conforme)
    status_at = DateTimeField(null=True)  #: the last status change
    status_by = CharField(default="")

    class Meta:
        indexes = ((("candidature", "code"), True),)


class PieceFile(BaseModel):
    """A file deposited for a piece (R52), stored under UPLOAD_DIR with a random name."""
    token = CharField(unique=True, default=_new_public_token)  #: opaque id used in URLs
    piece = ForeignKeyField(CandidaturePiece, backref="files", on_delete="CASCADE")
    stored_name = CharField()
    original_name = CharField()  #: as the candidate's device named it (shown, never trusted)
    mimetype = CharField()  #: from the content: application/pdf or image/jpeg
    size = IntegerField()
    sha256 = CharField()
    pages = IntegerField(default=1)  #: photos assembled into one PDF
    uploaded_at = DateTimeField(default=utcnow)
    #: The candidature version when it was deposited: a signed confirmation is for that one (R29).
    candidature_version = IntegerField()


class LoginSession(BaseModel):
    """A signed-in session, held on the server: the cookie carries only its key, whose SHA-256
    is kept here. « Me déconnecter », a new password, 30 minutes without a request or
    SESSION_ABSOLUTE_LIFETIME end it; a copied cookie then opens nothing."""
    key_hash = CharField(unique=True)  #: SHA-256 of the key in the cookie
    account = ForeignKeyField(Account, backref="sessions", on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow)
    last_seen_at = DateTimeField(default=utcnow)  #: updated at most once a minute
    ended_at = DateTimeField(null=True, index=True)
    ended_because = CharField(default="")  #: logout, password, expired


class KeptTab(BaseModel):
    """A tab sent after its session had ended (« Suivant » after 30 minutes away): what was
    typed, kept for the browser that sent it (the SHA-256 of the key in its cookie), and given
    back on that tab once its owner has logged in again. Deleted once given back, or after
    KEPT_TAB_LIFETIME (cyclades.operations.kept_tabs)."""
    key_hash = CharField(unique=True)
    candidature_token = CharField()
    slug = CharField()
    form = JSONField()  #: [[name, value], …] as sent
    created_at = DateTimeField(default=utcnow, index=True)


# --- The gestionnaire side (/gestion) ----------------------------------------------------------

class Gestionnaire(BaseModel):
    """An exams officer of one académie: not a candidate's Account (its own login, session and
    second factor). `responsable` also manages the académie's gestionnaires, windows and
    settings. Made by `create-gestionnaire` or invited by a responsable; it has no password
    until its activation link is followed, and opens nothing until its TOTP is enrolled."""
    GESTIONNAIRE, RESPONSABLE = "gestionnaire", "responsable"

    email = CharField(unique=True)  #: lowercased
    name = CharField(default="")  #: as colleagues and the audit trail read it
    academie = ReferenceField(Academie, backref="gestionnaires", on_delete="CASCADE")
    role = CharField(default=GESTIONNAIRE)
    password_hash = CharField(null=True)
    activated_at = DateTimeField(null=True)  #: the password is set
    #: The TOTP secret (RFC 6238) once confirmed by a code; the one being enrolled until then.
    totp_secret = CharField(null=True)
    totp_pending = CharField(null=True)
    totp_last_step = IntegerField(default=0)  #: a code is accepted once: steps above this only
    disabled_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)
    last_login_at = DateTimeField(null=True)

    @property
    def is_responsable(self) -> bool:
        return self.role == self.RESPONSABLE

    def __str__(self):
        return self.name or self.email


class RecoveryCode(BaseModel):
    """One of the ten single-use codes shown once at enrolment, kept hashed."""
    gestionnaire = ForeignKeyField(Gestionnaire, backref="recovery_codes", on_delete="CASCADE")
    code_hash = CharField()
    used_at = DateTimeField(null=True)


class GestionSession(BaseModel):
    """A gestionnaire's signed-in session (its own cookie, path /gestion): 30 minutes idle,
    8 hours at most; logout ends it here, so a copied cookie opens nothing."""
    key_hash = CharField(unique=True)
    gestionnaire = ForeignKeyField(Gestionnaire, backref="sessions", on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow)
    last_seen_at = DateTimeField(default=utcnow)
    ended_at = DateTimeField(null=True, index=True)
    ended_because = CharField(default="")


class AuditLog(BaseModel):
    """One line per write a person made: who (a candidate's account or a gestionnaire), what,
    when. Never holds a password or token."""
    at = DateTimeField(default=utcnow, index=True)
    account = ForeignKeyField(Account, null=True, backref="audit", on_delete="SET NULL")
    gestionnaire = ForeignKeyField(Gestionnaire, null=True, backref="audit",
                                   on_delete="SET NULL")
    action = CharField(index=True)
    detail = JSONField(default=dict)


class OutgoingMail(BaseModel):
    """A mail to send (the outbox): stored by the operation that sends it, in its own
    transaction, then delivered by the worker with retries (cyclades.mail). Its text is dropped
    once delivered: the links it held (activation, reset) are not kept."""
    PENDING, SENT, FAILED = "pending", "sent", "failed"

    created_at = DateTimeField(default=utcnow, index=True)
    to_address = CharField()
    subject = CharField()
    template = CharField()  #: which mail: activation, password_reset…
    message = TextField(default="")  #: the whole message (RFC 5322) until it is delivered
    account = ForeignKeyField(Account, null=True, backref="mails", on_delete="SET NULL")
    candidature = ForeignKeyField(Candidature, null=True, backref="mails", on_delete="SET NULL")
    #: A mail with the same key sent a moment ago is not sent again (a double click).
    dedupe_key = CharField(default="", index=True)
    status = CharField(default=PENDING, index=True)
    attempts = IntegerField(default=0)
    next_attempt_at = DateTimeField(default=utcnow, index=True)
    #: A sender is delivering it until then: no other sender takes it meanwhile.
    claimed_until = DateTimeField(null=True)
    last_error = TextField(default="")
    sent_at = DateTimeField(null=True)


class SchemaVersion(BaseModel):
    version = IntegerField()
    applied_at = DateTimeField(default=utcnow)


ALL_MODELS = [Academie, Exam, ServiceContact, Specialty, Unit, Diploma, ExamSession, Window,
              Account, Candidature, CandidatureVersion, Document, CandidaturePiece, PieceFile,
              LoginSession, KeptTab, Gestionnaire, RecoveryCode, GestionSession, AuditLog,
              OutgoingMail, SchemaVersion]
