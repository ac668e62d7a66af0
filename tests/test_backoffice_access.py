"""The gestionnaire side (/gestion): created from the server, activated by its link (a password
of 12 characters or more, then a TOTP application enrolled with a code, and ten recovery
codes shown once), logged in by password then code (each code once), its own session apart
from the candidates', each gestionnaire within their académie, a responsable's team."""
import re
from datetime import timedelta

import pyotp
import pytest
import time_machine

from cyclades.models import AuditLog, Candidature, Gestionnaire, GestionSession, utcnow
from tests.conftest import text
from tests.test_documents import deposit  # noqa: F401
from tests.test_registration import candidate, register_all, windows  # noqa: F401

STAFF_PASSWORD = "girafe tiroir orage piment"


def csrf(client, page):
    html = client.get(page).get_data(as_text=True)
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def post(client, url, data, page=None):
    return client.post(url, data={"csrf_token": csrf(client, page or url), **data})


def create_from_server(app, email="claire.pestel@ac-clermont.fr", academie="clermont-ferrand",
                       role="responsable"):
    result = app.test_cli_runner().invoke(args=["create-gestionnaire", email, "--academie",
                                                academie, "--role", role, "--nom",
                                                "Claire Pestel"])
    assert result.exit_code == 0, result.output
    return re.search(r"https?://\S+/gestion/activer/\S+", result.output).group(0)


def secret_on(page_html: str) -> str:
    return re.search(r'<p class="secret" id="secret"><code>([A-Z2-7 ]+)</code>',
                     page_html).group(1).replace(" ", "")


