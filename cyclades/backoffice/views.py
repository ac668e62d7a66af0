"""/gestion: the gestionnaires' login (password, then a code), the activation of their access
(password, then the second factor), their home and their team."""
import re

from flask import Blueprint, abort, current_app, g, make_response, redirect, request, url_for

from cyclades import throttle
from cyclades.backoffice import auth
from cyclades.backoffice.forms import CodeForm, EnrolForm, InviteForm, LoginForm, PasswordForm
from cyclades.backoffice.home import COUNTS, chart_svg, session_overview
from cyclades.backoffice.listing import FILTERS, SORTS, YES_NO, list_candidatures, pieces_label
from cyclades.backoffice.listing import STATES as listing_states
from cyclades.domain import pieces
from cyclades.domain.candidature import GLOBALE, PROGRESSIVE
from cyclades.registration.forms import specialty_choices
from cyclades.dates import time_of_day
from cyclades.htmx import render_page
from cyclades.domain.windows import label as window_label
from cyclades.i18n import gettext as _
from cyclades.models import Candidature, Exam, ExamSession, Gestionnaire, Specialty, Window, utcnow
from cyclades.operations import gestionnaires as operations
from cyclades.security import TokenExpired, TokenInvalid, same_site_path

bp = Blueprint("backoffice", __name__, url_prefix="/gestion")

FORMES = {GLOBALE: GLOBALE, PROGRESSIVE: PROGRESSIVE}


@bp.before_request
def _who():
    g.private_page = True  # nothing of the back-office is kept by a browser or a proxy
    auth.load()


def _page(template, status=200, **context):
    return render_page(f"backoffice/{template}", status=status, **context)


def _next_url() -> str:
    target = same_site_path(request.values.get("next"))
    return target if target and target.startswith(auth.PATH) else url_for("backoffice.home")


def _blocked(form, field, exceeded, template, **context):
    retry = time_of_day(exceeded.retry_at, g.gestionnaire.academie.timezone
                        if g.get("gestionnaire") else current_app.config["BABEL_DEFAULT_TIMEZONE"])
    field.errors = [*field.errors, _("Trop d'essais incorrects : pour protéger l'accès, "
                                     "réessayez après %(time)s.", time=retry)]
    response = _page(template, status=429, form=form, **context)
    response.headers["Retry-After"] = str(exceeded.retry_after)
    return response


# --- Login: the password, then the code ------------------------------------------------------

@bp.route("/connexion", methods=["GET", "POST"])
def login():
    """Step 1: the address and the password. Only failures count towards the limits."""
    if g.gestionnaire is not None:
        return redirect(url_for("backoffice.home"))
    form = LoginForm()
    if request.method == "POST" and form.validate():
        pair = ("LIMIT_GESTION_LOGIN_PAIR", form.email.data.strip().lower(), throttle.client())
        wider = ("LIMIT_GESTION_LOGIN_CLIENT", throttle.client())
        try:
            throttle.enforce(wider)
            throttle.take(pair)
        except throttle.Exceeded as exceeded:
            return _blocked(form, form.email, exceeded, "login.html")
        gestionnaire = operations.authenticate(form.email.data, form.password.data)
        if gestionnaire is None:
            throttle.count(wider)
            form.password.errors.append(_("Adresse mail ou mot de passe incorrect."))
            return _page("login.html", status=422, form=form)
        throttle.forget(pair)
        step = "backoffice.code" if gestionnaire.totp_secret else "backoffice.enrol"
        response = redirect(url_for(step, next=request.values.get("next") or None), code=303)
        return auth.set_cookie(response, auth.pending_cookie(gestionnaire))
    return _page("login.html", status=422 if form.errors else 200, form=form)


