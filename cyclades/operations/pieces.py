"""Mes justificatifs (R50–R56): the pieces of a candidature, their files and their statuses.

`board()` says, for one candidature at one moment, each piece with its files, its status and
what the candidate may do with it. The writes check the same board inside their transaction:
`add_files()` and `delete_file()` (the candidate), `declare()` (« J'ai fourni toutes mes
pièces », R53) and `set_piece_status()` (the gestionnaire, R54; the back-office and the
`piece-status` command call it).

The rules, in one place:
- a piece can be changed (files added or deleted) by the candidate of a registered candidature,
  within its deposit window (R12, R31), unless the pieces are all validated, or the piece is
  being checked: declared, Reçue or Conforme. A Non conforme piece can always be replaced,
  even outside the window (R54);
- the signed confirmation is for one version of the candidature (R29): once the candidature is
  modified, the file deposited for the previous version no longer counts, and a new one can be
  deposited;
- « J'ai fourni toutes mes pièces » needs a file for every piece deposited online, and
  something new since it was last clicked; a piece whose file is new since its status was set
  goes back to « to be checked ».
"""
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app

from cyclades import storage, uploads
from cyclades.db import Prepared, write_transaction
from cyclades.domain import N_
from cyclades.domain import candidature as rules
from cyclades.domain import pieces
from cyclades.domain.identity import search_key
from cyclades.models import AuditLog, Candidature, CandidaturePiece, PieceFile, Window, utcnow
from cyclades.operations import audit
from cyclades.serving import offload

#: Photos of one document sent together, assembled into one PDF: at most this many pages.
MAX_PHOTOS = 10
#: Deposits checked at once by one process (a photo is decoded, a PDF parsed); the others wait.
FILE_CHECK_SLOTS = 2
SUFFIXES = {uploads.PDF: ".pdf", uploads.JPEG: ".jpg"}
STATUSES = (CandidaturePiece.RECUE, CandidaturePiece.NON_CONFORME, CandidaturePiece.CONFORME)


class PieceRefused(ValueError):
    """What the candidate or gestionnaire asked cannot be done; `reason` is a French message
    (gettext source) with its `values`."""

    def __init__(self, reason: str, **values):
        super().__init__(reason)
        self.reason = reason
        self.values = values


def required_of(candidature) -> list[pieces.Piece]:
    """The pieces this candidature's saved answers ask for (recomputed at each change)."""
    from cyclades.registration.recap import specialty_of

    specialty = specialty_of(candidature, candidature.answers)
    return pieces.required(candidature.answers,
                           requires_r408=bool(specialty and specialty.requires_r408),
                           postal=frozenset(candidature.academie.postal_pieces or ()))


@dataclass
class Row:
    """One piece of the list, as the candidate sees it."""
    piece: pieces.Piece
    record: CandidaturePiece | None
    files: list[PieceFile]
    window: Window | None
    candidature_version: int
    declared_at: datetime | None
    now: datetime
    validated: bool = False  #: set by the board: every piece is Conforme
    active: bool = True  #: the candidature is registered (not withdrawn)

    @property
    def code(self) -> str:
        return self.piece.code

    @property
    def online(self) -> bool:
        return self.piece.mode == pieces.ONLINE

    @property
    def status(self) -> str:
        return self.record.status if self.record else CandidaturePiece.NONE

    @property
    def outdated_version(self) -> int | None:
        """The signed confirmation was deposited for an older version of the candidature: that
        version's number (R29)."""
        if self.code != pieces.SIGNED_CONFIRMATION.code or not self.files:
            return None
        versions = {f.candidature_version for f in self.files}
        return None if self.candidature_version in versions else max(versions)

    @property
    def replaced_since_status(self) -> bool:
        """A file was deposited after the gestionnaire last set this piece's status."""
        changed = self.record and self.record.status_at
        return bool(changed) and any(f.uploaded_at > changed for f in self.files)

    @property
    def provided(self) -> bool:
        """There is what the gestionnaire needs to check (postal pieces are not counted)."""
        if not self.online:
            return True
        if not self.files or self.outdated_version:
            return False
        if self.status == CandidaturePiece.NON_CONFORME:
            return self.replaced_since_status
        return True

    @property
    def window_state(self) -> str:
        """"open", "before", "after", or "none" when the service has not set it."""
        if self.window is None:
            return "none"
        if self.now < self.window.opens_at:
            return "before"
        return "open" if self.now < self.window.closes_at else "after"

    @property
    def in_check(self) -> bool:
        """The gestionnaire has it: declared, Reçue or Conforme, and still valid."""
        if self.outdated_version or self.status == CandidaturePiece.NON_CONFORME:
            return False
        if self.status in (CandidaturePiece.RECUE, CandidaturePiece.CONFORME):
            # A status judges the files deposited before it (a new signed confirmation, R29,
            # is the candidate's until declared).
            return not self.replaced_since_status
        return bool(self.declared_at) and any(f.uploaded_at <= self.declared_at
                                              for f in self.files)

    @property
    def blocked(self) -> str | None:
        """Why the candidate cannot add or delete a file here (a French message), or None."""
        if not self.online:
            return N_("Cette pièce ne se dépose pas en ligne : envoyez-la par courrier.")
        if not self.active:
            return N_("Cette candidature n'est plus active (désinscrite) : ses pièces ne "
                      "peuvent plus être modifiées.")
        if self.validated:
            return N_("Toutes vos pièces sont validées : elles ne peuvent plus être modifiées.")
        if self.in_check and self.status == CandidaturePiece.CONFORME:
            return N_("Cette pièce a été contrôlée et déclarée conforme : elle ne peut plus être "
                      "modifiée.")
        if self.in_check:
            return N_("Vous avez indiqué avoir fourni cette pièce : elle est en cours de contrôle "
                      "et ne peut plus être modifiée.")
        if self.status == CandidaturePiece.NON_CONFORME:
            return None  # replaced even outside the deposit window (R54)
        if self.window_state == "none":
            return N_("Le service n'a pas encore fixé la période de dépôt de cette pièce.")
        if self.window_state == "before":
            return N_("La période de dépôt de cette pièce n'est pas encore ouverte.")
        if self.window_state == "after":
            return N_("La période de dépôt de cette pièce est close.")
        return None

    @property
    def changeable(self) -> bool:
        return self.blocked is None


