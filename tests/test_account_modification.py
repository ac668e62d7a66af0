"""Modifier mon compte (R6): email and password always; identity only while unlocked."""
from datetime import timedelta

import time_machine

from cyclades.models import Account, utcnow
from tests.conftest import PASSWORD, text

NEW_PASSWORD = "Pivoine-Rouge-77"


def test_change_email_takes_effect_only_once_confirmed(client, mailbox, make_account, db):
    make_account(email="ancienne@example.fr")
    client.login("ancienne@example.fr")
    response = client.submit("/mon-compte/adresse-mail", {
        "email-email": "Nouvelle@Example.fr", "email-email_confirm": "nouvelle@example.fr",
        "email-current_password": PASSWORD}, page="/mon-compte")
    assert response.status_code == 303
    assert "nouvelle@example.fr" in text(client.get(response.headers["Location"]))
    assert Account.by_email("ancienne@example.fr") is not None  # not yet changed

    link = mailbox.link(mailbox.last("nouvelle@example.fr"), "/mon-compte/adresse-mail/")
    confirmed = client.get(link.replace("http://localhost", ""), follow_redirects=True)
    assert "nouvelle adresse mail est enregistrée" in text(confirmed)
    assert Account.by_email("nouvelle@example.fr") is not None
    told = mailbox.last("ancienne@example.fr")
    assert "nouvelle@example.fr" in mailbox.body(told)

    client.logout()
    assert client.login("ancienne@example.fr").status_code == 422
    assert client.login("nouvelle@example.fr").status_code == 303
    # The link works once.
    assert client.get(link.replace("http://localhost", "")).status_code == 404


def test_change_email_needs_the_current_password(client, mailbox, make_account):
    make_account(email="ancienne@example.fr")
    client.login("ancienne@example.fr")
    response = client.submit("/mon-compte/adresse-mail", {
        "email-email": "n@example.fr", "email-email_confirm": "n@example.fr",
        "email-current_password": "Pas-le-bon-42"}, page="/mon-compte")
    assert response.status_code == 422
    assert "Mot de passe incorrect." in text(response)
    assert 'value="n@example.fr"' in response.get_data(as_text=True)
    assert mailbox.to("n@example.fr") == []


def test_change_to_a_taken_address_is_neutral_on_the_page(client, mailbox, make_account):
    make_account(email="moi@example.fr")
    make_account(email="prise@example.fr")
    client.login("moi@example.fr")
    response = client.submit("/mon-compte/adresse-mail", {
        "email-email": "prise@example.fr", "email-email_confirm": "prise@example.fr",
        "email-current_password": PASSWORD}, page="/mon-compte")
    assert response.status_code == 303
    message = mailbox.last("prise@example.fr")
    assert "déjà celle d'un compte" in mailbox.body(message)
    assert "/mon-compte/adresse-mail/" not in mailbox.body(message)


def test_change_email_link_expires(client, mailbox, make_account):
    make_account(email="ancienne@example.fr")
    client.login("ancienne@example.fr")
    client.submit("/mon-compte/adresse-mail", {
        "email-email": "n@example.fr", "email-email_confirm": "n@example.fr",
        "email-current_password": PASSWORD}, page="/mon-compte")
    link = mailbox.link(mailbox.last("n@example.fr"), "/mon-compte/adresse-mail/")
    with time_machine.travel(utcnow() + timedelta(hours=25)):
        assert client.get(link.replace("http://localhost", "")).status_code == 410


def test_change_password_logs_out_other_sessions(app, client, mailbox, make_account):
    make_account(email="moi@example.fr")
    other = app.test_client()
    from tests.conftest import FormClient
    other = FormClient(other)
    other.login("moi@example.fr")
    client.login("moi@example.fr")
    wrong = client.submit("/mon-compte/mot-de-passe", {
        "password-current_password": "Pas-le-bon-42", "password-password": NEW_PASSWORD,
        "password-password_confirm": NEW_PASSWORD}, page="/mon-compte")
    assert wrong.status_code == 422 and "Mot de passe actuel incorrect." in text(wrong)
    ok = client.submit("/mon-compte/mot-de-passe", {
        "password-current_password": PASSWORD, "password-password": NEW_PASSWORD,
        "password-password_confirm": NEW_PASSWORD}, page="/mon-compte")
    assert ok.status_code == 303
    assert client.get("/mon-compte").status_code == 200  # this session goes on
    assert other.get("/mon-compte").status_code == 302  # the other one is closed
    assert "mot de passe a été modifié" in mailbox.last("moi@example.fr")["Subject"]


