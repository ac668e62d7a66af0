"""The end of a session as a candidate meets it (WCAG 2.2.1): every signed-in page says how long
it lasts and when it ends; « Rester connecté » extends it; a tab sent after its end is kept and
given back after the login, on a full page (never a fragment swapped into the tab)."""
import re
from datetime import timedelta

import time_machine

from cyclades.models import Candidature, KeptTab, LoginSession, utcnow
from tests.conftest import TABS, text
from tests.test_registration import candidate, fill, start, token_of, windows  # noqa: F401

CHANGED = {**TABS["informations"], "etablissement": "Lycée Virlogeux"}


def _log_in_again(client, login_url, told=True):
    page = client.get(login_url)
    if told:
        assert "Votre session s'est terminée après 30 minutes sans activité" in text(page)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"',
                      page.get_data(as_text=True)).group(1)
    return client.post(login_url, data={"email": "camille@example.fr",
                                        "password": "Tournesol-Vert42", "csrf_token": token})


def test_every_signed_in_page_says_how_long_the_session_lasts_and_when_it_ends(client,
                                                                               candidate):
    page = client.get("/mon-compte")
    assert ("Après 30 minutes sans activité, votre session se termine : ce que vous avez "
            "envoyé reste enregistré.") in text(page)
    assert page.headers["X-Session-Ends-In"] in ("1799", "1800")
    assert re.search(r'<dialog id="session-warning"[^>]*data-ends-in="(1799|1800)"[^>]*'
                     r'data-warn-before="300"', page.get_data(as_text=True))
    anonymous = client.application.test_client().get("/")
    assert "X-Session-Ends-In" not in anonymous.headers
    assert '<dialog id="session-warning"' not in anonymous.get_data(as_text=True)


def test_rester_connecte_counts_the_session_from_now(client, candidate, db):
    start_at = utcnow()
    with time_machine.travel(start_at + timedelta(minutes=25), tick=False):
        page = client.get("/mon-compte")  # seen: the 30 minutes start again here…
    with time_machine.travel(start_at + timedelta(minutes=50), tick=False):
        token = re.search(r'name="csrf_token" value="([^"]+)"',
                          page.get_data(as_text=True)).group(1)
        extended = client.post("/session/prolonger", data={"csrf_token": token},
                               headers={"HX-Request": "true"})
        assert extended.status_code == 204
        assert extended.headers["X-Session-Ends-In"] == "1800"
        [session] = LoginSession.select()
        assert session.last_seen_at == start_at + timedelta(minutes=50)
    with time_machine.travel(start_at + timedelta(minutes=79), tick=False):
        assert client.get("/mon-compte").status_code == 200  # …and again from the extension
        plain = client.post("/session/prolonger", data={"csrf_token": token,
                                                        "next": "/mon-compte"})
    assert plain.status_code == 303 and plain.headers["Location"] == "/mon-compte"


def test_a_tab_sent_after_the_session_ended_is_given_back_after_the_login(client, candidate,
                                                                         windows, db):
    token = token_of(start(client))
    fill(client, token, "identification", TABS["identification"])
    url = f"/inscription/{token}/informations"
    form_page = client.get(url).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', form_page).group(1)
    with time_machine.travel(utcnow() + timedelta(minutes=45)):
        sent = client.post(url, data={**CHANGED, "action": "suivant", "csrf_token": csrf},
                           headers={"HX-Request": "true"})
        # A full page load of the login page (htmx follows HX-Redirect), nothing swapped in.
        assert sent.status_code == 204
        login_url = sent.headers["HX-Redirect"]
        assert login_url == f"/connexion?next=/inscription/{token}/informations"
        assert KeptTab.select().count() == 1
        back = _log_in_again(client, login_url)
        assert back.headers["Location"] == url
        page = client.get(url)
        html = page.get_data(as_text=True)
        assert "Voici ce que vous aviez saisi avant la fin de votre session" in text(page)
        assert 'value="Lycée Virlogeux"' in html
        assert "cyclades_onglet_conserve=;" in page.headers["Set-Cookie"]  # given back once
        assert KeptTab.select().count() == 0
        # Nothing was saved for it: the candidate checks it and sends it.
        assert "informations" not in Candidature.get(Candidature.token == token).draft
        again = client.get(url).get_data(as_text=True)
        assert 'value="Lycée Virlogeux"' not in again
        assert fill(client, token, "informations", CHANGED).status_code == 303
    assert Candidature.get(Candidature.token == token).draft["informations"][
        "etablissement"] == "Lycée Virlogeux"


def test_without_javascript_the_tab_sent_late_leads_to_the_login_then_back(client, candidate,
                                                                          windows, db):
    token = token_of(start(client))
    url = f"/inscription/{token}/identification"
    csrf = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"',
                     client.get(url).get_data(as_text=True)).group(1)
    with time_machine.travel(utcnow() + timedelta(minutes=31)):
        sent = client.post(url, data={**TABS["identification"], "adresse": "3 place de Jaude",
                                      "action": "suivant", "csrf_token": csrf})
        assert sent.status_code == 303
        assert sent.headers["Location"] == f"/connexion?next={url}"
        _log_in_again(client, sent.headers["Location"])
        assert 'value="3 place de Jaude"' in client.get(url).get_data(as_text=True)


def test_a_kept_tab_is_given_back_only_to_its_candidature_and_within_two_hours(client,
                                                                              candidate,
                                                                              windows, db):
    token = token_of(start(client))
    url = f"/inscription/{token}/identification"
    csrf = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"',
                     client.get(url).get_data(as_text=True)).group(1)
    later = utcnow() + timedelta(minutes=40)
    with time_machine.travel(later):
        sent = client.post(url, data={**TABS["identification"], "adresse": "3 place de Jaude",
                                      "action": "suivant", "csrf_token": csrf})
    with time_machine.travel(later + timedelta(hours=2, minutes=1)):
        _log_in_again(client, sent.headers["Location"], told=False)
        assert 'value="3 place de Jaude"' not in client.get(url).get_data(as_text=True)


def test_a_stale_form_of_a_public_page_is_its_own_page_even_with_htmx(client):
    response = client.post("/compte/creer", data={"email": "x@example.fr"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert "Formulaire expiré" in text(response)
    assert response.headers["HX-Retarget"] == "#main"
