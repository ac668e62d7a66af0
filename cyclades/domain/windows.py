"""Windows as the public sees them (R10, R11): grouped by académie, then by exam, each named
by what it opens."""
from collections import OrderedDict

from cyclades.domain import N_

#: By Window.kind: the line of an open window, and the words of an upcoming one.
LABELS = {
    "inscription": (N_("Inscriptions"), N_("inscriptions")),
    "depot": (N_("Dépôt de la confirmation signée et des pièces justificatives"),
              N_("dépôt de la confirmation signée et des pièces")),
    "r408": (N_("Dépôt de l'attestation R408 (spécialités qui la demandent)"),
             N_("dépôt de l'attestation R408")),
}


def label(kind: str, upcoming: bool = False) -> str:
    """The French source of a window's name (to translate)."""
    names = LABELS.get(kind)
    return kind if names is None else names[1 if upcoming else 0]


def group_by_academie_and_exam(windows) -> "OrderedDict":
    """{académie: {exam: [windows…]}} keeping the order the windows come in."""
    grouped: OrderedDict = OrderedDict()
    for window in windows:
        grouped.setdefault(window.academie, OrderedDict()).setdefault(window.exam, []).append(window)
    return grouped


def problems(kind: str, opens, closes, others: dict) -> list[str]:
    """What is wrong with a window of `kind` from `opens` to `closes` (R10–R12), beside the
    other windows of its exam and session (`others`: {kind: (opens, closes)}): it must end after
    it starts, and a deposit window cannot open before the inscriptions do, nor close before
    they close (a candidate registered on the last day must be able to deposit)."""
    found = []
    if closes <= opens:
        found.append(N_("La clôture doit venir après l'ouverture."))
    inscription = others.get("inscription")
    if kind in ("depot", "r408") and inscription:
        if opens < inscription[0]:
            found.append(N_("Un dépôt ne peut pas ouvrir avant les inscriptions."))
        if kind == "depot" and closes < inscription[1]:
            found.append(N_("Le dépôt ne peut pas fermer avant la clôture des inscriptions."))
    if kind == "inscription":
        for other in ("depot", "r408"):
            if other in others and others[other][0] < opens:
                found.append(N_("Les inscriptions ne peuvent pas ouvrir après un dépôt déjà "
                                "prévu : modifiez d'abord le dépôt."))
                break
    return found
