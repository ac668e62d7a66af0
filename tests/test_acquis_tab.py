"""Tab 4 through the routes (R25): bénéfices and dispenses, their 5-year validity, the diploma
table with its * cases, the warning, and the statuses they give the épreuves in tab 5."""
from cyclades.models import Candidature
from tests.conftest import TABS, text
from tests.test_registration import candidate, fill, start, token_of, windows  # noqa: F401


def reach_tab_4(client, specialite="MV:0"):
    token = token_of(start(client))
    fill(client, token, "identification", TABS["identification"])
    fill(client, token, "informations", TABS["informations"])
    fill(client, token, "qualification", {**TABS["qualification"], "specialite": specialite})
    return token


def post_acquis(client, token, data):
    return fill(client, token, "acquis", data)


def test_a_bac_pro_candidate_sees_the_five_possibilities_and_the_warning(client, candidate,
                                                                        windows):
    token = reach_tab_4(client)
    page = text(client.get(f"/inscription/{token}/acquis"))
    for label in ("Aucun acquis", "Bénéfice de notes", "au titre d'un diplôme",
                  "après un échec à une autre spécialité", "(VAE)",
                  "toute note ou dispense non conservée est définitivement perdue"):
        assert label in page


def test_a_benefice_is_kept_with_its_mark_and_session(client, candidate, windows, db):
    token = reach_tab_4(client)
    response = post_acquis(client, token, {
        "acquis": "benefice", "garder_U51": "y", "note_U51": "12,5", "session_U51": "2024",
        "confirmation": "y"})
    assert response.status_code == 303
    saved = Candidature.get(Candidature.token == token).draft["acquis"]
    assert saved["items"] == [{"unit": "U51", "kind": "benefice", "mark": 12.5, "session": 2024,
                               "had_unit": False, "diploma": ""}]
    again = client.get(f"/inscription/{token}/acquis").get_data(as_text=True)
    assert 'value="12,5"' in again and 'value="2024"' in again
    fill(client, token, "acquis", {"acquis": "benefice", "garder_U51": "y", "note_U51": "12,5",
                                   "session_U51": "2024", "confirmation": "y"})
    tab5 = text(client.get(f"/inscription/{token}/epreuves"))
    assert "E51 – Français Écrite 2,5 Bénéfice 12,5/20 (session 2024)" in tab5
    assert "E52 – Histoire-géographie et enseignement moral et civique Écrite 2,5 Inscrit" in tab5


def test_an_expired_or_too_low_mark_is_refused_with_the_reason(client, candidate, windows):
    token = reach_tab_4(client)
    expired = post_acquis(client, token, {
        "acquis": "benefice", "garder_U51": "y", "note_U51": "14", "session_U51": "2020",
        "confirmation": "y"})
    assert expired.status_code == 422
    assert ("Obtenue à la session 2020, elle n'est plus valable : sa validité de 5 ans a pris "
            "fin avec la session 2025.") in text(expired)
    low = post_acquis(client, token, {
        "acquis": "benefice", "garder_U51": "y", "note_U51": "8", "session_U51": "2024",
        "confirmation": "y"})
    assert "au moins 10" in text(low)
    assert 'value="8"' in low.get_data(as_text=True)


def test_the_warning_must_be_acknowledged_and_a_unit_chosen(client, candidate, windows):
    token = reach_tab_4(client)
    response = post_acquis(client, token, {"acquis": "vae"})
    body = text(response)
    assert response.status_code == 422
    assert "Cochez au moins une épreuve concernée" in body
    assert "Cochez cette case pour confirmer que vous avez lu l'avertissement." in body


