"""axe-core finds no violation (WCAG 2.x A/AA, best practices) on any page, in its normal state
and after a form error, with htmx and without JavaScript; every page reflows at 320 px; our own
scripts and htmx run under the site's strict CSP."""
import re

import pytest
from playwright.sync_api import expect

from cyclades.demo import DEMO_EMAIL, DEMO_PASSWORD

from .harness import (
    assert_no_axe_violations, assert_no_browser_errors, assert_nothing_invalid_yet,
    assert_sound_markup, exposed_as_invalid, log_in, no_horizontal_scroll, submit,
)

PUBLIC_PAGES = [
    ("/", 200),
    ("/ouverture-des-services", 200),
    ("/aide", 200),
    ("/accessibilite", 200),
    ("/compte/creer", 200),
    ("/connexion", 200),
    ("/mot-de-passe-oublie", 200),
    ("/compte/creer/mail-envoye", 200),
    ("/cette-page-n-existe-pas", 404),
]


@pytest.mark.parametrize("path, status", PUBLIC_PAGES, ids=[p for p, _ in PUBLIC_PAGES])
def test_public_page(page, path, status):
    response = page.goto(path)
    assert response.status == status
    assert_no_axe_violations(page, path)
    assert_nothing_invalid_yet(page, path)
    no_horizontal_scroll(page)


def test_only_the_fields_in_error_are_announced_invalid(page):
    """Créer mon compte sent with only the civilité missing: the civilité's radios are
    invalid, and nothing else of the blank form was before."""
    page.goto("/compte/creer")
    page.get_by_label("Nom de famille (nom de naissance)", exact=True).fill("MARTIN")
    submit(page, page.get_by_role("button", name="Créer mon compte"))
    invalid = exposed_as_invalid(page)
    assert any("Madame" in name for name in invalid), invalid
    assert not any("Nom de famille" in name for name in invalid), invalid


@pytest.mark.parametrize("path", ["/", "/mon-compte"], ids=["mon-espace", "mon-compte"])
def test_logged_in_page(page, path):
    log_in(page, DEMO_EMAIL, DEMO_PASSWORD)
    assert page.goto(path).status == 200
    assert_no_axe_violations(page, f"{path} (connecté)")
    no_horizontal_scroll(page)


# --- Pages in error ---------------------------------------------------------------------------
# Each scenario fills a form so that the server refuses it and returns the button to press.

def _creation_empty(page):
    page.goto("/compte/creer")
    return page.locator("main form").get_by_role("button", name="Créer mon compte")


def _login_wrong_password(page):
    page.goto("/connexion")
    page.get_by_label("Adresse mail", exact=True).fill(DEMO_EMAIL)
    page.get_by_label("Mot de passe", exact=True).fill("Pas-le-bon-42")
    return page.get_by_role("button", name="Se connecter")


def _forgot_password_invalid_address(page):
    page.goto("/mot-de-passe-oublie")
    page.get_by_label("Adresse mail", exact=True).fill("camille.martin-arobase-example.fr")
    return page.get_by_role("button", name="Recevoir le lien")


def _account_wrong_current_password(page):
    log_in(page, DEMO_EMAIL, DEMO_PASSWORD)
    page.goto("/mon-compte")
    section = page.get_by_role("region", name="Mot de passe", exact=True)
    section.get_by_label("Mot de passe actuel", exact=True).fill("Pas-le-bon-42")
    section.get_by_label("Nouveau mot de passe", exact=True).fill("Tournesol-Vert42")
    section.get_by_label("Confirmation du mot de passe", exact=True).fill("Tournesol-Vert42")
    return section.get_by_role("button", name="Changer de mot de passe")


ERROR_SCENARIOS = {
    "creation-vide": _creation_empty,
    "connexion-mauvais-mot-de-passe": _login_wrong_password,
    "oubli-adresse-invalide": _forgot_password_invalid_address,
    "mon-compte-mauvais-mot-de-passe-actuel": _account_wrong_current_password,
}


@pytest.mark.parametrize("scenario", ERROR_SCENARIOS)
def test_error_state_with_htmx(page, scenario):
    """htmx swaps <main>: the URL stays, the title says « Erreur », focus is on the summary."""
    button = ERROR_SCENARIOS[scenario](page)
    url_before = page.url
    response = submit(page, button)
    assert response.status == 422
    assert response.request.headers.get("hx-request") == "true", "envoyé sans htmx"
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Erreur"))
    assert page.url == url_before, f"htmx ne doit pas changer d'adresse : {page.url}"
    assert_no_axe_violations(page, f"{scenario}, avec JavaScript")
    no_horizontal_scroll(page)


@pytest.mark.parametrize("scenario", ERROR_SCENARIOS)
def test_error_state_without_javascript(page_no_js, scenario):
    """A plain POST gets the whole page back, with the summary and « Erreur » in its title."""
    page = page_no_js
    response = submit(page, ERROR_SCENARIOS[scenario](page))
    assert response.status == 422
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Erreur"))
    assert_no_axe_violations(page, f"{scenario}, sans JavaScript")
    no_horizontal_scroll(page)


@pytest.mark.parametrize("scenario", ERROR_SCENARIOS)
def test_form_markup_references_exist(page_no_js, scenario):
    """Hints, errors, labels and the summary's links point at elements that exist, before and
    after an error (axe only lists a missing id as « to review »)."""
    page = page_no_js
    button = ERROR_SCENARIOS[scenario](page)
    assert_sound_markup(page, f"{scenario}, formulaire vierge")
    submit(page, button)
    assert_sound_markup(page, f"{scenario}, après l'erreur")


# --- The CSP -----------------------------------------------------------------------------------

def test_own_scripts_and_htmx_run_under_the_csp(page):
    """No bypass_csp here: htmx and cyclades.js load and work under `script-src 'self'`, and no
    page logs a CSP violation or any other console error."""
    response = page.goto("/")
    csp = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in csp and "style-src 'self'" in csp, csp
    assert page.evaluate("typeof window.htmx") == "object", "htmx n'a pas été exécuté"

    page.goto("/compte/creer")
    answer = submit(page, page.locator("main form").get_by_role("button", name="Créer mon compte"))
    assert answer.request.headers.get("hx-request") == "true"
    expect(page.locator(".error-summary")).to_be_focused()  # cyclades.js ran after the swap
    assert_no_browser_errors(page, "accueil puis erreur de création avec htmx")
