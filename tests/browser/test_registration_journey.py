"""M'inscrire in Chromium: the whole journey with htmx and without JavaScript, the keyboard,
« Modifier » and « Me désinscrire », and axe-core on every page, tab and error state.

Each test has its own account. The journeys go through the pages as a candidate does; the
accessibility checks start from a candidature prepared on the server (the same operations the
views call), so that each state costs one page load.
"""
import re
from contextlib import contextmanager

import pytest
from playwright.sync_api import expect

from .harness import (
    PASSWORD, active_element, assert_no_axe_violations, assert_nothing_invalid_yet,
    assert_sound_markup, exposed_as_invalid, javascript_enabled, log_in,
    no_horizontal_scroll, root_conftest, submit, tab_to_next, tab_until, unique_email,
)

#: Valid answers for each tab (tests/conftest.py); 63000 is in the académie de
#: Clermont-Ferrand, where the demo data opens registration now.
TABS = root_conftest().TABS
FORM_SLUGS = list(TABS)
SLUGS = FORM_SLUGS + ["recapitulatif"]
LABELS = dict(zip(SLUGS, ["Identification", "Informations candidature",
                          "Qualification présentée", "Acquis", "Épreuves", "Récapitulatif"]))
EXAM = "Baccalauréat professionnel"
#: What the Récapitulatif must show of TABS and of the account (tests/conftest.py IDENTITY).
RECAP = ["12 rue Blatin", "63000 Clermont-Ferrand", "06 12 34 56 78", "Ouvriers",
         "Candidat individuel", "Maintenance des véhicules – option A : voitures particulières",
         "GLOBALE", "Aucun acquis", "E7 – Éducation physique et sportive", "MARTIN",
         "Élodie Anne"]


def step_name(slug: str) -> str:
    """« Étape 2 sur 6 : Informations candidature »: the heading, the title, the announcement."""
    return f"Étape {SLUGS.index(slug) + 1} sur {len(SLUGS)} : {LABELS[slug]}"


def starts_with(text: str):
    return re.compile("^" + re.escape(text))


# --- On the server: a candidature in the state a check needs ---------------------------------

def prepare_candidature(live_app, account, through=(), register=False, overrides=None) -> str:
    """Start a Baccalauréat professionnel candidature in Clermont-Ferrand for `account`, keep
    the tabs `through` with TABS' answers (read by each tab's own form; `overrides` replaces
    some: {slug: {field: value}}), optionally « Enregistrer »; return its token."""
    from werkzeug.datastructures import MultiDict

    from cyclades.db import database
    from cyclades.models import Candidature, Window, utcnow
    from cyclades.operations import registration as operations
    from cyclades.registration.views import _form_for

    with live_app.test_request_context(), database.connection_context():
        window = next(w for w in Window.open_at(utcnow())
                      if w.academie.code == "clermont-ferrand" and w.exam.code == "BCP"
                      and w.kind == Window.INSCRIPTION)
        candidature, _ = operations.start_candidature(account, window, "63000")
        for slug in through:
            answers = {**TABS[slug], **(overrides or {}).get(slug, {})}
            form = _form_for(candidature, slug, formdata=MultiDict(answers))
            form.validate()
            errors = {name: e for name, e in form.errors.items() if name != "csrf_token"}
            assert not errors, (slug, errors)
            operations.save_step(candidature, slug, form.answers())
            candidature = Candidature.get_by_id(candidature.id)
        if register:
            candidature = operations.register_candidature(candidature)
        return candidature.token


def stored(live_app, token):
    """The candidature as the database holds it now."""
    from cyclades.db import database
    from cyclades.models import Candidature

    with live_app.app_context(), database.connection_context():
        candidature = Candidature.get(Candidature.token == token)
        candidature.account  # loaded now, inside the connection
        return candidature


@pytest.fixture
def candidate(page, make_live_account):
    """A new account, logged in on `page` (JavaScript on)."""
    account = make_live_account(email=unique_email("inscription"))
    log_in(page, account.email, PASSWORD)
    return account


@pytest.fixture
def candidate_no_js(page_no_js, make_live_account):
    """A new account, logged in on `page_no_js`."""
    account = make_live_account(email=unique_email("inscription-sans-js"))
    log_in(page_no_js, account.email, PASSWORD)
    return account


# --- In the browser: what a candidate does ---------------------------------------------------