@dataclass
class Board:
    candidature: Candidature
    rows: list[Row]
    now: datetime
    declared_at: datetime | None = None
    validated: bool = False
    groups: list[tuple[str, list[Row]]] = field(default_factory=list)
    #: Files of pieces no longer asked for (the candidature changed): shown, and deletable.
    orphans: list[PieceFile] = field(default_factory=list)

    @property
    def registered(self) -> bool:
        return self.candidature.status == rules.INSCRITE

    @property
    def missing(self) -> list[Row]:
        """Online pieces still to deposit (or to deposit again), now or later."""
        return [row for row in self.rows if row.online and not row.provided]

    @property
    def to_deposit(self) -> list[Row]:
        """The missing pieces the candidate can deposit now. One whose window is not open
        (the R408 attestation comes months later, R31) does not hold back the others."""
        return [row for row in self.missing if row.changeable]

    @property
    def postal(self) -> list[Row]:
        return [row for row in self.rows if not row.online]

    @property
    def new_since_declared(self) -> bool:
        return self.declared_at is None or any(
            f.uploaded_at > self.declared_at for row in self.rows for f in row.files)

    @property
    def can_declare(self) -> bool:
        return (self.registered and not self.validated and not self.to_deposit
                and any(row.online and row.files for row in self.rows)
                and self.new_since_declared)

    @property
    def waiting(self) -> bool:
        """Declared, nothing missing: the gestionnaire's turn (R53)."""
        return (self.declared_at is not None and not self.validated and not self.to_deposit
                and not self.new_since_declared)

    @property
    def deadline(self) -> Window | None:
        """The window of the first missing piece to close: « by when »."""
        windows = [row.window for row in self.missing if row.window is not None
                   and row.window_state != "after"]
        return min(windows, key=lambda w: w.closes_at) if windows else None

    def row(self, code: str) -> Row | None:
        return next((row for row in self.rows if row.code == code), None)


#: Read at each page of a candidature's pieces (built once: cyclades.db.Prepared).
_PIECES = Prepared(lambda slot: CandidaturePiece.select().where(
    CandidaturePiece.candidature == slot("candidature")))
_FILES = Prepared(lambda slot: (
    PieceFile.select().join(CandidaturePiece)
    .where(CandidaturePiece.candidature == slot("candidature"))
    .order_by(PieceFile.uploaded_at, PieceFile.id)))


