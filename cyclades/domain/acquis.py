"""R25: bénéfices de notes and dispenses d'épreuves — what a candidate may keep, and until when.

A bénéfice keeps, at the candidate's request, a mark of at least 10/20 obtained in a previous
session, for 5 years. A dispense neutralises a unit: for a diploma held (the table of
cyclades/data/dispenses.toml, * cases only if the diploma had the unit), after failing another
Bac Pro specialty (5 years), or after a VAE (5 years). A mark or dispense not kept is lost for
good. Each acquis asks for a diploma or a relevé de notes among the pieces.
"""
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from cyclades.domain import N_

AUCUN, BENEFICE, DIPLOME, AJOURNEMENT, VAE = "aucun", "benefice", "diplome", "ajournement", "vae"
KINDS = (AUCUN, BENEFICE, DIPLOME, AJOURNEMENT, VAE)
VALIDITY_YEARS = 5

KIND_LABELS = {
    AUCUN: N_("Aucun acquis"),
    BENEFICE: N_("Bénéfice de notes obtenues lors d'une session précédente (note d'au moins 10/20)"),
    DIPLOME: N_("Dispense d'épreuves au titre d'un diplôme que je possède déjà"),
    AJOURNEMENT: N_("Dispense d'épreuves après un échec à une autre spécialité du baccalauréat "
                    "professionnel"),
    VAE: N_("Dispense d'épreuves obtenue par la validation des acquis de l'expérience (VAE)"),
}

WARNING = N_("ATTENTION : toute note ou dispense non conservée est définitivement perdue.")


@lru_cache(maxsize=1)
def dispense_table() -> dict:
    text = resources.files("cyclades.data").joinpath("dispenses.toml").read_text("utf-8")
    return tomllib.loads(text)


@dataclass(frozen=True)
class Acquired:
    """One unit kept: by a bénéfice (mark, session) or a dispense (kind, session obtained)."""
    unit: str
    kind: str
    mark: float | None = None
    session: int | None = None  #: year of the session the mark or dispense was obtained
    had_unit: bool = False  #: for a * dispense: the diploma held had this unit


def valid_until(session: int) -> int:
    """The last session a mark or dispense obtained at `session` can be used for."""
    return session + VALIDITY_YEARS


def problems(items: list[Acquired], *, session: int, units: set[str],
             dispensable: dict[str, str] | None = None) -> dict[str, str]:
    """{unit: message} for each acquis that cannot be kept for `session`.

    `units`: the units of the candidate's specialty. `dispensable`: for DIPLOME, {unit: "oui" or
    "si_unite"} from dispensed_units()."""
    found = {}
    seen = set()
    for item in items:
        if item.unit not in units:
            found[item.unit] = N_("Cette épreuve ne fait pas partie de votre spécialité.")
            continue
        if item.unit in seen:
            found[item.unit] = N_("Une même épreuve ne peut être déclarée qu'une fois.")
            continue
        seen.add(item.unit)
        if item.kind == BENEFICE:
            if item.mark is None or not 10 <= item.mark <= 20:
                found[item.unit] = N_("Un bénéfice ne concerne qu'une note d'au moins 10 et "
                                      "d'au plus 20 sur 20.")
                continue
        if item.kind in (BENEFICE, AJOURNEMENT, VAE):
            if item.session is None or item.session >= session:
                found[item.unit] = N_("Indiquez la session, antérieure à celle-ci, où vous "
                                      "l'avez obtenue.")
            elif valid_until(item.session) < session:
                found[item.unit] = N_("Obtenue à la session %(obtained)s, elle n'est plus "
                                      "valable : sa validité de 5 ans a pris fin avec la "
                                      "session %(last)s.")
        if item.kind == DIPLOME:
            rule = (dispensable or {}).get(item.unit)
            if rule is None:
                found[item.unit] = N_("Le diplôme déclaré ne dispense pas de cette épreuve.")
            elif rule == "si_unite" and not item.had_unit:
                found[item.unit] = N_("Cette dispense n'est accordée que si votre diplôme "
                                      "comportait cette épreuve : confirmez-le.")
    return found


def message_values(item: Acquired) -> dict:
    """Values for the placeholders of the messages above."""
    return {"obtained": item.session, "last": valid_until(item.session) if item.session else ""}


def dispensed_units(diploma: str, unit_subjects: dict[str, str]) -> dict[str, str]:
    """{unit: "oui" | "si_unite"} a diploma dispenses, given {unit: subject key} of the specialty."""
    subjects = dispense_table()["diplomes"].get(diploma, {}).get("subjects", {})
    return {unit: subjects[subject] for unit, subject in unit_subjects.items() if subject in subjects}


def bp_diplomas(specialty_code: str) -> dict[str, str]:
    """{"bp:<n>": label} of the brevets professionnels that dispense units of this Bac Pro."""
    rows = dispense_table().get("bp_vers_bac_pro", [])
    return {f"bp:{n}": f"Brevet professionnel {row['bp']}" for n, row in enumerate(rows)
            if row["bac_pro"] == specialty_code}


def diploma_labels(specialty_code: str) -> dict[str, str]:
    """{diploma code: label}: the general table, then the BPs that match this Bac Pro."""
    return {**{code: d["label"] for code, d in dispense_table()["diplomes"].items()},
            **bp_diplomas(specialty_code)}


def diploma_dispenses(diploma: str, unit_subjects: dict[str, str], units: set[str]) -> dict:
    """{unit: "oui" | "si_unite"} for any diploma: the general table, or a BP's professional
    units (seed 003's list) for the Bac Pro it matches."""
    if diploma.startswith("bp:"):
        rows = dispense_table().get("bp_vers_bac_pro", [])
        index = diploma[3:]
        if not index.isdigit() or int(index) >= len(rows):
            return {}
        return {unit: "oui" for unit in rows[int(index)]["units"] if unit in units}
    return dispensed_units(diploma, unit_subjects)


def required_pieces(items: list[Acquired]) -> list[str]:
    """Each acquis asks for the diploma or relevé de notes that proves it (read by the pieces)."""
    kinds = {item.kind for item in items}
    pieces = []
    if kinds & {BENEFICE, AJOURNEMENT}:
        pieces.append("releve_de_notes")
    if DIPLOME in kinds:
        pieces.append("diplome")
    if VAE in kinds:
        pieces.append("notification_vae")
    return pieces
