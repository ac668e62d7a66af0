"""The gestionnaire's home: per exam and session of the académie, the counts that matter (each
the size of a filtered list), its windows, and the inscriptions per day as a small SVG chart
drawn here (no JavaScript), its figures also in a table."""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from peewee import fn

from cyclades.dates import to_local
from cyclades.domain import candidature as rules
from cyclades.domain import pieces
from cyclades.models import Candidature, Exam, ExamSession, Window, utcnow


@dataclass
class Block:
    exam: Exam
    session: ExamSession
    counts: dict = field(default_factory=dict)  #: {filter name: count}
    windows: list = field(default_factory=list)
    per_day: list = field(default_factory=list)  #: [(date, inscriptions that day)]


#: What the home counts, each with the list filter that shows them (backoffice/listing.py).
COUNTS = (
    ("brouillons", {"etat": rules.BROUILLON}),
    ("inscrites", {"etat": rules.INSCRITE}),
    ("desinscrites", {"etat": rules.DESINSCRITE}),
    ("a_controler", {"etat": rules.INSCRITE, "pieces": pieces.A_CONTROLER}),
    ("non_conformes", {"etat": rules.INSCRITE, "pieces": pieces.NON_CONFORMES}),
    ("completes", {"etat": rules.INSCRITE, "pieces": pieces.COMPLET}),
    ("sans_confirmation", {"etat": rules.INSCRITE, "confirmation": "non"}),
)


def session_overview(academie, now=None) -> list[Block]:
    """A block per exam × session of `academie` that has a window or a candidature, the
    latest sessions first."""
    now = now or utcnow()
    blocks: dict[tuple, Block] = {}

    def block(exam, session):
        key = (exam.id, session.id)
        if key not in blocks:
            blocks[key] = Block(exam, session)
        return blocks[key]

    for window in (Window.select().where(Window.academie == academie)
                   .order_by(Window.opens_at)):
        block(window.exam, window.session).windows.append(window)
    here = Candidature.academie == academie
    rows = (Candidature.select(Candidature.exam, Candidature.session, Candidature.status,
                               Candidature.pieces_state, Candidature.signed_confirmation,
                               fn.COUNT(Candidature.id).alias("n"))
            .where(here)
            .group_by(Candidature.exam, Candidature.session, Candidature.status,
                      Candidature.pieces_state, Candidature.signed_confirmation).tuples())
    exams = {exam.id: exam for exam in Exam.select()}
    sessions = {session.id: session for session in ExamSession.select()}
    for exam_id, session_id, status, state, signed, count in rows:
        item = block(exams[exam_id], sessions[session_id])
        for name, criteria in COUNTS:
            if _matches(criteria, status, state, signed):
                item.counts[name] = item.counts.get(name, 0) + count
    for item in blocks.values():
        item.per_day = _per_day(academie, item)
    return sorted(blocks.values(), key=lambda b: (-b.session.year, b.exam.position))


def _matches(criteria: dict, status: str, state: str, signed: bool) -> bool:
    return (criteria.get("etat", status) == status
            and criteria.get("pieces", state) == state
            and ("confirmation" not in criteria or signed == (criteria["confirmation"] == "oui")))


def _per_day(academie, block: Block) -> list[tuple[date, int]]:
    """First « Enregistrer » per local day, over the inscription window (or the days that had
    one)."""
    timezone = academie.timezone
    counts = defaultdict(int)
    for (registered,) in (Candidature.select(Candidature.registered_at)
                          .where((Candidature.academie == academie)
                                 & (Candidature.exam == block.exam)
                                 & (Candidature.session == block.session)
                                 & Candidature.registered_at.is_null(False)).tuples()):
        counts[to_local(registered, timezone).date()] += 1
    window = next((w for w in block.windows if w.kind == Window.INSCRIPTION), None)
    if window is not None:
        first = to_local(window.opens_at, timezone).date()
        last = min(to_local(window.closes_at, timezone).date(),
                   to_local(utcnow(), timezone).date())
    elif counts:
        first, last = min(counts), max(counts)
    else:
        return []
    if last < first:
        return []
    days = (last - first).days + 1
    return [(first + timedelta(days=n), counts.get(first + timedelta(days=n), 0))
            for n in range(min(days, 120))]


def chart_svg(per_day: list[tuple[date, int]], label: str) -> str:
    """Bars of the inscriptions per day, as SVG markup (decorative for a screen reader, which
    reads the same figures in the table under it)."""
    from markupsafe import Markup, escape

    if not per_day:
        return Markup("")
    top = max(count for _, count in per_day) or 1
    width, height, bar = 600, 120, 600 / len(per_day)
    bars = "".join(
        f'<rect x="{n * bar + 0.5:.1f}" y="{height - count * (height - 10) / top:.1f}" '
        f'width="{max(bar - 1, 0.5):.1f}" height="{count * (height - 10) / top:.1f}"/>'
        for n, (_, count) in enumerate(per_day) if count)
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height}" preserveAspectRatio="none" '
        f'aria-hidden="true" focusable="false"><title>{escape(label)}</title>'
        f'<line x1="0" y1="{height}" x2="{width}" y2="{height}"/>{bars}</svg>')
