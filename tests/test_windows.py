"""Ouverture des services (R10, R11): what is open now, by académie then exam, in local time."""
from datetime import datetime, timedelta

from cyclades.models import Academie, Exam, ExamSession, Window, utcnow
from tests.conftest import text


def make_window(academie, exam, opens, closes, kind=Window.INSCRIPTION, year=2027):
    session, _ = ExamSession.get_or_create(year=year)
    return Window.create(academie=academie, exam=exam, session=session, kind=kind,
                         opens_at=opens, closes_at=closes)


def test_nothing_open_says_so(client, db):
    assert "Aucun service n'est ouvert." in text(client.get("/ouverture-des-services"))


def test_open_windows_by_academie_then_exam_with_french_dates(client, db):
    clermont = Academie.create(code="clermont-ferrand", name="Clermont-Ferrand")
    aix = Academie.create(code="aix-marseille", name="Aix-Marseille")
    bcp = Exam.create(code="BCP", name="Baccalauréat professionnel", position=0)
    cap = Exam.create(code="CAP", name="Certificat d'aptitude professionnelle", position=1)
    now = utcnow()
    # Lundi 4 novembre 2024 15 h → mardi 3 décembre 2024 17 h, Paris time (UTC+1).
    make_window(clermont, bcp, datetime(2024, 11, 4, 14), datetime(2024, 12, 3, 16))
    make_window(aix, cap, now - timedelta(days=1), now + timedelta(days=10))
    make_window(aix, bcp, now - timedelta(days=1), now + timedelta(days=10), kind=Window.DEPOT)
    make_window(aix, bcp, now - timedelta(days=1), now + timedelta(days=5), kind=Window.R408)
    make_window(clermont, cap, now + timedelta(days=3), now + timedelta(days=30))

    from time_machine import travel
    with travel(datetime(2024, 11, 20, 12)):
        page = text(client.get("/ouverture-des-services"))
    assert "Académie de Clermont-Ferrand Baccalauréat professionnel – session 2027" in page
    assert ("Inscriptions : du lundi 4 novembre 2024 à 15:00 au mardi 3 décembre 2024 à 17:00 "
            "(heure locale)") in page

    page = text(client.get("/ouverture-des-services"))
    assert "Académie d'Aix-Marseille" in page
    assert page.index("Académie d'Aix-Marseille") < page.index("Prochaines ouvertures")
    # Each window says what it opens: the R408 attestation's is not another deposit deadline.
    assert "Dépôt de la confirmation signée et des pièces justificatives :" in page
    assert "Dépôt de l'attestation R408 (spécialités qui la demandent) :" in page
    assert "Clermont-Ferrand Baccalauréat" not in page  # closed now
    upcoming = page[page.index("Prochaines ouvertures"):]
    assert "Certificat d'aptitude professionnelle" in upcoming and "Clermont-Ferrand" in upcoming


def test_overseas_academie_dates_are_in_its_own_time(client, db):
    guadeloupe = Academie.create(code="guadeloupe", name="Guadeloupe",
                                 timezone="America/Guadeloupe")
    bcp = Exam.create(code="BCP", name="Baccalauréat professionnel")
    now = utcnow()
    opens = now.replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(days=1)
    make_window(guadeloupe, bcp, opens, opens + timedelta(days=20, hours=1, minutes=30))
    page = text(client.get("/ouverture-des-services"))
    assert "à 08:00 au" in page  # 12:00 UTC is 8:00 in Guadeloupe (UTC−4)
    assert "à 09:30 (heure locale)" in page


def test_demo_data_always_has_open_and_upcoming_windows(app, client, db):
    result = app.test_cli_runner().invoke(args=["demo-data"])
    assert "académies : 34" in result.output
    page = text(client.get("/ouverture-des-services"))
    for name in ("Académie d'Aix-Marseille", "Académie de Clermont-Ferrand", "Académie de Lille",
                 "Académie de Nice"):
        assert name in page
    assert "Aucun service n'est ouvert." not in page
    upcoming = page[page.index("Prochaines ouvertures"):]
    assert "Certificat d'aptitude professionnelle" in upcoming
