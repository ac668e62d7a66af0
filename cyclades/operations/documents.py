"""Mes documents (R40–R42): the documents the portal generates at each save of a candidature,
and publish_document() for those a gestionnaire publishes. Every version is kept; each new one
is announced to the candidate by mail, which never carries the document itself."""
from contextlib import contextmanager
from contextvars import ContextVar

from flask import current_app
from peewee import fn

from cyclades import mail, pdfcheck, storage
from cyclades.db import write_transaction
from cyclades.documents import content, pdf
from cyclades.domain import documents as kinds
from cyclades.domain import N_
from cyclades.domain import candidature as rules
from cyclades.models import Candidature, Document
from cyclades.operations import audit, external_url

#: The largest PDF a gestionnaire may publish.
MAX_PUBLISHED_BYTES = 10 * 1024 * 1024


class DocumentRefused(ValueError):
    """A document that cannot be published; `reason` is a French message (gettext source)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


_written: ContextVar[list | None] = ContextVar("documents_written", default=None)


@contextmanager
def files_undone_on_failure():
    """Around a write transaction that stores documents: if anything in it fails (so the rows
    are rolled back), the files it wrote are removed too; no file is left without its row."""
    written = []
    token = _written.set(written)
    try:
        yield
    except BaseException:
        for name in written:
            storage.remove(current_app.config["DOCUMENTS_DIR"], name)
        raise
    finally:
        _written.reset(token)


def _store(candidature, kind: str, data: bytes, **fields) -> Document:
    """A new version of `kind` for `candidature`, inside a write transaction wrapped in
    files_undone_on_failure()."""
    written = _written.get()
    if written is None:
        raise RuntimeError("_store() outside files_undone_on_failure()")
    name, digest = storage.save(current_app.config["DOCUMENTS_DIR"], data, ".pdf")
    written.append(name)
    last = (Document.select(fn.MAX(Document.version))
            .where((Document.candidature == candidature) & (Document.type == kind)).scalar())
    return Document.create(candidature=candidature, type=kind, version=(last or 0) + 1,
                           stored_name=name, size=len(data), sha256=digest, **fields)


def latest_of(candidature, kind: str) -> Document | None:
    return (Document.select().where((Document.candidature == candidature)
                                    & (Document.type == kind))
            .order_by(Document.version.desc()).first())


def latest_documents(candidatures, kind: str | None = None) -> dict[int, list[Document]]:
    """{candidature id: the latest version of each of its documents (of `kind` if given)}, in
    one query (R40)."""
    query = Document.select().where(Document.candidature.in_([c.id for c in candidatures]))
    if kind:
        query = query.where(Document.type == kind)
    found = {}
    for document in query:
        found.setdefault(document.candidature_id, []).append(document)
    return {c.id: kinds.latest(found.get(c.id, [])) for c in candidatures}


def latest_confirmations(candidatures) -> dict[int, Document]:
    """{candidature id: its latest confirmation d'inscription}."""
    return {cid: documents[0] for cid, documents in
            latest_documents(candidatures, kinds.CONFIRMATION).items() if documents}


def generate_for_version(candidature, version) -> list[Document]:
    """At each « Enregistrer » (R29): the confirmation d'inscription of this version, and the
    Demande de pièces justificatives when what it asks for has changed. Inside the save's
    transaction, wrapped in files_undone_on_failure(). Returns the new documents, for the mail that announces them."""
    confirmation = content.confirmation(candidature, version)
    created = [_store(candidature, kinds.CONFIRMATION, pdf.render(confirmation),
                      content=confirmation, candidature_version=version.number)]
    demande, key = content.demande(candidature)
    previous = latest_of(candidature, kinds.DEMANDE)
    if previous is None or previous.content_key != key:
        created.append(_store(candidature, kinds.DEMANDE, pdf.render(demande), content=demande,
                              content_key=key))
    return created


def publish_document(candidature, kind: str, data: bytes, by: str = "") -> Document:
    """A gestionnaire makes a document available to the candidate (R40, R42): a relance, a
    notification of aménagements, a convocation or a relevé de notes, as a PDF. A new version
    if one of that type exists. The candidate gets a mail linking to Mes documents."""
    if kind not in kinds.PUBLISHED:
        raise DocumentRefused(N_("Ce type de document ne peut pas être publié : il est produit par "
                              "le portail, ou il n'existe pas."))
    if not data:
        raise DocumentRefused(N_("Le fichier est vide."))
    if len(data) > MAX_PUBLISHED_BYTES:
        raise DocumentRefused(N_("Le fichier dépasse 10 Mo."))
    problem = pdfcheck.problem(data)
    if problem == pdfcheck.ACTIVE:
        raise DocumentRefused(N_("Le fichier contient du contenu actif (script, pièce jointe ou "
                                 "lancement d'un programme) : enregistrez-le de nouveau avec "
                                 "« Imprimer » puis « Enregistrer au format PDF »."))
    if problem:
        raise DocumentRefused(N_("Le fichier n'est pas un PDF lisible (ou il est protégé par un "
                              "mot de passe)."))
    with files_undone_on_failure(), write_transaction():
        candidature = Candidature.for_write(candidature.id)
        if candidature.status != rules.INSCRITE:
            raise DocumentRefused(N_("Cette candidature n'est pas enregistrée (brouillon ou "
                                  "désinscrite) : aucun document ne peut y être publié."))
        document = _store(candidature, kind, data, published_by=by)
        audit("document.publish", None, candidature=candidature.token, type=kind,
              version=document.version, by=by)
        account = candidature.account
        mail.queue("document_disponible", account.email, account.locale, account=account,
                   candidature=candidature, documents=[document],
                   documents_url=external_url("documents.mine"))
    return document
