"""Me connecter, Me déconnecter, Mot de passe oublié (R5), rate limits, idle timeout."""
from datetime import timedelta

import pytest
import time_machine

from cyclades.models import Account, AuditLog, PieceFile, utcnow
from tests.conftest import PASSWORD, text
from tests.test_documents import deposit  # noqa: F401
from tests.test_registration import candidate, windows  # noqa: F401

NEW_PASSWORD = "Pivoine-Rouge-77"


def test_candidate_logs_in_and_out(client, make_account):
    make_account(email="elodie@example.fr")
    response = client.login("Elodie@Example.fr")
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert "Bonjour Élodie MARTIN" in text(client.get("/"))
    client.logout()
    assert "Me connecter" in text(client.get("/"))
    assert client.get("/mon-compte").status_code == 302


def test_wrong_password_and_unknown_address_get_the_same_answer(client, make_account):
    make_account(email="elodie@example.fr")
    wrong_password = client.login("elodie@example.fr", "Mauvais-Mot2passe")
    unknown = client.login("inconnue@example.fr", "Mauvais-Mot2passe")
    assert wrong_password.status_code == unknown.status_code == 422
    assert "Adresse mail ou mot de passe incorrect." in text(wrong_password)
    assert text(wrong_password).replace("elodie", "X") == text(unknown).replace("inconnue", "X")


HOSTILE_NEXT = ["//evil.example/x", "///evil.example", "/%2F/evil.example", "/%2F%2Fevil.example",
                "/%09/evil.example", "/%0A/evil.example", "/%0D%0ALocation:%20https://evil.example", "/\\evil.example",
                "/%5Cevil.example", "https://evil.example/", "/%20/evil.example",
                "javascript:alert(1)", "/%E2%80%8B/evil.example"]


@pytest.mark.parametrize("next_param", HOSTILE_NEXT)
@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
def test_login_only_redirects_within_the_site(client, make_account, next_param, htmx):
    make_account(email="elodie@example.fr")
    token = client.csrf_token("/connexion")
    response = client.post(f"/connexion?next={next_param}",
                           headers={"HX-Request": "true"} if htmx else {},
                           data={"email": "elodie@example.fr", "password": PASSWORD,
                                 "csrf_token": token})
    if htmx:
        assert response.status_code == 204 and response.headers["HX-Redirect"] == "/"
    else:
        assert response.status_code == 303 and response.headers["Location"] == "/"
    assert "Bonjour Élodie MARTIN" in text(client.get("/"))


def test_login_follows_a_path_of_the_site(client, make_account):
    make_account(email="elodie@example.fr")
    token = client.csrf_token("/connexion")
    response = client.post("/connexion?next=/mon-compte%3Fonglet%3D1",
                           data={"email": "elodie@example.fr", "password": PASSWORD,
                                 "csrf_token": token})
    assert response.headers["Location"] == "/mon-compte?onglet=1"


def test_login_starts_a_fresh_session(client, make_account):
    make_account(email="elodie@example.fr")
    with client.session_transaction() as session:
        session["planted"] = "par un attaquant"
    client.login("elodie@example.fr")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.permanent


def test_idle_session_expires_after_30_minutes(client, make_account):
    make_account(email="elodie@example.fr")
    client.login("elodie@example.fr")
    assert client.get("/mon-compte").status_code == 200
    with time_machine.travel(utcnow() + timedelta(minutes=31)):
        response = client.get("/mon-compte")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def _copy_cookie(app, client):
    """A second browser holding a copy of the session cookie (a shared computer, a theft)."""
    from tests.conftest import FormClient

    cookie = client.get_cookie("cyclades_session")
    thief = FormClient(app.test_client())
    thief.set_cookie("cyclades_session", cookie.value)
    return thief


