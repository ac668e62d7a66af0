"""The gestionnaire side in Chromium: activation (password, then the second factor typed from
its text key), a login with the keyboard only (password, then code), and axe-core on every
page and error state, with and without JavaScript."""
import pyotp
from playwright.sync_api import expect

from .harness import assert_no_axe_violations, no_horizontal_scroll, unique_email

PASSWORD = "girafe tiroir orage piment"


def make_gestionnaire(live_app, role="responsable"):
    """A gestionnaire of Clermont-Ferrand, not yet activated: (email, its activation path)."""
    from cyclades.db import database
    from cyclades.models import Academie
    from cyclades.operations.gestionnaires import create_gestionnaire

    email = unique_email("gestion")
    with live_app.test_request_context(), database.connection_context():
        _gestionnaire, link = create_gestionnaire(
            email, Academie.get(Academie.code == "clermont-ferrand"), role, "Claire Pestel")
    return email, "/" + link.split("/", 3)[3]


def tab_to(page, name, role="textbox"):
    """Tab until `name` has the focus (keyboard only): at most 30 presses."""
    target = page.get_by_role(role, name=name, exact=True)
    for _ in range(30):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"« {name} » jamais atteint au clavier")


def test_activation_then_a_keyboard_only_login_with_a_code(page, live_app):
    email, path = make_gestionnaire(live_app)
    page.goto(path)
    assert_no_axe_violations(page, "gestion : activation")
    page.get_by_label("Mot de passe", exact=True).fill("court")
    page.get_by_label("Confirmation du mot de passe").fill("court")
    page.get_by_role("button", name="Enregistrer mon mot de passe").click()
    expect(page.locator(".error-summary")).to_contain_text("au moins 12 caractères")
    assert_no_axe_violations(page, "gestion : activation en erreur")
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_label("Confirmation du mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Enregistrer mon mot de passe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Enregistrer une application d'authentification")
    assert_no_axe_violations(page, "gestion : second facteur")
    no_horizontal_scroll(page)
    secret = page.locator("#secret code").inner_text().replace(" ", "")  # typed, not scanned
    page.get_by_label("Code affiché par l'application").fill("000000")
    page.get_by_role("button", name="Confirmer").click()
    expect(page.locator(".error-summary")).to_be_focused()
    assert_no_axe_violations(page, "gestion : second facteur en erreur")
    page.get_by_label("Code affiché par l'application").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirmer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vos codes de secours")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    assert_no_axe_violations(page, "gestion : codes de secours")
    recovery = page.locator(".recovery-codes li").first.inner_text()
    page.get_by_role("link", name="J'ai noté mes codes : continuer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("La session en un coup d'œil")
    assert_no_axe_violations(page, "gestion : accueil")
    page.goto("/gestion/candidatures?etat=inscrite")
    assert_no_axe_violations(page, "gestion : candidatures")
    no_horizontal_scroll(page)
    page.goto("/gestion/equipe")
    assert_no_axe_violations(page, "gestion : équipe")
    page.goto("/gestion/periodes")
    assert_no_axe_violations(page, "gestion : périodes d'ouverture")
    page.get_by_role("link", name="Ajouter une période").click()
    page.get_by_label("Date d'ouverture").fill("15/02/2027")
    page.get_by_label("Date de clôture").fill("05/01/2027")
    page.get_by_role("button", name="Enregistrer la période").click()
    expect(page.locator(".error-summary")).to_be_focused()
    assert_no_axe_violations(page, "gestion : période en erreur")
    no_horizontal_scroll(page)
    page.get_by_role("button", name="Me déconnecter").click()

    # The keyboard only: address, password, Enter; then the code (a recovery code), Enter.
    page.goto("/gestion/connexion")
    assert_no_axe_violations(page, "gestion : connexion")
    tab_to(page, "Adresse mail professionnelle")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Code de sécurité")
    assert_no_axe_violations(page, "gestion : code")
    tab_to(page, "Code de sécurité")
    page.keyboard.type(recovery)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("La session en un coup d'œil")


def test_the_login_page_in_error_without_javascript(page_no_js, live_app):
    page_no_js.goto("/gestion/connexion")
    page_no_js.get_by_role("button", name="Continuer").click()
    expect(page_no_js.locator(".error-summary")).to_contain_text("Saisissez votre adresse mail.")
    assert_no_axe_violations(page_no_js, "gestion : connexion en erreur, sans JavaScript")
