"""What every response carries: security headers, CSRF, fragments for htmx, cached static files,
compression, French errors and never a 500 for bad input."""
import gzip

import brotli

import pytest

from cyclades.domain import passwords
from tests.conftest import account_form, text

PAGES = ["/", "/ouverture-des-services", "/aide", "/accessibilite", "/compte/creer", "/connexion",
         "/mot-de-passe-oublie", "/compte/creer/mail-envoye", "/mot-de-passe-oublie/mail-envoye"]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_has_the_shell_and_strict_headers(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert 'href="#main"' in html and '<main id="main"' in html
    assert "<header" in html and "<footer" in html and "Besoin d'aide ?" in html
    assert "<script>" not in html and "style=" not in html  # nothing the CSP would block
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize("next_param", ["//evil.example/", "///evil.example", "/\t/evil.example",
                                        "/\n/x", "/\\evil.example", "https://evil.example/"])
def test_choosing_a_language_stays_on_the_site(client, next_param):
    token = client.csrf_token("/")
    response = client.post("/langue", data={"lang": "en", "next": next_param,
                                            "csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    back = client.post("/langue", data={"lang": "fr", "next": "/aide", "csrf_token": token})
    assert back.headers["Location"] == "/aide"


def test_session_cookie_is_httponly_and_samesite(client):
    cookie = client.get("/compte/creer").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_session_cookie_is_secure_behind_https(tmp_path, smtp_server, database_url):
    from cyclades import create_app
    from tests.conftest import make_test_config
    config = make_test_config(tmp_path, smtp_server.port, database_url)
    config["SESSION_COOKIE_SECURE"] = True
    app = create_app(config)
    cookie = app.test_client().get("/compte/creer").headers["Set-Cookie"]
    assert "Secure" in cookie


def test_a_form_without_its_csrf_token_is_refused_in_french(client, db):
    response = client.post("/compte/creer", data=account_form())
    assert response.status_code == 400
    assert "Formulaire expiré" in text(response)
    forged = client.post("/connexion", data={"email": "a@example.fr", "password": "x",
                                             "csrf_token": "forgé"})
    assert forged.status_code == 400


def test_htmx_gets_only_the_fragment_with_its_title(client):
    full = client.get("/connexion")
    fragment = client.get("/connexion", headers={"HX-Request": "true"})
    assert "<header" in full.get_data(as_text=True)
    body = fragment.get_data(as_text=True)
    assert body.startswith("<title>Me connecter – Cyclades libre</title>")
    assert "<header" not in body and "<h1>Me connecter</h1>" in body
    assert fragment.headers["Vary"].startswith("HX-Request")
    # A boosted link or a history restore needs the whole page.
    for header in ("HX-Boosted", "HX-History-Restore-Request"):
        whole = client.get("/connexion", headers={"HX-Request": "true", header: "true"})
        assert "<header" in whole.get_data(as_text=True)


def test_htmx_form_errors_swap_the_fragment_and_success_redirects(client, make_account):
    make_account(email="elodie@example.fr")
    token = client.csrf_token("/connexion")
    headers = {"HX-Request": "true", "X-CSRFToken": token}
    wrong = client.post("/connexion", data={"email": "elodie@example.fr", "password": "Faux-Mot-42"},
                        headers=headers)
    assert wrong.status_code == 422
    assert wrong.get_data(as_text=True).startswith("<title>Erreur : Me connecter")
    assert 'class="error-summary"' in wrong.get_data(as_text=True)
    from tests.conftest import PASSWORD
    ok = client.post("/connexion", data={"email": "elodie@example.fr", "password": PASSWORD},
                     headers=headers)
    assert ok.status_code == 204 and ok.headers["HX-Redirect"] == "/"


def test_static_files_are_fingerprinted_and_cached_for_a_year(client):
    html = client.get("/").get_data(as_text=True)
    import re
    scripts = re.findall(r'src="(/static/[^"]+\?v=[0-9a-f]{10})" defer', html)
    assert len(scripts) == 2 and "/static/vendor/htmx-2.0.11.min.js?v=" in scripts[0]
    for url in scripts:
        response = client.get(url)
        assert response.status_code == 200
        assert "immutable" in response.headers["Cache-Control"]
        assert "max-age=31536000" in response.headers["Cache-Control"]
    unversioned = client.get("/static/js/cyclades.js")
    assert unversioned.headers["Cache-Control"] == "public, max-age=300"


def test_static_files_are_sent_compressed_once_in_the_encoding_the_browser_accepts(client):
    from pathlib import Path

    original = (Path(client.application.static_folder) / "vendor/htmx-2.0.11.min.js").read_bytes()
    br = client.get("/static/vendor/htmx-2.0.11.min.js", headers={"Accept-Encoding": "gzip, br"})
    assert br.headers["Content-Encoding"] == "br" and "Accept-Encoding" in br.headers["Vary"]
    assert brotli.decompress(br.data) == original
    assert len(br.data) < len(original) / 3
    gz = client.get("/static/vendor/htmx-2.0.11.min.js", headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip" and gzip.decompress(gz.data) == original
    plain = client.get("/static/vendor/htmx-2.0.11.min.js", headers={"Accept-Encoding": ""})
    assert "Content-Encoding" not in plain.headers and plain.data == original
    assert plain.headers["Content-Type"] == "text/javascript; charset=utf-8"
    # Each encoding has its own ETag; a browser that has it gets a 304 without the body.
    assert len({br.headers["ETag"], gz.headers["ETag"], plain.headers["ETag"]}) == 3
    again = client.get("/static/vendor/htmx-2.0.11.min.js",
                       headers={"Accept-Encoding": "br", "If-None-Match": br.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert client.get("/static/../cyclades/config.py").status_code == 404
    assert client.get("/static/css/nothing.css").status_code == 404


def test_the_stylesheet_comes_with_the_page_and_the_csp_allows_only_it(client):
    import base64
    import hashlib
    import re
    from pathlib import Path

    response = client.get("/connexion")
    html = response.get_data(as_text=True)
    css = (Path(client.application.static_folder) / "css/cyclades.css").read_text()
    inlined = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    assert inlined == css  # a first visit paints from this one response
    assert "<link rel=\"stylesheet\"" not in html
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    csp = response.headers["Content-Security-Policy"]
    assert f"style-src 'self' 'sha256-{digest}';" in csp
    assert "unsafe-inline" not in csp


@pytest.mark.parametrize("path", ["/", "/aide", "/accessibilite", "/ouverture-des-services"])
def test_pages_without_a_form_set_no_cookie_and_can_be_cached(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert 'name="csrf_token"' not in response.get_data(as_text=True)


def test_pages_with_a_form_still_carry_their_token(client):
    response = client.get("/connexion")
    assert "Set-Cookie" in response.headers
    assert 'name="csrf_token"' in response.get_data(as_text=True)


def test_the_language_is_chosen_without_a_token_but_not_from_another_site(client):
    chosen = client.post("/langue", data={"lang": "en", "next": "/aide"},
                         headers={"Sec-Fetch-Site": "same-origin"})
    assert chosen.status_code == 303 and chosen.headers["Location"] == "/aide"
    assert "lang=en" in chosen.headers["Set-Cookie"]
    assert "Need help" in text(client.get("/aide")) or "help" in text(client.get("/aide")).lower()
    client.delete_cookie("lang")
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}):
        forged = client.post("/langue", data={"lang": "en", "next": "/aide"}, headers=headers)
        assert forged.status_code == 303 and "Set-Cookie" not in forged.headers


def test_responses_are_compressed(client):
    response = client.get("/compte/creer", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Créer mon compte" in gzip.decompress(response.data).decode()
    br = client.get("/aide", headers={"Accept-Encoding": "br, gzip"})
    assert br.headers["Content-Encoding"] == "br"


def test_unknown_page_and_wrong_method_are_french_4xx(client):
    missing = client.get("/nulle-part")
    assert missing.status_code == 404 and "Page introuvable" in text(missing)
    assert client.get("/deconnexion").status_code == 405
    assert "Action impossible" in text(client.get("/deconnexion"))


def test_oversized_posts_are_refused_in_french(client):
    response = client.submit("/connexion", {"email": "a@example.fr", "password": "x" * 2_000_000})
    assert response.status_code == 413
    assert "trop volumineux" in text(response)


@pytest.mark.parametrize("url", ["/compte/activer/x", "/compte/activer/" + "a" * 5000,
                                 "/mot-de-passe-oublie/%00%ff", "/mon-compte/adresse-mail/..%2f"])
def test_forged_tokens_never_give_a_500(client, url):
    response = client.get(url)
    assert 400 <= response.status_code < 500


def test_language_choice_is_kept(client):
    response = client.submit("/langue", {"lang": "en", "next": "/connexion"})
    assert response.status_code == 303 and response.headers["Location"] == "/connexion"
    assert "lang=en" in response.headers["Set-Cookie"]
    evil = client.submit("/langue", {"lang": "fr", "next": "//evil.example"})
    assert evil.headers["Location"] == "/"


# --- R2 as a plain rule -----------------------------------------------------------------------

@pytest.mark.parametrize("password, unmet", [
    ("Tournesol-Vert42", []),
    ("Ab!defgh", []),
    ("Ab!defg", ["entre 8 et 20"]),
    ("Ab!defghijklmnopqrstu", ["entre 8 et 20"]),
    ("abcdefgh!", ["majuscule"]),
    ("ABCDEFGH!", ["minuscule"]),
    ("Abcdefgh1", ["caractère spécial"]),
    ("", ["entre 8 et 20", "majuscule", "minuscule", "caractère spécial"]),
    ("Élève-çà-ù", []),
])
def test_password_policy_names_each_unmet_criterion(password, unmet):
    problems = passwords.unmet_criteria(password)
    assert len(problems) == len(unmet)
    for expected, problem in zip(unmet, problems):
        assert expected in problem


@pytest.mark.parametrize("password, personal, common", [
    ("Azerty123!", (), True),
    ("Motdepasse2024!", (), True),
    ("P@ssw0rd!", (), True),  # look-alike letters are read back
    ("M0tdep@sse!", (), True),
    ("Password1!", (), True),
    ("!!Soleil2025", (), True),
    ("Durand-1998!", ("DURAND", "", "Léa", "lea.durand@example.fr"), True),
    ("Tournesol-Vert42", ("MARTIN", "", "Élodie", "elodie@example.fr"), False),
])
def test_common_and_personal_passwords_are_refused(password, personal, common):
    assert passwords.is_common(password, personal) is common


def test_static_files_and_error_pages_are_compressed_too(client):
    import re
    html = client.get("/").get_data(as_text=True)
    js = re.search(r'src="(/static/vendor/htmx[^"]+)"', html).group(1)
    response = client.get(js, headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert len(response.data) < 20_000  # 52 KB raw
    invalid = client.submit("/compte/creer", {}, headers={"Accept-Encoding": "gzip"})
    assert invalid.status_code == 422
    assert invalid.headers["Content-Encoding"] == "gzip"
    assert "Créer mon compte" in gzip.decompress(invalid.data).decode()
