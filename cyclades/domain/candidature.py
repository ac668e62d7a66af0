"""The candidature's life (R22, R23, R29, R30): its steps, its states and what moves it.

Plain data in, plain answers out: the views and operations ask these functions, the tests call
them directly.
"""
from dataclasses import dataclass

from cyclades.domain import N_

BROUILLON = "brouillon"  #: being filled in, never saved with « Enregistrer »
INSCRITE = "inscrite"  #: saved: it has its N° inscription and a version
DESINSCRITE = "desinscrite"  #: withdrawn by the candidate; never reactivated (R30)

STATUS_LABELS = {
    BROUILLON: N_("En cours de saisie"),
    INSCRITE: N_("Inscrite"),
    DESINSCRITE: N_("Désinscrite"),
}

#: (state, action) → new state. Anything not listed is refused.
TRANSITIONS = {
    (BROUILLON, "enregistrer"): INSCRITE,
    (INSCRITE, "modifier"): INSCRITE,
    (INSCRITE, "enregistrer"): INSCRITE,
    (BROUILLON, "desinscrire"): DESINSCRITE,
    (INSCRITE, "desinscrire"): DESINSCRITE,
}

#: Actions that change what the académie will examine: only inside the registration window.
NEEDS_OPEN_WINDOW = {"enregistrer", "modifier"}


class TransitionRefused(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def next_state(state: str, action: str, *, window_open: bool, complete: bool = True) -> str:
    """The state after `action`, or TransitionRefused with the reason in French."""
    if (state, action) not in TRANSITIONS:
        if state == DESINSCRITE:
            raise TransitionRefused(N_("Cette candidature a été désinscrite : elle ne peut pas "
                                       "être réactivée. Faites une nouvelle inscription."))
        raise TransitionRefused(N_("Cette action n'est pas possible pour cette candidature."))
    if action in NEEDS_OPEN_WINDOW and not window_open:
        raise TransitionRefused(N_("La période d'inscription est close : la candidature ne "
                                   "peut plus être modifiée."))
    if action == "enregistrer" and not complete:
        raise TransitionRefused(N_("Toutes les étapes doivent être remplies avant "
                                   "d'enregistrer."))
    return TRANSITIONS[(state, action)]


@dataclass(frozen=True)
class Step:
    slug: str
    label: str


STEPS = (
    Step("identification", N_("Identification")),
    Step("informations", N_("Informations candidature")),
    Step("qualification", N_("Qualification présentée")),
    Step("acquis", N_("Acquis")),
    Step("epreuves", N_("Épreuves")),
    Step("recapitulatif", N_("Récapitulatif")),
)
SLUGS = tuple(step.slug for step in STEPS)
#: The steps whose answers are kept; the Récapitulatif only shows them.
FORM_STEPS = SLUGS[:-1]


def step_number(slug: str) -> int:
    return SLUGS.index(slug) + 1


def first_incomplete(draft: dict) -> str:
    """The first step without saved answers; the Récapitulatif when all are there."""
    for slug in FORM_STEPS:
        if slug not in draft:
            return slug
    return "recapitulatif"


def reachable(slug: str, draft: dict) -> bool:
    """A step is open once every step before it has been filled in (R22: in order)."""
    return SLUGS.index(slug) <= SLUGS.index(first_incomplete(draft))


def is_complete(draft: dict) -> bool:
    return all(slug in draft for slug in FORM_STEPS)


# --- R23: forme de passage --------------------------------------------------------------------

GLOBALE, PROGRESSIVE = "GLOBALE", "PROGRESSIVE"


def forme_passage_problem(forme: str, failed_before: bool, previous_forme: str | None) -> str | None:
    """A candidate who failed a previous session keeps the same forme de passage."""
    if failed_before and previous_forme and forme != previous_forme:
        return N_("Ayant échoué lors d'une session précédente, vous conservez obligatoirement "
                  "la même forme de passage : choisissez celle de votre session précédente.")
    return None
