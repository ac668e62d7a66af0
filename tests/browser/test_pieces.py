"""Mes justificatifs in Chromium: an upload with its progress bar that swaps only the piece, the
same without JavaScript, « Rafraîchir », and axe-core in every state (to deposit, deposited, in
error, declared, non conforme, validated)."""
import io

from fpdf import FPDF
from playwright.sync_api import expect

from .harness import PASSWORD, log_in, unique_email
from .test_registration_journey import FORM_SLUGS, check_page, prepare_candidature, starts_with

_MARK = "() => { document.querySelector('body > header').pieceMark = 'même page'; }"
_READ_MARK = "() => document.querySelector('body > header').pieceMark || null"
# Records what the candidate sees while the file travels: the bar shown, and its values.
_WATCH_PROGRESS = """() => {
  window.progressSeen = [];
  document.body.addEventListener('htmx:xhr:progress', (event) => {
    const form = event.target;
    if (!form.matches('form.upload')) return;
    // Read once the page's own handler has run for this event.
    setTimeout(() => window.progressSeen.push({
      shown: !form.querySelector('.upload-progress').hidden,
      value: form.querySelector('progress').value}), 0);
  });
}"""


def pdf_file(tmp_path, name="piece_identite.pdf", pages=12):
    """A real PDF, heavy enough (noise images) for the browser to report upload progress."""
    import os

    from PIL import Image

    pdf = FPDF()
    for _ in range(pages):
        pdf.add_page()
        noise = Image.frombytes("RGB", (300, 300), os.urandom(300 * 300 * 3))
        pdf.image(noise, x=10, y=10, w=100)
    path = tmp_path / name
    path.write_bytes(bytes(pdf.output()))
    return path


def png_named_pdf(tmp_path):
    from PIL import Image

    path = tmp_path / "scan.pdf"
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40)).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def registered(page, live_app, make_live_account):
    email = unique_email("pieces")
    account = make_live_account(email=email)
    token = prepare_candidature(live_app, account, through=FORM_SLUGS, register=True)
    log_in(page, email, PASSWORD)
    return token


def in_app(live_app, action):
    """Run `action()` as the server would (the gestionnaire's side, or a deposit)."""
    from cyclades.db import database

    with live_app.app_context(), database.connection_context():
        return action()


def deposit_and_declare(live_app, token):
    from cyclades.models import Candidature
    from cyclades.operations import pieces

    def act():
        candidature = Candidature.get(Candidature.token == token)
        for code in ("DCSTID01", "CINSIG01"):
            pdf = FPDF()
            pdf.add_page()
            pieces.add_files(candidature, code, [io.BytesIO(bytes(pdf.output()))],
                             [f"{code}.pdf"], candidature.account_id)
        pieces.declare(candidature, candidature.account_id)
    in_app(live_app, act)


def set_status(live_app, token, code, status, comment=""):
    from cyclades.models import Candidature
    from cyclades.operations import pieces

    def act():
        candidature = Candidature.get(Candidature.token == token)
        pieces.set_piece_status(pieces.piece_of(candidature, code), status, comment, "test")
    in_app(live_app, act)


def test_an_upload_shows_its_progress_and_swaps_only_the_piece(page, live_app,
                                                                make_live_account, tmp_path):
    token = registered(page, live_app, make_live_account)
    page.get_by_role("link", name="Mes justificatifs").first.click()
    expect(page.locator("h1")).to_have_text("Mes justificatifs")
    expect(page.locator("main")).to_contain_text("Il vous reste 2 pièces à déposer en ligne")
    expect(page.locator("#piece-DCSTID01")).to_contain_text("(heure de Paris)")
    check_page(page, "Mes justificatifs, rien de déposé")

    page.evaluate(_MARK)
    page.evaluate(_WATCH_PROGRESS)
    piece = page.locator("#piece-DCSTID01")
    piece.get_by_label("Ajouter un fichier").set_input_files(pdf_file(tmp_path))
    with page.expect_response(lambda r: "/pieces/DCSTID01" in r.url) as answer:
        piece.locator("form.upload button[type=submit]").click()
    response = answer.value
    assert response.status == 200 and response.request.headers.get("hx-request") == "true"
    expect(piece.locator(".piece-notice")).to_contain_text("Fichier déposé : piece_identite.pdf")
    expect(piece.locator(".piece-notice")).to_be_focused()
    expect(piece).to_contain_text("Déposé le")
    expect(page.locator("#announce")).to_contain_text("Fichier déposé")
    assert page.evaluate(_READ_MARK) == "même page"  # no page load: only the piece changed
    progress = page.evaluate("() => window.progressSeen")
    assert progress and all(p["shown"] for p in progress), progress
    assert progress[-1]["value"] == 100, progress
    assert page.url.endswith(f"/mes-justificatifs/{token}")
    check_page(page, "Mes justificatifs, une pièce déposée")

    # A file that is not what its name says: the error comes back in the piece.
    other = page.locator("#piece-CINSIG01")
    other.get_by_label("Ajouter un fichier").set_input_files(png_named_pdf(tmp_path))
    other.locator("form.upload button[type=submit]").click()
    expect(other.locator("#fichier-CINSIG01-error")).to_contain_text("ni un PDF ni une photo JPEG")
    expect(page).to_have_title(starts_with("Erreur"))
    expect(other.locator("#fichier-CINSIG01-error")).to_be_focused()
    expect(other.get_by_label("Ajouter un fichier")).to_have_attribute("aria-invalid", "true")
    check_page(page, "Mes justificatifs, fichier refusé")

    # Supprimer, with htmx too.
    piece.get_by_role("button", name="Supprimer").click()
    expect(piece.locator(".piece-notice")).to_contain_text("Fichier supprimé")
    expect(piece).to_contain_text("Aucun fichier déposé.")
    expect(page.locator("#pieces-state")).to_contain_text("Il vous reste 2 pièces")

    # Every piece deposited with htmx: the page's summary and the button follow at once.
    for code in ("DCSTID01", "CINSIG01"):
        row = page.locator(f"#piece-{code}")
        row.locator("input[type=file]").set_input_files(pdf_file(tmp_path, pages=1))
        row.locator("form.upload button[type=submit]").click()
        expect(row.locator(".piece-notice")).to_contain_text("Fichier déposé")
    expect(page.locator("#pieces-state")).to_contain_text("Chaque pièce à déposer en ligne a son fichier")
    assert page.evaluate(_READ_MARK) == "même page"
    page.get_by_role("link", name="J'ai fourni toutes mes pièces").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Confirmer : j'ai fourni toutes mes pièces")
    check_page(page, "Confirmer : j'ai fourni toutes mes pièces")
    page.get_by_role("button", name="Oui, j'ai fourni toutes mes pièces").click()
    expect(page.locator("#pieces-state")).to_contain_text("en attente de contrôle")
    check_page(page, "Mes justificatifs, pièces déclarées avec JavaScript")


