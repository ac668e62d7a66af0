"""M'inscrire (R20–R23), the tabs, Enregistrer, N° Inscription, Mes inscriptions (R29, R30)."""
from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from cyclades.domain import candidature as rules
from cyclades.domain import acquis as acquis_rules
from cyclades.domain import documents as document_kinds
from cyclades.domain import epreuves, languages
from cyclades.domain.residence import academie_of
from cyclades.htmx import follow, hx_redirect, render_page
from cyclades.i18n import gettext as _
from cyclades.models import (
    Academie, Candidature, Diploma, Exam, ServiceContact, Specialty, Window, utcnow,
)
from cyclades.operations import documents, kept_tabs, pieces
from cyclades.operations import registration as operations
from cyclades.registration import recap
from cyclades.registration.exam_forms import FORMS, acquis_form, epreuves_form
from cyclades.registration.forms import ResidenceForm, StartForm
from cyclades.templating import academie_label

bp = Blueprint("registration", __name__)


@bp.before_request
@login_required
def _candidates_only():
    """Every page here is the logged-in candidate's own."""


def load_candidature(token: str) -> Candidature:
    """The logged-in candidate's own candidature, or 404 (never someone else's)."""
    candidature = Candidature.own(token, current_user.id)
    if candidature is None:
        abort(404)
    return candidature


# --- Starting -----------------------------------------------------------------------------------

@bp.route("/inscription/nouvelle")
def start():
    """Where do you live? Then the exams whose registration is open in that académie now."""
    form = ResidenceForm(request.args)
    academie = windows = upcoming = None
    status = 200
    if request.args:
        if form.validate():
            academie = Academie.get_or_none(Academie.code == academie_of(form.code_postal.data))
            now = utcnow()
            here = (Window.academie == academie) & (Window.kind == Window.INSCRIPTION)
            windows = list(Window.open_at(now).where(here))
            upcoming = list(Window.upcoming(now, limit=5).where(here))
        else:
            status = 422
    return render_page("registration/start.html", status=status, form=form, academie=academie,
                       windows=windows, upcoming=upcoming, start_form=StartForm())


@bp.route("/inscription/nouvelle", methods=["POST"])
def create():
    form = StartForm()
    code = academie_of(form.code_postal.data or "")
    now = utcnow()
    window = Window.open_at(now).where(
        (Academie.code == code) & (Exam.code == form.examen.data)
        & (Window.kind == Window.INSCRIPTION)).first()
    if not form.validate() or window is None:
        flash(_("Cette inscription n'est pas ouverte pour votre académie en ce moment."), "error")
        return hx_redirect(url_for("registration.start", code_postal=form.code_postal.data or ""))
    candidature, created = operations.start_candidature(current_user._get_current_object(), window,
                                                        form.code_postal.data)
    if not created:
        flash(_("Vous avez déjà une candidature pour cet examen et cette session : la voici."),
              "info")
        if candidature.status == rules.INSCRITE and not candidature.editing:
            return hx_redirect(url_for("registration.summary", token=candidature.token))
    return hx_redirect(url_for("registration.step", token=candidature.token,
                               slug=rules.first_incomplete(candidature.draft)))


# --- The tabs -----------------------------------------------------------------------------------

def _editable(candidature) -> bool:
    return (candidature.status == rules.BROUILLON or candidature.editing) and \
        operations.window_is_open(candidature)


def epreuves_context(candidature) -> dict:
    """What tab 5 offers this candidature: its académie's lists, whether an LVB is needed, the
    EPS modes its answers open (handicap, professional experience)."""
    exam = candidature.exam.code
    academie = candidature.academie
    qualification = candidature.draft.get("qualification") or {}
    informations = candidature.draft.get("informations") or {}
    specialty = recap.specialty_of(candidature, candidature.draft)
    e4, lvf = epreuves.language_lists(academie.e4_languages, academie.lvf_languages)
    return {
        "units": recap.unit_statuses(candidature, candidature.draft),
        "optional": recap.optional_rows(candidature, candidature.draft),
        "progressive": qualification.get("forme_passage") == rules.PROGRESSIVE,
        "languages": epreuves.has_role(exam, "langues"),
        "eps": epreuves.has_role(exam, "eps"),
        "lvb_needed": bool(specialty) and languages.needs_lvb(specialty.sector,
                                                              specialty.single_language, exam),
        "e4": e4, "lvf": lvf if epreuves.has_role(exam, "lvf") else [],
        "activities": academie.eps_activities, "adapted": academie.eps_adapted_activities,
        "handicap": informations.get("handicap") == "oui",
        "experience": informations.get("type_candidature") == "experience",
    }


