"""M'inscrire: the tabs, Récapitulatif, Enregistrer, N° Inscription, Mes inscriptions (R20–R30)."""
import re
import threading
from datetime import timedelta

import pytest
import time_machine

from cyclades import demo
from cyclades.models import (
    Academie, Account, Candidature, CandidatureVersion, Exam, ExamSession, Window, utcnow,
)
from tests.conftest import TABS, FormClient, text



@pytest.fixture
def windows(db):
    """Reference data, and registration open now in every seed académie for every exam."""
    academies, exams = demo.load_reference()
    session = ExamSession.create(year=2027)
    now = utcnow()
    for academie in academies.values():
        for exam in exams.values():
            Window.create(academie=academie, exam=exam, session=session, kind=Window.INSCRIPTION,
                          opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=20))
    return session


@pytest.fixture
def candidate(client, make_account):
    account = make_account(email="camille@example.fr", prenoms="Camille", nom_naissance="DURAND")
    client.login("camille@example.fr")
    return account


def start(client, code_postal="63000", exam="BCP"):
    page = client.get(f"/inscription/nouvelle?code_postal={code_postal}")
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"',
                      page.get_data(as_text=True)).group(1)
    response = client.post("/inscription/nouvelle", data={"csrf_token": token,
                                                          "code_postal": code_postal,
                                                          "examen": exam})
    assert response.status_code == 303, text(response)
    return response.headers["Location"]


def token_of(url):
    return url.split("/")[2]


def fill(client, url_token, slug, data, htmx=False):
    url = f"/inscription/{url_token}/{slug}"
    headers = {"HX-Request": "true"} if htmx else {}
    return client.submit(url, {**data, "action": "suivant"}, page=url, headers=headers)


def register_all(client, htmx=False):
    location = start(client)
    token = token_of(location)
    for slug, data in TABS.items():
        response = fill(client, token, slug, data, htmx)
        assert response.status_code in (200, 303), (slug, text(response))
    response = client.submit(f"/inscription/{token}/enregistrer",
                             page=f"/inscription/{token}/recapitulatif")
    return token, response


def test_candidate_registers_through_every_tab_without_javascript(client, candidate, windows,
                                                                  mailbox, db):
    location = start(client)
    assert location.endswith("/identification")
    page = client.get(location)
    assert "Étape 1 sur 6 : Identification" in text(page)
    assert 'aria-current="step"' in page.get_data(as_text=True)
    token = token_of(location)
    for number, (slug, data) in enumerate(TABS.items(), start=1):
        response = fill(client, token, slug, data)
        assert response.status_code == 303
        following = client.get(response.headers["Location"])
        assert f"Étape {number + 1} sur 6" in text(following)
    recap = text(client.get(f"/inscription/{token}/recapitulatif"))
    for expected in ("12 rue Blatin", "63000 Clermont-Ferrand", "Ouvriers", "Candidat individuel",
                     "Maintenance des véhicules – option A : voitures particulières", "GLOBALE",
                     "Aucun acquis", "E7 – Éducation physique et sportive", "DURAND",
                     "E4 – Langue vivante A (LVA) anglais",
                     "Apte : je choisis deux activités – Danse, Demi fond"):
        assert expected in recap
    response = client.submit(f"/inscription/{token}/enregistrer",
                             page=f"/inscription/{token}/recapitulatif")
    assert response.status_code == 303 and response.headers["Location"].endswith("/numero")
    numbers = text(client.get(response.headers["Location"]))
    candidature = Candidature.get(Candidature.token == token)
    account = Account.get_by_id(candidate.id)
    assert candidature.status == "inscrite" and candidature.version == 1
    assert account.numero_candidat and account.numero_candidat in numbers
    assert candidature.numero_inscription in numbers
    assert "ce.bacpro@ac-clermont.fr" in numbers  # the service gestionnaire's contact
    assert account.identity_locked_at is not None  # R6, R21
    message = mailbox.last("camille@example.fr")
    assert message["Subject"] == "Cyclades libre : votre inscription est enregistrée"
    assert candidature.numero_inscription in mailbox.body(message)
    assert "- E51 – Français : Inscrit" in mailbox.body(message)
    assert "- E4 – Langue vivante A (LVA) : anglais" in mailbox.body(message)
    assert CandidatureVersion.select().where(CandidatureVersion.candidature == candidature).count() == 1


