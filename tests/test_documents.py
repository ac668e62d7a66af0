"""Mes documents (R40–R42): the confirmation d'inscription as a PDF and as HTML, its versions,
the Demande de pièces, documents published by a gestionnaire, their mails and who may open them."""
import io
import re
from datetime import timedelta

import pytest
from pypdf import PdfReader

from cyclades.models import Candidature, Document, Window, utcnow
from cyclades.operations.documents import DocumentRefused, publish_document
from tests import hostile_files as hostile
from tests.conftest import TABS, text
from tests.test_registration import candidate, fill, register_all, windows  # noqa: F401


@pytest.fixture
def deposit(windows):
    """The deposit windows of the session: until 30 days from now."""
    for window in Window.select().where(Window.kind == Window.INSCRIPTION):
        Window.create(academie=window.academie, exam=window.exam, session=window.session,
                      kind=Window.DEPOT, opens_at=window.opens_at,
                      closes_at=utcnow() + timedelta(days=30))
    return windows


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def documents_of(token, kind="confirmation"):
    return list(Document.select().join(Candidature)
                .where((Candidature.token == token) & (Document.type == kind))
                .order_by(Document.version))


def open_pdf(client, document):
    response = client.get(f"/documents/{document.token}/pdf")
    assert response.status_code == 200
    return response


def test_enregistrer_produces_the_confirmation_as_a_pdf(client, candidate, deposit, db):
    token, _ = register_all(client)
    candidature = Candidature.get(Candidature.token == token)
    [document] = documents_of(token)
    response = open_pdf(client, document)
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == \
        'inline; filename=confirmation-inscription-v1.pdf'
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    data = response.get_data()
    assert len(data) < 100_000 and document.size == len(data)
    words = pdf_text(data)
    for expected in ("Confirmation d'inscription", "Académie de Clermont-Ferrand",
                     "Baccalauréat professionnel – session 2027",
                     candidature.account.numero_candidat, candidature.numero_inscription,
                     "Version n°1", "DURAND", "Camille", "12 rue Blatin", "Clermont-Ferrand",
                     "Maintenance des véhicules – option A : voitures particulières", "GLOBALE",
                     "Date et signature du candidat", "Confirmation d'inscription signée",
                     "anglais", "Danse, Demi fond"):
        assert expected in words, expected
    for unit in ("E11", "E12", "E13", "E2", "E31", "E32", "E33", "E34", "E35", "E4", "E51",
                 "E52", "E6", "E7"):
        assert f"{unit} – " in words, unit
    assert "Inscrit" in words
    assert re.search(r"au plus tard le \w+ \d+ \w+ 20\d\d à \d\d:\d\d", words)  # the deadline


def test_the_pdf_embeds_its_fonts_so_every_accent_prints(client, make_account, deposit, db):
    make_account(email="eloise@example.fr", prenoms="Éloïse Anaïs", nom_naissance="LEFÈVRE-ŒUVRARD")
    client.login("eloise@example.fr")
    token, _ = register_all(client)
    data = open_pdf(client, documents_of(token)[0]).get_data()
    words = pdf_text(data)
    assert "Éloïse Anaïs" in words and "LEFÈVRE-ŒUVRARD" in words
    reader = PdfReader(io.BytesIO(data))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    for font in fonts.values():
        descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert "/FontFile2" in descriptor  # embedded TrueType


def test_names_of_every_alphabet_the_form_accepts_are_printed(client, make_account, deposit,
                                                              db):
    make_account(email="thi@example.fr", prenoms="Thị Ngọc Ánh", nom_naissance="ĐẶNG",
                 nom_usage="Ιωάννου-Дмитриева")
    client.login("thi@example.fr")
    token, _ = register_all(client)
    words = pdf_text(open_pdf(client, documents_of(token)[0]).get_data())
    assert "Thị Ngọc Ánh" in words and "ĐẶNG" in words and "Ιωάννου-Дмитриева" in words


