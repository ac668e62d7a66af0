"""Reference and demo data from cyclades/data/*.toml, loaded idempotently (upsert by natural key).

The reference data (académies and their lists, exams, specialties and their units, the dispense
table) is what a real deployment loads too (`load-reference`); `demo-data` adds windows, two
candidate accounts and their candidatures.

The seeds' historical windows are loaded as they were (closed). A current session is added whose
windows are placed relative to today, so that the demo always has something open and something
about to open, whatever the date.

The demo candidatures (load_candidatures) are made by the operations a candidate's and a
gestionnaire's clicks call, each tab read by its own form: what the portal holds is what it
would hold had someone done it by hand.
"""
import io
import textwrap
import tomllib
from datetime import date, datetime, timedelta
from importlib import resources

from cyclades.dates import from_local
from cyclades.db import database
from cyclades.domain import acquis, epreuves
from cyclades.models import (
    Academie, Account, Candidature, Diploma, Exam, ExamSession, ServiceContact, Specialty, Unit,
    Window, utcnow,
)
from cyclades.security import hash_password

#: The académies whose notices are in shared/seeds/: the demo opens windows for them only.
SEED_ACADEMIES = ("aix-marseille", "clermont-ferrand", "lille", "nice")
DEMO_EMAIL = "camille.martin@example.fr"
DEMO_PASSWORD = "Demo-Cyclades-2027"
#: The second demo candidate: a candidature still being filled in (same password).
DRAFT_EMAIL = "lucas.bernard@example.fr"
DEMO_ACCOUNTS = {
    DEMO_EMAIL: {"civilite": "MME", "nom_naissance": "MARTIN", "nom_usage": "",
                 "prenoms": "Camille Élise", "date_naissance": date(1998, 5, 30),
                 "pays_naissance": "FR"},
    DRAFT_EMAIL: {"civilite": "M", "nom_naissance": "BERNARD", "nom_usage": "",
                  "prenoms": "Lucas Karim", "date_naissance": date(2003, 3, 12),
                  "pays_naissance": "FR"},
}
#: What `demo-data` prints under the logins.
LOGINS = ((DEMO_EMAIL, "candidature enregistrée, ses documents et ses justificatifs"),
          (DRAFT_EMAIL, "candidature en cours de saisie"))


def _toml(name):
    return tomllib.loads(resources.files("cyclades.data").joinpath(name).read_text("utf-8"))


def _upsert(model, keys: dict, values: dict):
    row = model.get_or_none(*[getattr(model, k) == v for k, v in keys.items()])
    if row is None:
        return model.create(**keys, **values)
    for field, value in values.items():
        setattr(row, field, value)
    row.save()
    return row


def load_reference():
    data = _toml("academies.toml")
    academies = {}
    for item in data["academie"]:
        contacts = item.pop("contact", [])
        code = item.pop("code")
        academie = _upsert(Academie, {"code": code}, item)
        academies[code] = academie
        ServiceContact.delete().where(ServiceContact.academie == academie).execute()
        for position, contact in enumerate(contacts):
            ServiceContact.create(academie=academie, position=position, **contact)
    exams = {}
    for position, item in enumerate(_toml("examens.toml")["examen"]):
        specialties = item.pop("specialite", [])
        exam = _upsert(Exam, {"code": item.pop("code")}, {**item, "position": position})
        exams[exam.code] = exam
        for spec in specialties:
            _upsert(Specialty, {"exam": exam, "code": spec.pop("code")},
                    {"options": [], "requires_r408": False, "single_language": False, **spec})
    load_units(epreuves.shipped_grids())
    load_diplomas(acquis.shipped_table())
    return academies, exams


def load_units(grids: dict) -> int:
    """Every specialty's units from the grids (grilles.toml), replacing those loaded before."""
    count = 0
    for specialty in Specialty.select(Specialty, Exam).join(Exam):
        Unit.delete().where(Unit.specialty == specialty).execute()
        units = epreuves.grid_units(grids, specialty.exam.code, specialty.code, specialty.sector,
                                    specialty.single_language)
        if not units:
            continue
        Unit.insert_many([
            {"specialty": specialty, "position": position, "epreuve": unit["epreuve"],
             "code": unit["unit"], "title": unit["title"], "coefficient": unit["coefficient"],
             "kind": unit["kind"], "subject": unit["subject"], "role": unit["role"],
             "optional": unit["optional"]} for position, unit in enumerate(units)]).execute()
        count += len(units)
    return count


