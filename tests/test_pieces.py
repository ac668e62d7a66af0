"""Mes justificatifs (R50–R56): the pieces to provide, their upload checked by content, the
files kept, « J'ai fourni toutes mes pièces », the statuses, the version and window rules, and
who may see what. Every file sent here is a real file of its kind."""
import hashlib
import io
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from cyclades import storage
from cyclades.dates import to_local
from cyclades.models import (
    Academie, AuditLog, Candidature, CandidaturePiece, Exam, PieceFile, Window, utcnow,
)
from cyclades.operations import pieces as operations
from tests import hostile_files as hostile
from tests.conftest import TABS, text
from tests.test_documents import deposit  # noqa: F401
from tests.test_registration import candidate, fill, register_all, windows  # noqa: F401
from tests.test_uploads import (
    encrypted_pdf, gps_exif, jpeg_bytes, pdf_bytes, png_bytes, zip_bytes,
)


def board_url(token):
    return f"/mes-justificatifs/{token}"


def upload(client, token, code, *files, htmx=False):
    """Post files as a browser does: multipart, with the page's CSRF token. `files`:
    (name, bytes) pairs."""
    page = board_url(token)
    data = {"csrf_token": client.csrf_token(page),
            "fichier": [(io.BytesIO(content), name) for name, content in files]}
    return client.post(f"{page}/pieces/{code}", data=data, content_type="multipart/form-data",
                       headers={"HX-Request": "true"} if htmx else {})


def post(client, token, path, htmx=False):
    return client.submit(f"{board_url(token)}/{path}", page=board_url(token),
                         headers={"HX-Request": "true"} if htmx else {})


def files_of(token, code=None):
    query = (PieceFile.select().join(CandidaturePiece).join(Candidature)
             .where(Candidature.token == token))
    if code:
        query = query.where(CandidaturePiece.code == code)
    return list(query.order_by(PieceFile.id))


def stored_files(app):
    return [p for p in Path(app.config["UPLOAD_DIR"]).rglob("*") if p.is_file()]


def status(app, token, code, value, comment="", by="Mme Gestionnaire"):
    with app.app_context():
        candidature = Candidature.get(Candidature.token == token)
        return operations.set_piece_status(operations.piece_of(candidature, code), value,
                                           comment, by)


@pytest.fixture
def registered(client, candidate, deposit, db):
    """A registered candidature (Bac Pro, Clermont-Ferrand), its deposit window open."""
    token, _ = register_all(client)
    return token


def deposit_all(client, token):
    for code in ("DCSTID01", "CINSIG01"):
        assert upload(client, token, code, (f"{code}.pdf", pdf_bytes())).status_code == 303


# --- The list -----------------------------------------------------------------------------------

def test_the_list_says_each_piece_why_and_until_when(client, registered):
    response = client.get("/mes-justificatifs")
    assert response.status_code == 302  # one candidature: straight to its pieces
    page = text(client.get(response.headers["Location"]))
    assert "Identité Document justifiant l'identité (DCSTID01)" in page
    assert "Demandé à tout candidat : carte nationale d'identité" in page
    assert "Confirmation d'inscription signée (CINSIG01)" in page
    window = Window.of_candidature(Candidature.get(Candidature.token == registered),
                                   Window.DEPOT)
    assert re.search(r"À déposer en ligne entre le \w+ \d\d \w+ \d{4} et le \w+ \d\d \w+ \d{4} "
                     r"\d\d:\d\d \(heure de Paris\)", page)
    assert str(to_local(window.closes_at, "Europe/Paris").year) in page
    assert "PDF ou JPEG, 5 Mo au plus" in page
    assert "Il vous reste 2 pièces à déposer en ligne, au plus tard le" in page
    assert "CERMED01" not in page


def test_the_list_follows_the_candidature_when_it_changes(client, registered):
    client.submit(f"/mes-inscriptions/{registered}/modifier", page=f"/mes-inscriptions/{registered}")
    fill(client, registered, "epreuves", {**TABS["epreuves"], "eps_mode": "INAPTE",
                                          "eps_activities": []})
    client.submit(f"/inscription/{registered}/enregistrer",
                  page=f"/inscription/{registered}/recapitulatif")
    page = text(client.get(board_url(registered)))
    assert "Certificat médical (date de validité, signature et cachet du médecin) (CERMED01)" in page
    assert "Vous avez choisi l'EPS en contrôle ponctuel « Inapte »" in page


def test_a_piece_the_academie_wants_by_post_gives_the_address_and_deadline(client, registered):
    Academie.update(postal_pieces=["CINSIG01"], service="Rectorat – DEC",
                    postal_address="3 avenue Vercingétorix\n63033 Clermont-Ferrand cedex 1"
                    ).where(Academie.code == "clermont-ferrand").execute()
    page = text(client.get(board_url(registered)))
    assert ("Gestion de la pièce non dématérialisée, à envoyer directement au service "
            "administratif avant le") in page
    assert "Rectorat – DEC 3 avenue Vercingétorix 63033 Clermont-Ferrand cedex 1" in page
    html = client.get(board_url(registered)).get_data(as_text=True)
    assert 'id="fichier-CINSIG01"' not in html and 'id="fichier-DCSTID01"' in html
    # Only the online piece is needed to declare.
    assert upload(client, registered, "DCSTID01", ("cni.pdf", pdf_bytes())).status_code == 303
    assert post(client, registered, "declarer").status_code == 303


