"""R50, R55, R31: the pieces a candidature must provide, computed from its saved answers.

Each piece has the notices' group, code and label, and says **why** it is asked of this
candidate. The identity document and the signed confirmation are asked of everyone (seeds 000,
003); the others follow from the answers: an existing notification of aménagements (R24), the
proof of each acquis (R25), a medical certificate for EPS inapte or adapted (R27), proof of three
years of professional activity (R20, R27), the R408 attestation for the specialties that need it,
with its own deadline (R31). The codes the notices print are kept (DCSTID01, CINSIG01); the
others follow their pattern.
"""
from dataclasses import dataclass, replace

from cyclades.domain import N_, acquis, eps

ONLINE = "en_ligne"
POSTAL = "courrier"  #: « non dématérialisée, à envoyer directement au service administratif »

#: Which deposit window a piece follows: the candidature's, or the R408 attestation's (R31).
DEPOT = "depot"
R408 = "r408"


@dataclass(frozen=True)
class Piece:
    code: str
    group: str  #: « Identité », « Confirmation d'inscription »… (R50)
    label: str
    why: str  #: shown to the candidate
    mode: str = ONLINE
    deadline: str = DEPOT


IDENTITY = Piece("DCSTID01", N_("Identité"), N_("Document justifiant l'identité"),
                 N_("Demandé à tout candidat : carte nationale d'identité, passeport ou titre de "
                    "séjour en cours de validité."))
SIGNED_CONFIRMATION = Piece(
    "CINSIG01", N_("Confirmation d'inscription"), N_("Confirmation d'inscription signée"),
    N_("Demandée à tout candidat : imprimez la confirmation d'inscription (Mes documents), "
       "vérifiez-la, datez-la et signez-la, puis déposez-la scannée ou photographiée. Sans "
       "elle à la date limite, la candidature est annulée."))
AMENAGEMENTS = Piece(
    "AMENAG01", N_("Handicap"), N_("Notification de mesures d'aménagement d'épreuves"),
    N_("Vous avez répondu « Oui » à Handicap et indiqué avoir déjà une notification de mesures "
       "d'aménagement."))
RELEVE = Piece("RELNOT01", N_("Acquis"), N_("Relevé de notes"),
               N_("Vous conservez une note (bénéfice) ou demandez une dispense après un échec à "
                  "une autre spécialité : le relevé de notes de cette session le prouve."))
DIPLOME = Piece("DIPLOM01", N_("Acquis"), N_("Diplôme ou relevé de notes du diplôme détenu"),
                N_("Vous demandez une dispense d'épreuves au titre d'un diplôme que vous "
                   "possédez déjà."))
VAE = Piece("VAEDEC01", N_("Acquis"), N_("Décision de validation des acquis de l'expérience"),
            N_("Vous demandez une dispense d'épreuves obtenue par la VAE."))
MEDICAL = Piece("CERMED01", N_("Éducation physique et sportive"),
                N_("Certificat médical (date de validité, signature et cachet du médecin)"),
                N_("Vous avez choisi l'EPS en contrôle ponctuel « Inapte » ou une épreuve "
                   "adaptée."))
ACTIVITY = Piece("ACTPRO01", N_("Activité professionnelle"),
                 N_("Justificatif de trois années d'activité professionnelle"),
                 N_("Votre candidature ou votre dispense d'EPS repose sur trois années "
                    "d'expérience professionnelle (certificats de travail, attestations "
                    "d'employeur)."))
ATTESTATION_R408 = Piece(
    "ATR40801", N_("Formation R408"),
    N_("Attestation de formation au travail en hauteur sur échafaudage de pied (R408)"),
    N_("Votre spécialité l'exige : sans elle à la date limite, la candidature est écartée."),
    deadline=R408)

ALL = (IDENTITY, SIGNED_CONFIRMATION, AMENAGEMENTS, RELEVE, DIPLOME, VAE, MEDICAL, ACTIVITY,
       ATTESTATION_R408)
BY_CODE = {piece.code: piece for piece in ALL}


def required(answers: dict, *, requires_r408: bool = False,
             postal: frozenset[str] | set[str] = frozenset()) -> list[Piece]:
    """The pieces these saved answers ask for, in the order of ALL. `requires_r408`: the chosen
    specialty needs the R408 attestation (examens.toml); `postal`: the codes the académie wants
    by post (R55)."""
    informations = answers.get("informations") or {}
    chosen = answers.get("epreuves") or {}
    items = [acquis.Acquired(i["unit"], i["kind"]) for i in
             (answers.get("acquis") or {}).get("items", [])]
    proofs = set(acquis.required_pieces(items))
    eps_proofs = set(eps.required_pieces(eps.EpsChoice(chosen.get("eps_mode") or "")))
    wanted = {IDENTITY, SIGNED_CONFIRMATION}
    if informations.get("handicap") == "oui" and informations.get("notification_amenagement") \
            == "oui":
        wanted.add(AMENAGEMENTS)
    if "releve_de_notes" in proofs:
        wanted.add(RELEVE)
    if "diplome" in proofs:
        wanted.add(DIPLOME)
    if "notification_vae" in proofs:
        wanted.add(VAE)
    if "certificat_medical" in eps_proofs:
        wanted.add(MEDICAL)
    if "justificatif_activite_professionnelle" in eps_proofs or \
            informations.get("type_candidature") == "experience":
        wanted.add(ACTIVITY)
    if requires_r408:
        wanted.add(ATTESTATION_R408)
    return [replace(piece, mode=POSTAL) if piece.code in postal else piece
            for piece in ALL if piece in wanted]


#: The gestionnaire's statuses of a piece (R54); no status: deposited, not yet checked.
STATUS_LABELS = {"recue": N_("Reçue"), "non_conforme": N_("Non conforme"),
                 "conforme": N_("Conforme")}

#: Where a registered candidature's pieces stand, as the gestionnaires' lists filter on it
#: (kept on the candidature by cyclades.operations.pieces.refresh_state).
A_DEPOSER, A_CONTROLER, NON_CONFORMES, COMPLET = "a_deposer", "a_controler", "non_conformes", \
    "complet"
STATES = {A_DEPOSER: N_("Pièces à déposer"),
          A_CONTROLER: N_("Pièces déclarées, à contrôler"),
          NON_CONFORMES: N_("Pièce non conforme, en attente du candidat"),
          COMPLET: N_("Complète : toutes les pièces sont conformes")}
