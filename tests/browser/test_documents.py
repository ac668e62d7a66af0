"""Mes documents in Chromium: the list and the HTML confirmation pass axe-core and reflow at
320 px; printing shows the document only; the PDF opens from the list."""
from playwright.sync_api import expect

from .harness import PASSWORD, log_in, unique_email
from .test_registration_journey import FORM_SLUGS, check_page, prepare_candidature


def registered(page, live_app, make_live_account, javascript=True):
    email = unique_email("documents")
    account = make_live_account(email=email)
    prepare_candidature(live_app, account, through=FORM_SLUGS, register=True)
    log_in(page, email, PASSWORD)


def test_mes_documents_and_the_html_confirmation_are_accessible(page, live_app,
                                                                make_live_account):
    registered(page, live_app, make_live_account)
    page.get_by_role("link", name="Mes documents").first.click()
    expect(page.locator("h1")).to_have_text("Mes documents")
    expect(page.locator("main")).to_contain_text("Confirmation d'inscription")
    expect(page.locator("main")).to_contain_text("version n°1")
    check_page(page, "Mes documents")

    pdf_link = page.get_by_role("link", name="Ouvrir le PDF").first
    response = page.request.get(pdf_link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")

    page.get_by_role("link", name="Visualiser/imprimer : Confirmation d'inscription").click()
    expect(page.locator("h1")).to_have_text("Confirmation d'inscription")
    expect(page).to_have_title("Confirmation d'inscription – version n°1 – Cyclades libre")
    expect(page.locator("article.document")).to_contain_text("Date et signature du candidat")
    check_page(page, "confirmation d'inscription (HTML)")

    page.emulate_media(media="print")
    expect(page.locator(".site-header nav")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    expect(page.locator(".no-print").first).to_be_hidden()
    expect(page.locator("article.document")).to_be_visible()
    page.emulate_media(media="screen")


def test_the_recap_offers_to_view_and_print_without_javascript(page_no_js, live_app,
                                                               make_live_account):
    registered(page_no_js, live_app, make_live_account)
    page_no_js.goto("/mes-inscriptions")
    page_no_js.get_by_role("link", name="Voir le récapitulatif").click()
    page_no_js.get_by_role("link", name="Visualiser/imprimer").click()
    expect(page_no_js.locator("h1")).to_have_text("Confirmation d'inscription")
    expect(page_no_js.locator("article.document")).to_contain_text("N° inscription")
