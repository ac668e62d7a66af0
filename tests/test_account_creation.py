"""Créer mon compte → the activation mail → Activer mon compte → Me connecter (R1–R4)."""
from datetime import timedelta

import pytest
import time_machine

from cyclades.models import Account, utcnow
from tests.conftest import PASSWORD, account_form, text


def activation_link(mailbox, address):
    return mailbox.link(mailbox.last(address), "/compte/activer/").replace("http://localhost", "")


def test_candidate_creates_activates_and_logs_in(client, mailbox, db):
    response = client.submit("/compte/creer", account_form(email="Chloe.Lefevre@Example.FR"),
                             page="/compte/creer")
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    assert "Vérifiez votre messagerie" in text(page)
    assert "chloe.lefevre@example.fr" in text(page)  # normalised

    account = Account.get(Account.email == "chloe.lefevre@example.fr")
    assert account.activated_at is None
    assert account.nom_naissance == "Lefèvre" and account.prenoms == "Chloé Marie"
    assert account.password_hash.startswith("$argon2id$")

    message = mailbox.last("chloe.lefevre@example.fr")
    assert message["Subject"] == "Cyclades libre : activez votre compte"
    assert "48 heures" in mailbox.body(message)
    assert "Chloé Marie Lefèvre" in mailbox.body(message)
    assert "née le " in mailbox.body(message) and "né(e)" not in mailbox.body(message)

    # Not yet activated: logging in explains and offers a new link.
    refused = client.login("chloe.lefevre@example.fr")
    assert refused.status_code == 403
    assert "pas encore activé" in text(refused)

    activated = client.get(activation_link(mailbox, "chloe.lefevre@example.fr"))
    assert activated.status_code == 302
    assert "activé" in text(client.get(activated.headers["Location"]))
    assert Account.get_by_id(account.id).activated_at is not None

    logged_in = client.login("chloe.lefevre@example.fr")
    assert logged_in.status_code == 303
    home = client.get("/")
    assert "Mon espace" in text(home) and "Bonjour Chloé Lefèvre" in text(home)


def test_activation_link_works_only_once(client, mailbox):
    client.submit("/compte/creer", account_form(email="une@example.fr"))
    link = activation_link(mailbox, "une@example.fr")
    assert client.get(link).status_code == 302
    again = client.get(link, follow_redirects=True)
    assert "déjà activé" in text(again)


def test_activation_link_expires_after_48_hours(client, mailbox, db):
    client.submit("/compte/creer", account_form(email="lente@example.fr"))
    link = activation_link(mailbox, "lente@example.fr")
    with time_machine.travel(utcnow() + timedelta(hours=48, minutes=1)):
        response = client.get(link)
    assert response.status_code == 410
    assert "Lien d'activation expiré" in text(response)
    assert "Créer mon compte" in text(response)
    assert Account.get(Account.email == "lente@example.fr").activated_at is None


def test_forged_activation_link_is_refused(client, mailbox):
    client.submit("/compte/creer", account_form(email="forge@example.fr"))
    link = activation_link(mailbox, "forge@example.fr")
    response = client.get(link[:-3] + "abc")
    assert response.status_code == 404
    assert "Lien d'activation invalide" in text(response)


def test_existing_address_gets_the_same_answer_and_a_mail_saying_so(client, mailbox, make_account):
    make_account(email="deja@example.fr", nom_naissance="ANCIEN")
    new = client.submit("/compte/creer", account_form(email="fresh@example.fr"))
    existing = client.submit("/compte/creer", account_form(email="deja@example.fr"))
    assert new.status_code == existing.status_code == 303
    assert new.headers["Location"] == existing.headers["Location"]
    assert text(client.get(existing.headers["Location"])).replace("deja@", "X@") == \
        text(client.get(new.headers["Location"])).replace("deja@", "X@")

    message = mailbox.last("deja@example.fr")
    assert message["Subject"] == "Cyclades libre : vous avez déjà un compte"
    assert "/mot-de-passe-oublie" in mailbox.body(message)
    assert "/compte/activer/" not in mailbox.body(message)
    # The existing account was left as it was.
    assert Account.get(Account.email == "deja@example.fr").nom_naissance == "ANCIEN"


def test_resend_activation_from_login_page(client, mailbox, db):
    client.submit("/compte/creer", account_form(email="oubli@example.fr"))
    first = activation_link(mailbox, "oubli@example.fr")
    response = client.submit("/connexion/renvoyer-le-lien", {"email": "oubli@example.fr"})
    assert response.status_code == 200
    assert "Nouveau lien envoyé" in text(response)
    assert len(mailbox.to("oubli@example.fr")) == 2
    second = activation_link(mailbox, "oubli@example.fr")
    assert client.get(second).status_code == 302
    # The same neutral page for an unknown address, and no mail.
    unknown = client.submit("/connexion/renvoyer-le-lien", {"email": "personne@example.fr"})
    assert text(unknown) == text(response)
    assert mailbox.to("personne@example.fr") == []
    assert first  # the first link was a genuine one too


