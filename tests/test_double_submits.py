"""A form sent several times at once (a double click, impatient taps on a slow line, two tabs)
gets a normal page every time, and the repeat changes nothing more: one account, one mail,
one withdrawal, one file."""
import io

import pytest

from cyclades.models import Account, AuditLog, Candidature, CandidatureVersion, PieceFile
from tests.conftest import PASSWORD, TABS, account_form, at_once, text
from tests.test_account_creation import activation_link
from tests.test_documents import deposit  # noqa: F401
from tests.test_pieces import board_url, deposit_all, stored_files
from tests.test_registration import candidate, fill, register_all, windows  # noqa: F401
from tests.test_uploads import pdf_bytes

NEW_PASSWORD = "Pivoine-Rouge-77"


def posting(url, data=None, page=None, **kwargs):
    """For at_once(): the form prepared (its CSRF token read), then sent when released."""
    def prepare(copy):
        fields = {**(data or {}), "csrf_token": copy.csrf_token(page or url)}
        return lambda: copy.post(url, data=fields, **kwargs)
    return prepare


@pytest.fixture
def registered(client, candidate, deposit, db):
    token, _ = register_all(client)
    return token


def test_creer_mon_compte_sent_twice_at_once_makes_one_account_and_one_working_link(
        app, client, mailbox, db):
    responses = at_once(app, client, 2, posting("/compte/creer",
                                                account_form(email="double@example.fr")))
    assert sorted(r.status_code for r in responses) == [303, 303]
    assert Account.select().where(Account.email == "double@example.fr").count() == 1
    assert len(mailbox.to("double@example.fr")) == 1
    assert client.get(activation_link(mailbox, "double@example.fr")).status_code == 302


def test_the_reset_form_sent_twice_at_once_answers_both_and_the_new_password_works(
        app, client, mailbox, make_account):
    make_account(email="elodie@example.fr")
    client.submit("/mot-de-passe-oublie", {"email": "elodie@example.fr"})
    link = mailbox.link(mailbox.last("elodie@example.fr"), "/mot-de-passe-oublie/")
    link = link.replace("http://localhost", "")
    responses = at_once(app, client, 2, posting(
        link, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}))
    assert [r.status_code for r in responses] == [303, 303]
    assert all("/connexion" in r.headers["Location"] for r in responses)
    assert client.login("elodie@example.fr", NEW_PASSWORD).status_code == 303
    # The link was used once: one change, one mail saying so.
    assert AuditLog.select().where(AuditLog.action == "account.reset").count() == 1
    assert [m["Subject"] for m in mailbox.to("elodie@example.fr")].count(
        "Cyclades libre : votre mot de passe a été modifié") == 1


def test_the_activation_link_followed_twice_at_once_activates_once(app, client, mailbox, db):
    client.submit("/compte/creer", account_form(email="pressee@example.fr"), page="/compte/creer")
    link = activation_link(mailbox, "pressee@example.fr")
    responses = at_once(app, client, 4, lambda copy: lambda: copy.get(link))
    assert [r.status_code for r in responses] == [302] * 4
    assert AuditLog.select().where(AuditLog.action == "account.activate").count() == 1


def test_the_new_address_confirmed_twice_at_once_changes_once(app, client, mailbox,
                                                              make_account):
    make_account(email="ancienne@example.fr")
    client.login("ancienne@example.fr")
    client.submit("/mon-compte/adresse-mail", {
        "email-email": "nouvelle@example.fr", "email-email_confirm": "nouvelle@example.fr",
        "email-current_password": PASSWORD}, page="/mon-compte")
    link = mailbox.link(mailbox.last("nouvelle@example.fr"), "/mon-compte/adresse-mail/")
    link = link.replace("http://localhost", "")
    responses = at_once(app, client, 3, lambda copy: lambda: copy.get(link))
    assert sorted(r.status_code for r in responses) == [302, 404, 404]  # the link works once
    assert AuditLog.select().where(AuditLog.action == "account.email.change").count() == 1
    assert len(mailbox.to("ancienne@example.fr")) == 1  # told once of the change


def test_me_desinscrire_tapped_twenty_times_withdraws_once(app, client, registered):
    url = f"/mes-inscriptions/{registered}/desinscrire"
    responses = at_once(app, client, 20, posting(url, {"confirmation": "y"}))
    assert {r.status_code for r in responses} == {303}
    assert Candidature.get(Candidature.token == registered).status == "desinscrite"
    assert AuditLog.select().where(AuditLog.action == "candidature.withdraw").count() == 1


def test_the_same_file_uploaded_twenty_times_at_once_is_kept_once(app, client, registered):
    data = pdf_bytes()

    def prepare(copy):
        token = copy.csrf_token(board_url(registered))
        return lambda: copy.post(f"{board_url(registered)}/pieces/DCSTID01",
                                 data={"csrf_token": token,
                                       "fichier": [(io.BytesIO(data), "cni.pdf")]},
                                 content_type="multipart/form-data")

    responses = at_once(app, client, 20, prepare)
    assert {r.status_code for r in responses} == {303}
    assert PieceFile.select().count() == 1 and len(stored_files(app)) == 1


