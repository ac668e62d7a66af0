"""/gestion/candidatures: the académie's candidatures, 25 a page, filtered by what the URL says
(each filter combines with the others; a bookmark or Back finds the same list) and one search
box: an N° inscription or N° candidat, a birth date (30/05/1998), or a name (nom de naissance
or nom d'usage, accents and capitals aside, its beginning is enough).

Every filter reads an indexed column of the candidature (kept by
cyclades.operations.pieces.refresh_state), within the académie."""
import re
from dataclasses import dataclass
from datetime import date

from peewee import JOIN

from cyclades.domain import N_
from cyclades.domain import candidature as rules
from cyclades.domain import pieces
from cyclades.domain.identity import search_key
from cyclades.models import Account, Candidature, Exam, ExamSession

PER_PAGE = 25

#: ?tri= → (label, the columns it orders by); the default first.
SORTS = {
    "recent": (N_("Les plus récentes d'abord"), lambda: [Candidature.created_at.desc(),
                                                     Candidature.id.desc()]),
    "nom": (N_("Nom de naissance (A → Z)"), lambda: [Candidature.birth_name_key,
                                                 Candidature.id]),
    "numero": (N_("N° inscription"), lambda: [Candidature.numero_inscription.asc(nulls="LAST"),
                                           Candidature.id]),
}
STATES = {rules.BROUILLON: rules.STATUS_LABELS[rules.BROUILLON],
          rules.INSCRITE: rules.STATUS_LABELS[rules.INSCRITE],
          rules.DESINSCRITE: rules.STATUS_LABELS[rules.DESINSCRITE]}
YES_NO = {"oui": N_("Oui"), "non": N_("Non")}
FILTERS = ("examen", "session", "specialite", "etat", "forme", "handicap", "pieces",
           "confirmation")


@dataclass
class Listing:
    rows: list
    total: int
    page: int
    pages: int
    criteria: dict  #: the filters and search applied, as the URL says them
    sort: str


def _date(text: str) -> date | None:
    match = re.fullmatch(r"(\d{1,2})[/.\- ]?(\d{1,2})[/.\- ]?(\d{4})", text)
    if not match:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _next_prefix(prefix: str) -> str:
    """The first string after every string that starts with `prefix`."""
    return prefix[:-1] + chr(min(ord(prefix[-1]) + 1, 0x10FFFF))


def search(query, text: str):
    """`query` narrowed to what the search box says."""
    text = " ".join(text.split())
    if not text:
        return query
    compact = text.replace(" ", "")
    if re.fullmatch(r"\d{4}-\d{2}-\d{6}", compact):
        return query.where(Candidature.numero_inscription == compact)
    if re.fullmatch(r"\d{6,12}", compact) and _date(text) is None:
        return query.where(Account.numero_candidat == compact)
    birth = _date(text)
    if birth is not None:
        return query.where(Account.date_naissance == birth)
    key = search_key(text)
    if not key:
        return query.where(Candidature.id == 0)
    after = _next_prefix(key)
    return query.where(((Candidature.birth_name_key >= key) & (Candidature.birth_name_key < after))
                       | ((Candidature.usage_name_key >= key)
                          & (Candidature.usage_name_key < after)))


def list_candidatures(academie, args, page: int = 1) -> Listing:
    criteria = {name: (args.get(name) or "").strip()[:80] for name in (*FILTERS, "q")}
    criteria = {name: value for name, value in criteria.items() if value}
    sort = args.get("tri") if args.get("tri") in SORTS else "recent"
    query = (Candidature.select(Candidature, Account)
             .join(Account, JOIN.INNER, on=(Candidature.account == Account.id))
             .where(Candidature.academie == academie))
    if "examen" in criteria:
        exam = Exam.get_or_none(Exam.code == criteria["examen"])
        query = query.where(Candidature.exam == (exam.id if exam else 0))
    if "session" in criteria:
        session = (ExamSession.get_or_none(ExamSession.year == int(criteria["session"]))
                   if re.fullmatch(r"[0-9]{4}", criteria["session"]) else None)
        query = query.where(Candidature.session == (session.id if session else 0))
    if "specialite" in criteria:
        query = query.where(Candidature.specialite == criteria["specialite"])
    if "etat" in criteria:
        query = query.where(Candidature.status == criteria["etat"])
    if "forme" in criteria:
        query = query.where(Candidature.forme_passage == criteria["forme"])
    if criteria.get("handicap") in YES_NO:
        query = query.where(Candidature.handicap == (criteria["handicap"] == "oui"))
    if "pieces" in criteria:
        query = query.where(Candidature.pieces_state == criteria["pieces"])
    if criteria.get("confirmation") in YES_NO:
        query = query.where(Candidature.status == rules.INSCRITE,
                            Candidature.signed_confirmation == (criteria["confirmation"] == "oui"))
    query = search(query, criteria.get("q", ""))
    total = query.count()
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, page), pages)
    rows = list(query.order_by(*SORTS[sort][1]()).paginate(page, PER_PAGE))
    return Listing(rows, total, page, pages, criteria, sort)


def pieces_label(state: str) -> str:
    return pieces.STATES.get(state, "")