@pytest.mark.parametrize("typed", ["30051998", "30 05 1998", "30.05.1998", "30-05-1998",
                                   "30/05/1998", " 30 / 5 / 1998 "])
def test_a_date_of_birth_typed_on_a_phone_keypad_is_accepted(client, db, typed):
    """A phone's numeric keypad has no « / »: the digits alone, or any separator, will do."""
    from datetime import date

    response = client.submit("/compte/creer", account_form(
        email="clavier@example.fr", date_naissance=typed, date_naissance_confirm="30/05/1998"))
    assert response.status_code == 303, text(response)
    assert Account.get(Account.email == "clavier@example.fr").date_naissance == date(1998, 5, 30)


def test_the_date_of_birth_says_it_may_be_typed_without_slashes(client):
    page = text(client.get("/compte/creer"))
    assert "par exemple 30/05/1998 : les « / » peuvent être omis (30051998)" in page


@pytest.mark.parametrize("overrides, message", [
    ({"civilite": ""}, "Choisissez votre civilité."),
    ({"nom_naissance_confirm": "Lefebvre"}, "Les deux noms de naissance saisis sont différents."),
    ({"prenoms": ""}, "Saisissez vos prénoms."),
    ({"date_naissance": "1998-05-30"}, "Saisissez une date réelle : le jour, le mois et l'année"),
    ({"date_naissance": "31021998", "date_naissance_confirm": "31021998"},
     "Saisissez une date réelle : le jour, le mois et l'année"),
    ({"date_naissance": "3005998"}, "Saisissez une date réelle : le jour, le mois et l'année"),
    ({"date_naissance": "31/02/1998", "date_naissance_confirm": "31/02/1998"},
     "Saisissez une date réelle : le jour, le mois et l'année"),
    ({"date_naissance_confirm": "29/05/1998"}, "Les deux dates de naissance saisies sont différentes."),
    ({"date_naissance": "01/01/2999", "date_naissance_confirm": "01/01/2999"},
     "La date de naissance ne peut pas être dans le futur."),
    ({"pays_naissance": ""}, "Choisissez votre pays de naissance."),
    ({"pays_naissance": "Atlantide"}, "Choisissez votre pays de naissance dans la liste."),
    ({"email": "pas-une-adresse", "email_confirm": "pas-une-adresse"},
     "Saisissez une adresse mail valide"),
    ({"email_confirm": "autre@example.fr"}, "Les deux adresses mail saisies sont différentes."),
    ({"password": "Court!", "password_confirm": "Court!"},
     "Le mot de passe doit comporter entre 8 et 20 caractères."),
    ({"password": "sansmajuscule!", "password_confirm": "sansmajuscule!"},
     "Le mot de passe doit contenir au moins une lettre majuscule."),
    ({"password": "SANSMINUSCULE!", "password_confirm": "SANSMINUSCULE!"},
     "Le mot de passe doit contenir au moins une lettre minuscule."),
    ({"password": "SansSpecial42", "password_confirm": "SansSpecial42"},
     "Le mot de passe doit contenir au moins un caractère spécial"),
    ({"password": "Azerty123!", "password_confirm": "Azerty123!"}, "trop courant"),
    ({"password": "Lefèvre-2024!", "password_confirm": "Lefèvre-2024!"}, "trop courant"),
    ({"password_confirm": "Tournesol-Vert43"}, "Les deux mots de passe saisis sont différents."),
    ({"nom_naissance": "X" * 10000, "nom_naissance_confirm": "X" * 10000}, "100 caractères au plus."),
    ({"prenoms": "Zoé<script>"}, "Seuls les lettres, les espaces"),
    ({"prenoms": "Wei 王"}, "Ces caractères ne peuvent pas être imprimés sur les documents "
                           "officiels : « 王 »."),
    ({"nom_naissance": "محمد", "nom_naissance_confirm": "محمد"},
     "Ces caractères ne peuvent pas être imprimés sur les documents officiels : « م », « ح », "
     "« د »."),
])
def test_each_mistake_is_explained_and_nothing_typed_is_lost(client, mailbox, overrides, message):
    form = account_form(**overrides)
    response = client.submit("/compte/creer", form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<title>Erreur : Créer mon compte" in page
    summary = page[page.index('class="error-summary"'):page.index("</div>", page.index('class="error-summary"'))]
    assert message in summary
    # Every value typed comes back, except the passwords.
    if len(form["prenoms"]) < 100 and "<" not in form["prenoms"]:
        assert f'value="{form["prenoms"]}"' in page
    assert f'value="{form["email"]}"' in page or "@" not in form["email"]
    assert 'value="Tournesol' not in page
    assert mailbox.all() == []


def test_password_criteria_each_get_a_message(client):
    response = client.submit("/compte/creer", account_form(password="abc", password_confirm="abc"))
    body = text(response)
    for criterion in ("entre 8 et 20 caractères", "au moins une lettre majuscule",
                      "au moins un caractère spécial"):
        assert criterion in body
    assert "au moins une lettre minuscule" not in body


def test_odd_unicode_and_empty_posts_get_a_clear_4xx(client):
    for data in ({}, {"nom_naissance": "\u202e\u0000\ud7ff", "date_naissance": "\x00"},
                 {"email": "a@" + "b" * 400 + ".fr"}):
        response = client.submit("/compte/creer", data)
        assert response.status_code == 422
        assert "erreur" in text(response).lower()


def test_accents_and_typographic_apostrophes_are_accepted(client, mailbox, db):
    response = client.submit("/compte/creer", account_form(
        email="o.neill@example.fr", nom_naissance="O’Neill-Éléonore",
        nom_naissance_confirm="O'Neill-Éléonore", prenoms="Zoë  Anaïs"))
    assert response.status_code == 303
    account = Account.get(Account.email == "o.neill@example.fr")
    assert account.nom_naissance == "O'Neill-Éléonore" and account.prenoms == "Zoë Anaïs"


def test_purge_deletes_accounts_not_activated_within_48_hours(app, client, mailbox, make_account, db):
    from cyclades.models import OutgoingMail

    client.submit("/compte/creer", account_form(email="jamais@example.fr"))
    assert mailbox.to("jamais@example.fr")  # the worker sent it at once
    make_account(email="active@example.fr")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["purge-inactive"])
    assert "supprimés : 0" in result.output
    with time_machine.travel(utcnow() + timedelta(hours=49)):
        result = runner.invoke(args=["purge-inactive"])
    assert "supprimés : 1" in result.output
    assert Account.by_email("jamais@example.fr") is None
    assert Account.by_email("active@example.fr") is not None
    assert not OutgoingMail.select().where(OutgoingMail.to_address == "jamais@example.fr")
    # The address can be used again, and the old link leads to the "expired" page.
    link = activation_link(mailbox, "jamais@example.fr")
    assert client.get(link).status_code == 410
    assert client.submit("/compte/creer", account_form(email="jamais@example.fr")).status_code == 303


