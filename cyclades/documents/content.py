"""What a generated document says, as plain data: the same dict is printed as a PDF (pdf.py)
and shown as an HTML page (templates/documents/document.html), and kept with each version.

{"title", "subtitle", "header": [lines], "meta": [[label, value]], "sections": [{"title",
"rows": [[label, value]], "tables": [{"caption", "columns", "rows", "widths"?}],
"paragraphs": [text]}], "signature": its box's label or "", "footer", "page"}. Always in French: it is the administrative document the candidate
signs and the service reads.
"""
import hashlib
import json

from babel.numbers import format_decimal

from cyclades.dates import long_datetime
from cyclades.domain import epreuves, pieces
from cyclades.domain import documents as kinds
from cyclades.i18n import force_locale
from cyclades.i18n import gettext as _
from cyclades.models import ServiceContact, Window, utcnow
from cyclades.operations.pieces import required_of
from cyclades.registration import recap

LOCALE = "fr"


def _header(candidature) -> list[str]:
    from cyclades.templating import academie_label

    academie = candidature.academie
    lines = [academie_label(academie)]
    if academie.service:
        lines.append(academie.service)
    lines += [line for line in (academie.postal_address or "").splitlines() if line.strip()]
    for contact in ServiceContact.for_exam(academie, candidature.exam):
        detail = " – ".join(v for v in (contact.person, contact.email, contact.phone) if v)
        lines.append(f"{contact.label} : {detail}" if detail else contact.label)
    return lines


def _upload_step(candidature) -> str:
    """Step 3 of the confirmation's instructions, with the deposit deadline when it is known."""
    window = Window.of_candidature(candidature, Window.DEPOT)
    if window is None:
        return _("3. Déposez-le, scanné (PDF) ou photographié (JPEG), dans « Mes justificatifs », "
                 "comme pièce « Confirmation d'inscription signée », avant la date limite "
                 "indiquée par le service gestionnaire.")
    return _("3. Déposez-le, scanné (PDF) ou photographié (JPEG), dans « Mes justificatifs », "
             "comme pièce « Confirmation d'inscription signée », au plus tard le %(deadline)s.",
             deadline=_("%(date)s (heure locale)", date=long_datetime(
                 window.closes_at, candidature.academie.timezone)))


def _epreuve_table(caption: str, rows: list[dict]) -> dict:
    return {"caption": caption,
            "columns": [_("Épreuve"), _("Nature"), _("Coefficient"), _("Statut")],
            "rows": [[f"{row['label']} – {row['title']}",
                      _(epreuves.KIND_LABELS.get(row.get("kind"), row.get("kind") or "")),
                      format_decimal(row["coefficient"], locale=LOCALE)
                      if row.get("coefficient") else "—",
                      recap.status_text(row)] for row in rows]}


def _numbers(candidature, version: int | None = None) -> list[list[str]]:
    """N° candidat, N° inscription, the candidature's version if given, and today's date."""
    rows = [[_("N° candidat"), candidature.account.numero_candidat or "—"],
            [_("N° inscription"), candidature.numero_inscription or "—"]]
    if version is not None:
        rows.append([_("Version"), _("n°%(version)d", version=version)])
    rows.append([_("Document produit le"),
                 long_datetime(utcnow(), candidature.academie.timezone)])
    return rows


def _document(candidature, kind: str, sections: list, *, version: int | None = None,
              signature: str = "") -> dict:
    """What every generated document has around its sections: the service, the title, the
    numbers (and the candidature's version, for the confirmation), the page footer."""
    title = _(kinds.LABELS[kind])
    if version is None:
        footer = _("%(title)s – N° inscription %(number)s", title=title,
                   number=candidature.numero_inscription)
    else:
        footer = _("%(title)s – N° inscription %(number)s – version n°%(version)d", title=title,
                   number=candidature.numero_inscription, version=version)
    return {
        "title": title,
        "subtitle": _("%(exam)s – session %(year)s", exam=candidature.exam.name,
                      year=candidature.session.year),
        "header": _header(candidature),
        "meta": _numbers(candidature, version),
        "sections": sections,
        "signature": signature,
        "footer": footer,
        "page": _("page %(page)s sur %(pages)s", page="{page}", pages="{nb}"),
    }