def test_a_character_the_fonts_lack_prints_visibly_never_as_a_blank(app, client, make_account,
                                                                     deposit, db):
    # Typed before the forms refused it: the document shows that something is there.
    make_account(email="wang@example.fr", prenoms="Wei 王", nom_naissance="WANG")
    client.login("wang@example.fr")
    token, _ = register_all(client)
    words = pdf_text(open_pdf(client, documents_of(token)[0]).get_data())
    assert "Wei ?" in words


def structure_of(reader) -> list[str]:
    """The structure types of a tagged PDF, in reading order (what a screen reader walks)."""
    found = []

    def walk(node):
        node = node.get_object()
        if not isinstance(node, dict):
            return
        if "/S" in node:
            found.append(str(node["/S"])[1:])
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


@pytest.mark.parametrize("kind", ["confirmation", "demande_pieces"])
def test_a_screen_reader_finds_headings_and_tables_in_every_generated_pdf(client, candidate,
                                                                          deposit, kind, db):
    token, _ = register_all(client)
    [document] = documents_of(token, kind)
    reader = PdfReader(io.BytesIO(open_pdf(client, document).get_data()))
    catalog = reader.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a PDF boolean)
    assert catalog["/Lang"] == "fr"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712; the title, not a file name
    xmp = catalog["/Metadata"].get_object().get_data().decode()
    assert 'pdfuaid:part="1"' in xmp  # declared PDF/UA-1
    title = {"confirmation": "Confirmation d'inscription",
             "demande_pieces": "Demande de pièces justificatives"}[kind]
    assert reader.metadata.title.startswith(f"{title} – Baccalauréat professionnel")
    assert title in xmp
    structure = structure_of(reader)
    assert structure.count("H1") == 1 and structure.index("H1") < structure.index("H2")
    for element in ("Table", "Caption", "THead", "TH", "TD", "L", "LI"):
        assert element in structure, element
    # The HTML page shows the same headings, in the same order.
    page = client.get(f"/documents/{document.token}").get_data(as_text=True)
    headings = re.findall(r'<h2 id="section-\d+">([^<]+)</h2>', page)
    assert structure.count("H2") == len(headings) > 0


def test_the_signature_box_stays_on_the_page_of_its_instructions(app, client, candidate, deposit,
                                                                  db):
    token, _ = register_all(client)
    [document] = documents_of(token)
    reader = PdfReader(io.BytesIO(open_pdf(client, document).get_data()))
    pages = [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]
    [last] = [page for page in pages if "Date et signature du candidat" in page.split("2. Datez")[-1]]
    assert "À faire" in last and "1. Vérifiez chaque information" in last
    assert "3. Déposez-le" in last
    assert len(pages) <= 2, "a full candidature prints on two pages"


def test_a_generated_pdf_reads_nothing_but_its_fonts(app):
    from cyclades.documents import pdf

    with app.app_context():
        html = pdf.html({"title": "T", "header": [], "meta": [], "footer": "F", "sections": [
            {"title": "S", "rows": [], "tables": [], "paragraphs": ["x"]}]})
        assert html.count("url(file://") == 2
        with pytest.raises(ValueError):
            pdf._fonts_only().fetch("file:///etc/passwd")
        assert pdf._fonts_only().fetch(pdf._fonts()["bold"]).read()[:4] == b"\x00\x01\x00\x00"


