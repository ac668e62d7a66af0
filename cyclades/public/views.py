"""Accueil, Ouverture des services (R10, R11), J'ai besoin d'aide, Accessibilité, langue."""
from babel.dates import format_date
from flask import Blueprint, current_app, redirect, request, url_for
from flask_login import current_user

from cyclades.domain.windows import group_by_academie_and_exam
from cyclades.htmx import render_page
from peewee import prefetch

from cyclades import rgaa
from cyclades.extensions import csrf
from cyclades.i18n import get_locale
from cyclades.models import Academie, Candidature, ServiceContact, Window, utcnow
from cyclades.operations import pieces
from cyclades.security import same_site_path

bp = Blueprint("public", __name__)

ONE_YEAR = 365 * 24 * 3600


@bp.route("/")
def home():
    """Anonymous: the three ways in. Logged in: Mon espace."""
    if current_user.is_authenticated:
        candidatures = list(Candidature.of_account(current_user.id))
        return render_page("public/dashboard.html", account=current_user,
                           candidatures=candidatures, boards=pieces.boards_of(candidatures))
    return render_page("public/home.html")


@bp.route("/ouverture-des-services")
def windows():
    """What is open to the public now, by académie then exam, and what opens next."""
    now = utcnow()
    return render_page("public/windows.html",
                       open_now=group_by_academie_and_exam(Window.open_at(now)),
                       upcoming=list(Window.upcoming(now)))


@bp.route("/aide")
def help():
    academies = prefetch(Academie.select().order_by(Academie.name),
                         ServiceContact.select().order_by(ServiceContact.position))
    return render_page("public/help.html", academies=academies)


@bp.route("/accessibilite")
def accessibility():
    """The accessibility statement, in RGAA's model, its figures from the self-audit."""
    audit = rgaa.audit()
    return render_page("public/accessibility.html", audit=audit, state=audit.state(),
                       audit_date=format_date(audit.date, "long", locale=get_locale()),
                       valid_until=format_date(audit.valid_until, "long", locale=get_locale()))


@bp.route("/langue", methods=["POST"])
@csrf.exempt
def language():
    """The language chosen in the footer, kept for a year in a cookie. The footer's form is on
    every page, so it carries no CSRF token: a page without any other form sets no cookie and
    can be cached. Another site's form is told apart by what the browser says of its origin
    (Sec-Fetch-Site, else Origin): it changes nothing."""
    chosen = request.form.get("lang", "")
    target = same_site_path(request.form.get("next")) or url_for("public.home")
    response = redirect(target, code=303)
    if chosen in current_app.config["LANGUAGES"] and _from_this_site():
        response.set_cookie("lang", chosen, max_age=ONE_YEAR, samesite="Lax", httponly=True,
                            secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response


def _from_this_site() -> bool:
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site:
        return fetch_site in {"same-origin", "none"}
    origin = request.headers.get("Origin")
    return origin is None or origin == request.host_url.rstrip("/")
