"""Rate limits that stop attackers without locking honest people out: they count failed logins
and mails sent, not requests; they say until when; they hold across the server's processes."""
from datetime import datetime, timedelta

import time_machine

from cyclades.models import Account, utcnow
from tests.conftest import PASSWORD, account_form, at_once, text
from tests.servers import HttpClient, portal_processes, redis_url, worker_process  # noqa: F401

WRONG = "Essai-Faux-123"


def login_from(app, address, email, password=WRONG):
    """A login posted from the client address `address` (another computer)."""
    from tests.conftest import FormClient

    client = FormClient(app.test_client())
    client.client.environ_base["REMOTE_ADDR"] = address
    return client, client.login(email, password)


def test_a_candidate_who_mistypes_the_form_three_times_is_not_locked_out(client, mailbox, db):
    for mistake in ({"email_confirm": "autre@example.fr"}, {"password_confirm": "Autre-Mot2passe"},
                    {"prenoms": ""}, {"date_naissance": "31/02/1998"}):
        assert client.submit("/compte/creer", account_form(**mistake)).status_code == 422
    response = client.submit("/compte/creer", account_form())
    assert response.status_code == 303
    assert mailbox.last("nouvelle.candidate@example.fr")


def test_logging_in_and_out_many_times_never_locks_the_candidate(client, make_account):
    make_account(email="elodie@example.fr")
    for _ in range(8):
        assert client.login("elodie@example.fr").status_code == 303
        client.logout()


def test_five_wrong_passwords_block_the_sixth_try_and_say_until_when(client, make_account):
    make_account(email="cible@example.fr")
    with time_machine.travel(datetime(2026, 12, 1, 14, 27, 10), tick=False) as clock:
        for _ in range(5):
            assert client.login("cible@example.fr", WRONG).status_code == 422
            clock.shift(timedelta(seconds=30))
        blocked = client.login("cible@example.fr", PASSWORD)  # even the right one, now
    assert blocked.status_code == 429
    page = text(blocked)
    # The first failure was at 15 h 27 in Paris: one try is free again 15 minutes later.
    assert "réessayez après 15:42 (heure de Paris)" in page
    assert "Mot de passe oublié" in page
    assert 'value="cible@example.fr"' in blocked.get_data(as_text=True)  # nothing typed lost
    assert 0 < int(blocked.headers["Retry-After"]) <= 15 * 60
    with time_machine.travel(datetime(2026, 12, 1, 14, 42, 11)):
        assert client.login("cible@example.fr", PASSWORD).status_code == 303


def test_wrong_passwords_sent_all_at_once_are_counted_all_the_same(app, client, make_account):
    from tests.test_double_submits import posting

    make_account(email="cible@example.fr")
    responses = at_once(app, client, 20, posting("/connexion", {"email": "cible@example.fr",
                                                                "password": WRONG}))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [422] * 5 + [429] * 15


def test_someone_trying_passwords_on_an_address_does_not_lock_its_owner_out(app, make_account):
    make_account(email="cible@example.fr")
    for _ in range(6):
        login_from(app, "203.0.113.7", "cible@example.fr")
    _, attacker = login_from(app, "203.0.113.7", "cible@example.fr", PASSWORD)
    assert attacker.status_code == 429  # that client is blocked on that address
    _, owner = login_from(app, "198.51.100.20", "cible@example.fr", PASSWORD)
    assert owner.status_code == 303  # the owner, elsewhere, is not


