"""A candidate's account journeys end to end in Chromium: creation without JavaScript (through
the activation mail to « Mon espace »), creation with the keyboard only, and a login error."""
import re

from playwright.sync_api import expect

from .harness import (
    PASSWORD, Mailbox, active_element, local_link, submit, tab_to_next, tab_until, unique_email,
)

NOM, PRENOMS, NAISSANCE = "Lefèvre", "Chloé Marie", "30/05/1998"


def test_create_account_without_javascript(page_no_js, live_server, live_mailbox):
    """The whole creation works as plain HTML forms and links: nothing needs JavaScript."""
    page, email = page_no_js, unique_email("sans-js")
    page.goto("/compte/creer")
    page.get_by_label("Madame", exact=True).check()
    for label, value in [
        ("Nom de famille (nom de naissance)", NOM),
        ("Confirmation du nom de naissance", NOM),
        ("Prénoms", PRENOMS),
        ("Date de naissance", NAISSANCE),
        ("Confirmation de la date de naissance", NAISSANCE),
        ("Adresse mail", email),
        ("Confirmation de l'adresse mail", email),
        ("Mot de passe", PASSWORD),
        ("Confirmation du mot de passe", PASSWORD),
    ]:
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("Pays de naissance", exact=True).select_option("FR")
    submit(page, page.locator("main form").get_by_role("button", name="Créer mon compte"))

    expect(page).to_have_url(f"{live_server}/compte/creer/mail-envoye")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez votre messagerie")
    expect(page.get_by_role("status")).to_contain_text(email)

    activation = Mailbox.link(live_mailbox.last(email), "/compte/activer/")
    page.goto(local_link(activation, live_server))
    expect(page).to_have_url(re.compile(re.escape(f"{live_server}/connexion")))
    expect(page.locator(".notice-success")).to_contain_text("Votre compte est activé")

    expect(page.get_by_label("Adresse mail", exact=True)).to_have_value(email)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    submit(page, page.get_by_role("button", name="Se connecter"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon espace")
    expect(page.locator("main")).to_contain_text("Bonjour Chloé")


def test_create_account_with_keyboard_only(page, live_server, live_mailbox):
    """From the home page to « Vérifiez votre messagerie » with Tab, Space, arrows, typing and
    Enter only (no click, no fill): every control is reachable, in the order of the form."""
    email = unique_email("clavier")
    page.goto("/")
    tab_until(page, lambda e: e["tag"] == "a" and e["text"] == "Créer mon compte", limit=10)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server}/compte/creer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Créer mon compte")

    tab_until(page, lambda e: e["id"] == "civilite-0", limit=15)
    page.keyboard.press("Space")
    expect(page.locator("#civilite-0")).to_be_checked()
    page.keyboard.press("ArrowRight")  # the arrows move within the group…
    expect(page.locator("#civilite-1")).to_be_checked()
    page.keyboard.press("ArrowLeft")  # …and back to « Madame »
    expect(page.locator("#civilite-0")).to_be_checked()

    for field_id, value in [
        ("nom_naissance", NOM), ("nom_naissance_confirm", NOM), ("nom_usage", ""),
        ("prenoms", PRENOMS), ("date_naissance", NAISSANCE),
        ("date_naissance_confirm", NAISSANCE),
    ]:
        tab_to_next(page, field_id)
        page.keyboard.type(value)
    tab_to_next(page, "pays_naissance")
    page.keyboard.type("France")  # a closed <select> picks the option typed
    expect(page.locator("#pays_naissance")).to_have_value("FR")
    for field_id, value in [
        ("email", email), ("email_confirm", email),
        ("password", PASSWORD), ("password_confirm", PASSWORD),
    ]:
        tab_to_next(page, field_id)
        page.keyboard.type(value)

    page.keyboard.press("Tab")
    button = active_element(page)
    assert (button["tag"], button["text"]) == ("button", "Créer mon compte"), button
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_server}/compte/creer/mail-envoye")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez votre messagerie")
    assert live_mailbox.last(email)["Subject"]


def test_login_error_then_success_with_htmx(page, live_server, make_live_account):
    """A wrong password: the error summary, « Erreur » in the title, still on /connexion (htmx
    swapped <main>); then the right password opens « Mon espace »."""
    email = make_live_account(email=unique_email("connexion")).email
    page.goto("/connexion")
    page.get_by_label("Adresse mail", exact=True).fill(email)
    page.get_by_label("Mot de passe", exact=True).fill("Pas-le-bon-42")
    response = submit(page, page.get_by_role("button", name="Se connecter"))

    assert response.status == 422
    assert response.request.headers.get("hx-request") == "true"
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Adresse mail ou mot de passe incorrect.")
    expect(page).to_have_title(re.compile(r"^Erreur"))
    assert page.url == f"{live_server}/connexion"

    expect(page.get_by_label("Adresse mail", exact=True)).to_have_value(email)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    submit(page, page.get_by_role("button", name="Se connecter"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon espace")
    assert page.url == f"{live_server}/"