def begin_registration(page, live_server) -> str:
    """From « Mon espace »: M'inscrire, postal code 63000, « M'inscrire » for the Baccalauréat
    professionnel; returns the new candidature's token (tab 1 is shown)."""
    page.get_by_role("main").get_by_role("link", name="M'inscrire").click()
    expect(page).to_have_url(f"{live_server}/inscription/nouvelle")
    expect(page.get_by_role("heading", level=1)).to_have_text("M'inscrire")
    page.get_by_label("Code postal de votre domicile", exact=True).fill("63000")
    with page.expect_navigation():
        page.get_by_role("button", name="Voir les inscriptions ouvertes").click()
    expect(page).to_have_url(f"{live_server}/inscription/nouvelle?code_postal=63000")
    expect(page.get_by_role("heading", level=2, name="Votre académie")).to_contain_text(
        "Clermont-Ferrand")
    submit(page, page.get_by_role("button", name=f"M'inscrire : {EXAM}", exact=True))
    expect(page).to_have_url(
        re.compile(re.escape(live_server) + r"/inscription/[^/]+/identification$"))
    expect(page.locator("h2#step-title")).to_have_text(step_name("identification"))
    return page.url.rsplit("/", 2)[-2]


def group(page, name):
    """A question's radios (a required one is a radiogroup: it says it is required) or boxes."""
    return page.get_by_role("radiogroup", name=name, exact=True).or_(
        page.get_by_role("group", name=name, exact=True))


def fill_tab(page, slug):
    """Answer a tab as TABS says, through the labels a candidate reads."""
    if slug == "identification":
        page.get_by_label("Adresse", exact=True).fill(TABS[slug]["adresse"])
        expect(page.get_by_label("Code postal", exact=True)).to_have_value("63000")  # kept
        page.get_by_label("Commune", exact=True).fill(TABS[slug]["commune"])
        page.get_by_label("Téléphone portable", exact=True).fill(
            TABS[slug]["telephone_portable"])
        page.get_by_label("Catégorie socio-professionnelle d'un représentant légal",
                          exact=True).select_option(TABS[slug]["pcs_representant"])
    elif slug == "informations":
        group(page, "Type de candidature").get_by_role(
            "radio", name=starts_with("Candidat individuel")).check()
        for declaration in ("Je déclare être domicilié(e) dans cette académie.",
                            "Je déclare être en règle avec l'obligation de recensement",
                            "Je déclare remplir la condition de mon type de candidature."):
            page.get_by_role("checkbox", name=starts_with(declaration)).check()
        group(page, "Handicap").get_by_role("radio", name="Non", exact=True).check()
        group(page, "Publication des résultats").get_by_role("radio", name="Oui",
                                                             exact=True).check()
    elif slug == "qualification":
        page.get_by_label("Spécialité", exact=True).select_option(TABS[slug]["specialite"])
        group(page, "Forme de passage de l'examen").get_by_role(
            "radio", name=starts_with("GLOBALE")).check()
        failed_before = "Avez-vous échoué à cet examen lors d'une session précédente ?"
        group(page, failed_before).get_by_role("radio", name="Non", exact=True).check()
    elif slug == "acquis":
        page.get_by_role("radio", name=starts_with("Aucun acquis")).check()
    elif slug == "epreuves":
        # With JavaScript each of these choices redraws the lists that depend on it: wait for
        # the redraw before the next choice, or it would land on an element about to go.
        with redraw(page):
            page.get_by_label("Langue vivante A (LVA)", exact=True).select_option(
                TABS[slug]["lva"])
        with redraw(page):
            page.get_by_role("radio", name=starts_with("Apte")).check()
        for activity in TABS[slug]["eps_activities"]:
            page.get_by_role("checkbox", name=activity.capitalize(), exact=True).check()
        page.get_by_role("checkbox", name=starts_with("J'ai vérifié")).check()


@contextmanager
def redraw(page, path="/epreuves"):
    """Wait for the htmx request a change sends (nothing to wait for without JavaScript)."""
    if not javascript_enabled(page):
        yield
        return
    with page.expect_response(lambda r: r.request.method == "POST"
                              and path in r.url) as response:
        yield
    response.value.finished()
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-settling')")


def suivant(page):
    return page.get_by_role("button", name="Suivant", exact=True)