def test_the_owner_of_an_address_tried_from_everywhere_gets_in_with_the_reset_link(
        app, client, mailbox, make_account):
    app.config["LIMIT_LOGIN_FAILURES_ADDRESS"] = "8 per hour"
    make_account(email="cible@example.fr")
    for n in range(8):  # a botnet: a few tries from each of many addresses
        login_from(app, f"203.0.113.{n // 4 + 1}", "cible@example.fr")
    _, owner = login_from(app, "198.51.100.20", "cible@example.fr", PASSWORD)
    assert owner.status_code == 429
    owner_client, _ = login_from(app, "198.51.100.20", "x@example.fr", PASSWORD)
    owner_client.submit("/mot-de-passe-oublie", {"email": "cible@example.fr"})
    link = mailbox.link(mailbox.last("cible@example.fr"), "/mot-de-passe-oublie/")
    link = link.replace("http://localhost", "")
    new = "Pivoine-Rouge-77"
    assert owner_client.submit(link, {"password": new, "password_confirm": new},
                               page=link).status_code == 303
    assert owner_client.login("cible@example.fr", new).status_code == 303


def test_one_client_trying_many_addresses_is_blocked(app, client):
    app.config["LIMIT_LOGIN_FAILURES_CLIENT"] = "4 per 15 minutes"
    for n in range(4):
        assert client.login(f"personne{n}@example.fr", WRONG).status_code == 422
    blocked = client.login("encore@example.fr", WRONG)
    assert blocked.status_code == 429
    # It says what blocks: this connection, whatever the address; the reset link would not help.
    assert "Trop de tentatives de connexion depuis votre connexion à internet" in text(blocked)
    assert "avec cette adresse" not in text(blocked)
    assert "Mot de passe oublié »." not in text(blocked)


def test_mails_to_one_address_are_limited_whatever_the_form_says(client, mailbox, make_account):
    make_account(email="elodie@example.fr")
    assert client.submit("/mot-de-passe-oublie", {"email": "pas une adresse"}).status_code == 422
    start = utcnow()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(3):
            for _repeat in range(2):  # a double click sends one mail, counts once
                assert client.submit("/mot-de-passe-oublie",
                                     {"email": "elodie@example.fr"}).status_code == 303
            mailbox.all()  # the worker sends it at once
            clock.shift(timedelta(minutes=3))
        assert len(mailbox.to("elodie@example.fr")) == 3
        blocked = client.submit("/mot-de-passe-oublie", {"email": "elodie@example.fr"})
        assert blocked.status_code == 429
        assert "Trop de mails demandés pour cette adresse" in text(blocked)
        assert "réessayez après" in text(blocked) and "(heure de Paris)" in text(blocked)
        # The same for an address without an account: the limit says nothing of who has one.
        for _ in range(3):
            client.submit("/mot-de-passe-oublie", {"email": "personne@example.fr"})
            clock.shift(timedelta(minutes=3))
        assert client.submit("/mot-de-passe-oublie",
                             {"email": "personne@example.fr"}).status_code == 429


def test_mass_account_creation_from_one_client_is_blocked(app, client, db):
    app.config["LIMIT_MAIL_CLIENT"] = "4 per hour"
    for n in range(4):
        assert client.submit("/compte/creer",
                             account_form(email=f"robot{n}@example.fr")).status_code == 303
    blocked = client.submit("/compte/creer", account_form(email="robot99@example.fr"))
    assert blocked.status_code == 429
    assert 'value="robot99@example.fr"' in blocked.get_data(as_text=True)
    assert ("Trop de mails demandés depuis votre connexion à internet en peu de temps, toutes "
            "adresses confondues") in text(blocked)
    assert "pour cette adresse" not in text(blocked)
    assert Account.by_email("robot99@example.fr") is None


def test_wrong_current_passwords_in_mon_compte_are_limited(client, make_account):
    make_account(email="elodie@example.fr")
    client.login("elodie@example.fr")
    form = {"password-current_password": WRONG, "password-password": "Pivoine-Rouge-77",
            "password-password_confirm": "Pivoine-Rouge-77"}
    for _ in range(5):
        response = client.submit("/mon-compte/mot-de-passe", form, page="/mon-compte")
        assert response.status_code == 422 and "Mot de passe actuel incorrect" in text(response)
    blocked = client.submit("/mon-compte/mot-de-passe", form, page="/mon-compte")
    assert blocked.status_code == 429 and "Trop de mots de passe incorrects" in text(blocked)


