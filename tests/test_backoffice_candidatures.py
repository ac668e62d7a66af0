"""A gestionnaire finds a candidature (filters that combine, one search box for a number, a
name or a birth date) and reads it: the identity, the Récapitulatif, its versions and what
changed, every document version, the pieces and their files, the history. Another académie's
candidatures stay out of reach (404)."""
import re

import pytest

from cyclades.models import Academie, Candidature, Document
from tests.conftest import TABS, text
from tests.test_backoffice_access import clock, log_in, responsable  # noqa: F401
from tests.test_documents import deposit  # noqa: F401
from tests.test_pieces import pdf_bytes, upload
from tests.test_registration import candidate, fill, register_all, windows  # noqa: F401


@pytest.fixture
def registered(client, candidate, deposit):
    """Camille DURAND's Bac Pro in Clermont-Ferrand, registered, an identity piece deposited."""
    token, _ = register_all(client)
    assert upload(client, token, "DCSTID01", ("cni.pdf", pdf_bytes())).status_code == 303
    return Candidature.get(Candidature.token == token)


@pytest.fixture
def signed_in(client, registered, responsable, clock):
    client.logout()
    log_in(client, responsable["email"], responsable["secret"], clock=clock)
    return registered


def listing(client, **args):
    query = "&".join(f"{name}={value}" for name, value in args.items())
    return text(client.get(f"/gestion/candidatures?{query}"))


def test_the_search_box_finds_by_number_name_and_birth_date(client, signed_in, make_account,
                                                            db):
    candidature = Candidature.get_by_id(signed_in.id)
    number = candidature.numero_inscription
    for search in (number, candidature.account.numero_candidat, "durand", "Durand",
                   "DUR", "dùrând", "30/05/1998", "30051998"):
        found = listing(client, q=search)
        assert number in found and "1 candidature" in found, search
    for search in ("martin", "2027-02-999999", "01/01/2000"):
        assert "Aucune candidature ne répond à ces critères." in listing(client, q=search), search


def test_filters_combine_and_live_in_the_url(client, signed_in, db):
    number = Candidature.get_by_id(signed_in.id).numero_inscription
    assert number in listing(client, examen="BCP", session="2027", etat="inscrite",
                             specialite="MV:0", forme="GLOBALE", handicap="non",
                             pieces="a_deposer", confirmation="non")
    for other in ({"etat": "brouillon"}, {"confirmation": "oui"}, {"pieces": "complet"},
                  {"handicap": "oui"}, {"examen": "CAP"}, {"forme": "PROGRESSIVE"}):
        assert number not in listing(client, **other), other
    # With htmx, only the results.
    swap = client.get("/gestion/candidatures?etat=inscrite",
                      headers={"HX-Request": "true", "HX-Target": "results"})
    body = swap.get_data(as_text=True)
    assert number in body and "<h1>" not in body and 'id="f-q"' not in body


def test_a_candidature_reads_whole_with_its_versions_documents_pieces_and_history(
        app, client, signed_in, candidate, clock, responsable, db):
    from tests.test_backoffice_access import STAFF_PASSWORD  # noqa: F401

    number = Candidature.get_by_id(signed_in.id).numero_inscription
    # The candidate modifies it once: version 2, whose EPS changed.
    client.post("/gestion/deconnexion", data={"csrf_token": _csrf(client, "/gestion")})
    client.login("camille@example.fr")
    token = signed_in.token
    client.submit(f"/mes-inscriptions/{token}/modifier", page=f"/mes-inscriptions/{token}")
    fill(client, token, "epreuves", {**TABS["epreuves"], "eps_mode": "INAPTE",
                                     "eps_activities": []})
    client.submit(f"/inscription/{token}/enregistrer", page=f"/inscription/{token}/recapitulatif")
    client.logout()
    log_in(client, responsable["email"], responsable["secret"], clock=clock)

    page = client.get(f"/gestion/candidatures/{number}")
    assert page.status_code == 200
    words = text(page)
    for expected in ("DURAND", "Camille", "camille@example.fr", "30/05/1998",
                     "Maintenance des véhicules", "Version n°1, enregistrée le",
                     "Version n°2, enregistrée le", "Document justifiant l'identité (DCSTID01)",
                     "cni.pdf", "Candidature enregistrée (nouvelle version)", "Fichier déposé"):
        assert expected in words, expected
    assert "Modifier" not in words  # the candidate's edit links are not the gestionnaire's
    # What changed from version 1 to 2, field by field.
    assert re.search(r"E7 – Éducation physique et sportive Apte.* Contrôle ponctuel - Inapte",
                     words)
    html = page.get_data(as_text=True)
    # Every version of the confirmation, not only the latest.
    confirmations = list(Document.select().where((Document.candidature == signed_in.id)
                                                 & (Document.type == "confirmation")))
    assert len(confirmations) == 2
    for document in confirmations:
        link = f"/gestion/candidatures/{number}/documents/{document.token}"
        assert link in html
        response = client.get(link)
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert response.headers["Cache-Control"] == "private, no-store"
    file_link = re.search(rf'href="(/gestion/candidatures/{number}/fichiers/[^"]+)"', html).group(1)
    assert client.get(file_link).get_data()[:5] == b"%PDF-"


def test_another_academies_candidature_is_a_404(app, client, signed_in, db):
    candidature = Candidature.get_by_id(signed_in.id)
    number = candidature.numero_inscription
    document = Document.select().where(Document.candidature == candidature).first()
    assert client.get(f"/gestion/candidatures/{number}").status_code == 200
    Candidature.update(academie=Academie.get(Academie.code == "lille")).where(
        Candidature.id == candidature.id).execute()
    for path in (f"/gestion/candidatures/{number}",
                 f"/gestion/candidatures/{number}/documents/{document.token}",
                 "/gestion/candidatures/2027-99-000000"):
        assert client.get(path).status_code == 404, path
    assert number not in listing(client, q=number)


def test_a_candidate_session_opens_no_candidature_of_the_gestion_side(client, registered, db):
    number = Candidature.get_by_id(registered.id).numero_inscription
    response = client.get(f"/gestion/candidatures/{number}")
    assert response.status_code == 302 and "/gestion/connexion" in response.headers["Location"]


def _csrf(client, page):
    html = client.get(page).get_data(as_text=True)
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def test_hostile_query_strings_get_the_list_never_a_500(client, signed_in, db):
    for query in ("page=²", "page=" + "9" * 5000, "session=²", "session=99999999999999999999",
                  "q=%F4%8F%BF%BF", "q=a%F4%8F%BF%BF", "endpoint=x&etat=inscrite",
                  "_method=POST&etat=inscrite", "tri=%00", "de=x&a=y", "handicap=peut-etre"):
        response = client.get(f"/gestion/candidatures?{query}")
        assert response.status_code == 200, query
