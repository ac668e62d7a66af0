"""The gestionnaires' list of candidatures over a national-size database: 50 000 candidatures
across the four seed académies (drafts, registered and withdrawn; every pieces state; several
exams, specialties and formes de passage), then the list of one académie with each filter, and
the search box by name (a prefix, accents aside), by N° inscription, by N° candidat and by birth
date. Prints the median and slowest time of each, on SQLite (the default) or on the database of
CYCLADES_DATABASE_URL when it is set.

Run: `make benchmark` (or .venv/bin/python benchmarks/backoffice.py [count]).
"""
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import bench_app, load_demo  # noqa: E402
from cyclades.backoffice.listing import list_candidatures  # noqa: E402
from cyclades.db import database  # noqa: E402
from cyclades.domain import pieces  # noqa: E402
from cyclades.domain.identity import search_key  # noqa: E402
from cyclades.models import Academie, Account, Candidature, ExamSession, Exam  # noqa: E402

COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
RUNS = 15
NAMES = ["MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND",
         "LEROY", "MOREAU", "SIMON", "LAURENT", "LEFÈVRE", "MICHEL", "GARCIA", "DAVID",
         "BERTRAND", "ROUX", "VINCENT", "FOURNIER", "MOREL", "GIRARD", "ANDRÉ", "MERCIER",
         "DUPONT", "LAMBERT", "BONNET", "FRANÇOIS", "MARTINEZ", "N'DIAYE"]
PRENOMS = ["Camille", "Léa", "Lucas", "Hugo", "Chloé", "Inès", "Nathan", "Manon", "Yanis", "Jade"]


def fill(count: int) -> Candidature:
    """`count` accounts and candidatures, in bulk; returns one registered candidature of
    Clermont-Ferrand to search for."""
    rng = random.Random(2027)
    academies = list(Academie.select().where(Academie.code.in_(
        ["aix-marseille", "clermont-ferrand", "lille", "nice"])))
    exams = list(Exam.select())
    session = ExamSession.get(ExamSession.year == max(s.year for s in ExamSession.select()))
    states = ["", pieces.A_DEPOSER, pieces.A_CONTROLER, pieces.NON_CONFORMES, pieces.COMPLET]
    now = datetime(2026, 11, 20)
    with database.atomic():
        for start in range(0, count, 1000):
            accounts, rows = [], []
            for n in range(start, min(start + 1000, count)):
                nom = rng.choice(NAMES) + ("" if n % 7 else f"-{rng.choice(NAMES)}")
                accounts.append({
                    "email": f"candidat{n}@example.fr", "civilite": rng.choice(["MME", "M"]),
                    "nom_naissance": nom, "nom_usage": rng.choice(NAMES) if n % 5 == 0 else "",
                    "prenoms": rng.choice(PRENOMS),
                    "date_naissance": date(1990, 1, 1) + timedelta(days=rng.randrange(8000)),
                    "pays_naissance": "FR", "password_hash": "x", "activated_at": now,
                    "numero_candidat": f"{200000000 + n}"})
            Account.insert_many(accounts).execute()
            ids = [a.id for a in Account.select(Account.id).where(
                Account.email.in_([a["email"] for a in accounts]))]
            by_email = dict(Account.select(Account.email, Account.id).where(
                Account.id.in_(ids)).tuples())
            for n, account in enumerate(accounts, start=start):
                status = rng.choices(["brouillon", "inscrite", "desinscrite"], [2, 7, 1])[0]
                registered = status != "brouillon"
                academie = academies[n % len(academies)]
                rows.append({
                    "token": f"bench{n:08d}", "account": by_email[account["email"]],
                    "academie": academie.id, "exam": rng.choice(exams).id,
                    "session": session.id, "status": status, "draft": {}, "answers": {},
                    "version": 1 if registered else 0,
                    "numero_inscription": f"2027-{academie.id:02d}-{n:06d}" if registered
                    else None,
                    "created_at": now - timedelta(minutes=n), "registered_at":
                    now - timedelta(minutes=n) if registered else None,
                    "pieces_state": rng.choice(states[1:]) if status == "inscrite" else "",
                    "signed_confirmation": registered and rng.random() < 0.6,
                    "specialite": rng.choice(["MV:0", "MV:1", "MCV:0", "MCV:1", "ELEC"]),
                    "forme_passage": rng.choice(["GLOBALE", "PROGRESSIVE"]),
                    "handicap": rng.random() < 0.05,
                    "birth_name_key": search_key(account["nom_naissance"]),
                    "usage_name_key": search_key(account["nom_usage"])})
            Candidature.insert_many(rows).execute()
    clermont = Academie.get(Academie.code == "clermont-ferrand")
    return (Candidature.select().where((Candidature.academie == clermont)
                                       & (Candidature.status == "inscrite"))
            .order_by(Candidature.id.desc()).first())


def timed(academie, args: dict) -> tuple[list[float], int]:
    timings, total = [], 0
    for _ in range(RUNS):
        start = time.perf_counter()
        listing = list_candidatures(academie, args)
        total = listing.total
        timings.append((time.perf_counter() - start) * 1000)
    return timings, total


def main():
    with tempfile.TemporaryDirectory() as tmp:
        app = bench_app(tmp)
        with app.test_request_context(), database.connection_context():
            load_demo()
            start = time.perf_counter()
            target = fill(COUNT)
            database.execute_sql("ANALYZE")
            print(f"{COUNT} candidatures créées en {time.perf_counter() - start:.1f} s "
                  f"({type(database.obj).__name__}).")
            academie = target.academie
            account = target.account
            cases = {
                "sans filtre": {},
                "inscrites": {"etat": "inscrite"},
                "inscrites, pièces à contrôler": {"etat": "inscrite", "pieces": "a_controler"},
                "sans confirmation signée": {"confirmation": "non"},
                "examen + spécialité + forme": {"examen": target.exam.code,
                                                "specialite": "MV:0", "forme": "GLOBALE"},
                "handicap déclaré": {"handicap": "oui"},
                "tri par nom, page 40": {"tri": "nom", "page": "40"},
                "nom (début, sans accent)": {"q": "lefev"},
                "nom exact en capitales": {"q": "MARTIN"},
                "N° inscription": {"q": target.numero_inscription},
                "N° candidat": {"q": account.numero_candidat},
                "date de naissance": {"q": account.date_naissance.strftime("%d/%m/%Y")},
            }
            print(f"Liste des candidatures de l'académie de {academie.name}, {RUNS} fois chacune :")
            for label, args in cases.items():
                timings, total = timed(academie, args)
                print(f"- {label} : {total} résultat(s) ; médiane "
                      f"{statistics.median(timings):.1f} ms, le plus lent {max(timings):.1f} ms")


if __name__ == "__main__":
    main()
