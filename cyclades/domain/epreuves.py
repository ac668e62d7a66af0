"""The épreuves and units a candidature registers for (R26), and their status this session
(R25: inscrit, bénéfice, dispensé). The units come from the grids (grilles.toml), copied per
specialty into the database by load-reference."""
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


def shipped_grids() -> dict:
    """grilles.toml as shipped: what load-reference copies into the database."""
    return tomllib.loads(resources.files("cyclades.data").joinpath("grilles.toml").read_text("utf-8"))


def grid_units(grids: dict, exam_code: str, specialty_code: str, sector: str,
               single_language: bool = False) -> list[dict]:
    """The units of one specialty from the grids: its exam's grid (for the Bac Pro, its sector's:
    production → industriel, services → tertiaire), a tertiary Bac Pro with a single language
    (cuisine, CSR: R26) without its LVB unit, the specialty's own titles and coefficients, then
    the exam's optional units. Each unit: epreuve, unit, title, coefficient (None when the
    règlement is not given), kind, subject (for dispenses), role, optional."""
    from cyclades.domain.languages import needs_lvb

    table = grids.get(exam_code, {})
    if "units" not in table:
        table = {**table, **table.get("tertiaire" if sector == "services" else "industriel", {})}
    units = [{"coefficient": None, "subject": "", "role": "", "optional": False, **unit}
             for unit in table.get("units", [])]
    if not needs_lvb(sector, single_language, exam_code):
        units = [u for u in units if u["subject"] != "lv2"]
    own = grids.get("specialites", {}).get(exam_code, {}).get(specialty_code, {})
    units = [{**u, **own.get(u["unit"], {})} for u in units]
    optional_units = grids.get(exam_code, {}).get("facultatives", {}).get("units", [])
    return units + [{"coefficient": None, "subject": "", "role": "", **u, "optional": True}
                    for u in optional_units]


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
