"""What a signed-in candidate's pages carry, whichever way they are asked for: no copy kept by a
browser or a proxy (`Cache-Control: no-store`), and every htmx fragment rendered alone, whatever
the element it targets."""
import pathlib

import jinja2.nodes as nodes
import pytest

from cyclades.models import Document, PieceFile
from tests.conftest import TABS, text
from tests.test_documents import deposit  # noqa: F401
from tests.test_pieces import post, upload
from tests.test_registration import candidate, register_all, windows  # noqa: F401
from tests.test_uploads import pdf_bytes

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture
def signed_in(client, candidate, deposit, db):
    """A candidate signed in, with a registered candidature, a deposited piece and documents:
    {endpoint: the URLs of that endpoint they can open}."""
    token, _ = register_all(client)
    assert upload(client, token, "DCSTID01", ("cni.pdf", pdf_bytes())).status_code == 303
    document = Document.select().order_by(Document.id).first()
    deposited = PieceFile.select().first()
    return {
        "public.home": ["/"], "public.windows": ["/ouverture-des-services"],
        "public.help": ["/aide"], "public.accessibility": ["/accessibilite"],
        "accounts.create": ["/compte/creer"], "accounts.created": ["/compte/creer/mail-envoye"],
        "accounts.activate": ["/compte/activer/inconnu"], "accounts.login": ["/connexion"],
        "accounts.forgot_password": ["/mot-de-passe-oublie"],
        "accounts.reset_sent": ["/mot-de-passe-oublie/mail-envoye"],
        "accounts.reset_password": ["/mot-de-passe-oublie/inconnu"],
        "accounts.account": ["/mon-compte"],
        "accounts.email_change_sent": ["/mon-compte/adresse-mail/mail-envoye"],
        "accounts.confirm_email": ["/mon-compte/adresse-mail/inconnu"],
        "registration.start": ["/inscription/nouvelle", "/inscription/nouvelle?code_postal=63000",
                               "/inscription/nouvelle?code_postal=abc"],
        "registration.step": [f"/inscription/{token}/{slug}" for slug in
                              [*TABS, "recapitulatif"]],
        "registration.numbers": [f"/inscription/{token}/numero"],
        "registration.mine": ["/mes-inscriptions"],
        "registration.summary": [f"/mes-inscriptions/{token}"],
        "registration.withdraw": [f"/mes-inscriptions/{token}/desinscrire"],
        "documents.mine": ["/mes-documents"],
        "documents.show": [f"/documents/{document.token}"],
        "documents.download": [f"/documents/{document.token}/pdf"],
        "pieces.mine": ["/mes-justificatifs"],
        "pieces.show": [f"/mes-justificatifs/{token}"],
        "pieces.view_file": [f"/mes-justificatifs/{token}/fichiers/{deposited.token}"],
        "pieces.confirm_declare": [f"/mes-justificatifs/{token}/declarer"],
        # The gestionnaire side: a candidate's session opens none of it.
        "backoffice.login": ["/gestion/connexion"], "backoffice.code": ["/gestion/connexion/code"],
        "backoffice.activate": ["/gestion/activer/inconnu"],
        "backoffice.enrol": ["/gestion/second-facteur"], "backoffice.home": ["/gestion"],
        "backoffice.candidatures": ["/gestion/candidatures"],
        "backoffice.team": ["/gestion/equipe"],
        "backoffice.windows": ["/gestion/periodes"],
        "backoffice.window": ["/gestion/periodes/nouvelle", "/gestion/periodes/1"],
        "backoffice_candidature.show": ["/gestion/candidatures/2027-02-000001"],
        "backoffice_candidature.document": [
            f"/gestion/candidatures/2027-02-000001/documents/{document.token}"],
        "backoffice_candidature.piece_file": [
            f"/gestion/candidatures/2027-02-000001/fichiers/{deposited.token}"],
    }


#: What htmx may send: a page, a fragment for <main>, and fragments aimed at inner elements.
WAYS = {
    "page": {},
    "fragment": {"HX-Request": "true"},
    "board": {"HX-Request": "true", "HX-Target": "board"},
    "other target": {"HX-Request": "true", "HX-Target": "piece-DCSTID01"},
    "boosted": {"HX-Request": "true", "HX-Boosted": "true"},
}


def test_every_page_of_a_signed_in_candidate_is_kept_nowhere_and_renders_alone(
        app, client, signed_in):
    gets = {rule.endpoint for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and rule.endpoint != "static"}
    assert gets == set(signed_in), "a page to add to this test"
    for endpoint, urls in signed_in.items():
        for url in urls:
            for way, headers in WAYS.items():
                response = client.get(url, headers=headers)
                assert response.status_code < 500, (url, way, text(response)[:300])
                assert "no-store" in response.headers.get("Cache-Control", ""), (url, way)


def test_a_refused_declaration_over_htmx_is_shown_in_the_page(client, signed_in):
    token = signed_in["pieces.show"][0].rsplit("/", 1)[1]
    response = post(client, token, "declarer", htmx=True)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert body.startswith("<title>Erreur : Mes justificatifs")
    assert "Il manque encore 1 pièce(s)" in text(response)


def test_public_pages_of_an_anonymous_visitor_may_be_cached(client):
    assert "no-store" not in client.get("/aide").headers.get("Cache-Control", "")
    assert "no-store" in client.get("/mot-de-passe-oublie/inconnu").headers["Cache-Control"]


def _statements_outside_blocks(app):
    """(template, statement) for each statement of a child template outside its blocks:
    render_block() sends a block alone and never runs them."""
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        name = str(path.relative_to(ROOT / "templates"))
        tree = app.jinja_env.parse(path.read_text(encoding="utf-8"), name)
        if not tree.find(nodes.Extends):
            continue
        for node in tree.body:
            if isinstance(node, (nodes.Assign, nodes.AssignBlock, nodes.Import,
                                 nodes.FromImport, nodes.Macro)):
                found.append((name, type(node).__name__, node.lineno))
    return found


def test_no_page_template_sets_anything_its_fragments_would_lack(app):
    assert _statements_outside_blocks(app) == []