def test_a_session_cookie_copied_before_logout_opens_nothing_after_it(app, client, candidate,
                                                                     deposit, db):
    from tests.test_pieces import upload
    from tests.test_registration import register_all
    from tests.test_uploads import pdf_bytes

    token, _ = register_all(client)
    upload(client, token, "DCSTID01", ("cni.pdf", pdf_bytes()))
    [piece_file] = PieceFile.select()
    pages = ["/mon-compte", f"/mes-inscriptions/{token}", f"/mes-justificatifs/{token}",
             f"/mes-justificatifs/{token}/fichiers/{piece_file.token}", "/mes-documents"]
    thief = _copy_cookie(app, client)
    for page in pages:
        assert thief.get(page).status_code == 200, page  # the copy works while signed in
    client.logout()
    for page in pages:
        response = thief.get(page)
        assert response.status_code == 302 and "/connexion" in response.headers["Location"]
    assert "Me connecter" in text(thief.get("/"))


def test_a_session_ends_12_hours_after_the_login_however_active(client, make_account):
    make_account(email="elodie@example.fr")
    start = utcnow()
    with time_machine.travel(start, tick=False) as clock:
        client.login("elodie@example.fr")
        for _ in range(12 * 3 - 1):  # a page every 20 minutes, for almost 12 hours
            clock.shift(timedelta(minutes=20))
            assert client.get("/mon-compte").status_code == 200
        clock.shift(timedelta(minutes=21))
        response = client.get("/mon-compte")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_an_active_session_cookie_moves_its_expiry_once_a_minute_not_at_every_page(
        client, make_account):
    from email.utils import parsedate_to_datetime

    make_account(email="elodie@example.fr")
    start = utcnow()
    with time_machine.travel(start, tick=False) as clock:
        client.login("elodie@example.fr")
        client.get("/")
        clock.shift(timedelta(seconds=30))
        again = client.get("/")
        assert again.status_code == 200 and "Set-Cookie" not in again.headers  # not signed again
        clock.shift(timedelta(minutes=20))
        later = client.get("/")
    cookie = later.headers["Set-Cookie"]
    assert cookie.startswith("cyclades_session=")
    expires = parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0])
    moved = expires.replace(tzinfo=None) - start  # the cookie says whole seconds
    assert timedelta(minutes=50, seconds=29) < moved <= timedelta(minutes=50, seconds=30)


def test_the_server_ends_an_idle_session_even_if_its_cookie_is_kept_fresh(app, client,
                                                                          make_account, db):
    from cyclades.models import LoginSession

    make_account(email="elodie@example.fr")
    client.login("elodie@example.fr")
    LoginSession.update(last_seen_at=utcnow() - timedelta(minutes=31)).execute()
    response = client.get("/mon-compte")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_forgotten_password_reset_journey(client, mailbox, make_account, db):
    make_account(email="elodie@example.fr")
    response = client.submit("/mot-de-passe-oublie", {"email": "elodie@example.fr"})
    assert response.status_code == 303
    assert "lien de réinitialisation" in text(client.get(response.headers["Location"]))
    message = mailbox.last("elodie@example.fr")
    assert message["Subject"] == "Cyclades libre : réinitialisation du mot de passe"
    link = mailbox.link(message, "/mot-de-passe-oublie/").replace("http://localhost", "")

    form = client.get(link)
    assert "Choisir un nouveau mot de passe" in text(form)
    weak = client.submit(link, {"password": "azerty", "password_confirm": "azerty"}, page=link)
    assert weak.status_code == 422 and "au moins une lettre majuscule" in text(weak)
    done = client.submit(link, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
                         page=link)
    assert done.status_code == 303
    assert mailbox.last("elodie@example.fr")["Subject"] == \
        "Cyclades libre : votre mot de passe a été modifié"

    assert client.login("elodie@example.fr", PASSWORD).status_code == 422
    assert client.login("elodie@example.fr", NEW_PASSWORD).status_code == 303
    # Single use: the link no longer works once the password has changed.
    client.logout()
    assert client.get(link).status_code == 410


def test_reset_link_expires_after_an_hour(client, mailbox, make_account):
    make_account(email="elodie@example.fr")
    client.submit("/mot-de-passe-oublie", {"email": "elodie@example.fr"})
    link = mailbox.link(mailbox.last("elodie@example.fr"), "/mot-de-passe-oublie/")
    with time_machine.travel(utcnow() + timedelta(minutes=61)):
        response = client.get(link.replace("http://localhost", ""))
    assert response.status_code == 410 and "ne dure qu'une heure" in text(response)


