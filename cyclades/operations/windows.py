"""A responsable opens, moves and closes their académie's windows (R10–R12). Each change is
audited with its before and after; candidates are not mailed, but the page says who is
affected."""
from cyclades.db import write_transaction
from cyclades.domain import windows as rules
from cyclades.models import AuditLog, Candidature, Window, utcnow


class WindowRefused(ValueError):
    def __init__(self, reasons: list[str]):
        super().__init__(reasons)
        self.reasons = reasons


def others(academie, exam, session, kind) -> dict:
    return {w.kind: (w.opens_at, w.closes_at) for w in Window.select().where(
        (Window.academie == academie) & (Window.exam == exam) & (Window.session == session)
        & (Window.kind != kind))}


def affected(window) -> int:
    """The candidatures (drafts and registered) of the window's exam and session."""
    return (Candidature.select().where(
        (Candidature.academie == window.academie_id) & (Candidature.exam == window.exam_id)
        & (Candidature.session == window.session_id)
        & (Candidature.status != "desinscrite")).count())


def save_window(gestionnaire, exam, session, kind, opens_at, closes_at,
                window: Window | None = None) -> Window:
    """Creates (or, given `window`, changes) a window of the gestionnaire's académie; times in
    UTC. WindowRefused with the French reasons when a rule is broken."""
    academie = gestionnaire.academie
    reasons = rules.problems(kind, opens_at, closes_at, others(academie, exam, session, kind))
    if window is None and Window.select().where(
            (Window.academie == academie) & (Window.exam == exam)
            & (Window.session == session) & (Window.kind == kind)).exists():
        reasons.append(rules.N_("Cette période existe déjà pour cet examen et cette session : "
                                "modifiez-la."))
    if reasons:
        raise WindowRefused(reasons)
    with write_transaction():
        before = None
        if window is None:
            window = Window.create(academie=academie, exam=exam, session=session, kind=kind,
                                   opens_at=opens_at, closes_at=closes_at)
        else:
            before = [window.opens_at.isoformat(), window.closes_at.isoformat()]
            window.opens_at, window.closes_at = opens_at, closes_at
            window.save()
        AuditLog.create(action="window.save", gestionnaire=gestionnaire, detail={
            "window": window.id, "exam": exam.code, "session": session.year, "kind": kind,
            "before": before, "after": [opens_at.isoformat(), closes_at.isoformat()]})
    return window


def close_now(gestionnaire, window: Window) -> Window:
    """Closes an open window at once (audited)."""
    now = utcnow()
    return save_window(gestionnaire, window.exam, window.session, window.kind,
                       min(window.opens_at, now), max(now, window.opens_at), window)