def test_identity_can_be_corrected_while_no_inscription_was_saved(client, make_account, db):
    make_account(email="moi@example.fr")
    client.login("moi@example.fr")
    page = client.get("/mon-compte")
    assert 'name="identity-nom_naissance"' in page.get_data(as_text=True)
    response = client.submit("/mon-compte/identite", {
        "identity-civilite": "MME", "identity-nom_naissance": "MARTIN-DURAND",
        "identity-nom_naissance_confirm": "MARTIN-DURAND", "identity-nom_usage": "",
        "identity-prenoms": "Élodie Anne Sophie", "identity-date_naissance": "30/05/1998",
        "identity-date_naissance_confirm": "30/05/1998", "identity-pays_naissance": "BE"},
        page="/mon-compte")
    assert response.status_code == 303
    account = Account.by_email("moi@example.fr")
    assert (account.nom_naissance, account.prenoms, account.pays_naissance) == \
        ("MARTIN-DURAND", "Élodie Anne Sophie", "BE")


def test_mon_compte_takes_a_date_of_birth_typed_without_slashes(client, make_account, db):
    from datetime import date

    make_account(email="moi@example.fr")
    client.login("moi@example.fr")
    response = client.submit("/mon-compte/identite", {
        "identity-civilite": "MME", "identity-nom_naissance": "MARTIN",
        "identity-nom_naissance_confirm": "MARTIN", "identity-nom_usage": "",
        "identity-prenoms": "Élodie", "identity-date_naissance": "01.02.1999",
        "identity-date_naissance_confirm": "01021999", "identity-pays_naissance": "FR"},
        page="/mon-compte")
    assert response.status_code == 303
    assert Account.by_email("moi@example.fr").date_naissance == date(1999, 2, 1)


def _meanwhile_an_inscription_is_saved(account):
    """What « Enregistrer » of another tab writes to the account: its N° candidat, its
    identity locked."""
    Account.update(numero_candidat="100000001", identity_locked_at=utcnow()).where(
        Account.id == account.id).execute()


def test_a_new_password_keeps_an_inscription_saved_meanwhile_in_another_tab(
        client, make_account, db, monkeypatch):
    from cyclades.operations import accounts

    account = make_account(email="moi@example.fr")
    client.login("moi@example.fr")
    hash_password = accounts.hash_password

    def slow_hash(password):  # the other tab's save lands while the new password is hashed
        _meanwhile_an_inscription_is_saved(account)
        return hash_password(password)

    monkeypatch.setattr(accounts, "hash_password", slow_hash)
    response = client.submit("/mon-compte/mot-de-passe", {
        "password-current_password": PASSWORD, "password-password": NEW_PASSWORD,
        "password-password_confirm": NEW_PASSWORD}, page="/mon-compte")
    assert response.status_code == 303
    saved = Account.get_by_id(account.id)
    assert saved.numero_candidat == "100000001" and saved.identity_locked_at is not None
    client.logout()
    assert client.login("moi@example.fr", NEW_PASSWORD).status_code == 303


def test_identity_sent_while_an_inscription_is_saved_in_another_tab_is_refused(
        client, make_account, db, monkeypatch):
    from cyclades.operations import accounts

    account = make_account(email="moi@example.fr")
    client.login("moi@example.fr")
    write_transaction = accounts.write_transaction

    def after_the_other_tab():  # the page was read before the other tab's save, sent after
        _meanwhile_an_inscription_is_saved(account)
        return write_transaction()

    monkeypatch.setattr(accounts, "write_transaction", after_the_other_tab)
    refused = client.submit("/mon-compte/identite", {
        "identity-civilite": "MME", "identity-nom_naissance": "AUTRE",
        "identity-nom_naissance_confirm": "AUTRE", "identity-nom_usage": "",
        "identity-prenoms": "Élodie", "identity-date_naissance": "30/05/1998",
        "identity-date_naissance_confirm": "30/05/1998", "identity-pays_naissance": "FR"},
        page="/mon-compte")
    assert refused.status_code == 403
    saved = Account.get_by_id(account.id)
    assert saved.nom_naissance == "MARTIN" and saved.identity_locked_at is not None


def test_identity_is_read_only_once_an_inscription_was_saved(client, make_account, db):
    account = make_account(email="moi@example.fr")
    account.lock_identity()
    account.save()
    client.login("moi@example.fr")
    page = client.get("/mon-compte")
    html = page.get_data(as_text=True)
    assert 'name="identity-nom_naissance"' not in html
    assert "ne peut plus être modifié ici" in text(page)
    assert "30/05/1998" in text(page) and "France" in text(page)
    refused = client.submit("/mon-compte/identite", {
        "identity-nom_naissance": "AUTRE", "identity-nom_naissance_confirm": "AUTRE"},
        page="/mon-compte")
    assert refused.status_code == 403
    assert Account.by_email("moi@example.fr").nom_naissance == "MARTIN"
