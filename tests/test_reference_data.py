"""Demo and reference data: idempotent, complete, faithful to the seeds; the demo candidates
see the whole portal."""
import html as html_lib
import re
import time
from datetime import datetime
from pathlib import Path

import time_machine

from cyclades.demo import DEMO_EMAIL, DEMO_PASSWORD, DRAFT_EMAIL
from cyclades.models import (
    Academie, Account, AuditLog, Candidature, CandidaturePiece, CandidatureVersion, Document,
    Exam, OutgoingMail, PieceFile, ServiceContact, Specialty, Window,
)
from tests.conftest import text

#: What a demo load writes: run again, none of it may grow.
WRITTEN = (Academie, Specialty, Window, ServiceContact, Account, Candidature, CandidatureVersion,
           Document, CandidaturePiece, PieceFile, OutgoingMail, AuditLog)


def written(app) -> dict:
    counts = {model.__name__: model.select().count() for model in WRITTEN}
    for setting in ("UPLOAD_DIR", "DOCUMENTS_DIR"):
        counts[setting] = sum(1 for p in Path(app.config[setting]).rglob("*") if p.is_file())
    return counts


def demo_data_twice(app) -> str:
    """`flask demo-data` run twice, as `make run` runs it each time: its output, the same both
    times, and nothing written by the second."""
    runner = app.test_cli_runner()
    started = time.perf_counter()
    first = runner.invoke(args=["demo-data"])
    assert first.exit_code == 0, (first.output, first.exception)
    assert time.perf_counter() - started < 15  # `make run`'s first start waits for it
    counts = written(app)
    second = runner.invoke(args=["demo-data"])
    assert second.exit_code == 0, (second.output, second.exception)
    assert second.output == first.output
    assert written(app) == counts
    return second.output


def pieces_of(html: str) -> dict[str, str]:
    """{code: what its entry of Mes justificatifs says}, as a person reads it."""
    starts = [(m.start(), m.group(1)) for m in re.finditer(r'<li[^>]* id="piece-([A-Z0-9]+)"',
                                                           html)]
    entries = {}
    for (start, code), (end, _) in zip(starts, starts[1:] + [(len(html), "")]):
        plain = re.sub(r"<[^>]+>", " ", html[start:end])
        entries[code] = re.sub(r"\s+", " ", html_lib.unescape(plain)).strip()
    return entries


def test_demo_data_is_idempotent_and_complete(app, db):
    output = demo_data_twice(app)
    assert f"mot de passe : {DEMO_PASSWORD}" in output
    assert DEMO_EMAIL in output and DRAFT_EMAIL in output
    counts = written(app)
    assert (counts["Account"], counts["Candidature"], counts["Document"]) == (2, 2, 3)
    assert counts["PieceFile"] == 3 and counts["OutgoingMail"] == 2

    assert [e.code for e in Exam.select()] == ["BCP", "CAP", "BP", "CS", "MC"]
    bac_pro = Specialty.select().join(Exam).where(Exam.code == "BCP")
    assert bac_pro.count() >= 15
    assert {s.sector for s in bac_pro} == {"production", "services"}
    for code in ("CAP", "BP", "CS", "MC"):
        assert Specialty.select().join(Exam).where(Exam.code == code).count() >= 3


def test_the_demo_candidate_sees_a_registered_candidature_its_documents_and_pieces(app, client,
                                                                                  db):
    demo_data_twice(app)
    assert client.login(DEMO_EMAIL, DEMO_PASSWORD).status_code == 303

    mine = text(client.get("/mes-inscriptions"))
    assert "Baccalauréat professionnel – session" in mine
    assert "Maintenance des véhicules – option A : voitures particulières" in mine
    assert "Statut : Inscrite – version 1" in mine
    assert re.search(r"N° inscription : \d{4}-\d\d-\d{6}", mine)
    candidature = Candidature.get(Candidature.numero_inscription.is_null(False))
    summary = text(client.get(f"/mes-inscriptions/{candidature.token}"))
    assert "Candidat justifiant de trois ans d'activité professionnelle" in summary
    assert "Dispensé (Baccalauréat général)" in summary
    assert "Apte : je choisis deux activités – Tennis de table, Demi fond" in summary

    documents = text(client.get("/mes-documents"))
    for label in ("Confirmation d'inscription", "Demande de pièces justificatives",
                  "Relance de pièces justificatives"):
        assert f"{label} version n°1" in documents
    for document in Document.select():
        download = client.get(f"/documents/{document.token}/pdf")
        assert download.status_code == 200 and download.data.startswith(b"%PDF-")

    board = client.get("/mes-justificatifs")
    assert board.status_code == 302  # one registered candidature: straight to its pieces
    page = client.get(board.headers["Location"]).get_data(as_text=True)
    pieces = pieces_of(page)
    assert list(pieces) == ["DCSTID01", "CINSIG01", "DIPLOM01", "ACTPRO01"]
    assert "Statut : Conforme" in pieces["DCSTID01"]
    assert "carte-identite.pdf" in pieces["DCSTID01"]
    assert "confirmation-signee.jpg" in pieces["CINSIG01"]  # deposited, not checked yet
    assert "Statut" not in pieces["CINSIG01"] and "Supprimer" in pieces["CINSIG01"]
    assert "Statut : Non conforme" in pieces["DIPLOM01"]
    assert "Information du gestionnaire : Pièce illisible : la photo est floue." in \
        pieces["DIPLOM01"]
    assert "Aucun fichier déposé." in pieces["ACTPRO01"]
    assert "Il vous reste 2 pièces à déposer en ligne" in text(
        client.get(board.headers["Location"]))

    mails = OutgoingMail.select().where(OutgoingMail.to_address == DEMO_EMAIL)
    subjects = [m.subject for m in mails.order_by(OutgoingMail.id)]
    assert subjects == ["Cyclades libre : votre inscription est enregistrée",
                        "Cyclades libre : un nouveau document est disponible"]