def refresh_state(candidature) -> None:
    """What the gestionnaires' lists filter and search on, kept on the candidature by every
    write that changes it (inside that write's transaction): where its pieces stand
    (Candidature.pieces_state, see cyclades.domain.pieces.STATES), whether its signed
    confirmation for its current version is there, its specialty, forme de passage and
    handicap, and its candidate's names as a search compares them."""
    state = board(candidature)
    signed = state.row(pieces.SIGNED_CONFIRMATION.code)
    if not state.registered:
        value = ""
    elif state.validated:
        value = pieces.COMPLET
    elif any(row.status == CandidaturePiece.NON_CONFORME and not row.replaced_since_status
             for row in state.rows):
        value = pieces.NON_CONFORMES
    elif state.waiting:
        value = pieces.A_CONTROLER
    else:
        value = pieces.A_DEPOSER
    has_signed = bool(signed and signed.files and not signed.outdated_version)
    answers = candidature.answers if candidature.version else candidature.draft
    qualification = answers.get("qualification") or {}
    account = candidature.account
    values = {"pieces_state": value, "signed_confirmation": has_signed,
              "specialite": qualification.get("specialite") or "",
              "forme_passage": qualification.get("forme_passage") or "",
              "handicap": (answers.get("informations") or {}).get("handicap") == "oui",
              "birth_name_key": search_key(account.nom_naissance),
              "usage_name_key": search_key(account.nom_usage)}
    Candidature.update(**values).where(Candidature.id == candidature.id).execute()
    for name, item in values.items():
        setattr(candidature, name, item)


def board(candidature, now: datetime | None = None) -> Board:
    """Every piece of `candidature` now, with its files, status and what can be done."""
    now = now or utcnow()
    required = required_of(candidature) if candidature.version else []
    records = {r.code: r for r in _PIECES.rows(candidature=candidature.id)}
    files: dict[int, list[PieceFile]] = {}
    for item in _FILES.rows(candidature=candidature.id):
        files.setdefault(item.piece_id, []).append(item)
    windows = {kind: Window.of_candidature(candidature, kind)
               for kind in {piece.deadline for piece in required}}
    rows = []
    for piece in required:
        record = records.get(piece.code)
        rows.append(Row(piece, record, files.get(record.id, []) if record else [],
                        windows[piece.deadline], candidature.version,
                        candidature.pieces_declared_at, now))
    validated = bool(rows) and all(row.status == CandidaturePiece.CONFORME
                                   and not row.outdated_version
                                   and not row.replaced_since_status for row in rows)
    groups: dict[str, list[Row]] = {}
    for row in rows:
        row.validated, row.active = validated, candidature.status == rules.INSCRITE
        groups.setdefault(row.piece.group, []).append(row)
    wanted = {piece.code for piece in required}
    orphans = [f for code, record in records.items() if code not in wanted
               for f in files.get(record.id, [])]
    return Board(candidature, rows, now, candidature.pieces_declared_at, validated,
                 list(groups.items()), orphans)


def boards_of(candidatures) -> dict[int, Board]:
    """{candidature id: its board}, for the registered candidatures among `candidatures`."""
    return {c.id: board(c) for c in candidatures
            if c.version and c.status == rules.INSCRITE}


def _fresh(candidature) -> Candidature:
    """The candidature read again inside a write transaction, locked until it ends."""
    return Candidature.for_write(candidature.id)


def _prepare(files) -> uploads.Checked:
    """What the candidate sent in one go, checked by content: one PDF or one photo as it is,
    several photos as one PDF a page each. `files`: seekable streams, in the order chosen."""
    if not files:
        raise PieceRefused(N_("Choisissez un fichier (PDF ou JPEG, 5 Mo au plus)."))
    if len(files) == 1:
        return uploads.check_file(files[0])
    if len(files) > MAX_PHOTOS:
        raise PieceRefused(N_("Vous avez choisi %(count)d fichiers : %(max)d photos au plus "
                              "forment un même document."), count=len(files), max=MAX_PHOTOS)
    photos = []
    budget = (uploads.MAX_BYTES - 64 * 1024) // len(files)  # the PDF's own bytes aside
    for number, stream in enumerate(files, start=1):
        try:
            checked = uploads.check_file(stream, page_budget=budget)
        except uploads.Refused as refused:
            raise PieceRefused(N_("Fichier n°%(number)d : %(problem)s"), number=number,
                               problem=refused) from refused
        if checked.mimetype != uploads.JPEG:
            raise PieceRefused(N_("Plusieurs fichiers à la fois ne peuvent être que des photos "
                                  "(JPEG), assemblées en un seul PDF : déposez un PDF seul."))
        photos.append(checked.data)
    assembled = uploads.photos_to_pdf(photos)
    if len(assembled) > uploads.MAX_BYTES:  # R51 holds for the file made of the photos too
        raise PieceRefused(N_("Ensemble, ces photos dépassent 5 Mo même réduites : déposez le "
                              "document en plusieurs fois, quelques pages à chaque fois."))
    return uploads.Checked(assembled, uploads.PDF)