def load_diplomas(table: dict) -> int:
    """The dispense table (dispenses.toml); a diploma no longer in it is removed."""
    diplomas = acquis.diplomas_from(table)
    for position, (code, diploma) in enumerate(diplomas.items()):
        _upsert(Diploma, {"code": code}, {**diploma, "position": position})
    Diploma.delete().where(Diploma.code.not_in(list(diplomas))).execute()
    return len(diplomas)


def _window(academies, exams, academie, exam, year, kind, opens, closes):
    session, _ = ExamSession.get_or_create(year=year)
    tz = academies[academie].timezone
    return _upsert(Window, {"academie": academies[academie], "exam": exams[exam],
                            "session": session, "kind": kind},
                   {"opens_at": from_local(opens, tz), "closes_at": from_local(closes, tz)})


def load_historical_windows(academies, exams):
    count = 0
    for item in _toml("fenetres.toml")["fenetre"]:
        for exam in item["examens"]:
            _window(academies, exams, item["academie"], exam, item["session"], item["type"],
                    item["ouverture"], item["fermeture"])
            count += 1
    return count


def load_current_windows(academies, exams, today=None):
    """Registration open from 10 days ago for 3 weeks more; deposit one week longer; CAP in
    Lille and Nice opens in 5 days (so « prochaines ouvertures » has something to show)."""
    today = today or date.today()
    year = today.year + 1 if today.month >= 9 else today.year
    start = datetime.combine(today - timedelta(days=10), datetime.min.time()).replace(hour=9)
    end = datetime.combine(today + timedelta(days=21), datetime.min.time()).replace(hour=17)
    count = 0
    for code in SEED_ACADEMIES:
        for exam in exams:
            opens, closes = start, end
            if exam == "CAP" and code in {"lille", "nice"}:
                opens = start + timedelta(days=15)
                closes = end + timedelta(days=15)
            _window(academies, exams, code, exam, year, Window.INSCRIPTION, opens, closes)
            _window(academies, exams, code, exam, year, Window.DEPOT, opens,
                    closes + timedelta(days=7) + timedelta(hours=6, minutes=59))
            count += 2
            if exam == "BCP":  # the R408 attestation, a few months later (R31)
                _window(academies, exams, code, exam, year, Window.R408, opens,
                        closes + timedelta(days=100))
                count += 1
    return count


def load_demo_accounts():
    """The demo candidates' accounts, activated, made once (a password changed since stays)."""
    for email, identity in DEMO_ACCOUNTS.items():
        if not Account.select().where(Account.email == email).exists():
            Account.create(email=email, password_hash=hash_password(DEMO_PASSWORD),
                           activated_at=utcnow(), **identity)


def load(today=None) -> dict:
    with database.atomic():
        academies, exams = load_reference()
        historical = load_historical_windows(academies, exams)
        current = load_current_windows(academies, exams, today)
        load_demo_accounts()
    return {"académies": len(academies), "examens": len(exams),
            "spécialités": Specialty.select().count(), "unités": Unit.select().count(),
            "diplômes (dispenses)": Diploma.select().count(),
            "fenêtres historiques": historical, "fenêtres en cours": current}


# --- The demo candidatures ----------------------------------------------------------------------

#: Both demo candidatures: the current session's Baccalauréat professionnel in Clermont-Ferrand
#: (the académie whose notice gives languages, EPS activities and contacts).
DEMO_ACADEMIE, DEMO_EXAM = "clermont-ferrand", "BCP"
#: Who the demo's statuses and published document come from (kept with them; the candidate
#: never sees it).
DEMO_GESTIONNAIRE = "DEC Clermont-Ferrand (démonstration)"

