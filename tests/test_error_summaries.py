"""Every error summary link lands on the field at fault (WCAG 2.4.3, 3.3.1): an element of that
id exists and is the control to correct (a text field, a select, the first radio or box of a
group), and that control says it is invalid and is described by its message."""
from html.parser import HTMLParser

import pytest

from tests.conftest import TABS, account_form
from tests.test_acquis_tab import post_acquis, reach_tab_4
from tests.test_epreuves_tab import post_tab_5, reach_tab_5
from tests.test_registration import candidate, fill, start, token_of, windows  # noqa: F401

CONTROLS = {"input", "select", "textarea"}


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements, self.links, self._summary_depth = {}, [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.elements[attrs["id"]] = (tag, attrs)
        if self._summary_depth:
            self._summary_depth += 1
            if tag == "a" and (attrs.get("href") or "").startswith("#"):
                self.links.append(attrs["href"][1:])
        elif "error-summary" in (attrs.get("class") or "").split():
            self._summary_depth = 1

    def handle_endtag(self, tag):
        if self._summary_depth:
            self._summary_depth -= 1


def summary_problems(html: str) -> list[str]:
    page = _Page()
    page.feed(html)
    assert page.links, "pas de résumé des erreurs"
    problems = []
    for target in page.links:
        if target not in page.elements:
            problems.append(f"#{target} : aucun élément")
            continue
        tag, attrs = page.elements[target]
        if tag not in CONTROLS:
            problems.append(f"#{target} : un <{tag}>, pas le champ à corriger")
        elif attrs.get("aria-invalid") != "true":
            problems.append(f"#{target} : pas aria-invalid")
        elif attrs.get("type") not in ("radio", "checkbox") and f"{target}-error" not in (
                attrs.get("aria-describedby") or "").split():
            problems.append(f"#{target} : son message ne le décrit pas")
    return problems


def test_every_error_of_create_account_lands_on_its_field(client):
    blank = {key: "" for key in account_form()}
    response = client.submit("/compte/creer", blank, page="/compte/creer")
    assert response.status_code == 422
    assert summary_problems(response.get_data(as_text=True)) == []


@pytest.mark.parametrize("path, form", [
    ("/connexion", {"email": "", "password": ""}),
    ("/mot-de-passe-oublie", {"email": "pas-une-adresse"}),
])
def test_every_error_of_the_login_forms_lands_on_its_field(client, path, form):
    response = client.submit(path, form, page=path)
    assert response.status_code == 422
    assert summary_problems(response.get_data(as_text=True)) == []


def test_every_error_of_m_inscrire_lands_on_its_field(client, candidate):
    response = client.get("/inscription/nouvelle?code_postal=123")
    assert response.status_code == 422
    assert summary_problems(response.get_data(as_text=True)) == []


@pytest.mark.parametrize("slug", ["identification", "informations", "qualification"])
def test_every_error_of_tabs_1_to_3_lands_on_its_field(client, candidate, windows, slug):
    token = token_of(start(client))
    for before in list(TABS)[:list(TABS).index(slug)]:
        fill(client, token, before, TABS[before])
    response = fill(client, token, slug, {})
    assert response.status_code == 422
    assert summary_problems(response.get_data(as_text=True)) == []


@pytest.mark.parametrize("answers", [
    {"acquis": "benefice", "garder_U51": "y", "note_U51": "8", "session_U51": "2024"},
    {"acquis": "benefice", "garder_U51": "y", "note_U51": "14", "session_U51": "2020",
     "confirmation": "y"},
    {"acquis": "benefice", "garder_U51": "y", "note_U51": "14", "session_U51": "",
     "confirmation": "y"},
    {"acquis": "benefice", "confirmation": "y"},
    {},
], ids=["note-trop-basse", "session-perimee", "session-manquante", "aucune-epreuve", "vide"])
def test_every_error_of_tab_4_lands_on_its_field(client, candidate, windows, answers):
    token = reach_tab_4(client)
    response = post_acquis(client, token, answers)
    assert response.status_code == 422
    assert summary_problems(response.get_data(as_text=True)) == []


@pytest.mark.parametrize("answers", [
    {"lva": "anglais", "eps_mode": "APTE", "eps_activities": ["DANSE"]},
    {"lva": "", "eps_mode": ""},
    {"lva": "anglais", "lvf": "anglais", "eps_mode": "INAPTE"},
], ids=["une-seule-activite", "vide", "lvf-identique"])
def test_every_error_of_tab_5_lands_on_its_field(client, candidate, windows, answers):
    token = reach_tab_5(client)
    response = post_tab_5(client, token, answers)
    assert response.status_code == 422
    assert summary_problems(response.get_data(as_text=True)) == []


def test_a_mark_refused_on_tab_4_is_shown_on_the_mark_and_names_the_unit(client, candidate,
                                                                       windows):
    token = reach_tab_4(client)
    response = post_acquis(client, token, {"acquis": "benefice", "garder_U51": "y",
                                           "note_U51": "8", "session_U51": "2024",
                                           "confirmation": "y"})
    html = response.get_data(as_text=True)
    assert 'href="#note_U51"' in html
    link = html[html.index('href="#note_U51"'):].split("</a>")[0]
    assert "Note obtenue, sur 20" in link and "Français" in link


def test_one_page_with_several_forms_has_one_element_per_id(client, candidate):
    """Mon compte: three forms and « Me déconnecter », each with its token; no id twice."""
    import re
    from collections import Counter

    html = client.get("/mon-compte").get_data(as_text=True)
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert [i for i, n in ids.items() if n > 1] == []
    assert len(re.findall(r'name="[a-z-]*csrf_token"', html)) >= 6  # each form has its token


def test_the_error_summary_is_an_alert_after_the_page_heading(client):
    html = client.submit("/connexion", {"email": "", "password": ""},
                         page="/connexion").get_data(as_text=True)
    assert html.index("<h1>") < html.index('class="error-summary" role="alert"')


def test_both_language_buttons_say_whether_they_are_pressed(client):
    html = client.get("/").get_data(as_text=True)
    assert 'lang="fr" aria-describedby="lang-label" aria-pressed="true"' in html
    assert 'lang="en" aria-describedby="lang-label" aria-pressed="false"' in html


def test_every_field_of_a_person_says_its_purpose_to_autofill(client, candidate, windows):
    """WCAG 1.3.5: the fields about the candidate name their autocomplete purpose, the
    confirmations included."""
    import re

    create = client.application.test_client().get("/compte/creer").get_data(as_text=True)
    for name, purpose in [("nom_naissance", "family-name"),
                          ("nom_naissance_confirm", "family-name"),
                          ("nom_usage", "family-name"), ("date_naissance_confirm", "bday")]:
        assert re.search(rf'<input[^>]*autocomplete="{purpose}"[^>]*id="{name}"', create), name
    token = token_of(start(client))
    tab = client.get(f"/inscription/{token}/identification").get_data(as_text=True)
    assert re.search(r'autocomplete="mobile tel"[^>]*id="telephone_portable"', tab)
    assert re.search(r'autocomplete="home tel"[^>]*id="telephone_fixe"', tab)
    assert 'autocomplete="off"' not in create + tab