def _clean_name(name: str) -> str:
    """The file's name as shown: without the folders some browsers send, nor control
    characters (a line break would break the download's header)."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    return name or "document"


def add_files(candidature, code: str, files: list, names: list[str], account) -> PieceFile:
    """The candidate deposits a file for the piece `code` (R51, R52): several photos become one
    PDF. Refused (PieceRefused) when the piece cannot be changed, or the file is not a readable
    PDF or JPEG of 5 Mo at most. Nothing is kept of a refused or failed deposit. The same file
    deposited again for the piece is the one already there: one row, however many times it
    was sent."""
    row = board(candidature).row(code)
    if row is None:
        raise LookupError(code)
    if row.blocked:  # said before the file is looked at; checked again when it is saved
        raise PieceRefused(row.blocked)
    try:
        # Decoding photos costs a fifth of a second each: off the event loop (cyclades.serving).
        checked = offload("file-check", FILE_CHECK_SLOTS, _prepare, files)
    except uploads.Refused as refused:
        raise PieceRefused(refused.reason, **refused.values) from refused
    directory = current_app.config["UPLOAD_DIR"]
    data = checked.stream if checked.data is None else checked.data
    name, digest = storage.save(directory, data, SUFFIXES[checked.mimetype])
    size = storage.path_of(directory, name).stat().st_size
    original = _clean_name(names[0] if names else "")
    if len(files) > 1 or not original.lower().endswith(SUFFIXES[checked.mimetype]):
        original = original.rsplit(".", 1)[0] + SUFFIXES[checked.mimetype]
    try:
        with write_transaction():
            candidature = _fresh(candidature)
            row = board(candidature).row(code)
            if row is None:
                raise LookupError(code)
            if row.blocked:
                raise PieceRefused(row.blocked)
            record = row.record or CandidaturePiece.create(candidature=candidature, code=code)
            same = PieceFile.get_or_none((PieceFile.piece == record) & (PieceFile.sha256 == digest)
                                         & (PieceFile.candidature_version
                                            == candidature.version))
            if same is not None:  # the same file sent again (a double tap, a retried upload)
                storage.remove(directory, name)
                return same
            deposited = PieceFile.create(piece=record, stored_name=name,
                                         original_name=original[-120:], size=size,
                                         mimetype=checked.mimetype, sha256=digest,
                                         pages=len(files),
                                         candidature_version=candidature.version)
            refresh_state(candidature)
            audit("piece.deposit", account, candidature=candidature.token, piece=code,
                  file=deposited.token, size=size, pages=len(files), resized=checked.resized)
    except BaseException:
        storage.remove(directory, name)
        raise
    return deposited


def file_of(account, token: str) -> PieceFile | None:
    """A deposited file, if it belongs to one of `account`'s candidatures."""
    return (PieceFile.select(PieceFile, CandidaturePiece, Candidature)
            .join(CandidaturePiece).join(Candidature)
            .where((PieceFile.token == token) & (Candidature.account == account)).first())


def delete_file(deposited: PieceFile, account) -> str:
    """The candidate removes a file they deposited, while the piece can still change (R52,
    R53); returns the piece's code."""
    directory = current_app.config["UPLOAD_DIR"]
    code = deposited.piece.code
    with write_transaction():
        _fresh(deposited.piece.candidature)  # one change of its pieces at once
        deposited = PieceFile.get_or_none(PieceFile.id == deposited.id)
        if deposited is None:  # already deleted (a second tap, another tab)
            return code
        record = deposited.piece
        state = board(record.candidature)
        row = state.row(record.code)
        if row is None:  # a piece no longer asked for: its files can go while active
            if not state.registered:
                raise PieceRefused(N_("Cette candidature n'est plus active (désinscrite) : ses "
                                      "pièces ne peuvent plus être modifiées."))
        elif row.blocked:
            raise PieceRefused(row.blocked)
        deposited.delete_instance()
        refresh_state(record.candidature)
        audit("piece.delete", account, candidature=record.candidature.token, piece=record.code,
              file=deposited.token)
    storage.remove(directory, deposited.stored_name)
    return record.code


#: A file deleted this recently is answered as deleted when asked again (the same click twice).
DELETED_RECENTLY = timedelta(minutes=10)


def deleted_file_piece(candidature, file_token: str) -> str | None:
    """The code of the piece whose file `file_token` was deleted from `candidature` a moment
    ago (its audit line says so), or None."""
    for line in AuditLog.select().where((AuditLog.action == "piece.delete")
                                        & (AuditLog.at > utcnow() - DELETED_RECENTLY)):
        if line.detail.get("file") == file_token \
                and line.detail.get("candidature") == candidature.token:
            return line.detail.get("piece")
    return None


