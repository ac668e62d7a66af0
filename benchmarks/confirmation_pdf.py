"""The confirmation d'inscription: how long it takes to build and how heavy it is.

Builds the content and the PDF of a full Bac Pro candidature (every tab answered, a bénéfice,
languages and EPS) many times and prints the median and slowest build times and the size.
Target: well under 100 KB, built in milliseconds.

Run: `make benchmark` (or .venv/bin/python benchmarks/confirmation_pdf.py).
"""
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import bench_app, load_demo, register_demo_candidature  # noqa: E402
from cyclades.db import database  # noqa: E402
from cyclades.documents import content, pdf  # noqa: E402
from cyclades.models import CandidatureVersion  # noqa: E402

RUNS = 50
ANSWERS = {
    "identification": {"adresse": "12 rue Blatin", "complement": "Bâtiment B, 3e étage",
                       "code_postal": "63000", "commune": "Clermont-Ferrand",
                       "telephone_portable": "06 12 34 56 78", "telephone_fixe": "",
                       "pcs_representant": "6"},
    "informations": {"type_candidature": "individuel", "etablissement": "",
                     "declaration_condition": True, "handicap": "oui",
                     "notification_amenagement": "oui", "publication_resultats": "oui"},
    "qualification": {"specialite": "MCV:0", "forme_passage": "GLOBALE",
                      "echec_precedent": "non"},
    "acquis": {"acquis": "benefice", "confirmation": True, "items": [
        {"unit": "U51", "kind": "benefice", "mark": 12.5, "session": 2024},
        {"unit": "U52", "kind": "benefice", "mark": 14, "session": 2024}]},
    "epreuves": {"verification": True, "lva": "anglais", "lvb": "espagnol", "lvf": "italien",
                 "eps_mode": "APTE", "eps_activities": ["DANSE", "DEMI FOND"]},
}


def main():
    with tempfile.TemporaryDirectory() as tmp:
        app = bench_app(tmp)
        with app.test_request_context(), database.connection_context():
            load_demo()
            candidature = register_demo_candidature(ANSWERS)
            version = CandidatureVersion.get(CandidatureVersion.candidature == candidature)
            pdf.render(content.confirmation(candidature, version))  # warm: fonts parsed once
            timings, size = [], 0
            for _ in range(RUNS):
                start = time.perf_counter()
                data = pdf.render(content.confirmation(candidature, version))
                timings.append((time.perf_counter() - start) * 1000)
                size = len(data)
    print(f"Confirmation d'inscription (Bac Pro tertiaire, toutes rubriques), {RUNS} fois :")
    print(f"- taille : {size / 1024:.1f} Ko (objectif : bien moins de 100 Ko)")
    print(f"- temps médian : {statistics.median(timings):.0f} ms ; "
          f"le plus lent : {max(timings):.0f} ms")


if __name__ == "__main__":
    main()
