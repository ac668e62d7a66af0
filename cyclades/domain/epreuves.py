"""The épreuves a candidature registers for (R26). For now, every obligatory épreuve of the exam
is « Inscrit »; bénéfices, dispenses and choices come with the Acquis and Epreuves rules."""
import tomllib
from functools import lru_cache
from importlib import resources

from cyclades.domain import N_

KIND_LABELS = {"ecrite": N_("Écrite"), "orale": N_("Orale"), "pratique": N_("Pratique"),
               "ecrite et orale": N_("Écrite et orale")}


@lru_cache(maxsize=1)
def _table() -> dict:
    text = resources.files("cyclades.data").joinpath("epreuves.toml").read_text("utf-8")
    return tomllib.loads(text)


@lru_cache(maxsize=1)
def _national() -> dict:
    text = resources.files("cyclades.data").joinpath("academies.toml").read_text("utf-8")
    return tomllib.loads(text).get("national", {})


def language_lists(e4_languages: list, lvf_languages: list) -> tuple[list, list]:
    """The académie's E4 and LVF lists, or the national ones where the académie gave none."""
    national = _national()
    return (list(e4_languages) or national.get("e4_languages", []),
            list(lvf_languages) or national.get("lvf_languages", []))


def optional(exam_code: str) -> list[dict]:
    """The optional épreuves of an exam (the LVF, the épreuve de contrôle)."""
    return [dict(e) for e in _table().get(f"{exam_code}_facultatives", {}).get("epreuves", [])]


def has_role(exam_code: str, role: str) -> bool:
    return any(e.get("role") == role for e in obligatory(exam_code) + optional(exam_code))


def obligatory(exam_code: str) -> list[dict]:
    """[{code, title, kind, status}] with status "inscrit" for each obligatory épreuve."""
    return [{**epreuve, "status": "inscrit"} for epreuve in _table().get(exam_code, {}).get("epreuves", [])]


@lru_cache(maxsize=1)
def _grids() -> dict:
    text = resources.files("cyclades.data").joinpath("grilles.toml").read_text("utf-8")
    return tomllib.loads(text)


def bac_pro_units(sector: str, specialty_code: str) -> list[dict]:
    """The units of a Bac Pro specialty: its sector's grid; a tertiary specialty with a single
    language (cuisine, CSR: R26) has no LVB unit. Each unit: epreuve, unit, title, coefficient,
    kind, subject (for dispenses), role, optional."""
    from cyclades.domain.languages import SINGLE_LANGUAGE_TERTIARY

    grid = _grids()["tertiaire" if sector == "services" else "industriel"]["units"]
    units = [dict(u) for u in grid]
    if sector == "services" and specialty_code in SINGLE_LANGUAGE_TERTIARY:
        units = [u for u in units if u.get("subject") != "lv2"]
    return units + [dict(u) for u in _grids()["facultatives"]["units"]]


def unit_subjects(units: list[dict]) -> dict[str, str]:
    """{unit: subject key} for the dispense table (acquis.dispensed_units)."""
    return {u["unit"]: u["subject"] for u in units if u.get("subject")}


def unit_label(unit: dict) -> str:
    """"U51" → "E51", "U7" → "E7": the épreuve code a candidate reads; optional units keep theirs."""
    code = unit["unit"]
    return "E" + code[1:] if code.startswith("U") else code


def statuses(units: list[dict], acquired: list[dict], labels: dict) -> list[dict]:
    """Each unit with its status for this session: inscrit, or dispensé / bénéfice from the
    acquis kept (R25). `labels`: {diploma code: label} for the dispense reason."""
    by_unit = {item["unit"]: item for item in acquired}
    result = []
    for unit in units:
        item = by_unit.get(unit["unit"])
        status = {"status": "inscrit"}
        if item:
            status = {"status": item["kind"], "mark": item.get("mark"),
                      "session": item.get("session"), "reason": labels.get(item.get("diploma"), "")}
        result.append({**unit, "label": unit_label(unit), **status})
    return result