def declare(candidature, account) -> Candidature:
    """« J'ai fourni toutes mes pièces » (R53): the pieces go to the gestionnaire's check and can
    no longer be changed; a piece replaced since its status was set is to be checked again.
    Clicked again with nothing new (a double click), it changes nothing."""
    with write_transaction():
        candidature = _fresh(candidature)
        state = board(candidature)
        if not state.registered:
            raise PieceRefused(N_("Cette candidature n'est plus active (désinscrite) : ses "
                                  "pièces ne peuvent plus être modifiées."))
        if state.waiting:
            return candidature  # declared, nothing new since: the same click again
        if not state.can_declare:
            if state.validated:
                raise PieceRefused(N_("Toutes vos pièces sont validées : elles ne peuvent plus "
                                      "être modifiées."))
            raise PieceRefused(N_("Il manque encore %(count)d pièce(s) : déposez-les avant "
                                  "d'indiquer que vous avez tout fourni."),
                               count=len(state.to_deposit or state.missing))
        now = utcnow()
        for row in state.rows:
            if row.record and row.record.status and row.replaced_since_status:
                row.record.status, row.record.comment = CandidaturePiece.NONE, ""
                row.record.validated_at, row.record.received_at = None, None
                row.record.status_at = now
                row.record.save()
        candidature.pieces_declared_at = now
        candidature.save()
        refresh_state(candidature)
        audit("pieces.declare", account, candidature=candidature.token)
    return candidature


def set_piece_status(piece: CandidaturePiece, status: str, comment: str = "", by: str = "",
                     received_at: datetime | None = None) -> CandidaturePiece:
    """The gestionnaire's status for one piece (R54): Reçue (with its reception date), Non
    conforme (a comment is required: the candidate reads it and replaces the piece), Conforme.
    Once every piece is Conforme, nothing changes any more. No mail is sent (R54)."""
    comment = (comment or "").strip()
    if status not in STATUSES:
        raise PieceRefused(N_("Statut inconnu : « %(status)s » (reçue, non_conforme ou "
                              "conforme)."), status=status)
    if status == CandidaturePiece.NON_CONFORME and not comment:
        raise PieceRefused(N_("Une pièce non conforme a besoin d'un commentaire qui dit au "
                              "candidat ce qui ne va pas (par exemple « Pièce illisible »)."))
    with write_transaction():
        # The candidature locked first, then its piece read: a declaration made meanwhile (which
        # resets the statuses of replaced pieces) is seen, not overwritten.
        candidature = Candidature.for_write(piece.candidature_id)
        piece = CandidaturePiece.get_by_id(piece.id)
        state = board(candidature)
        row = state.row(piece.code)
        if not state.registered:
            raise PieceRefused(N_("Cette candidature n'est pas enregistrée (brouillon ou "
                                  "désinscrite)."))
        if row is None:
            raise PieceRefused(N_("La pièce %(code)s n'est pas demandée à cette candidature."),
                               code=piece.code)
        if state.validated:
            raise PieceRefused(N_("Toutes les pièces de cette candidature sont validées : leurs "
                                  "statuts ne changent plus."))
        if row.online and not row.files:
            raise PieceRefused(N_("Aucun fichier n'a été déposé pour la pièce %(code)s."),
                               code=piece.code)
        if status == CandidaturePiece.CONFORME and row.outdated_version:
            raise PieceRefused(N_("La confirmation déposée est celle d'une version antérieure "
                                  "de la candidature : elle ne peut pas être conforme."))
        now = utcnow()
        piece.status = status
        piece.comment = comment if status == CandidaturePiece.NON_CONFORME else ""
        piece.received_at = received_at or piece.received_at or now
        piece.validated_at = now if status == CandidaturePiece.CONFORME else None
        piece.status_at, piece.status_by = now, by
        piece.save()
        refresh_state(candidature)
        audit("piece.status", None, candidature=candidature.token, piece=piece.code,
              status=status, comment=piece.comment, by=by)
    return piece


def piece_of(candidature, code: str) -> CandidaturePiece:
    """The status row of the piece `code`, made when the gestionnaire first sets a status."""
    if not any(piece.code == code for piece in required_of(candidature)):
        raise PieceRefused(N_("La pièce %(code)s n'est pas demandée à cette candidature."),
                           code=code)
    record, _ = CandidaturePiece.get_or_create(candidature=candidature, code=code)
    return record
