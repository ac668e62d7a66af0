"""Account enumeration by timing: how long a page takes for an address with an account and for
one without. Each pair must take the same time (the difference within the noise).

For each form, 40 requests alternate between the two addresses through the test client (the
whole Flask stack, with rate limits off so that they never decide), and the median of each is
printed; the address without an account is a new one each time, as an attacker would try
them. « Mot de passe oublié » and « Renvoyer le lien » hand the address to the worker
without looking it up; « Créer mon compte » hashes the password in both cases and stores a mail
in both cases; « Me connecter » checks a password against a stored or a dummy hash.

Run: `make benchmark` (or .venv/bin/python benchmarks/enumeration.py).
"""
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import bench_app, load_demo  # noqa: E402
from cyclades import demo  # noqa: E402
from cyclades.db import database  # noqa: E402

RUNS = 40
KNOWN, UNKNOWN = demo.DEMO_EMAIL, "personne.inconnue@example.fr"


def _token(client, page):
    html = client.get(page).get_data(as_text=True)
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def _identity(email):
    return {"civilite": "MME", "nom_naissance": "Martin", "nom_naissance_confirm": "Martin",
            "nom_usage": "", "prenoms": "Camille", "date_naissance": "30/05/1998",
            "date_naissance_confirm": "30/05/1998", "pays_naissance": "FR", "email": email,
            "email_confirm": email, "password": "Tournesol-Vert42",
            "password_confirm": "Tournesol-Vert42"}


FORMS = {
    "Mot de passe oublié": ("/mot-de-passe-oublie", lambda email: {"email": email}),
    "Renvoyer le lien d'activation": ("/connexion/renvoyer-le-lien",
                                      lambda email: {"email": email}),
    "Créer mon compte": ("/compte/creer", _identity),
    "Me connecter (mauvais mot de passe)": ("/connexion",
                                            lambda email: {"email": email,
                                                           "password": "Mauvais-Mot2passe"}),
}


def main():
    with tempfile.TemporaryDirectory() as tmp:
        app = bench_app(tmp)
        with app.app_context(), database.connection_context():
            load_demo()
        print(f"{'formulaire':<38} {'adresse connue':>15} {'adresse inconnue':>17} {'écart':>9}")
        for label, (url, form) in FORMS.items():
            client = app.test_client()
            page = "/connexion" if url.startswith("/connexion") else url
            times = {KNOWN: [], UNKNOWN: []}
            for run in range(RUNS):
                email = KNOWN if run % 2 else UNKNOWN
                # An attacker tries a new address each time (one tried before would now have
                # the account the first try made).
                typed = email if email == KNOWN else f"personne.{run}@example.fr"
                data = {**form(typed), "csrf_token": _token(client, page)}
                start = time.perf_counter()
                response = client.post(url, data=data)
                times[email].append(time.perf_counter() - start)
                assert response.status_code < 500, (label, response.status_code)
            known, unknown = (statistics.median(times[e]) * 1000 for e in (KNOWN, UNKNOWN))
            print(f"{label:<38} {known:>12.1f} ms {unknown:>14.1f} ms {known - unknown:>+6.1f} ms")


if __name__ == "__main__":
    main()
