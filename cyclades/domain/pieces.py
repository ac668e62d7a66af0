"""R50: the pieces a candidature must provide, each with its code, label and why it is asked.

The identity document and the signed confirmation are asked of every candidate (seeds 000, 003);
the Demande de pièces justificatives (Mes documents) lists them with the deposit deadline.
"""
from dataclasses import dataclass

from cyclades.domain import N_


@dataclass(frozen=True)
class Piece:
    code: str  #: the notices' code: DCSTID01, CINSIG01
    label: str
    why: str  #: shown to the candidate: why this piece is asked of them


IDENTITY = Piece("DCSTID01", N_("Document justifiant l'identité"),
                 N_("Demandé à tout candidat : carte nationale d'identité, passeport ou titre de "
                    "séjour en cours de validité."))
SIGNED_CONFIRMATION = Piece(
    "CINSIG01", N_("Confirmation d'inscription signée"),
    N_("Demandée à tout candidat : imprimez la confirmation d'inscription (Mes documents), "
       "vérifiez-la, datez-la et signez-la, puis déposez-la scannée ou photographiée."))


def required(answers: dict) -> list[Piece]:
    """The pieces these saved answers ask for, in the order the candidate provides them."""
    return [IDENTITY, SIGNED_CONFIRMATION]
