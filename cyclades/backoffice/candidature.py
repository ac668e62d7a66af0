"""/gestion/candidatures/<N° inscription>: everything about one candidature of the académie, as
the gestionnaire reads it: the identity and contacts, the Récapitulatif the candidate sees (the
same read model, cyclades.registration.recap), every version and what changed between two, every
version of every document, the pieces with their files and statuses, and its audit trail."""
from flask import Blueprint, abort, current_app, g, request, send_file
from peewee import OP, Expression, Value

from cyclades import storage
from cyclades.backoffice import auth
from cyclades.domain import N_
from cyclades.domain import documents as kinds
from cyclades.htmx import render_page
from cyclades.models import (
    AuditLog, Candidature, CandidaturePiece, CandidatureVersion, Document, PieceFile,
)
from cyclades.operations.pieces import board
from cyclades.registration import recap

bp = Blueprint("backoffice_candidature", __name__, url_prefix="/gestion/candidatures")


@bp.before_request
def _who():
    g.private_page = True
    auth.load()


def load(numero: str) -> Candidature:
    """The académie's candidature with this N° inscription; another académie's is a 404."""
    found = auth.scoped(Candidature.select().where(Candidature.numero_inscription == numero),
                        Candidature.academie).first() if g.gestionnaire else None
    if found is None:
        abort(404)
    return found


def changes(candidature, older: CandidatureVersion, newer: CandidatureVersion) -> list:
    """[(section title, label, before, after)] for every answer that differs between two
    versions, as the Récapitulatif says them."""
    def flat(version):
        return {(section["title"], label): str(value)
                for section in recap.sections(candidature, version.answers)
                for label, value in section["rows"]}

    before, after = flat(older), flat(newer)
    keys = list(dict.fromkeys([*before, *after]))
    return [(title, label, before.get((title, label), "—"), after.get((title, label), "—"))
            for title, label in keys if before.get((title, label)) != after.get((title, label))]


@bp.route("/<numero>")
@auth.gestionnaire_required
def show(numero):
    candidature = load(numero)
    versions = list(CandidatureVersion.select().where(
        CandidatureVersion.candidature == candidature).order_by(CandidatureVersion.number))
    compared = None
    if len(versions) > 1:
        numbers = {v.number: v for v in versions}
        older = numbers.get(request.args.get("de", type=int)) or versions[-2]
        newer = numbers.get(request.args.get("a", type=int)) or versions[-1]
        compared = (older, newer, changes(candidature, older, newer))
    documents = list(Document.select().where(Document.candidature == candidature)
                     .order_by(Document.type, Document.version.desc()))
    # The detail is JSON text: the candidature's token, quoted, as it holds it.
    mention = Value(f'%"{candidature.token}"%', converter=False)
    trail = list(AuditLog.select().where(Expression(AuditLog.detail, OP.ILIKE, mention))
                 .order_by(AuditLog.at.desc()).limit(200))
    return render_page("backoffice/candidature.html", candidature=candidature,
                       account=candidature.account, versions=versions, compared=compared,
                       sections=recap.sections(candidature, candidature.answers),
                       documents=documents, board=board(candidature), trail=trail,
                       actions=ACTIONS)


def _send(directory: str, stored_name: str, mimetype: str, name: str):
    path = storage.path_of(current_app.config[directory], stored_name)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=mimetype, as_attachment=False, download_name=name,
                         conditional=False, etag=False, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/<numero>/documents/<token>")
@auth.gestionnaire_required
def document(numero, token):
    """Any version of one of its documents (the candidate sees only the latest)."""
    candidature = load(numero)
    found = Document.get_or_none((Document.token == token)
                                 & (Document.candidature == candidature))
    if found is None:
        abort(404)
    return _send("DOCUMENTS_DIR", found.stored_name, "application/pdf",
                 kinds.file_name(found.type, found.version))


@bp.route("/<numero>/fichiers/<token>")
@auth.gestionnaire_required
def piece_file(numero, token):
    """A file the candidate deposited, as they sent it (checked by its content then)."""
    candidature = load(numero)
    found = (PieceFile.select().join(CandidaturePiece)
             .where((PieceFile.token == token) & (CandidaturePiece.candidature == candidature))
             .first())
    if found is None:
        abort(404)
    return _send("UPLOAD_DIR", found.stored_name, found.mimetype, found.original_name)


#: What the history says of each audited action on a candidature.
ACTIONS = {
    "candidature.start": N_("Inscription commencée"),
    "candidature.step": N_("Onglet enregistré en brouillon"),
    "candidature.register": N_("Candidature enregistrée (nouvelle version)"),
    "candidature.reopen": N_("Modification commencée"),
    "candidature.withdraw": N_("Désinscription"),
    "piece.deposit": N_("Fichier déposé"),
    "piece.delete": N_("Fichier supprimé"),
    "pieces.declare": N_("« J'ai fourni toutes mes pièces »"),
    "piece.status": N_("Statut de pièce changé"),
    "document.publish": N_("Document publié"),
}