def test_reset_answer_is_neutral_for_an_unknown_address(client, mailbox, make_account):
    make_account(email="elodie@example.fr")
    known = client.submit("/mot-de-passe-oublie", {"email": "elodie@example.fr"})
    unknown = client.submit("/mot-de-passe-oublie", {"email": "fantome@example.fr"})
    assert known.status_code == unknown.status_code == 303
    assert known.headers["Location"] == unknown.headers["Location"]
    assert mailbox.to("fantome@example.fr") == []


def test_forgotten_password_does_the_same_work_for_any_address(app, client, make_account,
                                                              monkeypatch):
    """Whether the address has an account is decided by the worker, after the answer: the
    request runs the same statements and enqueues the same task, so it takes the same time."""
    from cyclades.db import database
    from cyclades.queue import huey

    make_account(email="elodie@example.fr")
    work = []
    execute_sql, enqueue = database.obj.execute_sql, huey.storage.enqueue
    monkeypatch.setattr(database.obj, "execute_sql",
                        lambda sql, params=None, *a, **k: work.append(sql) or
                        execute_sql(sql, params, *a, **k))
    monkeypatch.setattr(huey.storage, "enqueue",
                        lambda data, priority=None: work.append("enqueue") or
                        enqueue(data, priority))
    done = {}
    for email in ("elodie@example.fr", "inconnue@example.fr"):
        token = client.csrf_token("/mot-de-passe-oublie")
        work.clear()
        response = client.post("/mot-de-passe-oublie", data={"email": email, "csrf_token": token})
        done[email] = (response.status_code, list(work))
    assert done["elodie@example.fr"] == done["inconnue@example.fr"]
    assert done["elodie@example.fr"][1].count("enqueue") == 1


def test_forgotten_password_gives_a_normal_page_when_the_mail_server_is_down(app, client,
                                                                            mailbox,
                                                                            make_account):
    from tests.test_mail_outbox import _closed_port

    make_account(email="elodie@example.fr")
    app.config["SMTP_PORT"] = _closed_port()
    response = client.submit("/mot-de-passe-oublie", {"email": "elodie@example.fr"})
    assert response.status_code == 303
    assert mailbox.all() == []  # it waits in the outbox


def test_reset_of_a_never_activated_account_also_activates_it(client, mailbox, make_account, db):
    make_account(email="pasactive@example.fr", active=False)
    client.submit("/mot-de-passe-oublie", {"email": "pasactive@example.fr"})
    link = mailbox.link(mailbox.last("pasactive@example.fr"), "/mot-de-passe-oublie/")
    link = link.replace("http://localhost", "")
    client.submit(link, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}, page=link)
    assert Account.by_email("pasactive@example.fr").is_active


def test_every_write_leaves_an_audit_line(client, make_account, db):
    account = make_account(email="elodie@example.fr")
    client.login("elodie@example.fr")
    assert AuditLog.select().where((AuditLog.account == account)
                                   & (AuditLog.action == "account.login")).count() == 1


def test_sessions_ended_a_month_ago_are_forgotten_the_live_one_kept(app, client, make_account,
                                                                    db):
    from cyclades.models import LoginSession
    from cyclades.operations.sessions import purge_sessions_daily
    from cyclades.queue import run_pending

    make_account(email="elodie@example.fr")
    client.login("elodie@example.fr")
    client.logout()
    client.login("elodie@example.fr")
    assert LoginSession.select().count() == 2
    with time_machine.travel(utcnow() + timedelta(days=31)):
        LoginSession.update(last_seen_at=utcnow()).where(
            LoginSession.ended_at.is_null()).execute()  # still in use a month later
        LoginSession.update(created_at=utcnow()).where(LoginSession.ended_at.is_null()).execute()
        purge_sessions_daily()  # the worker's nightly job
        run_pending()
        [kept] = LoginSession.select()
        assert kept.ended_at is None  # the ended one went, the live one stays