# --- Uploading ------------------------------------------------------------------------------------

def test_a_pdf_is_deposited_without_javascript_and_kept_outside_static(app, client, registered):
    data = pdf_bytes()
    response = upload(client, registered, "DCSTID01", ("pièce_identité.pdf", data))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{board_url(registered)}#piece-DCSTID01")
    page = text(client.get(board_url(registered)))
    assert "Fichier déposé : pièce_identité.pdf" in page
    assert re.search(r"pièce_identité\.pdf \(\d+ Ko\) Déposé le \d\d/\d\d/\d{4} \d\d:\d\d "
                     r"\(heure de Paris\)", page)
    [deposited] = files_of(registered, "DCSTID01")
    path = storage.path_of(app.config["UPLOAD_DIR"], deposited.stored_name)
    assert path.read_bytes() == data
    assert (deposited.size, deposited.sha256, deposited.mimetype, deposited.original_name) == (
        len(data), hashlib.sha256(data).hexdigest(), "application/pdf", "pièce_identité.pdf")
    assert "pièce" not in deposited.stored_name and "static" not in str(path)
    assert AuditLog.get(AuditLog.action == "piece.deposit").detail["piece"] == "DCSTID01"


def test_with_htmx_only_the_piece_comes_back(client, registered):
    response = upload(client, registered, "DCSTID01", ("cni.jpg", jpeg_bytes()), htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in body and "<title>Mes justificatifs – Cyclades libre</title>" in body
    assert '<h3 id="piece-DCSTID01-title">' in body and 'id="piece-CINSIG01-title"' not in body
    # What the page says of all the pieces comes along, swapped in place.
    state = re.search(r'<div [^>]*id="pieces-state" hx-swap-oob="true">.*?</div>', body, re.S)
    assert "Il vous reste 1 pièce à déposer en ligne" in text_of(state.group(0))
    assert '<div id="declare-box" hx-swap-oob="true">' in body
    assert "Fichier déposé : cni.jpg" in text(response)
    assert files_of(registered, "DCSTID01")[0].mimetype == "image/jpeg"


def truncated_pdf():
    data = pdf_bytes(pages=3)
    return data[: len(data) // 2]


REFUSED = [
    ("carte.pdf", png_bytes(), "ni un PDF ni une photo JPEG"),
    ("photo.jpg", b"<!doctype html><html><body>bonjour</body></html>",
     "ni un PDF ni une photo JPEG"),
    ("photo.jpg", zip_bytes(), "ni un PDF ni une photo JPEG"),
    ("scan.pdf", truncated_pdf(), "Ce PDF est endommagé ou incomplet"),
    ("scan.pdf", encrypted_pdf(), "Ce PDF est protégé par un mot de passe"),
    ("vide.pdf", b"", "Le fichier est vide (0 octet)"),
    ("gros.pdf", None, "Le fichier pèse 5,1 Mo, plus que les 5 Mo permis"),
    ("scan.pdf", hostile.object_stream_bomb(), "Ce PDF est trop complexe pour être vérifié"),
    ("scan.pdf", hostile.with_javascript(), "Ce PDF contient du contenu actif"),
]


def big_pdf(size):
    """A sound PDF of exactly `size` bytes: a page, then a comment that pads it before its
    cross-reference table, whose `startxref` offset is moved to match."""
    data = pdf_bytes()
    head, tail = data.split(b"xref", 1)
    for grown in range(12):  # the moved offset may have more digits
        padding = size - len(data) - grown
        moved = re.sub(rb"startxref\s+\d+", b"startxref\n%d" % (len(head) + padding), tail)
        padded = head + b"%" + b"0" * (padding - 2) + b"\n" + b"xref" + moved
        if len(padded) == size:
            PdfReader(io.BytesIO(padded), strict=True).pages[0]  # no recovery needed
            return padded
    raise AssertionError(size)


@pytest.mark.parametrize("name, data, message", REFUSED, ids=[
    "png-named-pdf", "html-named-jpg", "zip-named-jpg", "truncated-pdf", "encrypted-pdf",
    "empty", "5-mo-and-1-byte", "decompression-bomb", "javascript"])
def test_what_is_refused_says_why_and_keeps_nothing(app, client, registered, name, data,
                                                     message):
    data = big_pdf(5 * 1024 * 1024 + 1) if data is None else data
    response = upload(client, registered, "DCSTID01", (name, data))
    assert response.status_code == 422
    page = text(response)
    assert page.startswith("Erreur : Mes justificatifs")
    summary = re.search(r'<div class="error-summary".*?</div>', response.get_data(as_text=True),
                        re.S).group(0)
    assert 'href="#fichier-DCSTID01"' in summary and message in text_of(summary)
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert files_of(registered) == [] and stored_files(app) == []


def text_of(html):
    import html as html_lib
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", html)))


def test_the_5_mo_pdf_itself_is_accepted(client, registered):
    assert upload(client, registered, "DCSTID01",
                  ("scan.pdf", big_pdf(5 * 1024 * 1024))).status_code == 303


def test_with_htmx_a_refusal_comes_back_in_the_piece(client, registered):
    response = upload(client, registered, "DCSTID01", ("x.pdf", png_bytes()), htmx=True)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "<title>Erreur : Mes justificatifs" in body
    assert 'id="fichier-DCSTID01-error"' in body and "ni un PDF ni une photo JPEG" in text(response)


def test_a_12_mo_phone_photo_is_scaled_to_fit_without_its_gps_position(app, client, registered):
    photo = jpeg_bytes(size=(4500, 3400), noise=True, quality=98, exif=gps_exif())
    assert len(photo) >= 12 * 1024 * 1024
    assert upload(client, registered, "DCSTID01", ("IMG_2041.jpg", photo)).status_code == 303
    [deposited] = files_of(registered)
    kept = storage.path_of(app.config["UPLOAD_DIR"], deposited.stored_name).read_bytes()
    assert deposited.size == len(kept) <= 5 * 1024 * 1024
    image = Image.open(io.BytesIO(kept))
    assert image.format == "JPEG" and max(image.size) >= 1200
    assert not image.getexif().get_ifd(0x8825) and b"PhoneMaker" not in kept


def test_several_photos_become_one_pdf_a_page_each(app, client, registered):
    response = upload(client, registered, "DCSTID01", ("recto.jpg", jpeg_bytes()),
                      ("verso.jpg", jpeg_bytes(size=(1600, 1200))))
    assert response.status_code == 303
    [deposited] = files_of(registered)
    assert (deposited.mimetype, deposited.pages, deposited.original_name) == (
        "application/pdf", 2, "recto.pdf")
    kept = storage.path_of(app.config["UPLOAD_DIR"], deposited.stored_name).read_bytes()
    assert len(PdfReader(io.BytesIO(kept)).pages) == 2
    assert "recto.pdf (" in text(client.get(board_url(registered)))
    assert "2 pages" in text(client.get(board_url(registered)))


def test_a_pdf_among_several_files_is_refused(client, registered):
    response = upload(client, registered, "DCSTID01", ("a.jpg", jpeg_bytes()),
                      ("b.pdf", pdf_bytes()))
    assert response.status_code == 422
    assert "ne peuvent être que des photos" in text(response)


def test_sending_no_file_asks_for_one(client, registered):
    page = board_url(registered)
    response = client.post(f"{page}/pieces/DCSTID01", data={"csrf_token": client.csrf_token(page)},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "Choisissez un fichier" in text(response)


def test_an_upload_broken_midway_leaves_nothing(app, client, registered):
    page = board_url(registered)
    token = client.csrf_token(page)
    boundary = "frontiere"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
            f"{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"fichier\"; "
            f"filename=\"cni.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").encode()
    body += pdf_bytes()[:300]  # the connection drops here
    response = client.post(f"{page}/pieces/DCSTID01", input_stream=io.BytesIO(body),
                           content_type=f"multipart/form-data; boundary={boundary}",
                           content_length=len(body) + 50_000)
    assert response.status_code == 400
    assert files_of(registered) == [] and stored_files(app) == []


def test_a_request_over_the_hard_cap_is_refused_before_it_is_read(app, client, registered):
    app.config["UPLOAD_MAX_REQUEST"] = 1024 * 1024
    response = upload(client, registered, "DCSTID01", ("gros.pdf", big_pdf(1536 * 1024)))
    assert response.status_code == 413 and "Envoi trop volumineux" in text(response)
    assert "Les fichiers envoyés dépassent 1 Mo au total" in text(response)
    assert files_of(registered) == []
    response = upload(client, registered, "DCSTID01", ("gros.pdf", big_pdf(1536 * 1024)),
                      htmx=True)
    assert response.status_code == 413 and response.headers["HX-Retarget"] == "#main"


def test_a_withdrawn_candidature_keeps_its_pieces_unchanged(client, registered):
    deposit_all(client, registered)
    assert post(client, registered, "declarer").status_code == 303  # declared, then withdrawn
    Candidature.update(status="desinscrite").where(Candidature.token == registered).execute()
    response = upload(client, registered, "CINSIG01", ("x.pdf", pdf_bytes()))
    assert response.status_code == 422 and "n'est plus active (désinscrite)" in text(response)
    [deposited, _] = files_of(registered)
    assert post(client, registered, f"fichiers/{deposited.token}/supprimer").status_code == 422
    assert post(client, registered, "declarer").status_code == 422
    assert "/mes-justificatifs/" not in client.get("/mes-inscriptions").get_data(as_text=True)


def test_a_path_sent_as_the_file_name_keeps_only_the_name(client, registered):
    upload(client, registered, "DCSTID01", ("/home/camille/Documents/cni.pdf", pdf_bytes()))
    assert files_of(registered)[0].original_name == "cni.pdf"


def test_the_other_forms_keep_their_small_cap(app, client, registered):
    response = client.post("/connexion", data={"email": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    client.logout()  # an anonymous upload is not read beyond the small cap either
    response = client.post(f"{board_url(registered)}/pieces/DCSTID01",
                           content_type="multipart/form-data",
                           data={"fichier": [(io.BytesIO(big_pdf(1536 * 1024)), "x.pdf")]})
    assert response.status_code == 413


def test_a_file_is_deleted_until_the_pieces_are_declared(app, client, registered):
    upload(client, registered, "DCSTID01", ("cni.pdf", pdf_bytes()))
    [deposited] = files_of(registered)
    response = post(client, registered, f"fichiers/{deposited.token}/supprimer", htmx=True)
    assert response.status_code == 200 and "Fichier supprimé : cni.pdf" in text(response)
    assert files_of(registered) == [] and stored_files(app) == []


# --- Who sees what ------------------------------------------------------------------------------

def test_the_owner_views_their_file_with_safe_headers(client, registered):
    data = pdf_bytes()
    upload(client, registered, "DCSTID01", ("cni.pdf", data))
    [deposited] = files_of(registered)
    response = client.get(f"{board_url(registered)}/fichiers/{deposited.token}")
    assert response.status_code == 200 and response.get_data() == data
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["Content-Disposition"].startswith("inline")


def test_another_candidates_pieces_are_404_to_view_upload_delete_or_declare(
        client, registered, make_account):
    deposit_all(client, registered)
    [deposited, _] = files_of(registered)
    client.logout()
    make_account(email="autre@example.fr")
    client.login("autre@example.fr")
    base = board_url(registered)
    token = client.csrf_token("/")
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/fichiers/{deposited.token}").status_code == 404
    assert client.post(f"{base}/pieces/DCSTID01", content_type="multipart/form-data", data={
        "csrf_token": token, "fichier": [(io.BytesIO(pdf_bytes()), "x.pdf")]}).status_code == 404
    assert client.post(f"{base}/fichiers/{deposited.token}/supprimer",
                       data={"csrf_token": token}).status_code == 404
    assert client.post(f"{base}/declarer", data={"csrf_token": token}).status_code == 404
    assert len(files_of(registered)) == 2
    assert Candidature.get(Candidature.token == registered).pieces_declared_at is None
    client.logout()
    assert client.get(base).status_code == 302  # to the login page


def test_a_file_is_not_reachable_through_another_candidature_of_the_same_owner(
        client, registered):
    upload(client, registered, "DCSTID01", ("cni.pdf", pdf_bytes()))
    [deposited] = files_of(registered)
    assert client.get(f"/mes-justificatifs/inconnu/fichiers/{deposited.token}").status_code == 404
    first = Candidature.get(Candidature.token == registered)
    other = Candidature.create(account=first.account, academie=first.academie,
                               exam=Exam.get(Exam.code == "CAP"), session=first.session,
                               status="inscrite", version=1, answers={})
    assert client.get(board_url(other.token)).status_code == 200
    assert client.get(f"{board_url(other.token)}/fichiers/{deposited.token}").status_code == 404
    assert client.post(f"{board_url(other.token)}/fichiers/{deposited.token}/supprimer",
                       data={"csrf_token": client.csrf_token()}).status_code == 404
    assert client.get(f"{board_url(registered)}/fichiers/{deposited.token}").status_code == 200
    assert upload(client, registered, "XXX", ("x.pdf", pdf_bytes())).status_code == 404
    response = upload(client, registered, "CERMED01", ("x.pdf", pdf_bytes()))
    assert response.status_code == 404  # a piece this candidature does not need


# --- Declaring and the statuses -----------------------------------------------------------------

def test_j_ai_fourni_toutes_mes_pieces_asks_to_confirm_before_it_locks_them(app, client,
                                                                              registered):
    assert client.get(f"{board_url(registered)}/declarer").status_code == 302  # nothing yet
    upload(client, registered, "DCSTID01", ("cni.pdf", pdf_bytes()))
    upload(client, registered, "CINSIG01", ("confirmation.pdf", pdf_bytes()))
    board = client.get(board_url(registered)).get_data(as_text=True)
    assert f'href="{board_url(registered)}/declarer"' in board  # a link to a page, not a POST
    assert f'action="{board_url(registered)}/declarer"' not in board
    page = client.get(f"{board_url(registered)}/declarer")
    words = text(page)
    assert "<title>Confirmer : j'ai fourni toutes mes pièces – Mes justificatifs" in \
        page.get_data(as_text=True).replace("&#39;", "'")
    assert "vous ne pourrez plus modifier ni supprimer ces fichiers" in words
    assert "Document justifiant l'identité (DCSTID01) : cni.pdf" in words
    assert "Confirmation d'inscription signée (CINSIG01) : confirmation.pdf" in words
    # Not yet declared: the files can still be deleted.
    assert "Supprimer" in text(client.get(board_url(registered)))
    assert "Non, revenir à Mes justificatifs" in words
    assert client.submit(f"{board_url(registered)}/declarer",
                         page=f"{board_url(registered)}/declarer").status_code == 303
    assert "Supprimer" not in text(client.get(board_url(registered)))
    assert client.get(f"{board_url(registered)}/declarer").status_code == 302  # done already


def test_declaring_needs_every_online_piece_then_locks_them(app, client, registered):
    html = client.get(board_url(registered)).get_data(as_text=True)
    assert "Ce bouton apparaît quand chaque pièce à déposer en ligne a son fichier." in text_of(html)
    assert f'action="{board_url(registered)}/declarer"' not in html
    upload(client, registered, "DCSTID01", ("cni.pdf", pdf_bytes()))
    response = post(client, registered, "declarer")
    assert response.status_code == 422 and "Il manque encore 1 pièce(s)" in text(response)

    upload(client, registered, "CINSIG01", ("confirmation.pdf", pdf_bytes()))
    assert post(client, registered, "declarer").status_code == 303
    page = text(client.get(board_url(registered)))
    assert "elles sont en attente de contrôle par le service gestionnaire" in page
    assert "Supprimer" not in page and "Ajouter un" not in page
    assert "en cours de contrôle et ne peut plus être modifiée" in page
    response = upload(client, registered, "DCSTID01", ("autre.pdf", pdf_bytes()))
    assert response.status_code == 422 and "en cours de contrôle" in text(response)
    [first, _] = files_of(registered)
    response = post(client, registered, f"fichiers/{first.token}/supprimer")
    assert response.status_code == 422 and len(files_of(registered)) == 2
    assert post(client, registered, "declarer").status_code == 303  # nothing new: no change
    assert "Pièces justificatives : en attente de contrôle" in text(client.get("/"))
    assert "Pièces justificatives : en attente de contrôle" in text(client.get("/mes-inscriptions"))


def test_each_status_as_the_candidate_reads_it(app, client, registered):
    deposit_all(client, registered)
    post(client, registered, "declarer")
    status(app, registered, "DCSTID01", "recue")
    page = text(client.get(board_url(registered)))
    assert re.search(r"DCSTID01\) .*Statut : Reçue Date de réception : \d\d/\d\d/\d{4}", page)

    with pytest.raises(operations.PieceRefused, match="besoin d'un commentaire"):
        status(app, registered, "DCSTID01", "non_conforme")
    status(app, registered, "DCSTID01", "non_conforme", "Pièce illisible")
    page = text(client.get(board_url(registered)))
    assert "Statut : Non conforme" in page
    assert "Information du gestionnaire : Pièce illisible" in page
    assert "Déposez de nouveau cette pièce, puis cliquez de nouveau sur" in page
    assert "Il vous reste 1 pièce à déposer en ligne" in page

    # The candidate replaces it (deleting the bad one) and declares again.
    [bad, _] = files_of(registered)
    assert post(client, registered, f"fichiers/{bad.token}/supprimer").status_code == 303
    assert upload(client, registered, "DCSTID01", ("net.pdf", pdf_bytes())).status_code == 303
    assert post(client, registered, "declarer").status_code == 303
    piece = CandidaturePiece.get(CandidaturePiece.code == "DCSTID01")
    assert (piece.status, piece.comment) == ("", "")  # to be checked again
    assert piece.received_at is None  # received again when next checked

    status(app, registered, "DCSTID01", "conforme")
    page = text(client.get(board_url(registered)))
    assert "Statut : Conforme" in page and "Toutes vos pièces sont validées" not in page
    assert "contrôlée et déclarée conforme : elle ne peut plus être modifiée" in page
    conforme = page[page.index("Statut : Conforme") - 400:page.index("Statut : Conforme") + 400]
    assert "en cours de contrôle" not in conforme
    status(app, registered, "CINSIG01", "conforme")
    page = text(client.get(board_url(registered)))
    assert "Toutes vos pièces sont validées : vous n'avez plus rien à faire." in page
    assert len(re.findall(r"Validé le \d\d/\d\d/\d{4} \d\d:\d\d \(heure de Paris\)", page)) == 2
    assert "J'ai fourni toutes mes pièces" not in page
    with pytest.raises(operations.PieceRefused, match="sont validées"):
        status(app, registered, "CINSIG01", "non_conforme", "Finalement non")
    assert "Pièces justificatives : toutes validées." in text(client.get("/"))


def test_a_status_needs_a_deposited_file_and_a_known_piece(app, client, registered):
    with pytest.raises(operations.PieceRefused, match="Aucun fichier n'a été déposé"):
        status(app, registered, "DCSTID01", "recue")
    with pytest.raises(operations.PieceRefused, match="n'est pas demandée"):
        status(app, registered, "CERMED01", "recue")
    upload(client, registered, "DCSTID01", ("cni.pdf", pdf_bytes()))
    with pytest.raises(operations.PieceRefused, match="Statut inconnu"):
        status(app, registered, "DCSTID01", "perdue")


def test_the_piece_status_command(app, client, registered):
    upload(client, registered, "DCSTID01", ("cni.pdf", pdf_bytes()))
    numero = Candidature.get(Candidature.token == registered).numero_inscription
    runner = app.test_cli_runner()
    result = runner.invoke(args=["piece-status", numero, "DCSTID01", "non_conforme"])
    assert result.exit_code == 1 and "besoin d'un commentaire" in result.output
    result = runner.invoke(args=["piece-status", numero, "dcstid01", "non_conforme",
                                 "--commentaire", "Photo floue", "--recue-le", "2026-11-20",
                                 "--by", "DEC 3"])
    assert result.exit_code == 0, result.output
    piece = CandidaturePiece.get(CandidaturePiece.code == "DCSTID01")
    assert (piece.status, piece.comment, piece.status_by) == ("non_conforme", "Photo floue",
                                                              "DEC 3")
    assert piece.received_at == datetime(2026, 11, 19, 23, 0)  # midnight in Paris, in UTC
    assert "Date de réception : 20/11/2026" in text(client.get(board_url(registered)))
    result = runner.invoke(args=["piece-status", "0000", "DCSTID01", "recue"])
    assert result.exit_code == 1 and "Aucune candidature" in result.output


def test_refresh_sends_only_the_statuses(app, client, registered):
    upload(client, registered, "DCSTID01", ("cni.pdf", pdf_bytes()))
    status(app, registered, "DCSTID01", "recue")
    response = client.get(board_url(registered), headers={"HX-Request": "true",
                                                          "HX-Target": "board"})
    body = response.get_data(as_text=True)
    assert "<html" not in body and "<h1>" not in body and "Rafraîchir" not in body
    assert "Statut : Reçue" in text(response)
    page = client.get(board_url(registered)).get_data(as_text=True)
    assert (f'<a href="{board_url(registered)}" hx-get="{board_url(registered)}" '
            'hx-target="#board" hx-swap="innerHTML">Rafraîchir') in page


# --- The version and window rules -----------------------------------------------------------------

def test_a_signed_confirmation_is_for_one_version(client, registered):
    deposit_all(client, registered)
    post(client, registered, "declarer")
    client.submit(f"/mes-inscriptions/{registered}/modifier", page=f"/mes-inscriptions/{registered}")
    fill(client, registered, "epreuves", {**TABS["epreuves"], "lva": "espagnol"})
    client.submit(f"/inscription/{registered}/enregistrer",
                  page=f"/inscription/{registered}/recapitulatif")
    page = text(client.get(board_url(registered)))
    assert ("Le fichier déposé est la confirmation de la version n°1 ; votre candidature a été "
            "modifiée et en est à la version n°2.") in page
    assert "Il vous reste 1 pièce à déposer en ligne" in page
    assert "CINSIG01.pdf" in page and "version n°1" in page
    # The identity document stays declared; the new confirmation can be deposited.
    assert upload(client, registered, "DCSTID01", ("x.pdf", pdf_bytes())).status_code == 422
    assert upload(client, registered, "CINSIG01", ("v2.pdf", pdf_bytes())).status_code == 303
    assert files_of(registered, "CINSIG01")[-1].candidature_version == 2
    page = text(client.get(board_url(registered)))
    assert "est à la version" not in page and "version n°2" in page
    assert post(client, registered, "declarer").status_code == 303


def close_deposit(days_ago=1):
    Window.update(closes_at=utcnow() - timedelta(days=days_ago),
                  opens_at=utcnow() - timedelta(days=40)).where(
        Window.kind == Window.DEPOT).execute()


def test_outside_the_window_only_a_non_conforme_piece_can_be_replaced(app, client, registered):
    deposit_all(client, registered)
    post(client, registered, "declarer")
    status(app, registered, "DCSTID01", "non_conforme", "Pièce illisible")
    close_deposit()
    html = client.get(board_url(registered)).get_data(as_text=True)
    assert 'id="fichier-DCSTID01"' in html and 'id="fichier-CINSIG01"' not in html
    assert upload(client, registered, "DCSTID01", ("net.pdf", pdf_bytes())).status_code == 303
    assert upload(client, registered, "CINSIG01", ("x.pdf", pdf_bytes())).status_code == 422


def test_outside_the_window_nothing_new_is_deposited(client, registered):
    close_deposit()
    response = upload(client, registered, "DCSTID01", ("cni.pdf", pdf_bytes()))
    assert response.status_code == 422
    assert "La période de dépôt de cette pièce est close." in text(response)
    Window.update(opens_at=utcnow() + timedelta(days=2), closes_at=utcnow() + timedelta(days=9)
                  ).where(Window.kind == Window.DEPOT).execute()
    page = text(client.get(board_url(registered)))
    assert "La période de dépôt de cette pièce n'est pas encore ouverte." in page


def test_the_dashboard_tells_what_is_missing_and_by_when(client, registered):
    window = Window.of_candidature(Candidature.get(Candidature.token == registered),
                                   Window.DEPOT)
    page = text(client.get("/"))
    assert "Pièces justificatives : 2 à déposer au plus tard le" in page
    local_year = to_local(window.closes_at, "Europe/Paris").year  # 31/12 23:30 UTC is 2027 there
    assert f"{local_year}" in page and "(heure de Paris)" in page
    assert "Document justifiant l'identité (DCSTID01)" in page
    deposit_all(client, registered)
    assert ("il reste à cliquer sur « J'ai fourni toutes mes pièces »"
            in text(client.get("/")))


def test_a_new_signed_confirmation_is_checked_again_even_after_conforme(app, client, registered):
    deposit_all(client, registered)
    post(client, registered, "declarer")
    status(app, registered, "DCSTID01", "conforme")
    status(app, registered, "CINSIG01", "conforme")
    client.submit(f"/mes-inscriptions/{registered}/modifier", page=f"/mes-inscriptions/{registered}")
    fill(client, registered, "epreuves", {**TABS["epreuves"], "lva": "espagnol"})
    client.submit(f"/inscription/{registered}/enregistrer",
                  page=f"/inscription/{registered}/recapitulatif")
    with pytest.raises(operations.PieceRefused, match="version antérieure"):
        status(app, registered, "CINSIG01", "conforme")
    assert upload(client, registered, "CINSIG01", ("v2.pdf", pdf_bytes())).status_code == 303
    page = text(client.get(board_url(registered)))
    assert "Toutes vos pièces sont validées" not in page
    [_, new] = files_of(registered, "CINSIG01")  # still the candidate's: a wrong one can go
    assert post(client, registered, f"fichiers/{new.token}/supprimer").status_code == 303
    assert upload(client, registered, "CINSIG01", ("v2.pdf", pdf_bytes())).status_code == 303
    assert post(client, registered, "declarer").status_code == 303
    piece = CandidaturePiece.get(CandidaturePiece.code == "CINSIG01")
    assert piece.status == "" and piece.validated_at is None
    status(app, registered, "CINSIG01", "conforme")
    assert "Toutes vos pièces sont validées" in text(client.get(board_url(registered)))


def test_a_piece_whose_window_is_not_open_does_not_hold_back_the_others(app, client,
                                                                         registered):
    Window.update(opens_at=utcnow() + timedelta(days=60), closes_at=utcnow() + timedelta(days=90)
                  ).where(Window.kind == Window.DEPOT).execute()
    depot = Window.of_candidature(Candidature.get(Candidature.token == registered), Window.DEPOT)
    Window.create(academie=depot.academie, exam=depot.exam, session=depot.session,
                  kind=Window.R408,
                  opens_at=utcnow() - timedelta(days=1), closes_at=utcnow() + timedelta(days=9))
    from cyclades.models import Specialty
    Specialty.update(requires_r408=True).where(Specialty.code == "MV").execute()
    page = text(client.get(board_url(registered)))
    assert "Attestation de formation au travail en hauteur sur échafaudage de pied (R408) (ATR40801)" in page
    assert "La période de dépôt de cette pièce n'est pas encore ouverte." in page
    assert upload(client, registered, "ATR40801", ("r408.pdf", pdf_bytes())).status_code == 303
    assert post(client, registered, "declarer").status_code == 303  # DEPOT pieces come later
    assert "en attente de contrôle" in text(client.get(board_url(registered)))


def test_declaring_twice_is_taken_once(client, registered):
    deposit_all(client, registered)
    assert post(client, registered, "declarer").status_code == 303
    declared_at = Candidature.get(Candidature.token == registered).pieces_declared_at
    again = post(client, registered, "declarer")  # a double click: the same answer
    assert again.status_code == 303
    assert "vos pièces vont être contrôlées" in text(client.get(again.headers["Location"]))
    assert Candidature.get(Candidature.token == registered).pieces_declared_at == declared_at
    assert AuditLog.select().where(AuditLog.action == "pieces.declare").count() == 1


def test_files_of_a_piece_no_longer_asked_for_are_listed_and_can_go(app, client, registered):
    client.submit(f"/mes-inscriptions/{registered}/modifier", page=f"/mes-inscriptions/{registered}")
    fill(client, registered, "epreuves", {**TABS["epreuves"], "eps_mode": "INAPTE",
                                          "eps_activities": []})
    client.submit(f"/inscription/{registered}/enregistrer",
                  page=f"/inscription/{registered}/recapitulatif")
    assert upload(client, registered, "CERMED01", ("certificat.pdf", pdf_bytes())).status_code == 303
    client.submit(f"/mes-inscriptions/{registered}/modifier", page=f"/mes-inscriptions/{registered}")
    fill(client, registered, "epreuves", TABS["epreuves"])
    client.submit(f"/inscription/{registered}/enregistrer",
                  page=f"/inscription/{registered}/recapitulatif")
    page = text(client.get(board_url(registered)))
    assert "Pièces qui ne sont plus demandées" in page and "certificat.pdf" in page
    assert "CERMED01 :" not in page
    [certificate] = files_of(registered, "CERMED01")
    assert post(client, registered, f"fichiers/{certificate.token}/supprimer").status_code == 303
    assert files_of(registered, "CERMED01") == [] and stored_files(app) == []


def test_a_second_delete_of_the_same_file_is_harmless(client, registered):
    upload(client, registered, "DCSTID01", ("cni.pdf", pdf_bytes()))
    [deposited] = files_of(registered)
    with client.application.app_context():
        assert operations.delete_file(deposited, None) == "DCSTID01"
        assert operations.delete_file(deposited, None) == "DCSTID01"


def test_too_many_photos_together_are_refused_over_5_mo(client, registered, monkeypatch):
    monkeypatch.setattr("cyclades.uploads.SMALLEST_SIDE", 2000)  # legible only at this size
    photos = [(f"page{n}.jpg", jpeg_bytes(size=(2000, 2600), noise=True)) for n in range(10)]
    response = upload(client, registered, "DCSTID01", *photos)
    assert response.status_code == 422
    assert "Ensemble, ces photos dépassent 5 Mo même réduites" in text(response)
    assert files_of(registered) == []


def test_several_photos_make_a_pdf_of_5_mo_at_most(app, client, registered):
    photos = [(f"page{n}.jpg", jpeg_bytes(size=(2000, 2600), noise=True, quality=80))
              for n in range(4)]
    assert sum(len(p) for _, p in photos) > 5 * 1024 * 1024
    assert upload(client, registered, "DCSTID01", *photos).status_code == 303
    [deposited] = files_of(registered)
    assert deposited.pages == 4 and deposited.size <= 5 * 1024 * 1024


def broken_exif_jpeg() -> bytes:
    """A photo whose EXIF block says it holds more than it does."""
    data = jpeg_bytes(exif=gps_exif())
    start = data.index(b"Exif\x00\x00") + 6
    return data[:start + 8] + b"\xff\xff" + data[start + 10:]


def test_a_photo_with_broken_metadata_is_kept_without_it(app, client, registered):
    response = upload(client, registered, "DCSTID01", ("photo.jpg", broken_exif_jpeg()))
    assert response.status_code in (303, 422), text(response)
    if response.status_code == 303:
        [deposited] = files_of(registered)
        kept = storage.path_of(app.config["UPLOAD_DIR"], deposited.stored_name).read_bytes()
        assert b"PhoneMaker" not in kept


def test_a_jpeg_claiming_billions_of_pixels_is_refused_before_decoding(client, registered):
    data = bytearray(jpeg_bytes(size=(64, 64)))
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = (60000).to_bytes(2, "big") + (60000).to_bytes(2, "big")
    response = upload(client, registered, "DCSTID01", ("bombe.jpg", bytes(data)))
    assert response.status_code == 422 and "Cette photo est endommagée" in text(response)


def test_a_failed_save_leaves_no_file(app, client, registered, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disque plein")
    monkeypatch.setattr(operations, "audit", broken)
    response = upload(client, registered, "DCSTID01", ("cni.pdf", pdf_bytes()))
    assert response.status_code == 500
    assert files_of(registered) == [] and stored_files(app) == []


def test_no_status_on_a_withdrawn_candidature(app, client, registered):
    upload(client, registered, "DCSTID01", ("cni.pdf", pdf_bytes()))
    Candidature.update(status="desinscrite").where(Candidature.token == registered).execute()
    with pytest.raises(operations.PieceRefused, match="n'est pas enregistrée"):
        status(app, registered, "DCSTID01", "recue")


def test_a_status_can_change_until_all_are_conforme(app, client, registered):
    deposit_all(client, registered)
    post(client, registered, "declarer")
    for value in ("recue", "non_conforme", "recue", "conforme", "recue"):
        piece = status(app, registered, "DCSTID01", value, comment="Illisible")
        assert piece.status == value
        assert piece.comment == ("Illisible" if value == "non_conforme" else "")
        assert (piece.validated_at is not None) == (value == "conforme")


def test_files_left_by_an_interrupted_upload_are_purged_never_a_deposited_one(app, client,
                                                                               registered):
    import os
    import time

    assert upload(client, registered, "DCSTID01", ("cni.pdf", pdf_bytes())).status_code == 303
    root = Path(app.config["UPLOAD_DIR"])
    [kept] = stored_files(app)
    partial = root / "ab" / "abcdef.pdf.part"  # a worker killed while writing it
    whole = root / "cd" / "cdefgh.pdf"  # killed between the file and its row
    recent = root / "ef" / "efghij.pdf.part"  # an upload being written right now
    for path in (partial, whole, recent):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"%PDF-1.4 interrompu")
    two_hours_ago = time.time() - 7200
    for path in (partial, whole, kept):
        os.utime(path, (two_hours_ago, two_hours_ago))
    result = app.test_cli_runner().invoke(args=["purge-files"])
    assert "Fichiers orphelins supprimés : 2" in result.output
    assert sorted(stored_files(app)) == sorted([kept, recent])
    assert client.get(f"{board_url(registered)}/fichiers/{files_of(registered)[0].token}"
                      ).status_code == 200


def test_the_purge_keeps_every_owned_file_when_both_folders_are_one(app, client, registered):
    import os
    import time

    app.config["DOCUMENTS_DIR"] = app.config["UPLOAD_DIR"]  # a set-up that names one folder
    client.submit(f"/mes-inscriptions/{registered}/modifier", page=f"/mes-inscriptions/{registered}")
    client.submit(f"/inscription/{registered}/enregistrer",
                  page=f"/inscription/{registered}/recapitulatif")  # a document in it
    assert upload(client, registered, "DCSTID01", ("cni.pdf", pdf_bytes())).status_code == 303
    kept = stored_files(app)
    assert len(kept) >= 2
    two_hours_ago = time.time() - 7200
    for path in kept:
        os.utime(path, (two_hours_ago, two_hours_ago))
    assert "supprimés : 0" in app.test_cli_runner().invoke(args=["purge-files"]).output
    assert sorted(stored_files(app)) == sorted(kept)


def test_deleting_a_file_twice_answers_as_deleted_and_an_unknown_file_is_not_found(
        client, registered):
    assert upload(client, registered, "DCSTID01", ("cni.pdf", pdf_bytes())).status_code == 303
    [deposited] = files_of(registered)
    assert post(client, registered, f"fichiers/{deposited.token}/supprimer").status_code == 303
    again = post(client, registered, f"fichiers/{deposited.token}/supprimer")
    assert again.status_code == 303 and again.headers["Location"].endswith("#piece-DCSTID01")
    assert "Fichier supprimé." in text(client.get(again.headers["Location"]))
    htmx = post(client, registered, f"fichiers/{deposited.token}/supprimer", htmx=True)
    assert htmx.status_code == 200 and "Fichier supprimé." in text(htmx)
    assert post(client, registered, "fichiers/inconnu/supprimer").status_code == 404