@bp.route("/connexion/code", methods=["GET", "POST"])
def code():
    """Step 2: a code from the application, or a recovery code; each works once."""
    gestionnaire = auth.pending()
    if gestionnaire is None or not gestionnaire.totp_secret:
        return redirect(url_for("backoffice.login"))
    form = CodeForm()
    if request.method == "POST" and form.validate():
        rule = ("LIMIT_GESTION_CODE", gestionnaire.id)
        try:
            throttle.take(rule)  # counted in the same step: codes sent at once count too
        except throttle.Exceeded as exceeded:
            return _blocked(form, form.code, exceeded, "code.html")
        how = operations.check_code(gestionnaire, form.code.data)
        if how is None:
            form.code.errors.append(_("Ce code n'est pas valable (il a peut-être déjà servi, "
                                      "ou il a changé entre-temps) : saisissez le code affiché "
                                      "maintenant."))
            return _page("code.html", status=422, form=form)
        throttle.forget(rule)
        key = operations.open_session(gestionnaire, how)
        return auth.set_cookie(redirect(_next_url(), code=303), {"k": key})
    return _page("code.html", status=422 if form.errors else 200, form=form)


@bp.route("/deconnexion", methods=["POST"])
def logout():
    operations.end_session(g.get("gestion_key"))
    return auth.set_cookie(redirect(url_for("backoffice.login"), code=303), None)


# --- Activation: the password, then the second factor ----------------------------------------

@bp.route("/activer/<token>", methods=["GET", "POST"])
def activate(token):
    try:
        gestionnaire = operations.for_activation(token)
    except TokenExpired:
        return _page("link_expired.html", status=410)
    except (TokenInvalid, operations.TokenUsed):
        return _page("link_expired.html", status=404, used=True)
    form = PasswordForm(personal=(gestionnaire.email, gestionnaire.name))
    if request.method == "POST" and form.validate():
        try:
            gestionnaire = operations.activate(token, form.password.data)
        except (TokenInvalid, TokenExpired, operations.TokenUsed):
            return _page("link_expired.html", status=404, used=True)
        return auth.set_cookie(redirect(url_for("backoffice.enrol"), code=303),
                               auth.pending_cookie(gestionnaire))
    return _page("activate.html", status=422 if form.errors else 200, form=form,
                 gestionnaire=gestionnaire)


@bp.route("/second-facteur", methods=["GET", "POST"])
def enrol():
    """The application to enrol: a QR code and the same secret in text (typed by whoever
    cannot scan), then a code from it before it counts; the recovery codes, once."""
    from cyclades.backoffice.qr import qr_svg

    gestionnaire = auth.pending()
    if gestionnaire is None or gestionnaire.totp_secret:
        return redirect(url_for("backoffice.login"))
    operations.start_enrolment(gestionnaire)
    form = EnrolForm()
    if request.method == "POST" and form.validate():
        rule = ("LIMIT_GESTION_CODE", gestionnaire.id)
        try:
            throttle.take(rule)
        except throttle.Exceeded as exceeded:
            return _blocked(form, form.code, exceeded, "enrol.html", gestionnaire=gestionnaire,
                            qr=qr_svg(operations.provisioning_uri(gestionnaire)),
                            secret=operations.grouped(gestionnaire.totp_pending))
        codes = operations.confirm_enrolment(gestionnaire, form.code.data)
        if codes is None:
            form.code.errors.append(_("Ce code ne correspond pas : vérifiez que l'application "
                                      "a bien enregistré la clé, puis saisissez le code "
                                      "affiché maintenant."))
        else:
            throttle.forget(rule)
            key = operations.open_session(gestionnaire, "totp")
            response = make_response(_page("recovery_codes.html", codes=codes))
            return auth.set_cookie(response, {"k": key})
    return _page("enrol.html", status=422 if form.errors else 200, form=form,
                 gestionnaire=gestionnaire,
                 qr=qr_svg(operations.provisioning_uri(gestionnaire)),
                 secret=operations.grouped(gestionnaire.totp_pending))


# --- Home -------------------------------------------------------------------------------------

@bp.route("")
@auth.gestionnaire_required
def home():
    """The session at a glance: per exam and session of the académie, the counts that matter,
    each a link to its list; the windows; the inscriptions per day."""
    return _page("home.html", overview=session_overview(g.gestionnaire.academie),
                 counts=COUNTS, now=utcnow(), chart=chart_svg)


