"""A responsable opens and moves the académie's windows (R10–R12), typed in local time and
checked against each other; each change is audited; candidates read it on « Ouverture des
services »; a gestionnaire cannot, and another académie's windows are a 404."""
import re
from datetime import datetime

from cyclades.models import Academie, AuditLog, Exam, Window
from tests.conftest import text
from tests.test_backoffice_access import clock, csrf, log_in, post, responsable  # noqa: F401
from tests.test_registration import windows  # noqa: F401


def form(**overrides):
    values = {"exam": "CAP", "session": "2027", "kind": "depot", "opens_date": "05/01/2027",
              "opens_time": "09:00", "closes_date": "15/02/2027", "closes_time": "23:59"}
    return {**values, **overrides}


def signed_in(client, responsable, clock):
    log_in(client, responsable["email"], responsable["secret"], clock=clock)


def test_a_responsable_adds_a_deposit_window_in_local_time(client, responsable, clock, db):
    signed_in(client, responsable, clock)
    assert "Périodes d'ouverture" in text(client.get("/gestion/periodes"))
    # Inscriptions opened yesterday in the fixture: a deposit window after them.
    inscription = Window.get((Window.kind == "inscription") & (Window.exam == Exam.get(
        Exam.code == "CAP")) & (Window.academie == Academie.get(Academie.code == "clermont-ferrand")))
    from datetime import timedelta

    opens = (inscription.opens_at + timedelta(days=1)).strftime("%d/%m/%Y")
    closes = inscription.closes_at.replace(year=inscription.closes_at.year + 1).strftime("%d/%m/%Y")
    response = post(client, "/gestion/periodes/nouvelle", form(opens_date=opens,
                                                              closes_date=closes),
                    page="/gestion/periodes/nouvelle")
    assert response.status_code == 303, text(response)
    page = text(client.get("/gestion/periodes"))
    assert "Période enregistrée : Dépôt de la confirmation signée et des pièces justificatives" in page
    saved = Window.get((Window.kind == "depot") & (Window.exam == inscription.exam)
                       & (Window.academie == inscription.academie))
    # 23:59 in Paris is 22:59 UTC in winter, 21:59 in summer.
    assert saved.closes_at.minute == 59 and saved.closes_at.hour in (21, 22)
    line = AuditLog.get(AuditLog.action == "window.save")
    assert line.gestionnaire_id and line.detail["before"] is None
    # Open since 09:00 today: candidates read it on « Ouverture des services ».
    assert saved.opens_at < datetime.utcnow()
    public = text(client.get("/ouverture-des-services"))
    assert re.search(r"Certificat d'aptitude professionnelle – session 2027 Inscriptions : .*"
                     r"Dépôt de la confirmation signée et des pièces justificatives : du", public)


def test_window_rules_refuse_with_the_values_kept(client, responsable, clock, db):
    signed_in(client, responsable, clock)
    backwards = post(client, "/gestion/periodes/nouvelle",
                     form(opens_date="15/02/2027", closes_date="05/01/2027"),
                     page="/gestion/periodes/nouvelle")
    assert backwards.status_code == 422
    assert "La clôture doit venir après l'ouverture." in text(backwards)
    assert 'value="15/02/2027"' in backwards.get_data(as_text=True)
    early = post(client, "/gestion/periodes/nouvelle",
                 form(opens_date="01/01/2020", closes_date="05/01/2030"),
                 page="/gestion/periodes/nouvelle")
    assert early.status_code == 422
    assert "Un dépôt ne peut pas ouvrir avant les inscriptions." in text(early)
    bad_time = post(client, "/gestion/periodes/nouvelle", form(closes_time="25:00"),
                    page="/gestion/periodes/nouvelle")
    assert bad_time.status_code == 422 and "HH:MM" in text(bad_time)
    twice = post(client, "/gestion/periodes/nouvelle", form(kind="inscription"),
                 page="/gestion/periodes/nouvelle")
    assert twice.status_code == 422 and "Cette période existe déjà" in text(twice)
    assert not AuditLog.select().where(AuditLog.action == "window.save").exists()


def test_extending_a_window_is_audited_and_says_who_is_affected(client, responsable, clock,
                                                                 db):
    signed_in(client, responsable, clock)
    window = Window.get((Window.kind == "inscription") & (Window.exam == Exam.get(
        Exam.code == "BCP")) & (Window.academie == Academie.get(Academie.code == "clermont-ferrand")))
    path = f"/gestion/periodes/{window.id}"
    page = client.get(path).get_data(as_text=True)
    opens = re.search(r'name="opens_date"[^>]*value="([^"]+)"', page).group(1)
    before = window.closes_at
    later = before.replace(year=before.year + 1).strftime("%d/%m/%Y")
    response = post(client, path, {"opens_date": opens, "opens_time": "00:00",
                                   "closes_date": later, "closes_time": "17:00"}, page=path)
    assert response.status_code == 303, text(response)
    assert "candidature(s) en cours pour cet examen et cette session ; aucun mail" in text(
        client.get("/gestion/periodes"))
    line = AuditLog.get(AuditLog.action == "window.save")
    assert line.detail["before"][1] == before.isoformat()
    assert Window.get_by_id(window.id).closes_at.year == before.year + 1


def test_windows_are_the_responsables_and_their_academies_only(app, client, responsable,
                                                               clock, db):
    from cyclades.operations.gestionnaires import create_gestionnaire
    from tests.test_backoffice_access import activate

    lille = Window.get(Window.academie == Academie.get(Academie.code == "lille"))
    signed_in(client, responsable, clock)
    assert client.get(f"/gestion/periodes/{lille.id}").status_code == 404
    assert post(client, f"/gestion/periodes/{lille.id}", form(),
                page="/gestion/periodes/nouvelle").status_code == 404
    client.post("/gestion/deconnexion", data={"csrf_token": csrf(client, "/gestion")})
    with app.test_request_context():
        _marc, link = create_gestionnaire("marc@ac-clermont.fr",
                                          Academie.get(Academie.code == "clermont-ferrand"),
                                          "gestionnaire", "Marc")
    activate(client, link)
    assert client.get("/gestion/periodes").status_code == 404
    assert client.get("/gestion/periodes/nouvelle").status_code == 404


def test_odd_dates_and_times_are_refused_in_french(client, responsable, clock, db):
    signed_in(client, responsable, clock)
    for overrides, message in (({"closes_time": "²:00"}, "HH:MM"),
                               ({"opens_date": "01/01/0001"}, "entre 2000 et 2100"),
                               ({"closes_date": "31/12/9999"}, "entre 2000 et 2100")):
        response = post(client, "/gestion/periodes/nouvelle", form(**overrides),
                        page="/gestion/periodes/nouvelle")
        assert response.status_code == 422 and message in text(response), overrides
