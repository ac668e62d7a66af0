"""The end of a signed-in session as the candidate meets it (WCAG 2.2.1, RGAA 13.1).

A session ends after PERMANENT_SESSION_LIFETIME (30 minutes) without a request. Every signed-in
page says so in words (base.html), and says in `data-session-ends-in` (and each answer in the
X-Session-Ends-In header) how many seconds are left: cyclades.js opens a dialog some minutes
before the end, whose « Rester connecté » posts to `/session/prolonger`.

A request that needs a session and finds none (the candidate came back too late, or the session
was ended elsewhere) gets a full page, never a fragment swapped into a tab: the login page, with
a message, then the page it was going to. What a tab's « Suivant » sent then is kept
(cyclades.operations.kept_tabs) and shown again on that tab after the login.
"""
from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user
from markupsafe import Markup

from cyclades import throttle
from cyclades.htmx import hx_redirect
from cyclades.i18n import gettext as _
from cyclades.operations import kept_tabs, sessions

#: Blueprints whose every page is the signed-in candidate's own.
SIGNED_IN_BLUEPRINTS = {"registration", "pieces", "documents"}
#: The signed-in pages of the accounts blueprint.
SIGNED_IN_ENDPOINTS = {"accounts.account", "accounts.change_email", "accounts.email_change_sent",
                       "accounts.change_password", "accounts.change_identity",
                       "accounts.extend_session"}


def needs_a_session() -> bool:
    return request.blueprint in SIGNED_IN_BLUEPRINTS or request.endpoint in SIGNED_IN_ENDPOINTS


def minutes() -> int:
    return int(current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() // 60)


def session_ended():
    """The answer to a request that needed a signed-in session and has none."""
    kept = None
    if request.method == "POST" and request.endpoint == "registration.step":
        try:
            throttle.take(("LIMIT_KEPT_TABS_CLIENT", throttle.client()))
            kept = kept_tabs.keep(request.view_args["token"], request.view_args["slug"],
                                  list(request.form.items(multi=True)))
        except throttle.Exceeded:
            kept = None
    if request.method == "GET":
        target = request.full_path.rstrip("?")
    else:  # where the form was: its page shows again after the login
        target = request.path
    if kept:
        flash(_("Votre session s'est terminée après %(minutes)d minutes sans activité. Ce que "
                "vous veniez d'envoyer est conservé : connectez-vous pour le retrouver.",
                minutes=minutes()), "info")
    else:
        flash(_("Votre session s'est terminée après %(minutes)d minutes sans activité. "
                "Connectez-vous pour continuer.", minutes=minutes()), "info")
    login = url_for("accounts.login", next=target)
    if request.method == "GET" and request.headers.get("HX-Request") != "true":
        response = redirect(login)
    else:
        response = hx_redirect(login)  # a full page load, never a swap into the tab
    if kept:
        response.set_cookie(kept_tabs.COOKIE, kept,
                            max_age=int(kept_tabs.KEPT_TAB_LIFETIME.total_seconds()),
                            httponly=True, samesite="Lax", path="/",
                            secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response


def warning_seconds() -> int:
    """How long before the end the dialog opens: 5 minutes (half the session when shorter, as
    in the tests); always far more than the 20 seconds WCAG 2.2.1 asks for."""
    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    return int(min(300, lifetime / 2))


def init_app(app):
    app.jinja_env.globals.update(
        session_minutes=minutes, session_warning_seconds=warning_seconds,
        session_seconds_left=lambda: sessions.seconds_left(current_user),
        countdown_slot=lambda: Markup('<strong class="session-left"></strong>'))

    @app.after_request
    def _say_when_the_session_ends(response):
        if request.endpoint in (None, "static") or not current_user.is_authenticated:
            return response
        ends_at = getattr(current_user, "session_ends_at", None)
        if ends_at is not None:
            response.headers["X-Session-Ends-In"] = str(sessions.seconds_left(current_user))
        return response