def numbers_term(page, term):
    """The <dd> of « term » in the page's list of numbers."""
    return page.locator(f"xpath=//dl[contains(@class, 'numbers')]/dt[normalize-space()="
                        f"\"{term}\"]/following-sibling::dd[1]")


def expect_numbers_page(page, live_app, token, version):
    expect(page.get_by_role("heading", level=1)).to_have_text("N° Inscription")
    candidature = stored(live_app, token)
    assert candidature.version == version and candidature.numero_inscription
    expect(numbers_term(page, "N° candidat")).to_have_text(candidature.account.numero_candidat)
    expect(numbers_term(page, "N° inscription")).to_have_text(candidature.numero_inscription)
    expect(numbers_term(page, "Version")).to_have_text(str(version))
    return candidature


_MARK_HEADER = "() => { document.querySelector('body > header').journeyMark = 'toujours là'; }"
_HEADER_MARK = "() => document.querySelector('body > header').journeyMark || null"


# --- 1. The journey with JavaScript ----------------------------------------------------------

def test_registration_journey_with_javascript(page, live_server, live_app, candidate):
    """htmx swaps only #tabs at each « Suivant »: the header stays the same node, the URL
    follows the tab, focus goes to the step heading (which says the step) and it is titled; then
    Enregistrer leads to N° Inscription. Back after a swap shows the previous tab again, and a
    reload works."""
    token = begin_registration(page, live_server)
    base = f"{live_server}/inscription/{token}"
    page.evaluate(_MARK_HEADER)
    heading = page.locator("h2#step-title")

    for number, slug in enumerate(FORM_SLUGS, start=1):
        fill_tab(page, slug)
        response = submit(page, suivant(page))
        assert response.status == 200, f"{slug} : {response.status}"
        assert response.request.headers.get("hx-request") == "true", "envoyé sans htmx"
        following = SLUGS[number]
        expect(page).to_have_url(f"{base}/{following}")
        expect(heading).to_have_text(step_name(following))
        expect(heading).to_be_focused()  # the focused heading says the step, once
        expect(page.locator("#announce")).not_to_have_text(step_name(following))
        expect(page).to_have_title(starts_with(f"Étape {number + 1} sur 6"))
        assert page.evaluate(_HEADER_MARK) == "toujours là", (
            f"après « Suivant » sur {slug}, la page entière a été remplacée (en-tête neuf)")
        expect(page.locator("main h1")).to_have_count(1)
        expect(page.locator("#tabs")).to_have_count(1)

    tabs = page.locator("#tabs")
    for answer in RECAP + [candidate.email]:
        expect(tabs).to_contain_text(answer)

    # Back after a swap: htmx keeps no copy (historyCacheSize 0), it asks the server again.
    with page.expect_response(f"{base}/epreuves") as restored:
        page.go_back()
    assert restored.value.status == 200
    expect(page).to_have_url(f"{base}/epreuves")
    expect(heading).to_have_text(step_name("epreuves"))
    expect(page).to_have_title(starts_with(step_name("epreuves")))
    expect(page.locator("body > header")).to_have_count(1)  # a whole page, not a bare tab
    expect(page.get_by_role("checkbox", name=starts_with("J'ai vérifié"))).to_be_checked()
    expect(page.locator("main h1")).to_have_count(1)
    page.reload()
    expect(page).to_have_url(f"{base}/epreuves")
    expect(heading).to_have_text(step_name("epreuves"))
    expect(page.get_by_role("checkbox", name=starts_with("J'ai vérifié"))).to_be_checked()
    expect(page).to_have_title(starts_with(step_name("epreuves")))

    submit(page, suivant(page))
    expect(page).to_have_url(f"{base}/recapitulatif")
    expect(heading).to_be_focused()
    submit(page, page.get_by_role("button", name="Enregistrer", exact=True))
    expect(page).to_have_url(f"{base}/numero")
    expect_numbers_page(page, live_app, token, version=1)
    expect(page.get_by_role("status")).to_contain_text("Votre candidature est enregistrée")


# --- 2. The journey without JavaScript -------------------------------------------------------

