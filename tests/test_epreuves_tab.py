"""Tab 5 through the routes: the language and EPS rules (R26–R28) give the same messages with and
without JavaScript; with htmx a changed choice redraws only the lists that depend on it."""
import re

from tests.conftest import TABS, text
from tests.test_registration import candidate, fill, start, token_of, windows  # noqa: F401


def reach_tab_5(client, specialite="MV:0", code_postal="63000", commune="Clermont-Ferrand",
                **informations):
    token = token_of(start(client, code_postal))
    fill(client, token, "identification", {**TABS["identification"], "code_postal": code_postal,
                                           "commune": commune})
    fill(client, token, "informations", {**TABS["informations"], **informations})
    fill(client, token, "qualification", {**TABS["qualification"], "specialite": specialite})
    fill(client, token, "acquis", TABS["acquis"])
    return token


def post_tab_5(client, token, data, htmx=False):
    return fill(client, token, "epreuves", {"verification": "y", **data}, htmx=htmx)


def test_industrial_specialty_has_one_language_and_lvf_must_differ(client, candidate, windows):
    token = reach_tab_5(client)
    page = client.get(f"/inscription/{token}/epreuves").get_data(as_text=True)
    assert 'name="lva"' in page and 'name="lvb"' not in page
    refused = post_tab_5(client, token, {"lva": "anglais", "lvf": "anglais", "eps_mode": "INAPTE"})
    assert refused.status_code == 422
    assert "La langue facultative (LVF) doit être différente de la LVA." in text(refused)
    assert post_tab_5(client, token, {"lva": "anglais", "lvf": "portugais",
                                      "eps_mode": "INAPTE"}).status_code == 303
    recap = text(client.get(f"/inscription/{token}/recapitulatif"))
    assert "Épreuves facultatives" in recap
    assert "LVF – Langue vivante facultative (épreuve orale) Orale — Inscrit (portugais)" in recap
    assert "ECT-3 – Épreuve de contrôle Orale — Inscrit" in recap


def test_tertiary_specialty_needs_two_different_languages(client, candidate, windows):
    token = reach_tab_5(client, specialite="MCV:0")
    missing = post_tab_5(client, token, {"lva": "anglais", "eps_mode": "INAPTE"})
    assert "demande aussi une langue vivante B (LVB)" in text(missing)
    same = post_tab_5(client, token, {"lva": "anglais", "lvb": "anglais", "eps_mode": "INAPTE"})
    assert "Les langues LVA et LVB doivent être différentes." in text(same)
    three = post_tab_5(client, token, {"lva": "anglais", "lvb": "espagnol", "lvf": "espagnol",
                                       "eps_mode": "INAPTE"})
    assert "les trois langues doivent être différentes" in text(three)
    ok = post_tab_5(client, token, {"lva": "anglais", "lvb": "espagnol", "lvf": "italien",
                                    "eps_mode": "INAPTE"})
    assert ok.status_code == 303


def test_cuisine_has_a_single_language(client, candidate, windows):
    token = reach_tab_5(client, specialite="CUIS")
    page = client.get(f"/inscription/{token}/epreuves").get_data(as_text=True)
    assert 'name="lvb"' not in page


def test_eps_apte_needs_two_of_the_three_activities(client, candidate, windows):
    token = reach_tab_5(client)
    one = post_tab_5(client, token, {"lva": "anglais", "eps_mode": "APTE",
                                     "eps_activities": ["DANSE"]})
    assert one.status_code == 422 and "Choisissez exactement deux activités." in text(one)
    assert re.search(r'<input [^>]*checked[^>]*value="DANSE"', one.get_data(as_text=True))


