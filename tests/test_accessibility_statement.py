"""The accessibility statement and the footer's mention, as RGAA asks for them, worked out from
the self-audit in cyclades/data/rgaa_audit.toml (every criterion, its verdict, its reason)."""
import re
import tomllib
from datetime import date, datetime
from pathlib import Path

import pytest
import time_machine
from markupsafe import escape

from cyclades import rgaa
from tests.conftest import text

AUDIT_FILE = Path(__file__).resolve().parent.parent / "cyclades" / "data" / "rgaa_audit.toml"
#: RGAA 4.1: how many criteria each of its 13 themes has.
PER_THEME = [9, 2, 3, 13, 8, 2, 5, 10, 4, 14, 13, 11, 12]
ALL_CRITERIA = [f"{theme}.{n}" for theme, count in enumerate(PER_THEME, start=1)
                for n in range(1, count + 1)]


def grid(source: str | None = None) -> dict:
    return tomllib.loads(source if source is not None else AUDIT_FILE.read_text("utf-8"))


def verdicts(source: str | None = None) -> dict[str, str]:
    return {row["numero"]: row["verdict"] for row in grid(source)["critere"]}


def expected(source: str | None = None):
    """What the statement must say, worked out here from the file: (rate as French write it,
    conformes, applicables, state word)."""
    graded = list(verdicts(source).values())
    conformes, applicables = graded.count("C"), graded.count("C") + graded.count("NC")
    rate = 1000 * conformes // applicables / 10  # rounded down to a tenth
    if conformes == applicables:
        state = "totalement"
    elif 2 * conformes >= applicables:
        state = "partiellement"
    else:
        state = "non"
    return f"{rate:g}".replace(".", ","), conformes, applicables, state


def with_verdicts(changes: dict[str, str]) -> str:
    """The audit file's text with some criteria graded otherwise."""
    source = AUDIT_FILE.read_text("utf-8")
    for number, verdict in changes.items():
        source, found = re.subn(
            rf'(numero = "{re.escape(number)}"\ntitre = .*\nverdict = )"\w+"',
            rf'\1"{verdict}"', source)
        assert found == 1, number
    return source


@pytest.fixture
def audit_file(tmp_path, monkeypatch):
    """use(source): the portal reads that audit instead of its own, from the next page on."""
    def use(source: str):
        path = tmp_path / "rgaa_audit.toml"
        path.write_text(source, encoding="utf-8")
        monkeypatch.setattr(rgaa, "AUDIT_FILE", path)
        rgaa.audit.cache_clear()

    yield use
    rgaa.audit.cache_clear()


def footer(client, path="/"):
    html = client.get(path).get_data(as_text=True)
    found = re.search(r'<a href="/accessibilite">([^<]+)</a>', html)
    assert found, "no link to the statement in the footer"
    return found.group(1)


# --- The self-audit -----------------------------------------------------------------------------

def test_the_self_audit_grades_each_of_the_106_criteria_once_with_its_reason():
    rows = grid()["critere"]
    assert [row["numero"] for row in rows] == ALL_CRITERIA
    for row in rows:
        assert row["verdict"] in {"C", "NC", "NA"}, row["numero"]
        assert row["titre"].strip().endswith("?"), row["numero"]  # RGAA's question
        assert len(row["raison"].strip()) > 20, row["numero"]


def test_the_self_audit_says_when_how_and_on_which_pages_it_was_made():
    meta = grid()["audit"]
    assert meta["date"] == date(2026, 12, 2)
    assert meta["independant"] is False and "Auto-évaluation" in meta["methode"]
    addresses = {page["adresse"] for page in meta["pages"]}
    for address in ["/", "/connexion", "/compte/creer", "/aide", "/accessibilite",
                    "/mes-inscriptions", "/mes-documents", "/mes-justificatifs/<jeton>",
                    "/mes-inscriptions/<jeton>", "/cette-page-n-existe-pas"]:
        assert address in addresses, address
    for slug in ["identification", "informations", "qualification", "acquis", "epreuves",
                 "recapitulatif"]:
        assert f"/inscription/<jeton>/{slug}" in addresses, slug
    # No screen reader was used by a person: the file says so, and names them.
    untested = " ".join(meta["non_teste"])
    assert all(name in untested for name in ("NVDA", "JAWS", "VoiceOver"))


def test_a_grid_that_misses_a_criterion_or_a_reason_is_refused():
    source = AUDIT_FILE.read_text("utf-8")
    last = source.rindex("[[critere]]")
    with pytest.raises(ValueError, match="13.12"):
        rgaa.load(source[:last])
    no_reason = re.sub(r'(numero = "6\.1"\ntitre = .*\nverdict = "NC"\nraison = )".*"',
                       r'\1""', source)
    with pytest.raises(ValueError, match="6.1"):
        rgaa.load(no_reason)


# --- The statement ------------------------------------------------------------------------------