def test_registration_journey_without_javascript(page_no_js, live_server, live_app,
                                                 live_mailbox, candidate_no_js):
    """Every step is a plain form: POST, 303, the next tab's page; then the mail."""
    page = page_no_js
    token = begin_registration(page, live_server)
    base = f"{live_server}/inscription/{token}"
    for number, slug in enumerate(FORM_SLUGS, start=1):
        fill_tab(page, slug)
        response = submit(page, suivant(page))
        assert response.status == 303, f"{slug} : {response.status}"
        following = SLUGS[number]
        expect(page).to_have_url(f"{base}/{following}")
        expect(page.locator("h2#step-title")).to_have_text(step_name(following))
        expect(page).to_have_title(starts_with(step_name(following)))

    main = page.get_by_role("main")
    for answer in RECAP:
        expect(main).to_contain_text(answer)
    submit(page, page.get_by_role("button", name="Enregistrer", exact=True))
    expect(page).to_have_url(f"{base}/numero")
    candidature = expect_numbers_page(page, live_app, token, version=1)

    message = live_mailbox.last(candidate_no_js.email)
    assert message["Subject"] == "Cyclades libre : votre inscription est enregistrée"
    assert candidature.numero_inscription in live_mailbox.body(message)


# --- 3. Accessibility: every page, tab and error state ----------------------------------------

def check_page(page, label):
    assert_no_axe_violations(page, label)
    assert_sound_markup(page, label)
    no_horizontal_scroll(page)


@pytest.mark.parametrize("slug", SLUGS)
def test_tab_is_accessible(page, live_app, candidate, slug):
    """Each tab as it opens: axe, the markup's references, no horizontal scroll at 320 px."""
    token = prepare_candidature(live_app, candidate, through=FORM_SLUGS[:SLUGS.index(slug)])
    assert page.goto(f"/inscription/{token}/{slug}").status == 200
    expect(page.locator("h2#step-title")).to_have_text(step_name(slug))
    check_page(page, f"onglet {slug}")
    assert_nothing_invalid_yet(page, f"onglet {slug}")


ERROR_TABS = ["identification", "informations", "qualification", "epreuves"]


@pytest.mark.parametrize("slug", ERROR_TABS)
def test_tab_in_error_with_htmx(page, live_app, candidate, slug):
    """« Suivant » on an empty tab: the 422 answer replaces #tabs, the URL stays, focus goes to
    the error summary, the title starts with « Erreur »."""
    token = prepare_candidature(live_app, candidate, through=FORM_SLUGS[:SLUGS.index(slug)])
    page.goto(f"/inscription/{token}/{slug}")
    url = page.url
    page.evaluate(_MARK_HEADER)
    response = submit(page, suivant(page))
    assert response.status == 422
    assert response.request.headers.get("hx-request") == "true", "envoyé sans htmx"
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page).to_have_title(starts_with("Erreur"))
    assert page.url == url, f"une erreur ne doit pas changer d'adresse : {page.url}"
    assert page.evaluate(_HEADER_MARK) == "toujours là"
    check_page(page, f"onglet {slug} en erreur, avec JavaScript")


@pytest.mark.parametrize("slug", ERROR_TABS)
def test_tab_in_error_without_javascript(page_no_js, live_app, candidate_no_js, slug):
    page = page_no_js
    token = prepare_candidature(live_app, candidate_no_js,
                                through=FORM_SLUGS[:SLUGS.index(slug)])
    page.goto(f"/inscription/{token}/{slug}")
    response = submit(page, suivant(page))
    assert response.status == 422
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page).to_have_title(starts_with("Erreur"))
    check_page(page, f"onglet {slug} en erreur, sans JavaScript")


def _start_empty(token):
    return "/inscription/nouvelle", "M'inscrire"


def _start_63000(token):
    return "/inscription/nouvelle?code_postal=63000", "M'inscrire"


def _numbers(token):
    return f"/inscription/{token}/numero", "N° Inscription"


def _mine(token):
    return "/mes-inscriptions", "Mes inscriptions"


def _summary(token):
    return f"/mes-inscriptions/{token}", f"Récapitulatif : {EXAM}"


def _withdraw(token):
    return f"/mes-inscriptions/{token}/desinscrire", "Me désinscrire"


def _start_bad_code(token):
    return "/inscription/nouvelle?code_postal=ABCDE", "M'inscrire"


#: name → (path and <h1> for a candidature's token, HTTP status)
OTHER_PAGES = {"debut-vide": (_start_empty, 200), "debut-63000": (_start_63000, 200),
               "debut-code-invalide": (_start_bad_code, 422),
               "numero-inscription": (_numbers, 200), "mes-inscriptions": (_mine, 200),
               "recapitulatif-enregistre": (_summary, 200), "me-desinscrire": (_withdraw, 200)}
