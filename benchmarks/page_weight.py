"""Page weight: what each page costs a candidate on a slow line.

For each page: the HTML raw and as sent compressed, HTML + CSS compressed (the budget for the
first round trip: 14 KB), and the full first load HTML + CSS + JS compressed (budget 30 KB) with
its number of requests. Compressed = what the portal actually sends to a browser that accepts
gzip (every browser); brotli, sent when accepted, is smaller still.

Run: `make benchmark` (or .venv/bin/python benchmarks/page_weight.py). Prints a Markdown table.
"""
import io
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import bench_app, load_demo  # noqa: E402
from cyclades import demo  # noqa: E402
from cyclades.db import database  # noqa: E402

BUDGET_FIRST_TRIP = 14 * 1024
BUDGET_FIRST_LOAD = 30 * 1024
BUDGET_SWAP = 4 * 1024

#: Valid answers for each registration tab (a Clermont-Ferrand candidate in Bac Pro).
TABS = {
    "identification": {"adresse": "12 rue Blatin", "code_postal": "63000",
                       "commune": "Clermont-Ferrand", "telephone_portable": "0612345678",
                       "pcs_representant": "6"},
    "informations": {"type_candidature": "individuel", "declaration_domicile": "y",
                     "declaration_jdc": "y", "declaration_condition": "y", "handicap": "non",
                     "publication_resultats": "oui"},
    "qualification": {"specialite": "MV:0", "forme_passage": "GLOBALE", "echec_precedent": "non"},
    "acquis": {"acquis": "aucun"},
    "epreuves": {"lva": "anglais", "eps_mode": "APTE", "eps_activities": ["DANSE", "DEMI FOND"],
                 "verification": "y"},
}


def fetch(client, url, method="get", headers_extra=None, **kwargs):
    headers = {"Accept-Encoding": "gzip", **(headers_extra or {})}
    response = getattr(client, method)(url, headers=headers, **kwargs)
    raw = response.get_data()  # the test client does not decompress
    if response.headers.get("Content-Encoding") == "gzip":
        import gzip
        return len(gzip.decompress(raw)), len(raw), gzip.decompress(raw).decode()
    return len(raw), len(raw), raw.decode()


def assets(html):
    css = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    js = re.findall(r'<script src="([^"]+)"', html)
    return css, js


def csrf(html):
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def measure_tabs(client, measure, token):
    """Each tab as a full page, and each « Suivant » as the htmx swap a browser receives."""
    response = client.post("/inscription/nouvelle", data={"csrf_token": token,
                                                          "code_postal": "63000", "examen": "BCP"})
    base = response.headers["Location"].rsplit("/", 1)[0]
    swaps = []
    for number, (slug, data) in enumerate(TABS.items(), start=1):
        measure(f"Onglet {number} ({slug})", f"{base}/{slug}")
        raw, sent, _ = fetch(client, f"{base}/{slug}", "post",
                             data={**data, "csrf_token": token, "action": "suivant"},
                             headers_extra={"HX-Request": "true"})
        swaps.append((f"« Suivant » de l'onglet {number}", raw, sent))
    measure("Onglet 6 (recapitulatif)", f"{base}/recapitulatif")
    raw, sent, _ = fetch(client, f"{base}/identification", headers_extra={"HX-Request": "true"})
    swaps.append(("Lien vers l'onglet 1 depuis la liste des étapes", raw, sent))
    client.post(f"{base}/enregistrer", data={"csrf_token": token})
    measure("Mes documents", "/mes-documents")
    html = fetch(client, "/mes-documents")[2]
    document = re.search(r'href="(/documents/[^"/]+)"', html).group(1)
    measure("Confirmation d'inscription (HTML)", document)
    pieces = f"/mes-justificatifs/{base.rsplit('/', 1)[1]}"
    measure("Mes justificatifs", pieces)
    raw, sent, _ = fetch(client, f"{pieces}/pieces/DCSTID01", "post",
                         data={"csrf_token": token, "fichier": (io.BytesIO(small_pdf()), "cni.pdf")},
                         content_type="multipart/form-data", headers_extra={"HX-Request": "true"})
    swaps.append(("Dépôt d'une pièce (la pièce seule)", raw, sent))
    raw, sent, _ = fetch(client, pieces, headers_extra={"HX-Request": "true", "HX-Target": "board"})
    swaps.append(("« Rafraîchir » les statuts des pièces", raw, sent))
    measure("Mes justificatifs (une pièce déposée)", pieces)
    return swaps


def small_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    return bytes(pdf.output())


def kb(size: int) -> str:
    """12 345 → « 12 345 o », thousands grouped the French way."""
    return f"{size:,} o".replace(",", "\u202f")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        app = bench_app(tmp)
        with app.app_context(), database.connection_context():
            load_demo()
        client = app.test_client()
        rows = []

        def measure(label, url, method="get", **kwargs):
            raw, sent, html = fetch(client, url, method, **kwargs)
            css, js = assets(html)
            css_sent = sum(fetch(client, u)[1] for u in css)
            js_sent = sum(fetch(client, u)[1] for u in js)
            rows.append((label, raw, sent, sent + css_sent, sent + css_sent + js_sent,
                         1 + len(css) + len(js)))

        for label, url in [("Accueil", "/"), ("Ouverture des services", "/ouverture-des-services"),
                           ("J'ai besoin d'aide", "/aide"), ("Accessibilité", "/accessibilite"),
                           ("Créer mon compte", "/compte/creer"), ("Me connecter", "/connexion"),
                           ("Mot de passe oublié", "/mot-de-passe-oublie"),
                           ("Mail envoyé", "/compte/creer/mail-envoye")]:
            measure(label, url)
        token = csrf(fetch(client, "/compte/creer")[2])
        measure("Créer mon compte (erreurs)", "/compte/creer", "post", data={"csrf_token": token})
        client.post("/connexion", data={"csrf_token": token, "email": demo.DEMO_EMAIL,
                                        "password": demo.DEMO_PASSWORD})
        measure("Mon espace", "/")
        measure("Modifier mon compte", "/mon-compte")
        measure("M'inscrire (académie trouvée)", "/inscription/nouvelle?code_postal=63000")
        token = csrf(fetch(client, "/mon-compte")[2])  # the login started a new session
        swaps = measure_tabs(client, measure, token)

    print("| page | HTML | HTML compressé | HTML + CSS compressés | 1er chargement compressé "
          "| requêtes |")
    print("|---|---:|---:|---:|---:|---:|")
    over = []
    for label, raw, sent, first_trip, first_load, requests in rows:
        print(f"| {label} | {kb(raw)} | {kb(sent)} | {kb(first_trip)} | {kb(first_load)} "
              f"| {requests} |")
        if first_trip > BUDGET_FIRST_TRIP or first_load > BUDGET_FIRST_LOAD:
            over.append(label)
    print()
    print("| changement d'onglet (htmx) | réponse | réponse compressée |")
    print("|---|---:|---:|")
    for label, raw, sent in swaps:
        print(f"| {label} | {kb(raw)} | {kb(sent)} |")
        if sent > BUDGET_SWAP:
            over.append(label)
    print()
    print(f"Budgets : HTML + CSS ≤ {kb(BUDGET_FIRST_TRIP)}, premier chargement ≤ "
          f"{kb(BUDGET_FIRST_LOAD)}, changement d'onglet ≤ {kb(BUDGET_SWAP)} (compressés).")
    print("Hors budget : " + (", ".join(over) if over else "aucune page"))


if __name__ == "__main__":
    main()