#: Camille's tabs as she posts them: a mechanic of three years (ACTPRO01) who holds a bac
#: général (its dispenses: DIPLOM01).
REGISTERED_TABS = {
    "identification": {"adresse": "12 rue Blatin", "complement": "Appartement 4",
                       "code_postal": "63000", "commune": "Clermont-Ferrand",
                       "telephone_portable": "06 12 34 56 78", "telephone_fixe": "",
                       "pcs_representant": "5"},
    "informations": {"type_candidature": "experience", "etablissement": "",
                     "declaration_domicile": "y", "declaration_jdc": "y",
                     "declaration_condition": "y", "handicap": "non",
                     "publication_resultats": "oui"},
    "qualification": {"specialite": "MV:0", "forme_passage": "GLOBALE", "echec_precedent": "non"},
    "acquis": {"acquis": "diplome", "diplome": "bac_general", "garder_U51": "y",
               "garder_U52": "y", "garder_U6": "y", "confirmation": "y"},
    "epreuves": {"lva": "anglais", "lvf": "espagnol", "eps_mode": "APTE",
                 "eps_activities": ["TENNIS DE TABLE", "DEMI FOND"], "verification": "y"},
}
#: Lucas's first two tabs: the rest is his to fill in.
DRAFT_TABS = {
    "identification": {"adresse": "27 avenue de la République", "complement": "",
                       "code_postal": "63100", "commune": "Clermont-Ferrand",
                       "telephone_portable": "07 61 23 45 89", "telephone_fixe": "",
                       "pcs_representant": "6"},
    "informations": {"type_candidature": "distance", "etablissement": "CNED",
                     "declaration_domicile": "y", "declaration_jdc": "y",
                     "declaration_condition": "y", "handicap": "non",
                     "publication_resultats": "non"},
}


def load_candidatures() -> None:
    """Camille's registered candidature, with its documents, pieces in each state and a
    relance published by the service; Lucas's candidature with two tabs saved. Each is made
    once: an account that already has a candidature in the demo session is left as it is (what
    a visitor did with it stays). Outside any connection: it opens a request context (the
    tabs' forms and their CSRF token) and its connection, as a request does."""
    from cyclades.db import write_transaction

    with _request():
        window = (Window.open_at(utcnow())
                  .where((Academie.code == DEMO_ACADEMIE) & (Exam.code == DEMO_EXAM)
                         & (Window.kind == Window.INSCRIPTION)).first())
        if window is None:  # the current windows are always open (load_current_windows)
            return
        for email, tabs, complete in ((DEMO_EMAIL, REGISTERED_TABS, _register_with_pieces),
                                      (DRAFT_EMAIL, DRAFT_TABS, None)):
            account = Account.get(Account.email == email)
            if Candidature.select().where((Candidature.account == account)
                                          & (Candidature.session == window.session)).exists():
                continue
            with write_transaction():  # all of it or nothing
                candidature = _fill_in(account, window, tabs)
                if complete:
                    complete(candidature, account)


def _request():
    """A request context with its connection: the tabs' forms read the request (their CSRF
    token), and its end gives the connection back as a request's end does."""
    from contextlib import ExitStack

    from flask import current_app

    stack = ExitStack()
    stack.enter_context(current_app.test_request_context())
    stack.enter_context(database.connection_context())
    return stack


def _fill_in(account, window, tabs: dict) -> Candidature:
    """« M'inscrire », then each tab posted with « Suivant »: read by the tab's own form, as
    its page builds it, and kept by the same operation."""
    from flask_wtf.csrf import generate_csrf
    from werkzeug.datastructures import MultiDict

    from cyclades.operations import registration
    from cyclades.registration.views import _form_for

    candidature, _ = registration.start_candidature(account, window,
                                                    tabs["identification"]["code_postal"])
    token = generate_csrf()
    for slug, posted in tabs.items():
        fields = [("csrf_token", token)] + [
            (name, item) for name, value in posted.items()
            for item in (value if isinstance(value, list) else [value])]
        form = _form_for(candidature, slug, formdata=MultiDict(fields))
        if not form.validate():
            raise RuntimeError(f"demo-data : l'onglet {slug} est refusé : {form.errors}")
        registration.save_step(candidature, slug, form.answers())
        candidature = Candidature.get_by_id(candidature.id)
    return candidature


