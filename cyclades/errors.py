"""Every error a person can meet gets a French page and the right status, never a traceback."""
from flask import request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from cyclades import throttle
from cyclades.dates import time_of_day
from cyclades.htmx import render_page
from cyclades.i18n import gettext as _
from cyclades.security import add_security_headers


def _messages(code):
    """(title, explanation) per status; looked up at request time so they are translated."""
    return {
        400: (_("Demande incorrecte"),
              _("La demande envoyée n'a pas pu être comprise. Revenez à la page précédente et "
                "réessayez.")),
        403: (_("Accès refusé"), _("Vous n'avez pas accès à cette page.")),
        404: (_("Page introuvable"),
              _("Cette page n'existe pas ou n'est pas accessible avec votre compte. Vérifiez "
                "l'adresse, ou revenez à l'accueil.")),
        405: (_("Action impossible"), _("Cette action n'est pas possible depuis cette page.")),
        410: (_("Lien expiré"), _("Ce lien n'est plus valable.")),
        413: (_("Envoi trop volumineux"),
              _("Ce que vous avez envoyé est trop volumineux. Vérifiez les champs et réessayez.")),
        429: (_("Trop de demandes"),
              _("Cette action a été demandée trop de fois en peu de temps depuis votre "
                "connexion : elle est bloquée un moment.")),
        500: (_("Erreur du service"),
              _("Le service a rencontré un problème. Ce que vous avez déjà enregistré est "
                "conservé. Réessayez dans quelques instants.")),
    }.get(code, (_("Erreur"), _("La demande n'a pas pu aboutir.")))


def render_error(code: int, title=None, explanation=None):
    default_title, default_explanation = _messages(code)
    response = render_page("errors/error.html", status=code, code=code,
                           error_title=title or default_title,
                           explanation=explanation or default_explanation)
    return add_security_headers(response)


def init_app(app):
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        from flask_login import current_user

        from cyclades.accounts import session_end

        if session_end.needs_a_session() and not current_user.is_authenticated:
            # The session ended (its token with it): the login, then the page; a tab is kept.
            return session_end.session_ended()
        response = render_error(400, _("Formulaire expiré"),
                                _("Ce formulaire a expiré ou n'a pas été envoyé depuis cette "
                                  "page (par exemple après une longue inactivité). Revenez à la "
                                  "page, rechargez-la et envoyez de nouveau le formulaire."))
        # A page of its own, never swapped inside a form's part.
        response.headers["HX-Retarget"], response.headers["HX-Reswap"] = "#main", "innerHTML"
        return response

    @app.errorhandler(HTTPException)
    def http_error(exc):
        from cyclades.uploads import is_upload_request

        if exc.code == 413 and is_upload_request():
            limit = app.config["UPLOAD_MAX_REQUEST"] // (1024 * 1024)
            response = render_error(413, explanation=_(
                "Les fichiers envoyés dépassent %(limit)d Mo au total. Chaque fichier doit "
                "peser 5 Mo au plus : envoyez les photos en plusieurs fois, ou réduisez le "
                "fichier, puis réessayez.", limit=limit))
            # htmx would put the page inside the piece: it replaces the main content instead.
            response.headers["HX-Retarget"], response.headers["HX-Reswap"] = "#main", "innerHTML"
            return response
        return render_error(exc.code or 500)

    @app.errorhandler(throttle.Exceeded)
    def throttled(exceeded):
        retry = time_of_day(exceeded.retry_at, app.config["BABEL_DEFAULT_TIMEZONE"])
        response = render_error(429, explanation=_(
            "Cette action a été demandée trop de fois en peu de temps depuis votre connexion : "
            "réessayez après %(time)s.", time=retry))
        response.headers["Retry-After"] = str(exceeded.retry_after)
        return response

    @app.errorhandler(Exception)
    def unexpected_error(exc):
        app.logger.exception("Erreur non gérée sur %s %s", request.method, request.path)
        return render_error(500)