def test_a_modification_makes_version_2_and_keeps_version_1(app, client, candidate, deposit,
                                                              mailbox, db):
    token, _ = register_all(client)
    first = documents_of(token)[0]
    client.submit(f"/mes-inscriptions/{token}/modifier", page=f"/mes-inscriptions/{token}")
    fill(client, token, "epreuves", {**TABS["epreuves"], "lva": "espagnol"})
    client.submit(f"/inscription/{token}/enregistrer", page=f"/inscription/{token}/recapitulatif")
    old, new = documents_of(token)
    assert (old.id, old.version, new.version, new.candidature_version) == (first.id, 1, 2, 2)
    words = pdf_text(open_pdf(client, new).get_data())
    assert "version n°2" in words and "espagnol" in words
    # Version 1 stays stored (for the service), but the candidate sees only the latest.
    assert client.get(f"/documents/{old.token}/pdf").status_code == 404
    from cyclades import storage
    stored = storage.path_of(app.config["DOCUMENTS_DIR"], old.stored_name).read_bytes()
    assert "anglais" in pdf_text(stored) and "version n°1" in pdf_text(stored)
    page = text(client.get("/mes-documents"))
    assert "Confirmation d'inscription version n°2" in page
    assert "Confirmation d'inscription version n°1" not in page
    body = mailbox.body(mailbox.last("camille@example.fr"))
    assert "- Confirmation d'inscription, version n°2" in body
    assert "Demande de pièces justificatives" not in body  # unchanged: no new version


def test_mes_documents_lists_the_latest_of_each_with_its_date(client, candidate, deposit, db):
    token, _ = register_all(client)
    candidature = Candidature.get(Candidature.token == token)
    page = text(client.get("/mes-documents"))
    from cyclades.dates import to_local
    day = to_local(documents_of(token)[0].created_at, "Europe/Paris").strftime("%d/%m/%Y")
    assert f"Confirmation d'inscription version n°1 – mis à jour le {day}" in page
    assert f"Demande de pièces justificatives version n°1 – mis à jour le {day}" in page
    assert "Baccalauréat professionnel – session 2027" in page
    assert candidature.numero_inscription in page
    assert "Visualiser/imprimer" in page and "Ouvrir le PDF (" in page


def test_the_demande_lists_the_pieces_and_the_deposit_period(client, candidate, deposit, db):
    token, _ = register_all(client)
    [demande] = documents_of(token, "demande_pieces")
    words = pdf_text(open_pdf(client, demande).get_data())
    for expected in ("Demande de pièces justificatives", "DCSTID01",
                     "Document justifiant l'identité", "CINSIG01",
                     "Confirmation d'inscription signée", "À déposer en ligne entre le"):
        assert expected in words, expected


def test_a_modification_that_asks_for_a_new_piece_makes_a_new_demande(app, client, candidate,
                                                                         deposit, mailbox, db):
    token, _ = register_all(client)
    client.submit(f"/mes-inscriptions/{token}/modifier", page=f"/mes-inscriptions/{token}")
    fill(client, token, "epreuves", {**TABS["epreuves"], "eps_mode": "INAPTE",
                                     "eps_activities": []})
    client.submit(f"/inscription/{token}/enregistrer", page=f"/inscription/{token}/recapitulatif")
    first, second = documents_of(token, "demande_pieces")
    words = pdf_text(open_pdf(client, second).get_data())
    assert "CERMED01" in words and "Inapte" in words
    from cyclades import storage
    before = storage.path_of(app.config["DOCUMENTS_DIR"], first.stored_name).read_bytes()
    assert "CERMED01" not in pdf_text(before)
    body = mailbox.body(mailbox.last("camille@example.fr"))
    assert "- Demande de pièces justificatives, version n°2" in body