@bp.route("/candidatures")
@auth.gestionnaire_required
def candidatures():
    """The académie's candidatures, filtered and searched as the URL says; with htmx only the
    results are drawn again."""
    academie = g.gestionnaire.academie
    page = request.args.get("page", "1")
    listing = list_candidatures(academie, request.args,
                                int(page) if re.fullmatch(r"[0-9]{1,6}", page) else 1)
    exams = {c.exam for c in Candidature.select(Candidature.exam).where(
        Candidature.academie == academie).distinct()} | {
        w.exam for w in Window.select(Window.exam).where(Window.academie == academie)}
    fragment = "results" if request.headers.get("HX-Target") == "results" else "content"
    yes_no = [(value, _(label)) for value, label in YES_NO.items()]
    filters = [
        ("examen", _("Examen"), [(e.code, e.name) for e in sorted(exams, key=lambda e: e.position)],
         _("Tous")),
        ("session", _("Session"), [(str(year), str(year)) for year in sorted(
            {s.year for s in ExamSession.select()}, reverse=True)], _("Toutes")),
        ("etat", _("État"), [(v, _(label)) for v, label in listing_states.items()], _("Tous")),
        ("forme", _("Forme de passage"), [(v, v) for v in FORMES], _("Toutes")),
        ("handicap", _("Handicap déclaré"), yes_no, _("Indifférent")),
        ("pieces", _("Pièces"), [(v, _(label)) for v, label in pieces.STATES.items()],
         _("Toutes")),
        ("confirmation", _("Confirmation signée déposée"), yes_no, _("Indifférent")),
        ("tri", _("Trier par"), [(v, _(label)) for v, (label, _order) in SORTS.items()
                                 if v != "recent"], _("Les plus récentes d'abord")),
    ]
    if "examen" in listing.criteria:
        choices = specialty_choices(Specialty.select().join(Exam).where(
            Exam.code == listing.criteria["examen"]))[1:]
        filters.insert(2, ("specialite", _("Spécialité"),
                           [(c.value, str(c.label)) for c in choices], _("Toutes")))
    # The links of the pages carry the list's own parameters, nothing else of the URL.
    args = {name: request.args[name] for name in (*FILTERS, "q", "tri") if request.args.get(name)}
    return render_page("backoffice/candidatures.html", fragment=fragment, listing=listing,
                       filters=filters, args=args, pieces_label=pieces_label)


# --- The team (responsable) -------------------------------------------------------------------

def _colleague(gestionnaire_id: int) -> Gestionnaire:
    found = auth.scoped(Gestionnaire.select().where(Gestionnaire.id == gestionnaire_id),
                        Gestionnaire.academie).first()
    if found is None:
        abort(404)
    return found


def _team_page(form=None, status=200, invited=None):
    team = auth.scoped(Gestionnaire.select(), Gestionnaire.academie).order_by(
        Gestionnaire.disabled_at.is_null(False), Gestionnaire.name, Gestionnaire.email)
    return _page("team.html", status=status, team=list(team), form=form or InviteForm(),
                 invited=invited, codes_left=operations.recovery_codes_left)


@bp.route("/equipe", methods=["GET", "POST"])
@auth.responsable_required
def team():
    """The académie's gestionnaires; inviting one sends them an activation link."""
    form = InviteForm()
    if request.method == "POST":
        if not form.validate():
            return _team_page(form, 422)
        invited, _link = operations.create_gestionnaire(
            form.email.data, g.gestionnaire.academie, form.role.data, form.name.data,
            by=g.gestionnaire)
        return _team_page(InviteForm(formdata=None), invited=invited)
    return _team_page(form)


@bp.route("/equipe/<int:gestionnaire_id>/second-facteur", methods=["POST"])
@auth.responsable_required
def reset_second_factor(gestionnaire_id):
    colleague = _colleague(gestionnaire_id)
    operations.reset_second_factor(colleague, by=g.gestionnaire)
    return redirect(url_for("backoffice.team", _anchor=f"g-{colleague.id}"), code=303)