def test_the_same_upload_without_javascript(page_no_js, live_app, make_live_account, tmp_path):
    page = page_no_js
    token = registered(page, live_app, make_live_account)
    page.goto(f"/mes-justificatifs/{token}")
    piece = page.locator("#piece-DCSTID01")
    piece.get_by_label("Ajouter un fichier").set_input_files(pdf_file(tmp_path, pages=2))
    piece.locator("form.upload button[type=submit]").click()
    expect(page).to_have_url(f"{page.url.split('/mes-')[0]}/mes-justificatifs/{token}#piece-DCSTID01")
    expect(page.locator(".notice-success").first).to_contain_text("Fichier déposé : piece_identite.pdf")
    expect(page.locator("#piece-DCSTID01")).to_contain_text("Déposé le")
    check_page(page, "Mes justificatifs sans JavaScript, une pièce déposée")

    page.locator("#piece-CINSIG01").get_by_label("Ajouter un fichier").set_input_files(
        png_named_pdf(tmp_path))
    page.locator("#piece-CINSIG01").locator("form.upload button[type=submit]").click()
    expect(page).to_have_title(starts_with("Erreur : Mes justificatifs"))
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("ni un PDF ni une photo JPEG")
    expect(summary.get_by_role("link")).to_have_attribute("href", "#fichier-CINSIG01")
    check_page(page, "Mes justificatifs sans JavaScript, fichier refusé")


def test_every_state_of_the_pieces_is_accessible(page, live_app, make_live_account):
    token = registered(page, live_app, make_live_account)
    deposit_and_declare(live_app, token)
    page.goto(f"/mes-justificatifs/{token}")
    expect(page.locator("#pieces-state")).to_contain_text("en attente de contrôle")
    expect(page.get_by_role("button", name="Supprimer")).to_have_count(0)
    check_page(page, "Mes justificatifs, pièces déclarées")

    # The gestionnaire finds a piece illegible; « Rafraîchir » shows it without a page load.
    set_status(live_app, token, "DCSTID01", "non_conforme", "Pièce illisible")
    page.evaluate(_MARK)
    page.get_by_role("link", name="Rafraîchir").click()
    expect(page.locator("#piece-DCSTID01")).to_contain_text(
        "Information du gestionnaire : Pièce illisible")
    expect(page.locator("#announce")).to_contain_text("Statuts des pièces mis à jour.")
    assert page.evaluate(_READ_MARK) == "même page"
    expect(page.locator("#piece-DCSTID01").get_by_label("Ajouter un autre fichier")).to_be_visible()
    check_page(page, "Mes justificatifs, pièce non conforme")

    page.goto("/")
    expect(page.locator("main")).to_contain_text("Pièces justificatives : 1 à déposer")
    check_page(page, "Mon espace avec les pièces")

    set_status(live_app, token, "DCSTID01", "conforme")
    set_status(live_app, token, "CINSIG01", "conforme")
    page.goto(f"/mes-justificatifs/{token}")
    expect(page.locator("#pieces-state")).to_contain_text("Toutes vos pièces sont validées")
    expect(page.locator("main")).to_contain_text("Validé le")
    check_page(page, "Mes justificatifs, pièces validées")