def test_the_html_version_says_the_same_and_is_linked_from_the_recap(client, candidate, deposit,
                                                                      db):
    token, response = register_all(client)
    [document] = documents_of(token)
    summary = client.get(f"/mes-inscriptions/{token}").get_data(as_text=True)
    assert f'href="/documents/{document.token}"' in summary
    listing = client.get("/mes-inscriptions").get_data(as_text=True)
    assert f'href="/documents/{document.token}"' in listing
    page = client.get(f"/documents/{document.token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<article class="document" lang="fr"' in html
    words = text(page)
    candidature = Candidature.get(Candidature.token == token)
    assert "Version version" not in words  # « Version : n°1 », the word once
    for expected in (candidature.numero_inscription, "Version n°1", "Date et signature du candidat",
                     "E7 – Éducation physique et sportive", "Maintenance des véhicules"):
        assert expected in words
    import html as html_lib
    assert "<title>Confirmation d'inscription – version n°1" in html_lib.unescape(html)


def test_documents_of_another_candidate_are_not_found(app, client, candidate, deposit,
                                                      make_account, db):
    token, _ = register_all(client)
    [document] = documents_of(token)
    client.logout()
    make_account(email="autre@example.fr")
    client.login("autre@example.fr")
    assert client.get(f"/documents/{document.token}").status_code == 404
    assert client.get(f"/documents/{document.token}/pdf").status_code == 404
    assert "Confirmation d'inscription" not in text(client.get("/mes-documents"))
    client.logout()
    assert client.get(f"/documents/{document.token}/pdf").status_code in (302, 303)


def minimal_pdf(words="Convocation") -> bytes:
    from fpdf import FPDF
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, words)
    return bytes(pdf.output())


def publish(app, *args, **kwargs):
    """publish_document() as a command calls it: in an application context, with no request."""
    with app.app_context():
        return publish_document(*args, **kwargs)


def test_a_published_document_reaches_the_candidate_with_a_mail(app, client, candidate, deposit,
                                                                 mailbox, db):
    token, _ = register_all(client)
    candidature = Candidature.get(Candidature.token == token)
    document = publish(app, candidature, "convocation", minimal_pdf("Convocation du 2 juin"),
                       by="Mme PESTEL")
    assert (document.version, document.published_by) == (1, "Mme PESTEL")
    message = mailbox.last("camille@example.fr")
    assert message["Subject"] == "Cyclades libre : un nouveau document est disponible"
    body = mailbox.body(message)
    assert "- Convocation aux épreuves, version n°1" in body
    assert "http://localhost/mes-documents" in body
    assert not any(part.get_filename() for part in message.walk())  # never the document itself
    again = publish(app, candidature, "convocation", minimal_pdf("Nouvelle date"))
    assert again.version == 2
    assert "- Convocation aux épreuves, version n°2" in mailbox.body(mailbox.last("camille@example.fr"))
    page = text(client.get("/mes-documents"))
    assert "Convocation aux épreuves version n°2" in page
    # PDF only, and whom to ask for an accessible version.
    assert "Publié par le service gestionnaire : en PDF seulement." in page
    assert page.count("en PDF seulement") == 1  # the portal's own documents have their HTML page
    assert "Pour en recevoir une version accessible, écrivez à : ce.bacpro@ac-clermont.fr" in page
    response = client.get(f"/documents/{again.token}/pdf")
    assert "Nouvelle date" in pdf_text(response.get_data())
    assert response.headers["Content-Disposition"] == 'inline; filename=convocation-v2.pdf'
    assert client.get(f"/documents/{again.token}").status_code == 404  # no HTML version


@pytest.mark.parametrize("kind, data, message", [
    ("confirmation", None, "produit par le portail"),
    ("bulletin", None, "il n'existe pas"),
    ("convocation", b"", "vide"),
    ("convocation", b"<html>Convocation</html>", "pas un PDF lisible"),
    ("convocation", b"%PDF-1.7\n garbage", "pas un PDF lisible"),
    ("convocation", hostile.object_stream_bomb(), "pas un PDF lisible"),
    ("convocation", hostile.with_javascript(), "contient du contenu actif"),
])
def test_publishing_refuses_what_is_not_a_readable_pdf(app, client, candidate, deposit, kind,
                                                       data, message, db):
    token, _ = register_all(client)
    candidature = Candidature.get(Candidature.token == token)
    before = Document.select().count()
    with pytest.raises(DocumentRefused) as refused:
        publish(app, candidature, kind, minimal_pdf() if data is None else data)
    assert message in refused.value.reason
    assert Document.select().count() == before