@bp.route("/equipe/<int:gestionnaire_id>/desactiver", methods=["POST"])
@auth.responsable_required
def disable(gestionnaire_id):
    colleague = _colleague(gestionnaire_id)
    if colleague.id == g.gestionnaire.id:
        abort(400)
    operations.disable(colleague, by=g.gestionnaire)
    return redirect(url_for("backoffice.team", _anchor=f"g-{colleague.id}"), code=303)


# --- The académie's windows (responsable) -----------------------------------------------------

def _window_form(window=None, formdata=None):
    from cyclades.backoffice.forms import WindowForm
    from cyclades.dates import to_local
    from cyclades.domain import windows as window_rules

    form = WindowForm(formdata=formdata) if formdata is not None else WindowForm()
    form.exam.choices = [(e.code, e.name) for e in Exam.select().order_by(Exam.position)]
    form.kind.choices = [(kind, _(names[0])) for kind, names in window_rules.LABELS.items()]
    if window is not None and request.method == "GET":
        tz = g.gestionnaire.academie.timezone
        opens, closes = to_local(window.opens_at, tz), to_local(window.closes_at, tz)
        form.exam.data, form.session.data, form.kind.data = (window.exam.code,
                                                             window.session.year, window.kind)
        form.opens_date.data, form.opens_time.data = opens.date(), opens.strftime("%H:%M")
        form.closes_date.data, form.closes_time.data = closes.date(), closes.strftime("%H:%M")
    return form


def _own_window(window_id: int) -> Window:
    found = auth.scoped(Window.select().where(Window.id == window_id), Window.academie).first()
    if found is None:
        abort(404)
    return found


@bp.route("/periodes")
@auth.responsable_required
def windows():
    from cyclades.operations.windows import affected

    rows = list(auth.scoped(Window.select(), Window.academie)
                .order_by(Window.session.desc(), Window.exam, Window.opens_at))
    return _page("windows.html", rows=rows, affected=affected, now=utcnow())


@bp.route("/periodes/nouvelle", methods=["GET", "POST"])
@bp.route("/periodes/<int:window_id>", methods=["GET", "POST"])
@auth.responsable_required
def window(window_id=None):
    """Create or change a window, its dates and hours typed in local time."""
    from cyclades.dates import from_local
    from cyclades.operations import windows as operations_windows

    existing = _own_window(window_id) if window_id else None
    form = _window_form(existing)
    if existing is not None:  # what a window is for does not change: only its dates
        form.exam.data, form.kind.data = existing.exam.code, existing.kind
        form.session.data = existing.session.year
    refused = []
    if request.method == "POST" and form.validate():
        tz = g.gestionnaire.academie.timezone
        opens = from_local(form.moment(form.opens_date.data, form.opens_time.data), tz)
        closes = from_local(form.moment(form.closes_date.data, form.closes_time.data), tz)
        exam = Exam.get(Exam.code == form.exam.data)
        session = existing.session if existing else (
            ExamSession.get_or_none(ExamSession.year == form.session.data)
            or ExamSession.create(year=form.session.data))
        try:
            saved = operations_windows.save_window(g.gestionnaire, exam, session,
                                                   form.kind.data, opens, closes, existing)
        except operations_windows.WindowRefused as error:
            refused = [_(reason) for reason in error.reasons]
            form.closes_date.errors = [*form.closes_date.errors, *refused]
        else:
            from flask import flash
            flash(_("Période enregistrée : %(window)s, %(exam)s, session %(year)s. %(count)d "
                    "candidature(s) en cours pour cet examen et cette session ; aucun mail ne "
                    "leur est envoyé.", window=_(window_label(saved.kind)), exam=exam.name,
                    year=session.year, count=operations_windows.affected(saved)), "success")
            return redirect(url_for("backoffice.windows", _anchor=f"w-{saved.id}"), code=303)
    status = 422 if form.errors else 200
    return _page("window.html", status=status, form=form, existing=existing)