def test_the_password_stays_out_of_pages_logs_and_database(client, db):
    client.submit("/compte/creer", account_form(email="secret@example.fr"))
    account = Account.by_email("secret@example.fr")
    assert PASSWORD not in account.password_hash


def test_double_submit_creates_one_account_and_never_a_500(app, mailbox, db):
    """Two tabs or a double click: the same form posted twice at the same instant."""
    import threading

    from tests.conftest import FormClient
    clients = [FormClient(app.test_client()) for _ in range(3)]  # 3: the per-address limit
    tokens = [c.csrf_token("/compte/creer") for c in clients]
    statuses = []
    barrier = threading.Barrier(len(clients))

    def post(c, token):
        barrier.wait()
        statuses.append(c.post("/compte/creer", data={**account_form(email="double@example.fr"),
                                                      "csrf_token": token}).status_code)

    threads = [threading.Thread(target=post, args=pair) for pair in zip(clients, tokens)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [303] * len(clients)
    assert Account.select().where(Account.email == "double@example.fr").count() == 1


def test_a_blank_form_says_what_is_required_without_calling_it_invalid(client):
    """`required` on a novalidate form made Chromium announce every required radio and select
    as invalid from the start: aria-required says it instead, aria-invalid waits for an error."""
    import re

    html = client.get("/compte/creer").get_data(as_text=True)
    assert not re.search(r"<(input|select|textarea)\b[^>]*\srequired[\s>=]", html)
    assert "aria-invalid" not in html
    assert re.search(r'<select[^>]*aria-required="true"[^>]*id="pays_naissance"', html)
    assert '<fieldset role="radiogroup" aria-required="true"' in html  # Civilité
    sent = client.submit("/compte/creer", account_form(pays_naissance=""))
    assert re.search(r'<select[^>]*aria-invalid="true"[^>]*id="pays_naissance"',
                     sent.get_data(as_text=True))