def acquis_context(candidature) -> dict:
    """Tab 4: the possibilities the exam offers (R25), the specialty's obligatory units and, for a
    Bac Pro, the diplomas of the dispense table."""
    specialty = recap.specialty_of(candidature, candidature.draft)
    units = [{**u, "label": f"{epreuves.unit_label(u)} – {u['title']}"}
             for u in (specialty.unit_list() if specialty else []) if not u["optional"]]
    kinds = acquis_rules.kinds_for(candidature.exam.code, bool(units))
    context = {"units": units if len(kinds) > 1 else [], "kinds": kinds,
               "session": candidature.session.year}
    if acquis_rules.DIPLOME in kinds:
        table = Diploma.table()
        context.update(subjects=epreuves.unit_subjects(units), specialty=specialty.code,
                       diploma_table=table,
                       diplomas=acquis_rules.diploma_labels(table, specialty.code))
    return context


def _form_for(candidature, slug, formdata=None):
    cls = FORMS[slug]
    kwargs = {}
    if slug == "identification":
        kwargs = {"academie": candidature.academie,
                  "academie_label": academie_label(candidature.academie)}
    elif slug == "qualification":
        kwargs = {"specialties": Specialty.all_of_exam(candidature.exam_id),
                  "locked_forme": (candidature.answers.get("qualification") or {})
                  .get("forme_passage") if candidature.version else None}
    elif slug == "epreuves":
        context = epreuves_context(candidature)
        cls = epreuves_form(context["units"]) if context["progressive"] else cls
        kwargs = {"context": context}
    elif slug == "acquis":
        context = acquis_context(candidature)
        cls = acquis_form(context["units"])
        kwargs = {"context": context}
    if formdata is not None:
        return cls(formdata, **kwargs)
    saved = candidature.draft.get(slug)
    if saved is not None and slug == "acquis":
        saved = cls.data_from(saved)
    if saved is not None and slug == "epreuves":
        saved = {**saved, **{f"presenter_{unit}": True for unit in saved.get("presentees", [])}}
    if saved is None and slug == "identification":
        saved = {"code_postal": candidature.draft.get("_code_postal", "")}
    return cls(formdata=None, data=saved or {}, **kwargs)


def render_step(candidature, slug, form=None, status=200, restored=False):
    if slug == "recapitulatif":
        form = StartForm()  # only its CSRF token: « Enregistrer » is a plain button
    else:
        form = form or _form_for(candidature, slug)
    return render_page(
        "registration/step.html", fragment="tab", status=status, candidature=candidature,
        slug=slug, number=rules.step_number(slug), steps=rules.STEPS, form=form,
        restored=restored,
        reachable=lambda s: rules.reachable(s, candidature.draft),
        sections=recap.sections(candidature, candidature.draft) if slug == "recapitulatif"
        else None)


