"""R27: E7 éducation physique et sportive — APTE, INAPTE, DISPENSE, or adapted EPS.

APTE: exactly two of the académie's three activities. INAPTE (« Contrôle ponctuel - Inapte »):
a medical certificate is required. DISPENSE: on request, for three years of professional
experience. Adapted EPS (800 mètres marche, natation 250 mètres…): for a handicap or a partial
inaptitude with a medical certificate. Once registered, absence is eliminatory.

An académie that has not published its three activities (academies.toml: an empty list; the
notices give only Clermont-Ferrand's) announces them with the convocation: there, APTE offers
nothing to choose now and says so (mode_label), and the documents print it the same way.
"""
from dataclasses import dataclass, field

from cyclades.domain import N_

APTE, INAPTE, DISPENSE, ADAPTEE = "APTE", "INAPTE", "DISPENSE", "ADAPTEE"

MODE_LABELS = {
    APTE: N_("Apte : je choisis deux activités"),
    INAPTE: N_("Contrôle ponctuel - Inapte (certificat médical obligatoire)"),
    DISPENSE: N_("Dispense au titre de trois ans d'expérience professionnelle"),
    ADAPTEE: N_("Épreuve adaptée (handicap ou inaptitude partielle, avec certificat médical)"),
}

#: APTE where the académie has not published its activities.
APTE_LATER = N_("Apte : l'académie indiquera les activités avec la convocation")


def activity_label(name: str) -> str:
    """An activity as read in a sentence: the notices write them in capitals (« TENNIS DE
    TABLE »), which screen readers may spell out; « Tennis de table »."""
    return name[:1].upper() + name[1:].lower() if name.isupper() else name


def mode_label(mode: str, activities: list[str]) -> str:
    """The French source of a situation's label, with the académie's activities in mind."""
    if mode == APTE and not activities:
        return APTE_LATER
    return MODE_LABELS.get(mode, mode)


WARNING = N_("Dès lors que vous vous inscrivez à l'épreuve d'EPS, celle-ci devient obligatoire "
             "et toute absence est éliminatoire. Il n'existe pas d'épreuve de remplacement.")


@dataclass(frozen=True)
class EpsChoice:
    mode: str = ""
    activities: tuple = field(default_factory=tuple)  #: APTE: two of the académie's three
    adapted_activity: str = ""  #: ADAPTEE: one of the adapted activities
    medical_grounds: bool = False  #: ADAPTEE without handicap: partial inaptitude declared


def allowed_modes(*, handicap: bool, professional_experience: bool) -> list[str]:
    modes = [APTE, INAPTE]
    if professional_experience:
        modes.append(DISPENSE)
    modes.append(ADAPTEE)  # with a handicap, or on medical grounds (checked in problems())
    return modes


def problems(choice: EpsChoice, *, activities: list[str], adapted_activities: list[str],
             handicap: bool, professional_experience: bool) -> dict[str, str]:
    found = {}
    if choice.mode not in (APTE, INAPTE, DISPENSE, ADAPTEE):
        return {"mode": N_("Choisissez votre situation pour l'EPS.")}
    if choice.mode == APTE and not activities and choice.activities:
        found["activities"] = N_("Choisissez vos activités dans la liste proposée par "
                                 "l'académie.")
    if choice.mode == APTE and activities:
        chosen = set(choice.activities)
        if len(choice.activities) != 2 or len(chosen) != 2:
            found["activities"] = N_("Choisissez exactement deux activités.")
        elif not chosen <= set(activities):
            found["activities"] = N_("Choisissez vos activités dans la liste proposée par "
                                     "l'académie.")
    if choice.mode == DISPENSE and not professional_experience:
        found["mode"] = N_("La dispense d'EPS est réservée aux candidats justifiant de trois ans "
                           "d'activité professionnelle.")
    if choice.mode == ADAPTEE:
        if not (handicap or choice.medical_grounds):
            found["mode"] = N_("L'épreuve adaptée est réservée aux candidats en situation de "
                               "handicap ou partiellement inaptes avec un certificat médical.")
        elif adapted_activities and choice.adapted_activity not in adapted_activities:
            found["adapted_activity"] = N_("Choisissez l'activité adaptée dans la liste.")
    return found


def required_pieces(choice: EpsChoice) -> list[str]:
    """What the candidate will have to provide because of this choice (read by the pieces)."""
    if choice.mode in (INAPTE, ADAPTEE):
        return ["certificat_medical"]
    if choice.mode == DISPENSE:
        return ["justificatif_activite_professionnelle"]
    return []
