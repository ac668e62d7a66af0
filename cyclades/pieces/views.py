"""Mes justificatifs (R50–R56): the pieces of each registered candidature, their upload, their
files and statuses, and « J'ai fourni toutes mes pièces ».

Every form posts without JavaScript (multipart, then 303 back to the page, or the page again
with its errors). With htmx, an upload or a deletion sends back only that piece's entry, and
« Rafraîchir » only the statuses. Only the owner reaches a candidature or a file: anyone else
gets 404.
"""
from flask import (
    Blueprint, abort, current_app, flash, make_response, redirect, render_template, request,
    send_file, url_for,
)
from flask_login import current_user, login_required
from markupsafe import escape

from cyclades import storage, uploads
from cyclades.domain import candidature as rules
from cyclades.htmx import hx_redirect, is_fragment_request, render_page
from cyclades.i18n import gettext as _
from cyclades.models import Candidature
from cyclades.operations import pieces as operations
from cyclades.registration.views import load_candidature as own_candidature
from cyclades.templating import file_size

bp = Blueprint("pieces", __name__)


@bp.before_request
@login_required
def _candidates_only():
    """Every page here is the logged-in candidate's own."""


def load_candidature(token: str) -> Candidature:
    """The logged-in candidate's own candidature, saved at least once, or 404."""
    candidature = own_candidature(token)
    if not candidature.version:
        abort(404)
    return candidature


def message(refused) -> str:
    """A refusal's French source, translated, with its values (themselves refusals or not)."""
    values = {key: message(value) if isinstance(value, (operations.PieceRefused,
                                                        uploads.Refused)) else value
              for key, value in refused.values.items()}
    return _(refused.reason, **values)


@bp.route("/mes-justificatifs")
def mine():
    """Every registered candidature with where its pieces stand; straight to the pieces when
    there is only one."""
    candidatures = [c for c in Candidature.of_account(current_user.id)
                    if c.version and c.status == rules.INSCRITE]
    if len(candidatures) == 1:
        return redirect(url_for("pieces.show", token=candidatures[0].token))
    return render_page("pieces/list.html", boards=[operations.board(c) for c in candidatures])


def _render(candidature, status=200, errors=None):
    """The page, or for « Rafraîchir » with htmx just the statuses (#board)."""
    state = operations.board(candidature)
    fragment = "board" if request.headers.get("HX-Target") == "board" else "content"
    return render_page("pieces/board.html", fragment=fragment, status=status, board=state,
                       errors=errors or {})


@bp.route("/mes-justificatifs/<token>")
def show(token):
    return _render(load_candidature(token))


def _piece_response(candidature, code: str, error: str | None = None, notice: str = ""):
    """After an upload or a deletion: for htmx that piece's entry only (with the page title, so
    an error shows in it); for a plain form, 303 back to the piece, or the page with the error."""
    if is_fragment_request():
        state = operations.board(candidature)
        row = state.row(code)
        if row is None:  # a file of a piece no longer asked for: the page again
            return hx_redirect(url_for("pieces.show", token=candidature.token))
        title = _("Erreur : %(title)s", title=_("Mes justificatifs")) if error \
            else _("Mes justificatifs")
        body = render_template("pieces/_piece.html", board=state, row=row,
                               errors={code: error} if error else {}, notice=notice)
        # What the page says of all the pieces follows, swapped in place (out of band).
        body += render_template("pieces/_summary.html", board=state, oob=True)
        body += render_template("pieces/_declare.html", board=state, errors={}, oob=True)
        response = make_response(f"<title>{escape(title)} – {escape(_('Cyclades libre'))}"
                                 f"</title>\n{body}", 422 if error else 200)
        response.vary.add("HX-Request")
        return response
    if error:
        return _render(candidature, 422, {code: error})
    if notice:
        flash(notice, "success")
    anchor = f"piece-{code}" if operations.board(candidature).row(code) else "orphelins"
    return redirect(url_for("pieces.show", token=candidature.token, _anchor=anchor), code=303)


@bp.route("/mes-justificatifs/<token>/pieces/<code>", methods=["POST"])
@uploads.accepts_uploads
def upload(token, code):
    candidature = load_candidature(token)
    sent = [f for f in request.files.getlist("fichier") if f.filename or f.content_length]
    try:
        deposited = operations.add_files(candidature, code, [f.stream for f in sent],
                                         [f.filename or "" for f in sent], current_user.id)
    except operations.PieceRefused as refused:
        return _piece_response(candidature, code, error=message(refused))
    except LookupError:
        abort(404)
    return _piece_response(candidature, code, notice=_(
        "Fichier déposé : %(name)s (%(size)s).", name=deposited.original_name,
        size=file_size(deposited.size)))


def load_file(token: str, file_token: str):
    candidature = load_candidature(token)
    deposited = operations.file_of(current_user.id, file_token)
    if deposited is None or deposited.piece.candidature_id != candidature.id:
        abort(404)
    return candidature, deposited


@bp.route("/mes-justificatifs/<token>/fichiers/<file_token>/supprimer", methods=["POST"])
def delete(token, file_token):
    candidature = load_candidature(token)
    deposited = operations.file_of(current_user.id, file_token)
    if deposited is None or deposited.piece.candidature_id != candidature.id:
        code = operations.deleted_file_piece(candidature, file_token)
        if code is None:
            abort(404)
        # Deleted by the same click sent twice, or in another tab: what was asked is done.
        return _piece_response(candidature, code, notice=_("Fichier supprimé."))
    code = deposited.piece.code
    try:
        operations.delete_file(deposited, current_user.id)
    except operations.PieceRefused as refused:
        return _piece_response(candidature, code, error=message(refused))
    return _piece_response(candidature, code, notice=_(
        "Fichier supprimé : %(name)s.", name=deposited.original_name))


@bp.route("/mes-justificatifs/<token>/fichiers/<file_token>")
def view_file(token, file_token):
    """The candidate's own file, shown in the browser as the gestionnaire will see it."""
    _candidature, deposited = load_file(token, file_token)
    path = storage.path_of(current_app.config["UPLOAD_DIR"], deposited.stored_name)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=deposited.mimetype, as_attachment=False,
                         download_name=deposited.original_name, conditional=False, etag=False,
                         max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/mes-justificatifs/<token>/declarer")
def confirm_declare(token):
    """« J'ai fourni toutes mes pièces » is final: this page lists what will be checked and
    asks to confirm (its own URL, with or without JavaScript)."""
    candidature = load_candidature(token)
    state = operations.board(candidature)
    if not state.can_declare:
        return redirect(url_for("pieces.show", token=candidature.token, _anchor="declarer"))
    return render_page("pieces/declare.html", board=state)


@bp.route("/mes-justificatifs/<token>/declarer", methods=["POST"])
def declare(token):
    """« J'ai fourni toutes mes pièces » (R53), confirmed on confirm_declare()'s page."""
    candidature = load_candidature(token)
    try:
        operations.declare(candidature, current_user.id)
    except operations.PieceRefused as refused:
        return _render(candidature, 422, {"declare": message(refused)})
    flash(_("C'est noté : vos pièces vont être contrôlées par le service gestionnaire. Vous "
            "suivez leur statut sur cette page ; aucun mail ne vous est envoyé."), "success")
    return redirect(url_for("pieces.show", token=candidature.token), code=303)
