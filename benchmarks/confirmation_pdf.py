"""The generated documents: how long they take to print and how heavy they are, on the
portal's engine (WeasyPrint, a tagged PDF/UA-1) and on the former one (fpdf2, untagged:
benchmarks/fpdf_reference.py), from the same content.

Builds the confirmation d'inscription of a full Bac Pro candidature (every tab answered, a
bénéfice, languages and EPS) and its Demande de pièces many times, and prints for each engine
the median and slowest times, the size and the number of pages. Target: well under 100 KB.
Both are printed inside the save of the candidature (cyclades/operations/documents.py).

Run: `make benchmark` (or .venv/bin/python benchmarks/confirmation_pdf.py).
"""
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pypdf import PdfReader  # noqa: E402

from benchmarks import fpdf_reference  # noqa: E402
from benchmarks.common import bench_app, load_demo, register_demo_candidature  # noqa: E402
from cyclades.db import database  # noqa: E402
from cyclades.documents import content, pdf  # noqa: E402
from cyclades.models import CandidatureVersion  # noqa: E402

RUNS = 30
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
ENGINES = {"WeasyPrint (PDF/UA-1, balisé)": pdf.render,
           "fpdf2 (ancien, non balisé)": fpdf_reference.render}


def measure(render, document: dict) -> tuple[list[float], bytes]:
    render(document)  # warm: fonts parsed once
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        data = render(document)
        timings.append((time.perf_counter() - start) * 1000)
    return timings, data


def main():
    with tempfile.TemporaryDirectory() as tmp:
        app = bench_app(tmp)
        with app.test_request_context(), database.connection_context():
            load_demo()
            candidature = register_demo_candidature(ANSWERS)
            version = CandidatureVersion.get(CandidatureVersion.candidature == candidature)
            documents = {"Confirmation d'inscription (Bac Pro tertiaire, toutes rubriques)":
                         content.confirmation(candidature, version),
                         "Demande de pièces justificatives": content.demande(candidature)[0]}
            for title, document in documents.items():
                print(f"{title}, {RUNS} fois :")
                for engine, render in ENGINES.items():
                    timings, data = measure(render, document)
                    pages = len(PdfReader(io.BytesIO(data)).pages)
                    print(f"- {engine} : {len(data) / 1024:.1f} Ko, {pages} page(s) ; "
                          f"temps médian {statistics.median(timings):.0f} ms, "
                          f"le plus lent {max(timings):.0f} ms")


if __name__ == "__main__":
    main()
