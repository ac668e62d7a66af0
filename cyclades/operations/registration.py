"""Candidature writes: start, keep a tab, Enregistrer, Modifier, Me désinscrire (R20–R30)."""
import copy

from peewee import IntegrityError

from cyclades import mail
from cyclades.db import write_transaction
from cyclades.domain import candidature as rules
from cyclades.models import Account, Candidature, CandidatureVersion, Window, utcnow
from cyclades.operations import audit, external_url
from cyclades.operations import pieces as pieces_operations
from cyclades.operations.documents import files_undone_on_failure, generate_for_version

#: (tab, answer) whose change makes later tabs stale: they must be filled in again.
STALE_WHEN_CHANGED = {("qualification", "specialite"): ("acquis", "epreuves")}


def registration_window(candidature):
    """The registration window of the candidature's académie, exam and session, if any."""
    return Window.of_candidature(candidature)


def window_is_open(candidature, moment=None) -> bool:
    window = registration_window(candidature)
    now = moment or utcnow()
    return window is not None and window.opens_at <= now < window.closes_at


def open_windows(candidatures, moment=None) -> dict[int, bool]:
    """{candidature id: its registration window is open}, in one query for them all."""
    now = moment or utcnow()
    if not candidatures:
        return {}
    keys = {(c.academie_id, c.exam_id, c.session_id) for c in candidatures}
    open_keys = {(w.academie_id, w.exam_id, w.session_id) for w in Window.select().where(
        (Window.kind == Window.INSCRIPTION) & (Window.opens_at <= now) & (Window.closes_at > now)
        & Window.academie.in_({k[0] for k in keys}))}
    return {c.id: (c.academie_id, c.exam_id, c.session_id) in open_keys for c in candidatures}


def active_candidature(account, exam, session):
    return Candidature.get_or_none(
        (Candidature.account == account) & (Candidature.exam == exam)
        & (Candidature.session == session) & (Candidature.status != rules.DESINSCRITE))


def start_candidature(account, window, code_postal: str) -> tuple[Candidature, bool]:
    """M'inscrire for an open window: a new draft, or the candidature the account already has
    for that exam and session (one active candidature each: a unique index decides)."""
    existing = active_candidature(account, window.exam, window.session)
    if existing is not None:
        return existing, False
    try:
        with write_transaction():
            candidature = Candidature.create(
                account=account, academie=window.academie, exam=window.exam,
                session=window.session, draft={"_code_postal": code_postal})
            pieces_operations.refresh_state(candidature)
            audit("candidature.start", account, candidature=candidature.token)
    except IntegrityError:  # the same start sent twice at once
        return active_candidature(account, window.exam, window.session), False
    return candidature, True


def save_step(candidature, slug: str, answers: dict) -> None:
    """« Suivant »: a tab's valid answers are kept at once, whatever happens next."""
    with write_transaction():
        candidature = Candidature.for_write(candidature.id)
        draft = dict(candidature.draft)
        previous = draft.get(slug)
        if previous == answers:
            return
        for (tab, answer), stale in STALE_WHEN_CHANGED.items():
            if tab == slug and previous and previous.get(answer) != answers.get(answer):
                for later in stale:
                    draft.pop(later, None)
        draft[slug] = answers
        candidature.draft = draft
        candidature.save(only=[Candidature.draft])
        if not candidature.version and slug in ("informations", "qualification"):
            pieces_operations.refresh_state(candidature)  # a draft's specialty, handicap
        audit("candidature.step", candidature.account, candidature=candidature.token, step=slug)


def _assign_numbers(candidature, account):
    if not account.numero_candidat:
        account.numero_candidat = f"{100000000 + account.id}"
    if not candidature.numero_inscription:
        candidature.numero_inscription = (f"{candidature.session.year}-"
                                          f"{candidature.academie_id:02d}-{candidature.id:06d}")


def register_candidature(candidature) -> Candidature:
    """« Enregistrer »: numbers on the first save, a new version each time (R22, R29) with its
    confirmation d'inscription (R40), the identity locked (R6), and a mail. A repeated click on
    a saved candidature changes nothing."""
    with files_undone_on_failure(), write_transaction():
        candidature = Candidature.for_write(candidature.id)
        if candidature.status == rules.INSCRITE and not candidature.editing:
            return candidature
        candidature.status = rules.next_state(
            candidature.status, "enregistrer", window_open=window_is_open(candidature),
            complete=rules.is_complete(candidature.draft))
        account = Account.for_write(candidature.account_id)  # its numbers, its identity lock
        _assign_numbers(candidature, account)
        account.lock_identity()
        account.save()
        now = utcnow()
        candidature.answers = copy.deepcopy(candidature.draft)
        candidature.version += 1
        candidature.editing = False
        candidature.registered_at = candidature.registered_at or now
        candidature.updated_at = now
        candidature.save()
        version = CandidatureVersion.create(candidature=candidature, number=candidature.version,
                                            answers=candidature.answers, saved_at=now)
        documents = generate_for_version(candidature, version)
        pieces_operations.refresh_state(candidature)
        audit("candidature.register", account, candidature=candidature.token,
              version=candidature.version)
        template = "inscription_enregistree" if candidature.version == 1 \
            else "inscription_modifiee"
        deposit = Window.of_candidature(candidature, Window.DEPOT)
        mail.queue(template, account.email, account.locale, account=account,
                   candidature=candidature, documents=documents,
                   deposit_closes=deposit.closes_at if deposit else None,
                   url=external_url("registration.summary", token=candidature.token),
                   documents_url=external_url("documents.mine"))
    return candidature


def reopen_candidature(candidature) -> Candidature:
    """« Modifier »: every tab opens again on a copy of the saved answers (R29)."""
    with write_transaction():
        candidature = Candidature.for_write(candidature.id)
        if candidature.editing:
            return candidature
        candidature.status = rules.next_state(candidature.status, "modifier",
                                              window_open=window_is_open(candidature))
        candidature.draft = copy.deepcopy(candidature.answers)
        candidature.editing = True
        candidature.save()
        audit("candidature.reopen", candidature.account, candidature=candidature.token)
    return candidature


def withdraw_candidature(candidature) -> Candidature:
    """« Me désinscrire »: final; a new inscription is possible while the window is open (R30).
    Sent again (a double click, twenty taps on a slow line), it changes nothing more."""
    with write_transaction():
        candidature = Candidature.for_write(candidature.id)
        if candidature.status == rules.DESINSCRITE:
            return candidature
        candidature.status = rules.next_state(candidature.status, "desinscrire",
                                              window_open=window_is_open(candidature))
        candidature.editing = False
        candidature.withdrawn_at = utcnow()
        candidature.save()
        pieces_operations.refresh_state(candidature)
        audit("candidature.withdraw", candidature.account, candidature=candidature.token)
    return candidature