def test_enregistrer_clicked_five_times_at_once_makes_one_version(app, client, candidate,
                                                                   windows):
    from tests.test_registration import start, token_of

    token = token_of(start(client))
    for slug, data in TABS.items():
        fill(client, token, slug, data)
    responses = at_once(app, client, 5, posting(f"/inscription/{token}/enregistrer",
                                                page=f"/inscription/{token}/recapitulatif"))
    assert {r.status_code for r in responses} == {303}
    assert CandidatureVersion.select().count() == 1


def test_suivant_clicked_five_times_at_once_keeps_the_tab_once(app, client, candidate, windows):
    from tests.test_registration import start, token_of

    token = token_of(start(client))
    url = f"/inscription/{token}/identification"
    responses = at_once(app, client, 5, posting(url, TABS["identification"]))
    assert {r.status_code for r in responses} == {303}
    assert AuditLog.select().where(AuditLog.action == "candidature.step").count() == 1


def test_declaring_and_deleting_at_once_answer_normal_pages(app, client, registered):
    deposit_all(client, registered)
    [first, _] = PieceFile.select().order_by(PieceFile.id)
    responses = at_once(app, client, 4, posting(
        f"{board_url(registered)}/fichiers/{first.token}/supprimer", page=board_url(registered)))
    assert {r.status_code for r in responses} == {303}, [text(r)[:400] for r in responses if r.status_code != 303]
    assert PieceFile.select().count() == 1
    deposit_all(client, registered)
    responses = at_once(app, client, 4, posting(f"{board_url(registered)}/declarer",
                                                page=board_url(registered)))
    assert {r.status_code for r in responses} == {303}
    assert AuditLog.select().where(AuditLog.action == "pieces.declare").count() == 1


def test_a_new_password_sent_twice_at_once_is_changed_once_and_both_say_so(app, client,
                                                                           make_account):
    make_account(email="elodie@example.fr")
    client.login("elodie@example.fr")
    responses = at_once(app, client, 2, posting("/mon-compte/mot-de-passe", {
        "password-current_password": PASSWORD, "password-password": NEW_PASSWORD,
        "password-password_confirm": NEW_PASSWORD}, page="/mon-compte"))
    assert [r.status_code for r in responses] == [303, 303]
    client.logout()
    assert client.login("elodie@example.fr", NEW_PASSWORD).status_code == 303


def test_me_connecter_clicked_five_times_at_once_logs_in(app, client, make_account):
    make_account(email="elodie@example.fr")
    responses = at_once(app, client, 5, posting("/connexion", {"email": "elodie@example.fr",
                                                               "password": PASSWORD}))
    assert {r.status_code for r in responses} == {303}


SIGNED_IN_FORMS = {
    "a new address": ("/mon-compte/adresse-mail", {
        "email-email": "nouvelle@example.fr", "email-email_confirm": "nouvelle@example.fr",
        "email-current_password": PASSWORD}, "/mon-compte"),
    "the état civil": ("/mon-compte/identite", {
        "identity-civilite": "MME", "identity-nom_naissance": "MARTIN-DURAND",
        "identity-nom_naissance_confirm": "MARTIN-DURAND", "identity-nom_usage": "",
        "identity-prenoms": "Élodie", "identity-date_naissance": "30/05/1998",
        "identity-date_naissance_confirm": "30/05/1998", "identity-pays_naissance": "FR"},
        "/mon-compte"),
    "the language": ("/langue", {"lang": "en", "next": "/mon-compte"}, "/"),
    "Me déconnecter": ("/deconnexion", {}, "/"),
}


@pytest.mark.parametrize("url, data, page", SIGNED_IN_FORMS.values(), ids=SIGNED_IN_FORMS.keys())
def test_any_form_of_mon_compte_sent_four_times_at_once_answers_normally(
        app, client, mailbox, make_account, url, data, page):
    make_account(email="elodie@example.fr")
    client.login("elodie@example.fr")
    responses = at_once(app, client, 4, posting(url, data, page=page))
    assert {r.status_code for r in responses} == {303}
    assert len(mailbox.to("nouvelle@example.fr")) <= 1  # one confirmation, if any


def test_modifier_clicked_four_times_at_once_reopens_once(app, client, registered):
    url = f"/mes-inscriptions/{registered}/modifier"
    responses = at_once(app, client, 4, posting(url, page=f"/mes-inscriptions/{registered}"))
    assert {r.status_code for r in responses} == {303}
    assert AuditLog.select().where(AuditLog.action == "candidature.reopen").count() == 1


def test_renvoyer_le_lien_sent_four_times_at_once_sends_one_mail(app, client, mailbox,
                                                                 make_account):
    make_account(email="lente@example.fr", active=False)
    responses = at_once(app, client, 4, posting("/connexion/renvoyer-le-lien",
                                                {"email": "lente@example.fr"}, page="/connexion"))
    assert {r.status_code for r in responses} == {200}
    assert len(mailbox.to("lente@example.fr")) == 1