def test_with_htmx_suivant_swaps_only_the_tab_and_pushes_the_url(client, candidate, windows):
    token = token_of(start(client))
    response = fill(client, token, "identification", TABS["identification"], htmx=True)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert response.headers["HX-Push-Url"] == f"/inscription/{token}/informations"
    assert body.startswith("<title>Étape 2 sur 6 : Informations candidature – Inscription")
    assert "<header" not in body and "<h1>" not in body
    assert 'data-announce="Étape 2 sur 6 : Informations candidature"' in body
    assert len(body.encode()) < 16_000
    # The same URL without htmx is a whole page, for the back button and a reload.
    full = client.get(f"/inscription/{token}/informations")
    assert "<header" in full.get_data(as_text=True)
    partial = client.get(f"/inscription/{token}/informations", headers={"HX-Request": "true"})
    assert "<header" not in partial.get_data(as_text=True)
    assert "HX-Request" in partial.headers["Vary"]


def test_an_invalid_tab_keeps_every_value_and_lists_the_errors(client, candidate, windows, db):
    token = token_of(start(client))
    data = {**TABS["identification"], "commune": "", "telephone_portable": "12",
            "adresse": "8 place de Jaude"}
    response = fill(client, token, "identification", data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<title>Erreur : Étape 1 sur 6" in html
    assert "Saisissez votre commune." in text(response)
    assert "Saisissez un numéro à 10 chiffres" in text(response)
    assert 'value="8 place de Jaude"' in html and 'value="12"' in html
    assert "identification" not in Candidature.get(Candidature.token == token).draft


def test_an_address_the_documents_cannot_print_is_refused_with_its_characters(
        client, candidate, windows):
    token = token_of(start(client))
    response = fill(client, token, "identification", {**TABS["identification"],
                                                      "adresse": "12 rue Blatin 🏠",
                                                      "complement": "Résidence « Les Tilleuls »"})
    assert response.status_code == 422
    assert ("Adresse : Ces caractères ne peuvent pas être imprimés sur les documents officiels "
            ": « 🏠 »") in text(response)
    assert "Une erreur empêche l'envoi du formulaire" in text(response)  # « » are printed
    assert 'value="12 rue Blatin 🏠"' in response.get_data(as_text=True)
    crafted = fill(client, token, "identification", {**TABS["identification"],
                                                     "commune": "Clermont\nFerrand"})
    assert crafted.status_code == 422 and "caractères invisibles" in text(crafted)


def test_wrong_academie_postal_code_names_the_academie_of_residence(client, candidate, windows):
    token = token_of(start(client, "63000"))
    response = fill(client, token, "identification", {**TABS["identification"],
                                                      "code_postal": "59000"})
    assert response.status_code == 422
    page = text(response)
    assert ("relève d'une autre académie que celle de cette inscription (Académie de "
            "Clermont-Ferrand) : Académie de Lille.") in page
    # A link starts an inscription where the candidate lives, the postal code already given.
    html = response.get_data(as_text=True)
    assert ('href="/inscription/nouvelle?code_postal=59000">Commencer une inscription dans '
            "l'académie de votre domicile (Académie de Lille)</a>") in html


def test_tabs_past_the_first_incomplete_one_are_not_reachable(client, candidate, windows):
    token = token_of(start(client))
    response = client.get(f"/inscription/{token}/epreuves")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/identification")
    page = text(client.get(f"/inscription/{token}/identification"))
    assert "3. Qualification présentée (pas encore accessible)" in page


def test_leaving_and_coming_back_resumes_at_the_first_incomplete_tab(client, candidate, windows):
    token = token_of(start(client))
    fill(client, token, "identification", TABS["identification"])
    fill(client, token, "informations", TABS["informations"])
    client.logout()
    client.login("camille@example.fr")
    location = start(client)  # M'inscrire again for the same exam: the same candidature
    assert location == f"/inscription/{token}/qualification"
    # Said on the page it leads to, not one page later.
    notice = "Vous avez déjà une candidature pour cet examen et cette session : la voici."
    assert notice in text(client.get(location))
    page = client.get(f"/inscription/{token}/identification")
    assert notice not in text(page)
    assert 'value="12 rue Blatin"' in page.get_data(as_text=True)


def test_precedent_keeps_a_valid_tab_and_goes_back(client, candidate, windows, db):
    token = token_of(start(client))
    fill(client, token, "identification", TABS["identification"])
    url = f"/inscription/{token}/informations"
    response = client.submit(url, {**TABS["informations"], "action": "precedent"}, page=url)
    assert response.headers["Location"].endswith("/identification")
    assert "informations" in Candidature.get(Candidature.token == token).draft


def test_outside_a_window_the_page_says_when_the_next_opens(client, candidate, db):
    demo.load_reference()
    session = ExamSession.create(year=2027)
    clermont = Academie.get(Academie.code == "clermont-ferrand")
    bcp = Exam.get(Exam.code == "BCP")
    Window.create(academie=clermont, exam=bcp, session=session, kind=Window.INSCRIPTION,
                  opens_at=utcnow() + timedelta(days=3), closes_at=utcnow() + timedelta(days=30))
    page = text(client.get("/inscription/nouvelle?code_postal=63000"))
    assert "Aucune inscription n'est ouverte en ce moment dans votre académie." in page
    assert "Prochaines ouvertures" in page and "Baccalauréat professionnel" in page
    forced = client.submit("/inscription/nouvelle", {"code_postal": "63000", "examen": "BCP"})
    assert "/inscription/nouvelle" in forced.headers["Location"]
    assert Candidature.select().count() == 0


def test_a_bad_postal_code_is_a_clear_error(client, candidate, windows):
    response = client.get("/inscription/nouvelle?code_postal=ABCDE")
    assert response.status_code == 422
    assert "Saisissez un code postal français à 5 chiffres" in text(response)


def test_one_active_candidature_per_exam_and_session_even_under_concurrent_submits(
        app, candidate, windows, make_account, db):
    clients = []
    for _ in range(4):
        c = FormClient(app.test_client())
        c.login("camille@example.fr")
        clients.append(c)
    tokens = []
    for c in clients:
        page = c.get("/inscription/nouvelle?code_postal=63000").get_data(as_text=True)
        tokens.append(re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1))
    barrier = threading.Barrier(len(clients))
    statuses = []

    def post(c, token):
        barrier.wait()
        statuses.append(c.post("/inscription/nouvelle", data={
            "csrf_token": token, "code_postal": "63000", "examen": "BCP"}).status_code)

    threads = [threading.Thread(target=post, args=pair) for pair in zip(clients, tokens)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [303] * 4
    assert Candidature.select().count() == 1


def test_enregistrer_twice_never_makes_two_versions(client, candidate, windows, db):
    token, first = register_all(client)
    again = client.submit(f"/inscription/{token}/enregistrer",
                          page=f"/mes-inscriptions/{token}")
    assert again.status_code == 303
    candidature = Candidature.get(Candidature.token == token)
    assert candidature.version == 1
    assert Candidature.select().count() == 1


def test_modifying_makes_a_new_version_and_sends_the_modification_mail(client, candidate,
                                                                       windows, mailbox, db):
    token, _ = register_all(client)
    summary = text(client.get(f"/mes-inscriptions/{token}"))
    assert "Inscrite" in summary and "Modifier" in summary
    reopened = client.submit(f"/mes-inscriptions/{token}/modifier", page=f"/mes-inscriptions/{token}")
    assert reopened.headers["Location"].endswith("/identification")
    fill(client, token, "identification", {**TABS["identification"], "adresse": "3 rue Neuve"})
    # The saved version is unchanged until « Enregistrer ».
    assert Candidature.get(Candidature.token == token).answers["identification"]["adresse"] == \
        "12 rue Blatin"
    client.submit(f"/inscription/{token}/enregistrer", page=f"/inscription/{token}/recapitulatif")
    candidature = Candidature.get(Candidature.token == token)
    assert candidature.version == 2
    assert candidature.answers["identification"]["adresse"] == "3 rue Neuve"
    versions = [v.answers["identification"]["adresse"] for v in
                CandidatureVersion.select().where(CandidatureVersion.candidature == candidature)
                .order_by(CandidatureVersion.number)]
    assert versions == ["12 rue Blatin", "3 rue Neuve"]
    message = mailbox.last("camille@example.fr")
    assert message["Subject"] == "Cyclades libre : modification de candidature"
    assert "Nouvelle version : 2" in mailbox.body(message)


def test_forme_de_passage_is_final_once_saved(client, candidate, windows, db):
    token, _ = register_all(client)
    client.submit(f"/mes-inscriptions/{token}/modifier", page=f"/mes-inscriptions/{token}")
    url = f"/inscription/{token}/qualification"
    response = client.submit(url, {**TABS["qualification"], "forme_passage": "PROGRESSIVE",
                                   "action": "suivant"}, page=url)
    assert response.status_code == 422
    assert "est définitive" in text(response)


def test_failed_before_keeps_the_same_forme(client, candidate, windows):
    token = token_of(start(client))
    fill(client, token, "identification", TABS["identification"])
    fill(client, token, "informations", TABS["informations"])
    response = fill(client, token, "qualification", {
        "specialite": "MV:0", "forme_passage": "GLOBALE", "echec_precedent": "oui",
        "forme_precedente": "PROGRESSIVE"})
    assert response.status_code == 422
    assert "conservez obligatoirement la même forme de passage" in text(response)


def test_after_the_window_closes_the_candidature_is_read_only(client, candidate, windows, db):
    token, _ = register_all(client)
    with time_machine.travel(utcnow() + timedelta(days=21)):
        client.login("camille@example.fr")
        summary = text(client.get(f"/mes-inscriptions/{token}"))
        assert "La période d'inscription est close" in summary
        assert client.get(f"/inscription/{token}/identification").status_code == 303
        refused = client.submit(f"/mes-inscriptions/{token}/modifier",
                                page=f"/mes-inscriptions/{token}", follow_redirects=True)
        assert "La période d'inscription est close" in text(refused)
    assert Candidature.get(Candidature.token == token).editing is False


def test_withdrawal_is_confirmed_final_and_a_new_inscription_is_possible(client, candidate,
                                                                         windows, db):
    token, _ = register_all(client)
    confirm = client.get(f"/mes-inscriptions/{token}/desinscrire")
    assert "ne peut pas être réactivée" in text(confirm)
    done = client.submit(f"/mes-inscriptions/{token}/desinscrire",
                         page=f"/mes-inscriptions/{token}/desinscrire")
    assert done.status_code == 303
    candidature = Candidature.get(Candidature.token == token)
    assert candidature.status == "desinscrite" and candidature.withdrawn_at is not None
    refused = client.submit(f"/mes-inscriptions/{token}/modifier", page="/mes-inscriptions",
                            follow_redirects=True)
    assert "ne peut pas être réactivée" in text(refused)
    new = start(client)
    assert token_of(new) != token
    listing = text(client.get("/mes-inscriptions"))
    assert "Désinscrite" in listing and "En cours de saisie" in listing
    # The identity stays locked even after withdrawal (R6).
    assert Account.get(Account.email == "camille@example.fr").identity_locked_at is not None


def test_another_candidates_candidature_is_not_found(app, client, candidate, windows, make_account):
    token, _ = register_all(client)
    make_account(email="autre@example.fr")
    other = FormClient(app.test_client())
    other.login("autre@example.fr")
    for url in (f"/mes-inscriptions/{token}", f"/inscription/{token}/identification",
                f"/inscription/{token}/numero", f"/mes-inscriptions/{token}/desinscrire"):
        assert other.get(url).status_code == 404
    assert other.submit(f"/mes-inscriptions/{token}/desinscrire", page="/").status_code == 404
    assert client.get(f"/mes-inscriptions/{token}").status_code == 200


def test_registration_needs_a_login(client, windows):
    response = client.get("/inscription/nouvelle?code_postal=63000")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_every_tab_is_a_full_page_and_an_htmx_fragment(client, candidate, windows):
    token = token_of(start(client))
    for slug, data in TABS.items():
        fill(client, token, slug, data)
    for number, slug in enumerate(list(TABS) + ["recapitulatif"], start=1):
        url = f"/inscription/{token}/{slug}"
        full = client.get(url).get_data(as_text=True)
        fragment = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
        assert "<header" in full and "<header" not in fragment
        for html in (full, fragment):
            assert f"Étape {number} sur 6" in html
            assert 'aria-current="step"' in html


def test_a_draft_summary_offers_to_resume(client, candidate, windows):
    token = token_of(start(client))
    fill(client, token, "identification", TABS["identification"])
    page = text(client.get(f"/mes-inscriptions/{token}"))
    assert "En cours de saisie" in page and "Reprendre la saisie" in page


def test_after_the_session_times_out_logging_in_again_finds_the_draft(client, candidate, windows):
    token = token_of(start(client))
    fill(client, token, "identification", TABS["identification"])
    with time_machine.travel(utcnow() + timedelta(minutes=45)):
        expired = client.get(f"/inscription/{token}/informations")
        assert expired.status_code == 302
        login_url = expired.headers["Location"]
        assert "/connexion" in login_url
        page = client.get(login_url)
        token_value = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"',
                                page.get_data(as_text=True)).group(1)
        back = client.post(login_url, data={"email": "camille@example.fr",
                                            "password": "Tournesol-Vert42",
                                            "csrf_token": token_value})
        assert back.headers["Location"] == f"/inscription/{token}/informations"
        draft = client.get(f"/inscription/{token}/identification").get_data(as_text=True)
        assert 'value="12 rue Blatin"' in draft


