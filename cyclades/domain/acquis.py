"""R25: bénéfices de notes and dispenses d'épreuves — what a candidate may keep, and until when.

A bénéfice keeps, at the candidate's request, a mark of at least 10/20 obtained in a previous
session, for 5 years. A dispense neutralises a unit: for a diploma held (the table of
cyclades/data/dispenses.toml, * cases only if the diploma had the unit), after failing another
Bac Pro specialty (5 years), or after a VAE (5 years). A mark or dispense not kept is lost for
good. Each acquis asks for a diploma or a relevé de notes among the pieces.
"""
import tomllib
from dataclasses import dataclass
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


def kinds_for(exam_code: str, has_units: bool) -> tuple:
    """The possibilities tab 4 offers. The dispense table and the dispenses after failing another
    specialty are the Bac Pro's (seed 003); a bénéfice and a VAE dispense exist for every exam;
    without units (none loaded) only « Aucun acquis »."""
    if not has_units:
        return (AUCUN,)
    return KINDS if exam_code == "BCP" else (AUCUN, BENEFICE, VAE)


def shipped_table() -> dict:
    """dispenses.toml as shipped: what load-reference copies into the database."""
    return tomllib.loads(resources.files("cyclades.data").joinpath("dispenses.toml")
                        .read_text("utf-8"))


def diplomas_from(table: dict) -> dict[str, dict]:
    """The dispense table as {diploma code: {label, subjects, bac_pro, units}}: a general diploma
    dispenses subjects ({subject key: "oui" | "si_unite"}); a brevet professionnel dispenses
    the listed professional units of one Bac Pro specialty (`bac_pro`)."""
    diplomas = {code: {"label": row["label"], "subjects": dict(row.get("subjects", {})),
                       "bac_pro": "", "units": []}
                for code, row in table.get("diplomes", {}).items()}
    for row in table.get("bp_vers_bac_pro", []):
        diplomas[row["code"]] = {"label": row["label"], "subjects": {},
                                 "bac_pro": row["bac_pro"], "units": list(row["units"])}
    return diplomas


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


#: The messages of problems() about a unit's mark, its session or the « comportait cette
#: épreuve » box: the page shows them on that field (the others on the unit's box).
MARK_OUT_OF_RANGE = N_("Un bénéfice ne concerne qu'une note d'au moins 10 et d'au plus 20 sur 20.")
SESSION_NEEDED = N_("Indiquez la session, antérieure à celle-ci, où vous l'avez obtenue.")
SESSION_EXPIRED = N_("Obtenue à la session %(obtained)s, elle n'est plus valable : sa validité de "
                     "5 ans a pris fin avec la session %(last)s.")
UNIT_UNCONFIRMED = N_("Cette dispense n'est accordée que si votre diplôme comportait cette "
                      "épreuve : confirmez-le.")
FIELD_OF_PROBLEM = {MARK_OUT_OF_RANGE: "mark", SESSION_NEEDED: "session",
                    SESSION_EXPIRED: "session", UNIT_UNCONFIRMED: "had_unit"}


def problems(items: list[Acquired], *, session: int, units: set[str],
             dispensable: dict[str, str] | None = None,
             common: set[str] | None = None) -> dict[str, str]:
    """{unit: message} for each acquis that cannot be kept for `session`.

    `units`: the units of the candidate's specialty. `dispensable`: for DIPLOME, {unit: "oui" or
    "si_unite"} from dispensed_units(). `common`: for AJOURNEMENT, the units every Bac Pro
    specialty shares (common_units()); None accepts any unit."""
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
                found[item.unit] = MARK_OUT_OF_RANGE
                continue
        if item.kind == AJOURNEMENT and common is not None and item.unit not in common:
            found[item.unit] = N_("Après un échec à une autre spécialité, seules les épreuves "
                                  "communes aux deux spécialités peuvent être dispensées.")
            continue
        if item.kind in (BENEFICE, AJOURNEMENT, VAE):
            if item.session is None or item.session >= session:
                found[item.unit] = SESSION_NEEDED
            elif valid_until(item.session) < session:
                found[item.unit] = SESSION_EXPIRED
        if item.kind == DIPLOME:
            rule = (dispensable or {}).get(item.unit)
            if rule is None:
                found[item.unit] = N_("Le diplôme déclaré ne dispense pas de cette épreuve.")
            elif rule == "si_unite" and not item.had_unit:
                found[item.unit] = UNIT_UNCONFIRMED
    return found


def message_values(item: Acquired) -> dict:
    """Values for the placeholders of the messages above."""
    return {"obtained": item.session, "last": valid_until(item.session) if item.session else ""}


def common_units(unit_subjects: dict[str, str]) -> set[str]:
    """The units a failed Bac Pro specialty matches in another (R25): the general ones (those
    answering to a subject of the dispense table), the same in every specialty. Professional
    units would need correspondence tables between two specialties, which the notices do not
    give."""
    return set(unit_subjects)


def dispensed_units(diploma: dict, unit_subjects: dict[str, str]) -> dict[str, str]:
    """{unit: "oui" | "si_unite"} a general diploma dispenses, given {unit: subject key} of the
    specialty."""
    subjects = diploma.get("subjects", {})
    return {unit: subjects[subject] for unit, subject in unit_subjects.items() if subject in subjects}


def diploma_labels(diplomas: dict[str, dict], specialty_code: str) -> dict[str, str]:
    """{diploma code: label} a candidate to this Bac Pro may declare: the general diplomas, then
    the brevets professionnels that dispense units of this specialty."""
    return {code: d["label"] for code, d in diplomas.items()
            if d["bac_pro"] in ("", specialty_code)}


def diploma_dispenses(diplomas: dict[str, dict], code: str, unit_subjects: dict[str, str],
                      units: set[str], specialty_code: str) -> dict[str, str]:
    """{unit: "oui" | "si_unite"} the diploma `code` dispenses in this specialty: a general
    diploma's subjects, or a BP's professional units when it matches this Bac Pro."""
    diploma = diplomas.get(code)
    if diploma is None or diploma["bac_pro"] not in ("", specialty_code):
        return {}
    if diploma["bac_pro"]:
        return {unit: "oui" for unit in diploma["units"] if unit in units}
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
