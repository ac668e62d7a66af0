"""The exam rules of R25–R28 as plain functions: table-driven cases, then properties that must
hold for any combination (Hypothesis)."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cyclades.domain import acquis, epreuves, eps, languages
from cyclades.domain.languages import LanguageChoice

E4 = ["allemand", "anglais", "espagnol", "italien"]  # Clermont-Ferrand (seed 003)
LVF = ["allemand", "anglais", "espagnol", "portugais", "italien", "LSF langue des signes"]
ACTIVITIES = ["DANSE", "TENNIS DE TABLE", "DEMI FOND"]
ADAPTED = ["800 mètres marche", "natation 250 mètres"]
SINGLE_LANGUAGE = {"CUIS", "CSR"}  # examens.toml: single_language (test_single_language_…)
GRIDS = epreuves.shipped_grids()
DIPLOMAS = acquis.diplomas_from(acquis.shipped_table())


# --- Languages (R26, R28) -----------------------------------------------------------------------

@pytest.mark.parametrize("sector, specialty, lva, lvb, lvf, expected", [
    ("production", "MELEC", "anglais", "", "", set()),
    ("production", "MELEC", "", "", "", {"lva"}),
    ("production", "MELEC", "chinois", "", "", {"lva"}),
    ("production", "MELEC", "anglais", "espagnol", "", {"lvb"}),  # no LVB in industry
    ("production", "MELEC", "anglais", "", "anglais", {"lvf"}),
    ("production", "MELEC", "anglais", "", "portugais", set()),
    ("services", "MCV", "anglais", "espagnol", "", set()),
    ("services", "MCV", "anglais", "", "", {"lvb"}),
    ("services", "MCV", "anglais", "anglais", "", {"lvb"}),
    ("services", "MCV", "anglais", "espagnol", "espagnol", {"lvf"}),
    ("services", "MCV", "anglais", "espagnol", "anglais", {"lvf"}),
    ("services", "MCV", "anglais", "espagnol", "LSF langue des signes", set()),
    ("services", "MCV", "anglais", "portugais", "", {"lvb"}),  # portugais is LVF only
    ("services", "CUIS", "anglais", "", "", set()),  # cuisine: one language
    ("services", "CSR", "anglais", "", "espagnol", set()),
    ("services", "CSR", "anglais", "espagnol", "", {"lvb"}),
])
def test_language_rules(sector, specialty, lva, lvb, lvf, expected):
    found = languages.problems(LanguageChoice(lva, lvb, lvf),
                               lvb_needed=languages.needs_lvb(sector, specialty in SINGLE_LANGUAGE),
                               e4_languages=E4, lvf_languages=LVF)
    assert set(found) == expected


def test_only_bac_pro_tertiary_specialties_have_an_lvb():
    assert languages.needs_lvb("services")
    assert not languages.needs_lvb("services", single_language=True)
    assert not languages.needs_lvb("production")
    assert not languages.needs_lvb("services", exam_code="CAP")


def test_cuisine_and_csr_are_the_single_language_bac_pro():
    import tomllib
    from importlib import resources
    exams = tomllib.loads(resources.files("cyclades.data").joinpath("examens.toml")
                          .read_text("utf-8"))["examen"]
    single = {(exam["code"], s["code"]) for exam in exams for s in exam["specialite"]
              if s.get("single_language")}
    assert single == {("BCP", "CUIS"), ("BCP", "CSR")}


def test_a_chosen_language_disappears_from_the_other_lists():
    choice = LanguageChoice("anglais", "espagnol")
    common = {"e4_languages": E4, "lvf_languages": LVF, "lvb_needed": True}
    assert "anglais" not in languages.options("lvb", choice, **common)
    assert not {"anglais", "espagnol"} & set(languages.options("lvf", choice, **common))
    industrial = {**common, "lvb_needed": False}
    assert "espagnol" in languages.options("lvf", LanguageChoice("anglais"), **industrial)


language = st.sampled_from(["", *E4, "portugais", "LSF langue des signes", "chinois"])
specialty = st.sampled_from([("production", "MELEC"), ("services", "MCV"), ("services", "CUIS")])


@settings(max_examples=300)
@given(specialty, language, language, language)
def test_any_accepted_language_choice_satisfies_every_constraint(spec, lva, lvb, lvf):
    sector, code = spec
    choice = LanguageChoice(lva, lvb, lvf)
    lvb_needed = languages.needs_lvb(sector, code in SINGLE_LANGUAGE)
    found = languages.problems(choice, lvb_needed=lvb_needed, e4_languages=E4, lvf_languages=LVF)
    if not found:
        assert lva in E4
        if lvb_needed:
            assert lvb in E4 and lvb != lva
            assert not lvf or (lvf in LVF and lvf not in {lva, lvb})
        else:
            assert lvb == ""
            assert not lvf or (lvf in LVF and lvf != lva)
    else:
        assert all(isinstance(message, str) and message for message in found.values())


# --- EPS (R27) ----------------------------------------------------------------------------------

@pytest.mark.parametrize("choice, handicap, experience, expected", [
    (eps.EpsChoice(eps.APTE, ("DANSE", "DEMI FOND")), False, False, set()),
    (eps.EpsChoice(eps.APTE, ("DANSE",)), False, False, {"activities"}),
    (eps.EpsChoice(eps.APTE, ("DANSE", "DANSE")), False, False, {"activities"}),
    (eps.EpsChoice(eps.APTE, ("DANSE", "TENNIS DE TABLE", "DEMI FOND")), False, False,
     {"activities"}),
    (eps.EpsChoice(eps.APTE, ("DANSE", "RUGBY")), False, False, {"activities"}),
    (eps.EpsChoice(eps.INAPTE), False, False, set()),
    (eps.EpsChoice(eps.DISPENSE), False, True, set()),
    (eps.EpsChoice(eps.DISPENSE), False, False, {"mode"}),
    (eps.EpsChoice(eps.ADAPTEE, adapted_activity="natation 250 mètres"), True, False, set()),
    (eps.EpsChoice(eps.ADAPTEE, adapted_activity="natation 250 mètres", medical_grounds=True),
     False, False, set()),
    (eps.EpsChoice(eps.ADAPTEE, adapted_activity="natation 250 mètres"), False, False, {"mode"}),
    (eps.EpsChoice(eps.ADAPTEE, adapted_activity="escalade"), True, False, {"adapted_activity"}),
    (eps.EpsChoice(""), False, False, {"mode"}),
])
def test_eps_rules(choice, handicap, experience, expected):
    found = eps.problems(choice, activities=ACTIVITIES, adapted_activities=ADAPTED,
                         handicap=handicap, professional_experience=experience)
    assert set(found) == expected


def test_eps_pieces_and_modes():
    assert eps.required_pieces(eps.EpsChoice(eps.INAPTE)) == ["certificat_medical"]
    assert eps.required_pieces(eps.EpsChoice(eps.ADAPTEE)) == ["certificat_medical"]
    assert eps.required_pieces(eps.EpsChoice(eps.DISPENSE)) == \
        ["justificatif_activite_professionnelle"]
    assert eps.DISPENSE not in eps.allowed_modes(handicap=False, professional_experience=False)


@settings(max_examples=300)
@given(st.sampled_from(["", eps.APTE, eps.INAPTE, eps.DISPENSE, eps.ADAPTEE, "AUTRE"]),
       st.lists(st.sampled_from(ACTIVITIES + ["RUGBY"]), max_size=4).map(tuple),
       st.sampled_from(ADAPTED + ["", "escalade"]), st.booleans(), st.booleans(), st.booleans())
def test_any_accepted_eps_choice_satisfies_every_constraint(mode, acts, adapted, medical,
                                                            handicap, experience):
    choice = eps.EpsChoice(mode, acts, adapted, medical)
    found = eps.problems(choice, activities=ACTIVITIES, adapted_activities=ADAPTED,
                         handicap=handicap, professional_experience=experience)
    if not found:
        assert mode in (eps.APTE, eps.INAPTE, eps.DISPENSE, eps.ADAPTEE)
        if mode == eps.APTE:
            assert len(set(acts)) == 2 == len(acts) and set(acts) <= set(ACTIVITIES)
        if mode == eps.DISPENSE:
            assert experience
        if mode == eps.ADAPTEE:
            assert (handicap or medical) and adapted in ADAPTED


# --- Acquis (R25) -------------------------------------------------------------------------------

UNITS = {"U11", "U12", "U13", "U2", "U31", "U32", "U33", "U34", "U35", "U4", "U51", "U52", "U6",
         "U7"}
SUBJECTS = {"U4": "lv1", "U51": "francais", "U52": "histoire_geo", "U6": "arts", "U7": "eps",
            "U35": "pse", "U12": "maths", "U34": "economie_gestion", "U13": "sciences_physiques"}


@pytest.mark.parametrize("item, expected", [
    (acquis.Acquired("U51", acquis.BENEFICE, 12, 2024), None),
    (acquis.Acquired("U51", acquis.BENEFICE, 10, 2022), None),  # 2022 + 5 = 2027: still valid
    (acquis.Acquired("U51", acquis.BENEFICE, 9.5, 2024), "au moins 10"),
    (acquis.Acquired("U51", acquis.BENEFICE, 21, 2024), "au moins 10"),
    (acquis.Acquired("U51", acquis.BENEFICE, 14, 2021), "n'est plus valable"),
    (acquis.Acquired("U51", acquis.BENEFICE, 14, 2027), "antérieure"),
    (acquis.Acquired("U51", acquis.BENEFICE, 14, None), "antérieure"),
    (acquis.Acquired("U99", acquis.BENEFICE, 14, 2024), "ne fait pas partie"),
    (acquis.Acquired("U31", acquis.AJOURNEMENT, session=2023), None),
    (acquis.Acquired("U31", acquis.AJOURNEMENT, session=2020), "n'est plus valable"),
    (acquis.Acquired("U32", acquis.VAE, session=2025), None),
    (acquis.Acquired("U32", acquis.VAE, session=2019), "n'est plus valable"),
])
def test_benefices_and_time_limited_dispenses(item, expected):
    found = acquis.problems([item], session=2027, units=UNITS)
    if expected is None:
        assert found == {}
    else:
        assert expected in found[item.unit]


def test_expired_acquis_says_until_when_it_was_valid():
    item = acquis.Acquired("U51", acquis.BENEFICE, 14, 2021)
    message = acquis.problems([item], session=2027, units=UNITS)["U51"]
    assert message % acquis.message_values(item) == (
        "Obtenue à la session 2021, elle n'est plus valable : sa validité de 5 ans a pris fin "
        "avec la session 2026.")


def test_diploma_dispenses_follow_the_table():
    general = acquis.dispensed_units(DIPLOMAS["bac_general"], SUBJECTS)
    assert general["U51"] == "oui" and general["U7"] == "oui" and "U34" not in general
    pro = acquis.dispensed_units(DIPLOMAS["bac_professionnel"], SUBJECTS)
    assert pro["U34"] == "si_unite" and pro["U13"] == "si_unite"
    ok = [acquis.Acquired("U51", acquis.DIPLOME), acquis.Acquired("U34", acquis.DIPLOME,
                                                                   had_unit=True)]
    assert acquis.problems(ok, session=2027, units=UNITS, dispensable=pro) == {}
    unconfirmed = [acquis.Acquired("U34", acquis.DIPLOME)]
    assert "confirmez" in acquis.problems(unconfirmed, session=2027, units=UNITS,
                                          dispensable=pro)["U34"]
    not_dispensed = [acquis.Acquired("U31", acquis.DIPLOME)]
    assert "ne dispense pas" in acquis.problems(not_dispensed, session=2027, units=UNITS,
                                                dispensable=general)["U31"]


def test_after_failing_another_specialty_only_common_units_are_dispensed():
    common = acquis.common_units(SUBJECTS)
    assert "U51" in common and "U31" not in common
    items = [acquis.Acquired("U51", acquis.AJOURNEMENT, session=2024),
             acquis.Acquired("U31", acquis.AJOURNEMENT, session=2024)]
    found = acquis.problems(items, session=2027, units=UNITS, common=common)
    assert list(found) == ["U31"] and "communes aux deux spécialités" in found["U31"]


def test_the_same_unit_cannot_be_declared_twice():
    items = [acquis.Acquired("U51", acquis.BENEFICE, 12, 2024),
             acquis.Acquired("U51", acquis.VAE, session=2025)]
    assert "qu'une fois" in acquis.problems(items, session=2027, units=UNITS)["U51"]


def test_each_acquis_asks_for_its_proof():
    assert acquis.required_pieces([]) == []
    assert acquis.required_pieces([acquis.Acquired("U51", acquis.BENEFICE, 12, 2024),
                                   acquis.Acquired("U6", acquis.DIPLOME)]) == \
        ["releve_de_notes", "diplome"]


def test_bp_dispenses_of_bac_pro_units_are_shipped():
    assert {d["bac_pro"] for d in DIPLOMAS.values()} == {"", "TFCA", "TMA", "TCB", "MELEC"}


@settings(max_examples=400)
@given(st.lists(st.builds(
    acquis.Acquired,
    unit=st.sampled_from(sorted(UNITS) + ["U99"]),
    kind=st.sampled_from([acquis.BENEFICE, acquis.AJOURNEMENT, acquis.VAE, acquis.DIPLOME]),
    mark=st.one_of(st.none(), st.floats(min_value=0, max_value=25, allow_nan=False)),
    session=st.one_of(st.none(), st.integers(min_value=2015, max_value=2030)),
    had_unit=st.booleans()), max_size=5))
def test_any_accepted_set_of_acquis_satisfies_every_constraint(items):
    dispensable = acquis.dispensed_units(DIPLOMAS["bac_professionnel"], SUBJECTS)
    found = acquis.problems(items, session=2027, units=UNITS, dispensable=dispensable)
    if not found:
        assert len({i.unit for i in items}) == len(items)
        for item in items:
            assert item.unit in UNITS
            if item.kind == acquis.BENEFICE:
                assert 10 <= item.mark <= 20
            if item.kind in (acquis.BENEFICE, acquis.AJOURNEMENT, acquis.VAE):
                assert item.session < 2027 and item.session + 5 >= 2027
            if item.kind == acquis.DIPLOME:
                assert item.unit in dispensable
                assert dispensable[item.unit] == "oui" or item.had_unit
    else:
        assert all(isinstance(m, str) and m for m in found.values())


# --- The units (the grids) ----------------------------------------------------------------------

def bac_pro(code, sector, single_language=False):
    return epreuves.grid_units(GRIDS, "BCP", code, sector, single_language)


def test_every_bac_pro_grid_has_e1_to_e7_and_unique_units():
    for units in (bac_pro("MELEC", "production"), bac_pro("MCV", "services"),
                  bac_pro("CUIS", "services", True)):
        obligatory = [u for u in units if not u["optional"]]
        assert {u["epreuve"] for u in obligatory} == {f"E{n}" for n in range(1, 8)}
        assert len({u["unit"] for u in units}) == len(units)
        assert all(u["coefficient"] > 0 for u in obligatory)


def test_single_language_tertiary_specialties_have_no_lvb_unit():
    assert "U42" in {u["unit"] for u in bac_pro("MCV", "services")}
    assert "U42" not in {u["unit"] for u in bac_pro("CSR", "services", True)}


@pytest.mark.parametrize("exam, general", [
    ("CAP", {"UG1": 3, "UG2": 2, "UG3": 1, "UG4": 1, "UG5": 1}),
    ("BP", {"U40": 3, "U50": 1}),
    ("CS", {}),
    ("MC", {}),
])
def test_other_exams_have_their_units(exam, general):
    units = epreuves.grid_units(GRIDS, exam, "X", "production")
    assert units and len({u["unit"] for u in units}) == len(units)
    assert {u["unit"]: u["coefficient"] for u in units if u["coefficient"]} == general
    assert all(u["title"] and u["kind"] in epreuves.KIND_LABELS for u in units)


def test_a_specialty_gets_its_own_titles_and_coefficients():
    grids = {**GRIDS, "specialites": {"BCP": {"MELEC": {"U2": {"title": "Préparation d'une "
                                                              "opération", "coefficient": 5}}}}}
    own = {u["unit"]: u for u in epreuves.grid_units(grids, "BCP", "MELEC", "production")}
    assert own["U2"]["title"] == "Préparation d'une opération" and own["U2"]["coefficient"] == 5
    other = {u["unit"]: u for u in epreuves.grid_units(grids, "BCP", "TCI", "production")}
    assert other["U2"]["coefficient"] == 3


def test_the_grids_answer_the_dispense_table():
    subjects = set(acquis.shipped_table()["subjects"])
    for exam, sector in (("BCP", "production"), ("BCP", "services"), ("CAP", ""), ("BP", "")):
        mapping = epreuves.unit_subjects(epreuves.grid_units(GRIDS, exam, "X", sector))
        assert set(mapping.values()) <= subjects
    general = acquis.dispensed_units(DIPLOMAS["bac_general"], epreuves.unit_subjects(
        bac_pro("X", "services")))
    assert {"U51", "U52", "U6", "U7"} <= set(general)


def test_bp_dispenses_only_for_the_matching_bac_pro():
    tma = acquis.diploma_labels(DIPLOMAS, "TMA")
    assert "Brevet professionnel Menuisier" in tma.values()
    assert not any(label.startswith("Brevet professionnel")
                   for label in acquis.diploma_labels(DIPLOMAS, "MCV").values())
    assert acquis.diploma_dispenses(DIPLOMAS, "bp:froid", {}, {"U2", "U31"}, "TFCA") == \
        {"U2": "oui"}
    assert acquis.diploma_dispenses(DIPLOMAS, "bp:froid", {}, {"U2", "U31"}, "MELEC") == {}
    assert acquis.diploma_dispenses(DIPLOMAS, "bp:inconnu", {}, {"U2"}, "TFCA") == {}


def test_only_the_bac_pro_offers_the_dispense_table_and_ajournement():
    assert acquis.kinds_for("BCP", True) == acquis.KINDS
    assert acquis.kinds_for("CAP", True) == (acquis.AUCUN, acquis.BENEFICE, acquis.VAE)
    assert acquis.kinds_for("BCP", False) == (acquis.AUCUN,)
