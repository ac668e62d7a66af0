"""Mes documents (R40): per candidature, the latest version of each document; each one as a PDF
and, for those the portal generates, as an HTML page (screen readers, phones without a PDF
reader). Only the owner may open them: anyone else gets 404."""
from flask import Blueprint, abort, current_app, send_file
from flask_login import current_user, login_required
from peewee import SQL, fn

from cyclades import storage
from cyclades.db import Prepared
from cyclades.domain import documents as kinds
from cyclades.htmx import render_page
from cyclades.models import Candidature, Document, ServiceContact
from cyclades.operations import documents as operations

bp = Blueprint("documents", __name__)


@bp.before_request
@login_required
def _candidates_only():
    """Every page here is the logged-in candidate's own."""


def _own_latest(slot):
    newer = Document.alias()
    return (Document.select(Document, Candidature).join(Candidature)
            .where((Document.token == slot("token")) & (Candidature.account == slot("account"))
                   & ~fn.EXISTS(newer.select(SQL("1")).where(
                       (newer.candidature == Document.candidature)
                       & (newer.type == Document.type) & (newer.version > Document.version))))
            .limit(1))


#: Read at each document opened (built once: cyclades.db.Prepared).
_OWN_LATEST = Prepared(_own_latest)


def load_document(token: str) -> Document:
    """The logged-in candidate's document, if it is the latest of its type; else 404 (R40:
    older versions stay stored for the service, not shown)."""
    document = _OWN_LATEST.first(token=token, account=current_user.id)
    if document is None:
        abort(404)
    return document


@bp.route("/mes-documents")
def mine():
    candidatures = [c for c in Candidature.of_account(current_user.id) if c.version]
    documents = operations.latest_documents(candidatures)
    # Whom to ask for an accessible version of what the service published (PDF only).
    contacts = {c.id: [contact for contact in ServiceContact.for_exam(c.academie, c.exam)
                       if contact.email]
                for c in candidatures if any(d.content is None for d in documents[c.id])}
    return render_page("documents/list.html", candidatures=candidatures, documents=documents,
                       contacts=contacts)


@bp.route("/documents/<token>")
def show(token):
    """The HTML version of a generated document, with a print stylesheet."""
    document = load_document(token)
    if document.content is None:
        abort(404)
    return render_page("documents/document.html", document=document, doc=document.content)


@bp.route("/documents/<token>/pdf")
def download(token):
    document = load_document(token)
    path = storage.path_of(current_app.config["DOCUMENTS_DIR"], document.stored_name)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype="application/pdf", as_attachment=False,
                         download_name=kinds.file_name(document.type, document.version),
                         conditional=False, etag=False, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