def test_where_the_academie_gives_no_activities_apte_offers_none_to_choose(client, candidate,
                                                                          windows):
    """Lille has not published its EPS activities: « Apte » says they come with the
    convocation, offers no list, and the Récapitulatif says the same (not a choice with
    nothing after it)."""
    token = reach_tab_5(client, code_postal="59000", commune="Lille")
    page = client.get(f"/inscription/{token}/epreuves")
    html = page.get_data(as_text=True)
    assert "Apte : l'académie indiquera les activités avec la convocation" in text(page)
    assert "je choisis deux activités" not in text(page)
    assert 'name="eps_activities"' not in html
    sneaked = post_tab_5(client, token, {"lva": "anglais", "eps_mode": "APTE",
                                         "eps_activities": ["DANSE", "TENNIS DE TABLE"]})
    assert sneaked.status_code == 422
    assert "Choisissez vos activités dans la liste proposée par l'académie." in text(sneaked)
    saved = post_tab_5(client, token, {"lva": "anglais", "eps_mode": "APTE"})
    assert saved.status_code == 303
    recap = text(client.get(f"/inscription/{token}/recapitulatif"))
    assert ("E7 – Éducation physique et sportive Apte : l'académie indiquera les activités "
            "avec la convocation") in recap


def test_eps_dispense_is_offered_only_for_professional_experience(client, candidate, windows):
    token = reach_tab_5(client)
    page = client.get(f"/inscription/{token}/epreuves").get_data(as_text=True)
    assert 'value="DISPENSE"' not in page
    refused = post_tab_5(client, token, {"lva": "anglais", "eps_mode": "DISPENSE"})
    assert "réservée aux candidats justifiant de trois ans" in text(refused)


def test_adapted_eps_with_a_handicap(client, candidate, windows, db):
    from cyclades.models import Academie
    clermont = Academie.get(Academie.code == "clermont-ferrand")
    assert clermont.eps_adapted_activities
    token = reach_tab_5(client, handicap="oui", notification_amenagement="non")
    response = post_tab_5(client, token, {"lva": "anglais", "eps_mode": "ADAPTEE",
                                          "eps_adapted": "natation 250 mètres"})
    assert response.status_code == 303
    from cyclades.models import Candidature
    saved = Candidature.get(Candidature.token == token).draft["epreuves"]
    assert saved["eps_mode"] == "ADAPTEE" and saved["eps_adapted"] == "natation 250 mètres"
    assert saved["eps_activities"] == []


def test_changing_a_language_redraws_the_lists_without_saving(client, candidate, windows, db):
    token = reach_tab_5(client, specialite="MCV:0")
    url = f"/inscription/{token}/epreuves"
    response = client.submit(url, {"lva": "anglais", "action": "actualiser"}, page=url,
                             headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    lvb = html[html.index('name="lvb"'):html.index("</select>", html.index('name="lvb"'))]
    assert "anglais" not in lvb and "espagnol" in lvb
    from cyclades.models import Candidature
    assert "epreuves" not in Candidature.get(Candidature.token == token).draft
    assert "Erreur" not in html[:200]  # not validated: no error summary for a redraw


def test_progressive_form_chooses_the_epreuves_of_this_session(client, candidate, windows, db):
    token = token_of(start(client))
    fill(client, token, "identification", TABS["identification"])
    fill(client, token, "informations", TABS["informations"])
    fill(client, token, "qualification", {**TABS["qualification"], "forme_passage": "PROGRESSIVE"})
    fill(client, token, "acquis", TABS["acquis"])
    page = text(client.get(f"/inscription/{token}/epreuves"))
    assert "Épreuves présentées à cette session (forme progressive)" in page
    none = post_tab_5(client, token, {})
    assert none.status_code == 422 and "choisissez au moins une épreuve à présenter" in text(none)
    # Only français this session: no language nor EPS choice is asked.
    ok = post_tab_5(client, token, {"presenter_U51": "y"})
    assert ok.status_code == 303
    tab5 = text(client.get(f"/inscription/{token}/epreuves"))
    assert "E51 – Français Écrite 2,5 Inscrit" in tab5
    assert "E52 – Histoire-géographie et enseignement moral et civique Écrite 2,5 Non présentée " \
        "à cette session (forme progressive)" in tab5
