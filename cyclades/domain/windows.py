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