@pytest.mark.parametrize("name", list(OTHER_PAGES))
def test_registration_page_is_accessible(page, live_app, candidate, name):
    """M'inscrire (empty, with 63000, with a bad code), N° Inscription, Mes inscriptions, the
    Récapitulatif of a saved candidature, the « Me désinscrire » confirmation."""
    token = prepare_candidature(live_app, candidate, through=FORM_SLUGS, register=True)
    where, status = OTHER_PAGES[name]
    path, title = where(token)
    assert page.goto(path).status == status
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    if status == 422:
        expect(page.locator(".error-summary")).to_be_focused()
        expect(page).to_have_title(starts_with("Erreur"))
    check_page(page, name)


# --- 4. The keyboard only --------------------------------------------------------------------

def test_tab_one_with_the_keyboard_only(page, live_server, live_app, candidate):
    """Tab 1 with Tab, typing and Enter only (no click, no fill); after the swap the focus is
    on the step 2 heading."""
    token = prepare_candidature(live_app, candidate)
    page.goto(f"/inscription/{token}/identification")
    values = TABS["identification"]
    tab_until(page, lambda e: e["id"] == "adresse", limit=30)
    page.keyboard.type(values["adresse"])
    tab_to_next(page, "complement")
    code_postal = tab_to_next(page, "code_postal")
    assert code_postal["value"] == "63000"  # kept from « M'inscrire »
    tab_to_next(page, "commune")
    page.keyboard.type(values["commune"])
    tab_to_next(page, "telephone_portable")
    page.keyboard.type(values["telephone_portable"])
    tab_to_next(page, "telephone_fixe")
    tab_to_next(page, "pcs_representant")
    page.keyboard.type("Ouvriers")  # a closed <select> picks the option typed
    expect(page.locator("#pcs_representant")).to_have_value("6")
    page.keyboard.press("Tab")
    button = active_element(page)
    assert (button["tag"], button["text"]) == ("button", "Suivant"), button

    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.keyboard.press("Enter")
    assert answer.value.status == 200
    expect(page).to_have_url(f"{live_server}/inscription/{token}/informations")
    heading = page.locator("h2#step-title")
    expect(heading).to_have_text(step_name("informations"))
    expect(heading).to_be_focused()


# --- 5. Modifier, then Me désinscrire ---------------------------------------------------------

def test_modify_makes_version_two_then_withdraw(page, live_server, live_app, candidate):
    token = prepare_candidature(live_app, candidate, through=FORM_SLUGS, register=True)
    page.goto("/mes-inscriptions")
    card = page.locator(".card", has_text=EXAM)
    expect(card).to_contain_text("Inscrite")
    expect(card).to_contain_text("version 1")
    card.get_by_role("link", name=starts_with("Voir le récapitulatif")).click()
    expect(page).to_have_url(f"{live_server}/mes-inscriptions/{token}")

    submit(page, page.get_by_role("button", name="Modifier", exact=True))
    base = f"{live_server}/inscription/{token}"
    expect(page).to_have_url(f"{base}/identification")
    expect(page.get_by_role("main")).to_contain_text("modification de votre candidature "
                                                     "enregistrée (version 1)")
    page.get_by_label("Adresse", exact=True).fill("3 rue Neuve")
    submit(page, suivant(page))
    expect(page).to_have_url(f"{base}/informations")
    page.get_by_role("navigation", name="Étapes de l'inscription").get_by_role(
        "link", name="6. Récapitulatif").click()
    expect(page).to_have_url(f"{base}/recapitulatif")
    expect(page.locator("h2#step-title")).to_be_focused()
    expect(page.locator("#tabs")).to_contain_text("3 rue Neuve")
    submit(page, page.get_by_role("button", name="Enregistrer", exact=True))
    expect(page).to_have_url(f"{base}/numero")
    expect_numbers_page(page, live_app, token, version=2)
    expect(page.get_by_role("status")).to_contain_text("Votre modification est enregistrée "
                                                       "(version 2)")

    page.get_by_role("link", name="Mes inscriptions", exact=True).click()
    expect(page).to_have_url(f"{live_server}/mes-inscriptions")
    expect(card).to_contain_text("version 2")
    card.get_by_role("link", name=starts_with("Voir le récapitulatif")).click()
    page.get_by_role("link", name="Me désinscrire", exact=True).click()
    expect(page).to_have_url(f"{live_server}/mes-inscriptions/{token}/desinscrire")
    expect(page.get_by_role("main")).to_contain_text("ne peut pas être réactivée")
    submit(page, page.get_by_role("button", name="Confirmer ma désinscription"))
    expect(page).to_have_url(f"{live_server}/mes-inscriptions")
    expect(page.get_by_role("status")).to_contain_text("Vous êtes désinscrit(e)")
    expect(card).to_contain_text("Statut : Désinscrite")
    assert stored(live_app, token).status == "desinscrite"