def _register_with_pieces(candidature, account) -> None:
    """« Enregistrer » (numbers, confirmation and demande de pièces, mail); Camille deposits
    her identity document and a photo of her diploma, which the service has checked: Conforme
    and Non conforme (the photo is blurred); then her signed confirmation, not checked yet; her
    activity proof is still to deposit. The service publishes a relance (a mail too)."""
    from cyclades.domain import documents as kinds
    from cyclades.domain import pieces as required
    from cyclades.models import CandidaturePiece as Piece
    from cyclades.operations import pieces, registration
    from cyclades.operations.documents import publish_document

    candidature = registration.register_candidature(candidature)
    account = Account.get_by_id(account.id)  # its N° candidat, given by « Enregistrer »
    name = f"{account.prenoms.split()[0]} {account.nom_naissance}"
    identity = _pdf("CARTE NATIONALE D'IDENTITÉ", [
        "RÉPUBLIQUE FRANÇAISE", f"Nom : {account.nom_naissance}", f"Prénoms : {account.prenoms}",
        f"Née le : {account.date_naissance:%d.%m.%Y}", "Valable jusqu'au : 14.02.2031"])
    diploma = _photo(["RÉPUBLIQUE FRANÇAISE", "BACCALAURÉAT GÉNÉRAL", f"décerné à {name}",
                      "Session 2016"], blurred=True)
    signed = _photo(["Confirmation d'inscription",
                     f"N° inscription {candidature.numero_inscription}",
                     "Lu et approuvé, le ……", f"Signé : {name}"])
    pieces.add_files(candidature, "DCSTID01", [io.BytesIO(identity)], ["carte-identite.pdf"],
                     account)
    pieces.add_files(candidature, "DIPLOM01", [io.BytesIO(diploma)], ["diplome-bac.jpg"], account)
    pieces.set_piece_status(pieces.piece_of(candidature, "DCSTID01"), Piece.CONFORME,
                            by=DEMO_GESTIONNAIRE)
    pieces.set_piece_status(pieces.piece_of(candidature, "DIPLOM01"), Piece.NON_CONFORME,
                            "Pièce illisible : la photo est floue. Déposez un scan (PDF) ou une "
                            "photo nette du diplôme entier.", by=DEMO_GESTIONNAIRE)
    pieces.add_files(candidature, "CINSIG01", [io.BytesIO(signed)], ["confirmation-signee.jpg"],
                     account)
    relance = _relance(candidature, account, [
        (required.BY_CODE["DIPLOM01"], "non conforme (pièce illisible), à déposer de nouveau"),
        (required.BY_CODE["ACTPRO01"], "non déposée")])
    publish_document(candidature, kinds.RELANCE, relance, by=DEMO_GESTIONNAIRE)


def _relance(candidature, account, missing: list) -> bytes:
    """The service's relance de pièces justificatives, as its office software would print it;
    `missing`: (piece, what is wrong with it)."""
    from cyclades.dates import long_datetime
    from cyclades.i18n import force_locale
    from cyclades.templating import academie_label

    deposit = Window.of_candidature(candidature, Window.DEPOT)
    with force_locale("fr"):
        academie = academie_label(candidature.academie)
        until = long_datetime(deposit.closes_at, candidature.academie.timezone)
    lines = [academie, candidature.academie.service, "",
             f"{account.prenoms} {account.nom_naissance}",
             f"N° candidat {account.numero_candidat} – N° inscription "
             f"{candidature.numero_inscription}",
             f"{candidature.exam.name} – session {candidature.session.year}", "",
             "Votre dossier est incomplet. Déposez dans « Mes justificatifs » :"]
    lines += [f"– {piece.code} : {piece.label} : {state} ;" for piece, state in missing]
    lines += [f"au plus tard le {until} (heure locale).", "",
              "Sans ces pièces à cette date, votre candidature ne pourra pas être validée."]
    return _pdf("RELANCE DE PIÈCES JUSTIFICATIVES", lines)


def _pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF of these lines (Helvetica, a few hundred bytes): what a scanner or a
    service's office software gives the portal, checked as any deposit is."""
    def string(text: str) -> bytes:
        text = text.replace("\u202f", " ").replace("\u00a0", " ")
        raw = text.encode("cp1252", "replace")  # WinAnsiEncoding
        return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"

    wrapped = [part for line in lines for part in (textwrap.wrap(line, 88) or [""])]
    content = b"\n".join([b"BT /F1 15 Tf 56 780 Td", string(title) + b" Tj",
                          b"/F1 11 Tf 16 TL 0 -12 Td"]
                         + [string(line) + b" '" for line in wrapped] + [b"ET"])
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def _photo(lines: list[str], blurred: bool = False) -> bytes:
    """A phone's photo of a paper document (a JPEG of a few dozen kilobytes); `blurred`: one
    a gestionnaire cannot read."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    image = Image.new("RGB", (900, 1200), (243, 239, 228))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=34)
    for number, line in enumerate(lines):
        draw.text((70, 110 + 64 * number), line, fill=(35, 35, 40), font=font)
    if blurred:
        image = image.filter(ImageFilter.GaussianBlur(7))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=75)
    return buffer.getvalue()
