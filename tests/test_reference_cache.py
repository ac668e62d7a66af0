"""Reference data (académies, exams, sessions, specialties, units) is read once per process and
kept, but never served stale: whoever changes it, the next page shows the change."""
import logging

from cyclades.models import Academie, Specialty
from tests.conftest import TABS, text
from tests.test_registration import candidate, fill, start, token_of, windows  # noqa: F401

REFERENCE_TABLES = ('"academie"', '"exam"', '"exam_session"', '"specialty"', '"unit"', '"window"')


class Statements(logging.Handler):
    def __init__(self):
        super().__init__()
        self.seen = []

    def emit(self, record):
        self.seen.append(record.getMessage())

    def reading(self, tables):
        return [s for s in self.seen if s.startswith("('SELECT")
                and any(f"FROM {t}" in s for t in tables)]


def watch_statements():
    handler = Statements()
    logger = logging.getLogger("peewee")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    return handler, lambda: logger.removeHandler(handler)


def test_a_candidatures_pages_read_the_reference_tables_once(client, candidate, windows, db):
    token = token_of(start(client))
    for slug, answers in TABS.items():
        fill(client, token, slug, answers)
        client.get(f"/inscription/{token}/{slug}")  # reads them, and keeps them
    statements, stop = watch_statements()
    try:
        for slug in ("identification", "informations", "qualification", "acquis", "epreuves"):
            assert client.get(f"/inscription/{token}/{slug}").status_code == 200
    finally:
        stop()
    assert statements.reading(REFERENCE_TABLES) == []
    assert len(statements.reading(('"reference_version"',))) == 0  # raw SQL, not a query
    assert sum("reference_version" in s for s in statements.seen) == 5  # one per page


def test_a_change_to_the_reference_data_is_on_the_next_page(client, candidate, windows, db):
    token = token_of(start(client))
    assert "Académie de Clermont-Ferrand" in text(client.get(f"/inscription/{token}/identification"))
    # A command (load-reference) or the back-office writes: the next page sees it.
    Academie.update(name="Clermont-Auvergne").where(Academie.code == "clermont-ferrand").execute()
    assert "Académie de Clermont-Auvergne" in text(client.get(f"/inscription/{token}/identification"))
    for slug, answers in TABS.items():
        fill(client, token, slug, answers)
    Specialty.update(name="Maintenance des véhicules légers").where(Specialty.code == "MV").execute()
    assert "Maintenance des véhicules légers" in text(client.get(f"/inscription/{token}/recapitulatif"))
    # A window closed by a gestionnaire: the next page says so.
    from cyclades.models import Window, utcnow
    assert "Reprendre la saisie" in text(client.get(f"/mes-inscriptions/{token}"))
    Window.update(closes_at=utcnow()).where(Window.kind == Window.INSCRIPTION).execute()
    closed = text(client.get(f"/mes-inscriptions/{token}"))
    assert "La période d'inscription est close" in closed and "Reprendre la saisie" not in closed


def test_outside_a_request_nothing_is_kept(client, candidate, windows, db):
    from cyclades.models import Candidature
    token = token_of(start(client))
    client.get(f"/inscription/{token}/identification")
    candidature = Candidature.get(Candidature.token == token)
    Academie.update(name="Renommée").where(Academie.id == candidature.academie_id).execute()
    assert Candidature.get(Candidature.token == token).academie.name == "Renommée"