def test_mes_inscriptions_offers_to_resume_only_while_the_window_is_open(client, candidate,
                                                                        windows):
    token = token_of(start(client))
    assert "Reprendre la saisie" in text(client.get("/mes-inscriptions"))
    with time_machine.travel(utcnow() + timedelta(days=21)):
        client.login("camille@example.fr")
        listing = client.get("/mes-inscriptions").get_data(as_text=True)
        assert "Reprendre la saisie" not in listing
        assert f"/mes-inscriptions/{token}" in listing  # its summary instead


def test_the_registration_mail_says_the_deposit_deadline(client, candidate, windows, mailbox,
                                                         db):
    from datetime import datetime

    Window.create(academie=Academie.get(Academie.code == "clermont-ferrand"),
                  exam=Exam.get(Exam.code == "BCP"), session=windows, kind=Window.DEPOT,
                  opens_at=utcnow() - timedelta(days=1), closes_at=datetime(2027, 1, 15, 22, 59))
    register_all(client)
    body = mailbox.body(mailbox.last("camille@example.fr"))
    assert ("déposez-la avec vos pièces justificatives au plus tard le vendredi 15 janvier 2027 "
            "23:59 (heure de Paris).") in " ".join(body.split())


def test_the_specialties_are_in_french_alphabetical_order(client, candidate, windows):
    token = token_of(start(client))
    fill(client, token, "identification", TABS["identification"])
    fill(client, token, "informations", TABS["informations"])
    html = client.get(f"/inscription/{token}/qualification").get_data(as_text=True)
    names = [re.sub(r"\s+", " ", n) for n in re.findall(r"<option[^>]*>([^<]+)</option>", html)]
    assert names.index(next(n for n in names if n.startswith("Aéronautique"))) < \
        names.index(next(n for n in names if n.startswith("Assistance")))
    assert names.index(next(n for n in names if n.startswith("Aménagement"))) < \
        names.index(next(n for n in names if n.startswith("Animation")))
