"""Reference and demo data from cyclades/data/*.toml, loaded idempotently (upsert by natural key).

The reference data (académies and their lists, exams, specialties and their units, the dispense
table) is what a real deployment loads too (`load-reference`); `demo-data` adds windows and an
account.

The seeds' historical windows are loaded as they were (closed). A current session is added whose
windows are placed relative to today, so that the demo always has something open and something
about to open, whatever the date.
"""
import tomllib
from datetime import date, datetime, timedelta
from importlib import resources

from cyclades.dates import from_local
from cyclades.db import database
from cyclades.domain import acquis, epreuves
from cyclades.models import (
    Academie, Account, Diploma, Exam, ExamSession, ServiceContact, Specialty, Unit, Window, utcnow,
)
from cyclades.security import hash_password

#: The académies whose notices are in shared/seeds/: the demo opens windows for them only.
SEED_ACADEMIES = ("aix-marseille", "clermont-ferrand", "lille", "nice")
DEMO_EMAIL = "camille.martin@example.fr"
DEMO_PASSWORD = "Demo-Cyclades-2027"


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


def load_demo_account():
    account = Account.get_or_none(Account.email == DEMO_EMAIL)
    if account is None:
        Account.create(email=DEMO_EMAIL, civilite="MME", nom_naissance="MARTIN", nom_usage="",
                       prenoms="Camille Élise", date_naissance=date(1998, 5, 30),
                       pays_naissance="FR", password_hash=hash_password(DEMO_PASSWORD),
                       activated_at=utcnow())


def load(today=None) -> dict:
    with database.atomic():
        academies, exams = load_reference()
        historical = load_historical_windows(academies, exams)
        current = load_current_windows(academies, exams, today)
        load_demo_account()
    return {"académies": len(academies), "examens": len(exams),
            "spécialités": Specialty.select().count(), "unités": Unit.select().count(),
            "diplômes (dispenses)": Diploma.select().count(),
            "fenêtres historiques": historical, "fenêtres en cours": current}