# --- After a swap, the rest of the page follows the new URL -----------------------------------

def test_language_switch_after_a_swap_stays_on_the_current_tab(page, live_server, live_app,
                                                                candidate):
    token = prepare_candidature(live_app, candidate, through=FORM_SLUGS[:2])
    page.goto(f"/inscription/{token}/qualification")
    fill_tab(page, "qualification")
    submit(page, suivant(page))
    expect(page).to_have_url(f"{live_server}/inscription/{token}/acquis")
    with page.expect_navigation():
        page.get_by_role("button", name="English", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url == f"{live_server}/inscription/{token}/acquis", (
        f"le changement de langue a quitté l'onglet courant pour {page.url}")


# --- The end of the session (WCAG 2.2.1) ----------------------------------------------------

@contextmanager
def short_sessions(live_app, seconds):
    """Sessions of the live server end after `seconds` without a request, for this test."""
    from datetime import timedelta

    before = live_app.config["PERMANENT_SESSION_LIFETIME"]
    live_app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=seconds)
    try:
        yield
    finally:
        live_app.config["PERMANENT_SESSION_LIFETIME"] = before


def test_the_session_warns_before_it_ends_and_nothing_typed_is_lost(page, live_server,
                                                                    live_app, candidate):
    """24 s sessions: the dialog opens 12 s before the end, focused on « Rester connecté »;
    Enter extends the session and gives the page back as it was. Left alone the second time,
    it says the session has ended; « Suivant » then leads to the login, and after it the tab
    comes back with what was typed."""
    token = prepare_candidature(live_app, candidate)
    with short_sessions(live_app, 24):
        page.goto(f"/inscription/{token}/identification")
        address = page.get_by_label("Adresse", exact=True)
        address.fill("3 place de Jaude")
        dialog = page.get_by_role("dialog", name="Votre session va se terminer")
        expect(dialog).to_be_visible(timeout=20_000)
        expect(dialog).to_contain_text("Sans activité, votre session se termine dans")
        expect(page.get_by_role("button", name="Rester connecté")).to_be_focused()
        assert_no_axe_violations(page, "avertissement de fin de session")
        page.keyboard.press("Enter")
        expect(dialog).to_be_hidden()
        expect(page.locator("#announce")).to_have_text("Votre session est prolongée.")
        expect(address).to_be_focused()
        expect(address).to_have_value("3 place de Jaude")

        # Left alone: the dialog comes back, then says the session has ended.
        expect(page.get_by_role("heading", name="Votre session est terminée")).to_be_visible(
            timeout=30_000)
        page.get_by_role("button", name="Fermer").click()
        expect(address).to_have_value("3 place de Jaude")
        for slug, answers in TABS["identification"].items():
            if slug not in ("adresse", "complement", "pcs_representant"):
                page.locator(f"[name={slug}]").fill(answers)
        page.get_by_label("Catégorie socio-professionnelle", exact=False).select_option(
            TABS["identification"]["pcs_representant"])
        with page.expect_navigation():
            suivant(page).click()
        expect(page).to_have_url(re.compile(r"/connexion\?next="))
        expect(page.locator("main")).to_contain_text("Ce que vous veniez d'envoyer est conservé")
    page.get_by_label("Adresse mail", exact=True).fill(candidate.email)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    submit(page, page.get_by_role("button", name="Se connecter"))
    expect(page).to_have_url(f"{live_server}/inscription/{token}/identification")
    expect(page.locator("#restored")).to_contain_text("Voici ce que vous aviez saisi")
    expect(page.get_by_label("Adresse", exact=True)).to_have_value("3 place de Jaude")