def test_the_statement_gives_the_rate_and_state_worked_out_from_the_audit(client):
    rate, conformes, applicables, state = expected()
    page = text(client.get("/accessibilite"))
    assert (f"Cyclades libre est {state} conforme avec le référentiel général d'amélioration "
            "de l'accessibilité (RGAA), version 4.1.") in page
    assert f"révèle que {rate} % des critères du RGAA sont respectés" in page
    assert f"{conformes} critères conformes sur {applicables} applicables" in page
    assert "Cette déclaration a été établie le 2 décembre 2026." in page
    assert "auto-évaluation par l'équipe du portail, pas un audit par un organisme " \
           "indépendant" in page


def test_the_statement_lists_each_non_conformity_with_its_criterion_and_why(client):
    response = client.get("/accessibilite")
    page, html = text(response), response.get_data(as_text=True)
    rows = {row["numero"]: row for row in grid()["critere"]}
    not_met = [number for number, row in rows.items() if row["verdict"] == "NC"]
    assert not_met
    for number in not_met:
        assert f"Critère {number} :" in page
        # The audit is in French, on the English page too.
        assert f'<dd lang="fr">{escape(rows[number]["raison"].strip())}</dd>' in html
    for number in (n for n, row in rows.items() if row["verdict"] != "NC"):
        assert f"Critère {number} :" not in page
    assert "Aucune dérogation pour charge disproportionnée n'est invoquée." in page


def test_the_statement_says_how_it_was_checked_and_what_was_not(client):
    page = text(client.get("/accessibilite"))
    assert "axe-core 4.14.1" in page and "Chromium" in page
    assert "NVDA avec Firefox, JAWS avec Chrome ou Edge, VoiceOver avec Safari" in page
    assert "n'ont pas été testés" in page
    assert "Onglet 5, Épreuves, vierge et en erreur (/inscription/<jeton>/epreuves)" in page


def test_the_statement_gives_a_contact_and_the_ways_of_recourse(client):
    response = client.get("/accessibilite")
    page, html = text(response), response.get_data(as_text=True)
    assert 'href="/aide#contacts"' in html
    assert 'id="contacts"' in client.get("/aide").get_data(as_text=True)
    assert '<a href="https://formulaire.defenseurdesdroits.fr/">' in html
    assert '<a href="https://www.defenseurdesdroits.fr/carte-des-delegues">' in html
    assert "Défenseur des droits Libre réponse 71120 75342 Paris CEDEX 07" in page


def test_every_page_footer_says_the_state_of_the_statement(client):
    state = expected()[3]
    assert footer(client, "/") == f"Accessibilité : {state} conforme"
    assert footer(client, "/cette-page-n-existe-pas") == f"Accessibilité : {state} conforme"


# --- When the audit changes ---------------------------------------------------------------------

def test_once_every_criterion_is_met_the_portal_is_totally_conforme(client, audit_file):
    fixed = {number: "C" for number, verdict in verdicts().items() if verdict == "NC"}
    audit_file(with_verdicts(fixed))
    page = text(client.get("/accessibilite"))
    assert "Cyclades libre est totalement conforme avec le référentiel" in page
    assert "révèle que 100 % des critères du RGAA sont respectés" in page
    assert "Aucune non-conformité n'a été relevée." in page
    assert "Critère 6.1 :" not in page
    assert footer(client) == "Accessibilité : totalement conforme"


def test_a_criterion_found_not_met_is_listed_and_lowers_the_rate(client, audit_file):
    source = with_verdicts({"3.2": "NC"})
    audit_file(source)
    rate, conformes, applicables, state = expected(source)
    page = text(client.get("/accessibilite"))
    assert "Critère 3.2 :" in page
    assert f"révèle que {rate} % des critères du RGAA sont respectés" in page
    assert f"{conformes} critères conformes sur {applicables} applicables" in page
    assert rate != expected()[0]


def test_under_half_the_criteria_met_the_portal_is_non_conforme(client, audit_file):
    met = [number for number, verdict in verdicts().items() if verdict == "C"]
    source = with_verdicts({number: "NC" for number in met[:len(met) // 2 + 5]})
    assert expected(source)[3] == "non"
    audit_file(source)
    page = text(client.get("/accessibilite"))
    assert "Cyclades libre est non conforme avec le référentiel" in page
    assert footer(client) == "Accessibilité : non conforme"


def test_an_audit_older_than_three_years_makes_the_portal_non_conforme(client):
    with time_machine.travel(datetime(2029, 12, 2, 12, 0), tick=False):
        page = text(client.get("/accessibilite"))
        assert "Cyclades libre est non conforme avec le référentiel" in page
        assert "sans audit en cours de validité, le portail est déclaré non conforme" in page
        assert footer(client) == "Accessibilité : non conforme"
    assert footer(client) == f"Accessibilité : {expected()[3]} conforme"
