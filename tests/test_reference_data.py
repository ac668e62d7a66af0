"""Demo and reference data: idempotent, complete, faithful to the seeds."""
from cyclades.models import Academie, Exam, ServiceContact, Specialty, Window


def test_demo_data_is_idempotent_and_complete(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo-data"]).output
    counts = (Academie.select().count(), Specialty.select().count(), Window.select().count(),
              ServiceContact.select().count())
    second = runner.invoke(args=["demo-data"]).output
    assert first == second
    assert counts == (Academie.select().count(), Specialty.select().count(),
                      Window.select().count(), ServiceContact.select().count())

    assert [e.code for e in Exam.select()] == ["BCP", "CAP", "BP", "CS", "MC"]
    bac_pro = Specialty.select().join(Exam).where(Exam.code == "BCP")
    assert bac_pro.count() >= 15
    assert {s.sector for s in bac_pro} == {"production", "services"}
    for code in ("CAP", "BP", "CS", "MC"):
        assert Specialty.select().join(Exam).where(Exam.code == code).count() >= 3


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