def test_a_diploma_proposes_only_the_units_it_dispenses(client, candidate, windows, db):
    token = reach_tab_4(client)
    url = f"/inscription/{token}/acquis"
    shown = client.submit(url, {"acquis": "diplome", "diplome": "bac_professionnel",
                                "action": "actualiser"}, page=url)
    html = shown.get_data(as_text=True)
    assert 'name="garder_U51"' in html and 'name="garder_U34"' in html
    assert 'name="garder_U31"' not in html  # professional units are not in the table
    assert 'name="unite_U34"' in html and 'name="unite_U51"' not in html  # the * case
    unconfirmed = post_acquis(client, token, {"acquis": "diplome", "diplome": "bac_professionnel",
                                              "garder_U34": "y", "confirmation": "y"})
    assert "confirmez-le" in text(unconfirmed)
    ok = post_acquis(client, token, {"acquis": "diplome", "diplome": "bac_professionnel",
                                     "garder_U34": "y", "unite_U34": "y", "garder_U7": "y",
                                     "confirmation": "y"})
    assert ok.status_code == 303
    tab5 = text(client.get(f"/inscription/{token}/epreuves"))
    assert ("E7 – Éducation physique et sportive Pratique 1 Dispensé (Baccalauréat "
            "professionnel (autre spécialité))") in tab5


def test_a_failed_specialty_dispenses_only_the_common_units(client, candidate, windows):
    token = reach_tab_4(client, specialite="MELEC")
    url = f"/inscription/{token}/acquis"
    shown = client.submit(url, {"acquis": "ajournement", "action": "actualiser"},
                          page=url).get_data(as_text=True)
    assert 'name="garder_U51"' in shown and 'name="garder_U31"' not in shown
    ok = post_acquis(client, token, {"acquis": "ajournement", "garder_U51": "y",
                                     "session_U51": "2024", "confirmation": "y"})
    assert ok.status_code == 303
    assert "E51 – Français Écrite 2,5 Dispensé (échec à une autre spécialité, session 2024)" in \
        text(client.get(f"/inscription/{token}/epreuves"))


def test_a_cap_keeps_a_mark_of_its_own_units(client, candidate, windows):
    token = token_of(start(client, exam="CAP"))
    fill(client, token, "identification", TABS["identification"])
    fill(client, token, "informations", TABS["informations"])
    fill(client, token, "qualification", {**TABS["qualification"], "specialite": "PAT"})
    page = client.get(f"/inscription/{token}/acquis").get_data(as_text=True)
    assert 'value="benefice"' in page and 'value="vae"' in page
    assert 'value="diplome"' not in page and 'value="ajournement"' not in page  # Bac Pro only
    refused = post_acquis(client, token, {"acquis": "diplome", "confirmation": "y"})
    assert refused.status_code == 422
    ok = post_acquis(client, token, {"acquis": "benefice", "garder_UG1": "y", "note_UG1": "13",
                                     "session_UG1": "2024", "confirmation": "y"})
    assert ok.status_code == 303
    tab5 = text(client.get(f"/inscription/{token}/epreuves"))
    assert ("EG1 – Français, histoire-géographie et enseignement moral et civique Écrite et "
            "orale 3 Bénéfice 13/20 (session 2024)") in tab5
    assert "EP1 – Épreuve professionnelle 1 Pratique — Inscrit" in tab5


def test_a_bp_dispenses_the_professional_units_of_its_bac_pro(client, candidate, windows, db):
    token = reach_tab_4(client, specialite="MELEC")
    url = f"/inscription/{token}/acquis"
    page = client.submit(url, {"acquis": "diplome", "action": "actualiser"},
                         page=url).get_data(as_text=True)
    assert "Brevet professionnel Électricien" in page
    assert "Brevet professionnel Menuisier" not in page  # it concerns the TMA only
    shown = client.submit(url, {"acquis": "diplome", "diplome": "bp:electricien", "action": "actualiser"},
                          page=url).get_data(as_text=True)
    assert 'name="garder_U31"' in shown and 'name="garder_U51"' not in shown
    ok = post_acquis(client, token, {"acquis": "diplome", "diplome": "bp:electricien", "garder_U31": "y",
                                     "confirmation": "y"})
    assert ok.status_code == 303
    assert "Dispensé (Brevet professionnel Électricien)" in text(
        client.get(f"/inscription/{token}/epreuves"))