def _wrong_logins_across(urls, email, tries):
    """Wrong passwords sent in turn to each process; their statuses."""
    statuses = []
    for n in range(tries):
        url = urls[n % len(urls)]
        status, _, _ = HttpClient().submit(f"{url}/connexion", f"{url}/connexion",
                                           {"email": email, "password": WRONG})
        statuses.append(status)
    return statuses


def test_two_server_processes_share_the_counters(app, make_account):
    make_account(email="cible@example.fr")
    with portal_processes(app, 2) as urls:
        assert _wrong_logins_across(urls, "cible@example.fr", 8) == [422] * 5 + [429] * 3


def test_with_redis_the_processes_share_the_counters_and_the_queue(app, make_account, mailbox,
                                                                    redis_url):
    make_account(email="cible@example.fr")
    settings = {"CYCLADES_RATELIMIT_STORAGE": f"{redis_url}/0", "CYCLADES_QUEUE": f"{redis_url}/1"}
    with portal_processes(app, 2, **settings) as urls, worker_process(app, **settings):
        assert _wrong_logins_across(urls, "cible@example.fr", 7) == [422] * 5 + [429] * 2
        status, _, _ = HttpClient().submit(f"{urls[0]}/compte/creer", f"{urls[1]}/compte/creer",
                                           account_form(email="redis@example.fr"))
        assert status == 303
        from tests.conftest import wait_until
        assert wait_until(lambda: mailbox.to("redis@example.fr"), timeout=20)


def test_a_limit_reached_anywhere_else_says_until_when_in_french(tmp_path, smtp_server,
                                                                database_url):
    from cyclades import create_app, throttle
    from tests.conftest import make_test_config

    app = create_app(make_test_config(tmp_path, smtp_server.port, database_url))

    @app.route("/essai")
    def limited():
        throttle.enforce(("LIMIT_MAIL_ADDRESS", "quelqu'un"))
        throttle.count(("LIMIT_MAIL_ADDRESS", "quelqu'un"))
        return "ok"

    client = app.test_client()
    with time_machine.travel(datetime(2026, 7, 1, 8, 5), tick=False):
        assert [client.get("/essai").status_code for _ in range(4)] == [200, 200, 200, 429]
        blocked = client.get("/essai")
    assert "demandée trop de fois en peu de temps depuis votre connexion" in text(blocked)
    assert "réessayez après 11:05 (heure de Paris)" in text(blocked)  # summer time: UTC+2
    assert blocked.headers["Retry-After"] == "3601"


def test_one_ipv6_network_counts_as_one_client(app, make_account):
    app.config["LIMIT_LOGIN_FAILURES_CLIENT"] = "3 per 15 minutes"
    for n in range(3):
        login_from(app, f"2001:db8:1:2::{n + 1}", f"personne{n}@example.fr")
    _, blocked = login_from(app, "2001:db8:1:2:ffff::9", "encore@example.fr")
    assert blocked.status_code == 429
    _, elsewhere = login_from(app, "2001:db8:1:3::1", "encore@example.fr")
    assert elsewhere.status_code == 422


def test_the_shared_storage_counts_as_the_limits_library_expects(tmp_path):
    from limits import parse
    from limits.storage import storage_from_string
    from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

    storage = storage_from_string(f"sqlite://{tmp_path / 'limites.sqlite3'}")
    item = parse("2 per minute")
    with time_machine.travel(datetime(2026, 12, 1, 10, 0, 0), tick=False) as clock:
        for strategy in (MovingWindowRateLimiter, FixedWindowRateLimiter):
            limiter = strategy(storage)
            name = strategy.__name__
            assert [limiter.hit(item, name) for _ in range(3)] == [True, True, False]
            assert limiter.get_window_stats(item, name).remaining == 0
            limiter.clear(item, name)
            assert limiter.hit(item, name)
        clock.shift(timedelta(days=2))
        assert storage.forget_old() > 0 and storage.reset() == 0