def test_the_publish_command_finds_the_candidature_by_its_number(app, client, candidate, deposit,
                                                                 mailbox, tmp_path, db):
    token, _ = register_all(client)
    candidature = Candidature.get(Candidature.token == token)
    path = tmp_path / "releve.pdf"
    path.write_bytes(minimal_pdf("Relevé"))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["publish-document", candidature.numero_inscription,
                                 "releve_notes", str(path), "--by", "Bureau des examens"])
    assert result.exit_code == 0, result.output
    assert "Relevé de notes, version n°1, publiée" in result.output
    assert "- Relevé de notes, version n°1" in mailbox.body(mailbox.last("camille@example.fr"))
    path.write_bytes(b"not a pdf")
    refused = runner.invoke(args=["publish-document", candidature.numero_inscription,
                                  "releve_notes", str(path)])
    assert refused.exit_code != 0 and "pas un PDF lisible" in refused.output
    unknown = runner.invoke(args=["publish-document", "2027-99-999999", "releve_notes", str(path)])
    assert unknown.exit_code != 0 and "Aucune candidature" in unknown.output


def test_a_failed_save_leaves_no_file_behind(app, client, candidate, deposit, db, monkeypatch):
    from cyclades.documents import content
    token, _ = register_all(client)
    client.submit(f"/mes-inscriptions/{token}/modifier", page=f"/mes-inscriptions/{token}")

    def broken(candidature):
        raise RuntimeError("the Demande cannot be built")

    monkeypatch.setattr(content, "demande", broken)
    directory = __import__("pathlib").Path(app.config["DOCUMENTS_DIR"])
    files_before = sorted(p.name for p in directory.rglob("*") if p.is_file())
    response = client.submit(f"/inscription/{token}/enregistrer",
                              page=f"/inscription/{token}/recapitulatif")
    assert response.status_code == 500
    assert sorted(p.name for p in directory.rglob("*") if p.is_file()) == files_before
    assert Candidature.get(Candidature.token == token).version == 1
    assert len(documents_of(token)) == 1


def test_a_stored_name_cannot_leave_the_documents_directory(app):
    from cyclades import storage
    with pytest.raises(ValueError):
        storage.path_of(app.config["DOCUMENTS_DIR"], "../secret_key")
    with pytest.raises(ValueError):
        storage.path_of(app.config["DOCUMENTS_DIR"], "/etc/passwd")


def test_without_a_deposit_window_the_confirmation_still_reads_well(client, candidate, windows,
                                                                     db):
    token, _ = register_all(client)
    words = pdf_text(open_pdf(client, documents_of(token)[0]).get_data())
    assert ("comme pièce « Confirmation d'inscription signée », avant la date limite indiquée par "
            "le service gestionnaire.") in words
    assert "au plus tard le" not in words


def test_each_candidate_opens_only_their_own_latest_documents(client, candidate, deposit,
                                                              make_account, db):
    mine, _ = register_all(client)
    client.submit(f"/mes-inscriptions/{mine}/modifier", page=f"/mes-inscriptions/{mine}")
    client.submit(f"/inscription/{mine}/enregistrer", page=f"/inscription/{mine}/recapitulatif")
    old, latest = documents_of(mine)
    assert client.get(f"/documents/{old.token}").status_code == 404  # the HTML of v1 too
    assert client.get(f"/documents/{latest.token}").status_code == 200
    client.logout()
    make_account(email="autre@example.fr", prenoms="Paul", nom_naissance="ROUX")
    client.login("autre@example.fr")
    theirs, _ = register_all(client)
    [their_document] = documents_of(theirs)
    page = client.get("/mes-documents").get_data(as_text=True)
    assert their_document.token in page and latest.token not in page
    for url in (f"/documents/{latest.token}", f"/documents/{latest.token}/pdf"):
        assert client.get(url).status_code == 404