def test_the_second_demo_candidate_sees_a_draft_with_two_tabs_saved(app, client, db):
    demo_data_twice(app)
    assert client.login(DRAFT_EMAIL, DEMO_PASSWORD).status_code == 303
    mine = client.get("/mes-inscriptions")
    assert "Statut : En cours de saisie" in text(mine)
    resume = re.search(r'href="([^"]+)">Reprendre la saisie', mine.get_data(as_text=True))
    assert 'value="27 avenue de la République"' in client.get(resume.group(1)).get_data(
        as_text=True)
    token = resume.group(1).split("/")[2]
    informations = client.get(f"/inscription/{token}/informations").get_data(as_text=True)
    assert 'value="CNED"' in informations
    assert client.get(f"/inscription/{token}/qualification").status_code == 200  # the next tab
    assert "Vous n'avez encore aucun document" in text(client.get("/mes-documents"))


def test_demo_data_works_whatever_the_date(app, client, db):
    """The windows follow today: on the day the next session's windows come (1 September) the
    demo candidate is registered for that session, her pieces within its deposit window."""
    with time_machine.travel(datetime(2031, 9, 1, 5, 30), tick=True):
        result = app.test_cli_runner().invoke(args=["demo-data"])
        assert result.exit_code == 0, (result.output, result.exception)
        assert client.login(DEMO_EMAIL, DEMO_PASSWORD).status_code == 303
        mine = text(client.get("/mes-inscriptions"))
        assert "Baccalauréat professionnel – session 2032" in mine
        assert "Statut : Inscrite – version 1" in mine
        assert "Pièces justificatives : 2 à déposer au plus tard le" in mine


def test_seed_contacts_and_lists_are_loaded(app, db):
    app.test_cli_runner().invoke(args=["demo-data"])
    clermont = Academie.get(Academie.code == "clermont-ferrand")
    assert clermont.e4_languages == ["allemand", "anglais", "espagnol", "italien"]
    assert clermont.eps_activities == ["DANSE", "TENNIS DE TABLE", "DEMI FOND"]
    assert any(c.email == "ce.bacpro@ac-clermont.fr" for c in clermont.contacts)
    lille = Academie.get(Academie.code == "lille")
    assert {c.person for c in lille.contacts} == {"Mme PESTEL", "Mme DELADERIERE", "Mme BOUTILLIER"}
    aix = Academie.get(Academie.code == "aix-marseille")
    assert aix.amenagement_url == "https://appli.ac-aix-marseille.fr/amex/"


def test_seed_windows_are_stored_in_utc(app, db):
    app.test_cli_runner().invoke(args=["demo-data"])
    from datetime import datetime
    nice_bcp = (Window.select().join(Academie).switch(Window).join(Exam)
                .where((Academie.code == "nice") & (Exam.code == "BCP")
                       & (Window.kind == "inscription") & (Window.opens_at < datetime(2025, 1, 1)))
                .get())
    assert nice_bcp.opens_at == datetime(2024, 11, 4, 14, 0)  # 15 h in Nice, winter time
    assert nice_bcp.closes_at == datetime(2024, 12, 3, 16, 0)


def test_help_page_shows_every_academie_contact(app, client, db):
    app.test_cli_runner().invoke(args=["demo-data"])
    from tests.conftest import text
    page = text(client.get("/aide"))
    assert "ce.bacpro@ac-clermont.fr" in page and "03 28 37 15 25" in page
    assert "courriers indésirables (spams)" in page


def test_load_reference_gives_every_specialty_its_units_and_the_dispense_table(app, db):
    from cyclades.models import Diploma, Unit

    output = app.test_cli_runner().invoke(args=["load-reference"]).output
    assert "académies : 34" in output
    assert Window.select().count() == 0  # reference only: no demo windows
    for specialty in Specialty.select():
        assert specialty.unit_list(), specialty.code
    mcv = Specialty.select().join(Exam).where((Exam.code == "BCP") & (Specialty.code == "MCV")).get()
    csr = Specialty.select().join(Exam).where((Exam.code == "BCP") & (Specialty.code == "CSR")).get()
    assert "U42" in {u["unit"] for u in mcv.unit_list()}
    assert csr.single_language and "U42" not in {u["unit"] for u in csr.unit_list()}
    general = Diploma.get(Diploma.code == "bac_general")
    assert general.subjects["francais"] == "oui"
    assert Diploma.get(Diploma.code == "bp:electricien").bac_pro == "MELEC"
    assert Unit.select().where(Unit.coefficient.is_null()).count() > 0  # règlement not given


def test_editing_the_tables_and_loading_again_updates_the_rows(app, db):
    from cyclades import demo
    from cyclades.domain import acquis, epreuves
    from cyclades.models import Diploma

    app.test_cli_runner().invoke(args=["load-reference"])
    grids = epreuves.shipped_grids()
    grids["specialites"] = {"BCP": {"MELEC": {"U2": {"coefficient": 5}}}}
    demo.load_units(grids)
    melec = Specialty.get(Specialty.code == "MELEC")
    assert {u["unit"]: u["coefficient"] for u in melec.unit_list()}["U2"] == 5
    table = acquis.shipped_table()
    table["bp_vers_bac_pro"] = table["bp_vers_bac_pro"][:1]
    demo.load_diplomas(table)
    assert not Diploma.select().where(Diploma.code == "bp:electricien").exists()
    assert Diploma.get(Diploma.code == "bp:froid").units == ["U2"]