def confirmation(candidature, version) -> dict:
    """The confirmation d'inscription of one saved version (a CandidatureVersion) (R22, R41)."""
    with force_locale(LOCALE):
        sections = []
        for section in recap.sections(candidature, version.answers):
            item = {"title": section["title"], "rows": [list(r) for r in section["rows"]],
                    "tables": [], "paragraphs": []}
            if section.get("epreuves"):
                item["tables"].append(_epreuve_table(_("Épreuves obligatoires"),
                                                     section["epreuves"]))
            if section.get("facultatives"):
                item["tables"].append(_epreuve_table(_("Épreuves facultatives"),
                                                     section["facultatives"]))
            sections.append(item)
        sections.append({"title": _("À faire"), "rows": [], "tables": [], "paragraphs": [
            _("1. Vérifiez chaque information de ce document. Une erreur ? Modifiez votre "
              "candidature depuis « Mes inscriptions » tant que les inscriptions sont ouvertes, "
              "ou contactez le service gestionnaire."),
            _("2. Datez et signez ce document dans le cadre « Date et signature du candidat »."),
            _upload_step(candidature),
            _("Toute modification de la candidature crée une nouvelle version de ce document : "
              "elle devra à son tour être signée et déposée."),
        ]})
        return _document(candidature, kinds.CONFIRMATION, sections, version=version.number,
                         signature=_("Date et signature du candidat"))


def _until(window, timezone: str) -> str:
    if window is None:
        return _("avant la date limite indiquée par le service gestionnaire")
    return _("entre le %(start)s et le %(end)s (heure locale)",
             start=long_datetime(window.opens_at, timezone),
             end=long_datetime(window.closes_at, timezone))


def demande(candidature) -> tuple[dict, str]:
    """The Demande de pièces justificatives (R50): each piece with why it is asked and until
    when; and a key that changes only when what it asks for changes."""
    with force_locale(LOCALE):
        required = required_of(candidature)
        windows = {kind: Window.of_candidature(candidature, kind)
                   for kind in {piece.deadline for piece in required}}
        timezone = candidature.academie.timezone
        key_data = [[p.code for p in required],
                    {kind: [w.opens_at.isoformat(), w.closes_at.isoformat()] if w else None
                     for kind, w in sorted(windows.items())}]
        key = hashlib.sha256(json.dumps(key_data).encode()).hexdigest()[:32]
        def when(piece) -> str:
            period = _until(windows[piece.deadline], timezone)
            if piece.mode == pieces.ONLINE:
                return _("À déposer en ligne %(period)s.", period=period)
            return _("À envoyer par courrier au service gestionnaire %(period)s.", period=period)

        return _document(candidature, kinds.DEMANDE, [
            {"title": _("Pièces à fournir"), "rows": [], "paragraphs": [], "tables": [{
                "caption": _("Pièces justificatives demandées"),
                "columns": [_("Pièce"), _("Pourquoi elle est demandée"), _("Quand")],
                "widths": [34, 40, 26],
                "rows": [[f"{_(p.label)} ({p.code})", _(p.why), when(p)] for p in required]}]},
            {"title": _("Comment les déposer"), "rows": [], "tables": [], "paragraphs": [
                _("Déposez chaque pièce dans « Mes justificatifs » : un fichier PDF ou JPEG "
                  "de 5 Mo au plus ; une photo prise avec un téléphone convient si elle est "
                  "nette et lisible."),
                _("Une candidature sans confirmation d'inscription signée à la date limite "
                  "est annulée."),
            ]},
        ]), key