@bp.route("/inscription/<token>/<slug>", methods=["GET", "POST"])
def step(token, slug):
    candidature = load_candidature(token)
    if slug not in rules.SLUGS:
        abort(404)
    if not _editable(candidature):
        return hx_redirect(url_for("registration.summary", token=token))
    if not rules.reachable(slug, candidature.draft):
        return hx_redirect(url_for("registration.step", token=token,
                                   slug=rules.first_incomplete(candidature.draft)))
    if request.method == "GET" and slug != "recapitulatif":
        kept = kept_tabs.take(request.cookies.get(kept_tabs.COOKIE), candidature, slug)
        if kept is not None:  # sent after the session had ended: shown again, to be sent
            response = render_step(candidature, slug, restored=True,
                                   form=_form_for(candidature, slug, formdata=MultiDict(kept)))
            response.delete_cookie(kept_tabs.COOKIE, path="/")
            return response
    if request.method == "GET" or slug == "recapitulatif":
        return render_step(candidature, slug)

    form = _form_for(candidature, slug, formdata=request.form)
    if request.form.get("action") == "actualiser":
        # A choice changed (with htmx, on « change »): the lists that depend on it are drawn
        # again from what is typed; nothing is checked or kept until « Suivant ».
        return render_step(candidature, slug, form=form)
    going_back = request.form.get("action") == "precedent"
    if not form.validate():
        if going_back and slug != rules.SLUGS[0]:  # leaving backwards: nothing valid to keep
            return _go(candidature, rules.SLUGS[rules.step_number(slug) - 2])
        return render_step(candidature, slug, form=form, status=422)
    operations.save_step(candidature, slug, form.answers())
    candidature = Candidature.get_by_id(candidature.id)
    number = rules.step_number(slug)  # 1-based: SLUGS[number] is the next step
    return _go(candidature, rules.SLUGS[number - 2] if going_back else rules.SLUGS[number])


def _go(candidature, slug):
    return follow(url_for("registration.step", token=candidature.token, slug=slug),
                  lambda: render_step(candidature, slug))


@bp.route("/inscription/<token>/enregistrer", methods=["POST"])
def register(token):
    candidature = load_candidature(token)
    try:
        candidature = operations.register_candidature(candidature)
    except rules.TransitionRefused as refused:
        flash(_(refused.reason), "error")
        return hx_redirect(url_for("registration.summary", token=token))
    return hx_redirect(url_for("registration.numbers", token=candidature.token))


@bp.route("/inscription/<token>/numero")
def numbers(token):
    """N° Inscription: the numbers, the service gestionnaire's contacts, what to do next."""
    candidature = load_candidature(token)
    if candidature.status != rules.INSCRITE:
        return redirect(url_for("registration.summary", token=token))
    return render_page("registration/numbers.html", candidature=candidature,
                       contacts=ServiceContact.for_exam(candidature.academie, candidature.exam),
                       confirmation=documents.latest_of(candidature, document_kinds.CONFIRMATION))


# --- Mes inscriptions ---------------------------------------------------------------------------

@bp.route("/mes-inscriptions")
def mine():
    candidatures = list(Candidature.of_account(current_user.id))
    return render_page("registration/list.html", candidatures=candidatures,
                       open_now=operations.open_windows(candidatures),
                       confirmations=documents.latest_confirmations(candidatures),
                       boards=pieces.boards_of(candidatures))


@bp.route("/mes-inscriptions/<token>")
def summary(token):
    """The candidature as the académie holds it: its Récapitulatif, with Modifier,
    Visualiser and Me désinscrire (R30)."""
    candidature = load_candidature(token)
    answers = candidature.answers if candidature.version else candidature.draft
    return render_page("registration/summary.html", candidature=candidature,
                       sections=recap.sections(candidature, answers),
                       window_open=operations.window_is_open(candidature),
                       window=operations.registration_window(candidature),
                       confirmation=documents.latest_of(candidature, document_kinds.CONFIRMATION))


@bp.route("/mes-inscriptions/<token>/modifier", methods=["POST"])
def reopen(token):
    candidature = load_candidature(token)
    try:
        operations.reopen_candidature(candidature)
    except rules.TransitionRefused as refused:
        flash(_(refused.reason), "error")
        return hx_redirect(url_for("registration.summary", token=token))
    return hx_redirect(url_for("registration.step", token=token, slug="identification"))


@bp.route("/mes-inscriptions/<token>/desinscrire", methods=["GET", "POST"])
def withdraw(token):
    """« Me désinscrire », after a confirmation page: final (R30)."""
    candidature = load_candidature(token)
    if candidature.status == rules.DESINSCRITE and request.method == "GET":
        return redirect(url_for("registration.summary", token=token))
    if request.method == "POST":  # sent again once withdrawn: the same answer
        operations.withdraw_candidature(candidature)
        flash(_("Vous êtes désinscrit(e) de cette candidature. Elle ne peut pas être "
                "réactivée."), "success")
        return hx_redirect(url_for("registration.mine"))
    return render_page("registration/withdraw.html", candidature=candidature, form=StartForm())