def activate(client, link, password=STAFF_PASSWORD):
    """Follows the link, sets the password, enrols the TOTP: (secret, recovery codes)."""
    path = link.split("localhost", 1)[-1] if "localhost" in link else "/" + link.split("/", 3)[3]
    assert client.get(path).status_code == 200
    response = post(client, path, {"password": password, "password_confirm": password})
    assert response.status_code == 303 and response.headers["Location"] == "/gestion/second-facteur"
    page = client.get("/gestion/second-facteur").get_data(as_text=True)
    secret = secret_on(page)
    done = post(client, "/gestion/second-facteur", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200, text(done)
    codes = re.findall(r"<li><code>(\d{5} \d{5})</code></li>", done.get_data(as_text=True))
    return secret, codes


@pytest.fixture
def clock():
    """Time going on as usual, and moved on by the tests: a TOTP code serves once, so each
    login waits for the next 30-second step."""
    from datetime import datetime, timezone

    traveller = time_machine.travel(datetime.now(timezone.utc), tick=True)
    moved = traveller.start()
    yield moved
    traveller.stop()


def next_step(clock):
    clock.shift(timedelta(seconds=31))


def log_in(client, email, secret, password=STAFF_PASSWORD, clock=None):
    if clock is not None:
        next_step(clock)
    first = post(client, "/gestion/connexion", {"email": email, "password": password})
    assert first.status_code == 303, text(first)
    assert first.headers["Location"].startswith("/gestion/connexion/code")
    return post(client, "/gestion/connexion/code", {"code": pyotp.TOTP(secret).now()})


@pytest.fixture
def responsable(app, client, windows, clock):
    link = create_from_server(app)
    secret, codes = activate(client, link)
    client.post("/gestion/deconnexion", data={"csrf_token": csrf(client, "/gestion")})
    return {"email": "claire.pestel@ac-clermont.fr", "secret": secret, "codes": codes}


def test_the_first_responsable_is_created_from_the_server_and_activates_the_access(
        app, client, windows, db):
    link = create_from_server(app)
    assert "/gestion/activer/" in link
    path = "/" + link.split("/", 3)[3]
    page = client.get(path)
    assert "Activer votre accès au service gestionnaire" in text(page)
    # A candidate's kind of password is not enough for staff.
    short = post(client, path, {"password": "Azerty-12!", "password_confirm": "Azerty-12!"})
    assert short.status_code == 422 and "au moins 12 caractères" in text(short)
    for weak in ("azertyuiop1234", "clairepestel2027", "aaaaaaaaaaaaaaa"):
        refused = post(client, path, {"password": weak, "password_confirm": weak})
        assert refused.status_code == 422 and "attaquants essaient d'abord" in text(refused), weak
    assert post(client, path, {"password": STAFF_PASSWORD, "password_confirm": STAFF_PASSWORD}
                ).status_code == 303
    enrol = client.get("/gestion/second-facteur")
    html = enrol.get_data(as_text=True)
    assert '<svg class="qr-code"' in html  # drawn here: no external service
    assert "https://" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    secret = secret_on(html)
    assert re.search(r"<code>([A-Z2-7]{4} ){3,}[A-Z2-7]{1,4}</code>", html)  # grouped by four
    wrong = post(client, "/gestion/second-facteur", {"code": "000000"})
    assert wrong.status_code == 422 and "Ce code ne correspond pas" in text(wrong)
    assert Gestionnaire.get().totp_secret is None  # not counted before a right code
    done = post(client, "/gestion/second-facteur", {"code": pyotp.TOTP(secret).now()})
    codes = re.findall(r"<li><code>(\d{5} \d{5})</code></li>", done.get_data(as_text=True))
    assert len(set(codes)) == 10
    assert "ils ne seront plus jamais affichés" in text(done)
    assert client.get("/gestion").status_code == 200  # signed in
    # The link served once.
    again = client.get(path)
    assert again.status_code == 404 and "déjà utilisé" in text(again)
    assert [line.action for line in AuditLog.select().order_by(AuditLog.id)
            if line.action.startswith("gestion.")] == [
        "gestion.create", "gestion.activate", "gestion.totp.enrol", "gestion.login"]


def test_a_login_asks_for_the_password_then_a_code_that_works_once(app, client, responsable, clock,
                                                                   db):
    assert client.get("/gestion").headers["Location"].startswith("/gestion/connexion")
    wrong = post(client, "/gestion/connexion", {"email": responsable["email"],
                                                "password": "pas le bon mot de passe"})
    assert wrong.status_code == 422 and "Adresse mail ou mot de passe incorrect." in text(wrong)
    # Without the code, the password alone opens nothing.
    post(client, "/gestion/connexion", {"email": responsable["email"], "password": STAFF_PASSWORD})
    assert client.get("/gestion").status_code == 302
    next_step(clock)
    code = pyotp.TOTP(responsable["secret"]).now()
    bad = post(client, "/gestion/connexion/code", {"code": "123456" if code != "123456" else "654321"})
    assert bad.status_code == 422 and "Ce code n'est pas valable" in text(bad)
    good = post(client, "/gestion/connexion/code", {"code": code})
    assert good.status_code == 303 and good.headers["Location"] == "/gestion"
    assert "La session en un coup d'œil" in text(client.get("/gestion"))
    client.post("/gestion/deconnexion", data={"csrf_token": csrf(client, "/gestion")})
    assert client.get("/gestion").status_code == 302  # logout ended it
    # The same code again: refused, even within its 30 seconds.
    post(client, "/gestion/connexion", {"email": responsable["email"], "password": STAFF_PASSWORD})
    reused = post(client, "/gestion/connexion/code", {"code": code})
    assert reused.status_code == 422
    # A recovery code works once.
    recovery = responsable["codes"][0]
    used = post(client, "/gestion/connexion/code", {"code": recovery})
    assert used.status_code == 303, text(used)
    client.post("/gestion/deconnexion", data={"csrf_token": csrf(client, "/gestion")})
    post(client, "/gestion/connexion", {"email": responsable["email"], "password": STAFF_PASSWORD})
    assert post(client, "/gestion/connexion/code", {"code": recovery}).status_code == 422


def test_wrong_codes_are_limited(app, client, responsable, clock, db):
    post(client, "/gestion/connexion", {"email": responsable["email"], "password": STAFF_PASSWORD})
    odd = post(client, "/gestion/connexion/code", {"code": "²²²²²²"})  # digits, not ASCII ones
    assert odd.status_code == 422
    for _ in range(4):
        assert post(client, "/gestion/connexion/code", {"code": "000000"}).status_code == 422
    blocked = post(client, "/gestion/connexion/code", {"code": pyotp.TOTP(responsable["secret"]).now()})
    assert blocked.status_code == 429 and "réessayez après" in text(blocked)
    assert blocked.headers["Retry-After"]


def test_candidate_and_gestionnaire_sessions_never_open_each_other(app, client, candidate,
                                                                   responsable, clock, db):
    # The candidate is signed in (candidate fixture): /gestion does not know them.
    assert client.get("/gestion").status_code == 302
    log_in(client, responsable["email"], responsable["secret"], clock=clock)
    response = client.get("/gestion")
    assert response.status_code == 200
    cookie = next(c for c in client.client._cookies.values() if c.key == "cyclades_gestion")
    assert cookie.path == "/gestion" and cookie.http_only
    assert response.headers["Cache-Control"] == "no-store"
    # A gestionnaire's cookie means nothing on the candidate side; its session ends on logout
    # and a copied cookie then opens nothing.
    value = cookie.value
    client.post("/gestion/deconnexion", data={"csrf_token": csrf(client, "/gestion")})
    client.set_cookie("cyclades_gestion", value, path="/gestion")
    assert client.get("/gestion").status_code == 302
    assert GestionSession.get().ended_because == "logout"


def test_a_session_ends_after_30_minutes_idle_and_8_hours_at_most(app, client, responsable, clock, db):
    log_in(client, responsable["email"], responsable["secret"], clock=clock)
    start = utcnow()
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert client.get("/gestion").status_code == 200
    with time_machine.travel(start + timedelta(minutes=29 + 31), tick=False):
        assert client.get("/gestion").status_code == 302
    client.post("/gestion/deconnexion", data={"csrf_token": csrf(client, "/gestion")})
    log_in(client, responsable["email"], responsable["secret"], clock=clock)
    start = utcnow()
    for minutes in range(25, 8 * 60, 25):  # active all day long
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get("/gestion").status_code == 200, minutes
    with time_machine.travel(start + timedelta(hours=8, minutes=1), tick=False):
        assert client.get("/gestion").status_code == 302  # 8 hours at most


def test_a_responsable_invites_a_gestionnaire_who_activates_by_mail(app, client, responsable, clock,
                                                                    mailbox, db):
    log_in(client, responsable["email"], responsable["secret"], clock=clock)
    page = post(client, "/gestion/equipe", {"name": "Marc Durand",
                                             "email": "Marc.Durand@ac-clermont.fr",
                                             "role": "gestionnaire"})
    assert page.status_code == 200
    assert "Invitation envoyée à marc.durand@ac-clermont.fr" in text(page)
    message = mailbox.last("marc.durand@ac-clermont.fr")
    assert message["Subject"] == "Cyclades libre : votre accès au service gestionnaire"
    assert "Claire Pestel vous a donné un accès de gestionnaire" in mailbox.body(message)
    link = mailbox.link(message, "/gestion/activer/")
    again = post(client, "/gestion/equipe", {"name": "Marc", "email": "marc.durand@ac-clermont.fr",
                                              "role": "gestionnaire"})
    assert again.status_code == 422 and "déjà un accès" in text(again)
    client.post("/gestion/deconnexion", data={"csrf_token": csrf(client, "/gestion")})
    secret, _codes = activate(client, link)
    home = client.get("/gestion")
    assert home.status_code == 200 and "Équipe" not in text(home)  # a gestionnaire's menu
    assert client.get("/gestion/equipe").status_code == 404  # not theirs to see
    marc = Gestionnaire.get(Gestionnaire.email == "marc.durand@ac-clermont.fr")
    assert client.post(f"/gestion/equipe/{marc.id}/desactiver",
                       data={"csrf_token": csrf(client, "/gestion")}).status_code == 404


def test_a_responsable_resets_a_lost_second_factor(app, client, responsable, clock, db):
    from cyclades.models import Academie
    from cyclades.operations.gestionnaires import create_gestionnaire

    with app.test_request_context():
        marc, link = create_gestionnaire("marc@ac-clermont.fr",
                                         Academie.get(Academie.code == "clermont-ferrand"),
                                         "gestionnaire", "Marc")
    secret, _codes = activate(client, link)
    client.post("/gestion/deconnexion", data={"csrf_token": csrf(client, "/gestion")})
    log_in(client, responsable["email"], responsable["secret"], clock=clock)
    assert client.post(f"/gestion/equipe/{marc.id}/second-facteur",
                       data={"csrf_token": csrf(client, "/gestion/equipe")}).status_code == 303
    assert "gestion.totp.reset" in [line.action for line in AuditLog.select()]
    client.post("/gestion/deconnexion", data={"csrf_token": csrf(client, "/gestion")})
    # Marc's old application no longer opens anything: after the password, a new enrolment.
    first = post(client, "/gestion/connexion", {"email": "marc@ac-clermont.fr",
                                                "password": STAFF_PASSWORD})
    assert first.headers["Location"] == "/gestion/second-facteur"
    assert client.get("/gestion/connexion/code").status_code == 302  # no code to type
    assert client.get("/gestion").status_code == 302
    assert secret not in client.get("/gestion/second-facteur").get_data(as_text=True)


def test_another_academie_is_out_of_reach(app, client, responsable, clock, db):
    from cyclades.models import Academie
    from cyclades.operations.gestionnaires import create_gestionnaire

    with app.test_request_context():
        other, _link = create_gestionnaire("x@ac-lille.fr",
                                           Academie.get(Academie.code == "lille"), "gestionnaire")
    log_in(client, responsable["email"], responsable["secret"], clock=clock)
    token = csrf(client, "/gestion/equipe")
    for action in ("second-facteur", "desactiver"):
        assert client.post(f"/gestion/equipe/{other.id}/{action}",
                           data={"csrf_token": token}).status_code == 404
    assert "x@ac-lille.fr" not in text(client.get("/gestion/equipe"))
    assert Gestionnaire.get_by_id(other.id).disabled_at is None


def test_the_home_counts_the_session_and_links_each_count_to_its_list(app, client, candidate,
                                                                      deposit, responsable, clock, db):
    token, _ = register_all(client)
    log_in(client, responsable["email"], responsable["secret"], clock=clock)
    page = client.get("/gestion")
    words = text(page)
    assert "Baccalauréat professionnel – session 2027" in words
    assert "1 Inscrites" in words and "1 Sans confirmation d'inscription signée" in words
    html = page.get_data(as_text=True)
    link = re.search(r'href="(/gestion/candidatures\?[^"]*etat=inscrite[^"]*)"', html).group(1)
    listing = text(client.get(link.replace("&amp;", "&")))
    candidature = Candidature.get(Candidature.token == token)
    assert candidature.numero_inscription in listing and "DURAND" in listing
    assert "Inscriptions par jour" in words and '<svg class="chart"' in html
