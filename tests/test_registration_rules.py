"""The registration rules as plain Python: residence (R20), steps (R22), forme (R23), states."""
import pytest

from cyclades.domain import candidature as rules
from cyclades.domain.residence import academie_of, departement, departement_table


@pytest.mark.parametrize("postal_code, academie", [
    ("63000", "clermont-ferrand"), ("03100", "clermont-ferrand"), ("13001", "aix-marseille"),
    ("06000", "nice"), ("83000", "nice"), ("59000", "lille"), ("62200", "lille"),
    ("75015", "paris"), ("93200", "creteil"), ("92100", "versailles"), ("20000", "corse"),
    ("20200", "corse"), ("97110", "guadeloupe"), ("97133", "guadeloupe"), ("97200", "martinique"),
    ("97300", "guyane"), ("97400", "la-reunion"), ("97600", "mayotte"),
    ("98800", "nouvelle-caledonie"), ("98714", "polynesie-francaise"),
    ("97500", "saint-pierre-et-miquelon"), ("14000", "normandie"), ("76000", "normandie"),
    ("90000", "besancon"), ("2B000", None), ("6300", None), ("", None), ("00000", None),
    ("98000", None),  # Monaco is not French
])
def test_postal_code_gives_the_academie_of_residence(postal_code, academie):
    assert academie_of(postal_code) == academie


def test_every_metropolitan_and_overseas_departement_is_mapped():
    table = departement_table()
    metropolitan = {f"{n:02d}" for n in range(1, 96) if n != 20} | {"2A", "2B"}
    overseas = {"971", "972", "973", "974", "975", "976", "986", "987", "988"}
    assert metropolitan | overseas == set(table)
    assert departement("20190") == "2A" and departement("20290") == "2B"


def test_every_mapped_academie_exists_in_the_reference_data():
    import tomllib
    from importlib import resources
    text = resources.files("cyclades.data").joinpath("academies.toml").read_text("utf-8")
    codes = {a["code"] for a in tomllib.loads(text)["academie"]}
    assert set(departement_table().values()) <= codes


@pytest.mark.parametrize("state, action, window_open, complete, expected", [
    (rules.BROUILLON, "enregistrer", True, True, rules.INSCRITE),
    (rules.INSCRITE, "modifier", True, True, rules.INSCRITE),
    (rules.INSCRITE, "enregistrer", True, True, rules.INSCRITE),
    (rules.BROUILLON, "desinscrire", True, True, rules.DESINSCRITE),
    (rules.INSCRITE, "desinscrire", False, True, rules.DESINSCRITE),
    (rules.BROUILLON, "enregistrer", False, True, "close"),
    (rules.INSCRITE, "modifier", False, True, "close"),
    (rules.BROUILLON, "enregistrer", True, False, "Toutes les étapes"),
    (rules.DESINSCRITE, "modifier", True, True, "ne peut pas être réactivée"),
    (rules.DESINSCRITE, "enregistrer", True, True, "ne peut pas être réactivée"),
    (rules.BROUILLON, "modifier", True, True, "pas possible"),
])
def test_transitions(state, action, window_open, complete, expected):
    if expected in (rules.INSCRITE, rules.DESINSCRITE):
        assert rules.next_state(state, action, window_open=window_open, complete=complete) == expected
    else:
        with pytest.raises(rules.TransitionRefused) as refused:
            rules.next_state(state, action, window_open=window_open, complete=complete)
        assert expected in refused.value.reason


def test_steps_are_filled_in_order():
    draft = {"identification": {}, "informations": {}}
    assert rules.first_incomplete(draft) == "qualification"
    assert rules.reachable("qualification", draft)
    assert not rules.reachable("acquis", draft)
    assert not rules.is_complete(draft)
    full = {slug: {} for slug in rules.FORM_STEPS}
    assert rules.first_incomplete(full) == "recapitulatif" and rules.is_complete(full)


@pytest.mark.parametrize("forme, failed, previous, refused", [
    ("GLOBALE", False, None, False),
    ("PROGRESSIVE", True, "PROGRESSIVE", False),
    ("GLOBALE", True, "PROGRESSIVE", True),
    ("PROGRESSIVE", True, "GLOBALE", True),
])
def test_a_candidate_who_failed_keeps_the_same_forme(forme, failed, previous, refused):
    assert (rules.forme_passage_problem(forme, failed, previous) is not None) is refused
