"""R50, R31: which pieces a candidature asks for, and why (table-driven, then a property)."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cyclades.domain import pieces

BASE = {"informations": {"handicap": "non", "type_candidature": "individuel"},
        "acquis": {"acquis": "aucun", "items": []},
        "epreuves": {"eps_mode": "APTE"}}


def answers(**changes):
    result = {key: dict(value) for key, value in BASE.items()}
    for key, value in changes.items():
        result[key].update(value)
    return result


@pytest.mark.parametrize("changes, r408, extra", [
    ({}, False, []),
    ({"informations": {"handicap": "oui", "notification_amenagement": "oui"}}, False,
     ["AMENAG01"]),
    ({"informations": {"handicap": "oui", "notification_amenagement": "non"}}, False, []),
    ({"acquis": {"items": [{"unit": "U51", "kind": "benefice"}]}}, False, ["RELNOT01"]),
    ({"acquis": {"items": [{"unit": "U51", "kind": "ajournement"}]}}, False, ["RELNOT01"]),
    ({"acquis": {"items": [{"unit": "U51", "kind": "diplome"}]}}, False, ["DIPLOM01"]),
    ({"acquis": {"items": [{"unit": "U31", "kind": "vae"}]}}, False, ["VAEDEC01"]),
    ({"epreuves": {"eps_mode": "INAPTE"}}, False, ["CERMED01"]),
    ({"epreuves": {"eps_mode": "ADAPTEE"}}, False, ["CERMED01"]),
    ({"epreuves": {"eps_mode": "DISPENSE"}}, False, ["ACTPRO01"]),
    ({"informations": {"type_candidature": "experience"}}, False, ["ACTPRO01"]),
    ({}, True, ["ATR40801"]),
])
def test_each_answer_asks_for_its_piece(changes, r408, extra):
    codes = [p.code for p in pieces.required(answers(**changes), requires_r408=r408)]
    assert codes == ["DCSTID01", "CINSIG01"] + extra


def test_every_piece_says_why_and_the_r408_one_has_its_own_deadline():
    for piece in pieces.ALL:
        assert piece.group and piece.label and piece.why and piece.mode == pieces.ONLINE
    assert pieces.ATTESTATION_R408.deadline == pieces.R408
    assert {p.deadline for p in pieces.ALL if p is not pieces.ATTESTATION_R408} == {pieces.DEPOT}


@given(st.sampled_from(["oui", "non"]), st.sampled_from(["oui", "non", ""]),
       st.sampled_from(["individuel", "experience", "distance"]),
       st.lists(st.sampled_from(["benefice", "diplome", "ajournement", "vae"]), max_size=3),
       st.sampled_from(["APTE", "INAPTE", "DISPENSE", "ADAPTEE", ""]), st.booleans())
def test_the_list_never_repeats_a_piece_and_always_starts_with_the_two(
        handicap, notification, kind, acquired, eps_mode, r408):
    found = pieces.required({
        "informations": {"handicap": handicap, "notification_amenagement": notification,
                         "type_candidature": kind},
        "acquis": {"items": [{"unit": f"U{n}", "kind": k} for n, k in enumerate(acquired)]},
        "epreuves": {"eps_mode": eps_mode}}, requires_r408=r408)
    codes = [p.code for p in found]
    assert codes[:2] == ["DCSTID01", "CINSIG01"] and len(set(codes)) == len(codes)
    assert ("CERMED01" in codes) == (eps_mode in ("INAPTE", "ADAPTEE"))
    assert ("ATR40801" in codes) == r408
