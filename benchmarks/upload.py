"""Dépôt d'une pièce (Mes justificatifs): how long an upload takes, and how much memory the
server needs for it. The server's peak memory must not grow with the file's size.

A registered candidate (Bac Pro, Clermont-Ferrand, deposit window open) logs in through a real
HTTP server (Werkzeug's, in a thread of this process, on 127.0.0.1) and deposits the piece
DCSTID01 as a browser does: a multipart POST with the page's CSRF token. The client streams the
body from a file on disk in 64 Ko chunks, so it adds next to nothing to the memory measured;
each file is deleted afterwards (« Supprimer ») so the next upload is allowed.

Files: valid PDFs of exactly 0.5, 1, 2.5 and 5 Mo (5 × 1024 × 1024 octets, the R51 limit: a
small fpdf2 page padded with a comment before `xref`, its `startxref` moved to match), and for
comparison a JPEG photo of 4 to 5 Mo (random noise, so it does not compress).

For each file, printed:
- the median time of the request (sent → response read) over a few runs, tracemalloc off;
- the peak of the Python allocations while the application handles the request, above what was
  allocated before it (tracemalloc started just before that one request, which is not timed: it
  slows everything down). It is read by a WSGI middleware around the application, because
  Werkzeug's development server, after each response, drains the socket with
  `rfile.read(10_000_000)` (werkzeug/serving.py): a 10 Mo buffer for an instant, whatever the
  file, and only when the client's last packets arrive late enough. Measured around the whole
  HTTP exchange, that noise (0 or 9,8 Mo at random) would hide the application's figure;
- the peak resident memory (RSS) during the request, above the RSS before it, for what
  tracemalloc does not see (Pillow's pixels are allocated in C). Linux only: the kernel's
  high-water mark is reset before each request (/proc/self/clear_refs). Memory freed by earlier
  requests is reused first, so a few hundred Ko show as 0.

Why the PDF's memory stays flat: Werkzeug spools a multipart file part to a temporary file once
it is over 500 Ko (so up to ~500 Ko of it are held, whatever the size); pypdf checks the PDF
from that stream without reading it whole, and the stream is copied to storage in 64 Ko chunks
(cyclades/uploads.py check_file, cyclades/storage.py save). A photo must be decoded (and
re-encoded without its metadata), so its memory follows its pixel count, not its size in
octets.

Run: `make benchmark` (or .venv/bin/python benchmarks/upload.py).
"""
import http.client
import http.cookies
import logging
import os
import re
import resource
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
import uuid
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import bench_app, load_demo, register_demo_candidature  # noqa: E402
from cyclades import demo  # noqa: E402
from cyclades.db import database  # noqa: E402

MO = 1024 * 1024
PDF_SIZES = (0.5, 1, 2.5, 5)  #: in Mo
PHOTO_PIXELS = (2700, 2025)  #: 5,5 Mpx of noise: 4 to 5 Mo at quality 90
RUNS = 5  #: timed uploads of each file
CHUNK = 64 * 1024
PIECE = "DCSTID01"
#: A Bac Pro candidature in Clermont-Ferrand, every tab answered (the stored draft).
ANSWERS = {
    "identification": {"adresse": "12 rue Blatin", "complement": "", "code_postal": "63000",
                       "commune": "Clermont-Ferrand", "telephone_portable": "06 12 34 56 78",
                       "telephone_fixe": "", "pcs_representant": "6"},
    "informations": {"type_candidature": "individuel", "etablissement": "",
                     "declaration_condition": True, "handicap": "non",
                     "publication_resultats": "oui"},
    "qualification": {"specialite": "MV:0", "forme_passage": "GLOBALE", "echec_precedent": "non"},
    "acquis": {"acquis": "aucun"},
    "epreuves": {"verification": True, "lva": "anglais", "eps_mode": "APTE",
                 "eps_activities": ["DANSE", "DEMI FOND"]},
}


# --- The files ------------------------------------------------------------------------------------

def write_pdf(path: Path, size: int) -> Path:
    """A real PDF of exactly `size` octets (a page, then a comment that pads it before `xref`,
    whose `startxref` offset is moved to match: pypdf reads it as a sound PDF, without the
    recovery that scans a whole file), written in chunks: never held whole."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(0, 10, "Carte nationale d'identite")
    data = bytes(pdf.output())
    head, tail = data.split(b"xref", 1)
    offset = int(re.search(rb"startxref\s+(\d+)", tail).group(1))
    assert offset == len(head)
    grown = len(str(offset + size - len(data))) - len(str(offset))  # the offset's new digits
    inserted = size - len(data) - grown  # "%000…0\n" before "xref"
    tail = re.sub(rb"startxref\s+\d+", b"startxref\n%d" % (offset + inserted), tail)
    with open(path, "wb") as handle:
        handle.write(head + b"%")
        for start in range(0, inserted - 2, CHUNK):
            handle.write(b"0" * min(CHUNK, inserted - 2 - start))
        handle.write(b"\nxref" + tail)
    assert path.stat().st_size == size
    return path


def write_photo(path: Path) -> Path:
    """A JPEG photo of noise, which no encoder can make small."""
    from PIL import Image

    width, height = PHOTO_PIXELS
    Image.frombytes("RGB", PHOTO_PIXELS, os.urandom(width * height * 3)).save(
        path, "JPEG", quality=90)
    return path


# --- The candidate ------------------------------------------------------------------------------

def register_candidate(app) -> str:
    """Reference data, the current windows and the demo account; a registered candidature of
    that account. Returns its token."""
    with app.test_request_context(), database.connection_context():
        load_demo()
        return register_demo_candidature(ANSWERS).token


# --- A browser, over HTTP -------------------------------------------------------------------------

class Browser:
    """HTTP/1.1 requests to the live server, keeping its cookies (a new connection each time:
    Werkzeug's server closes it after every response)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies = http.cookies.SimpleCookie()

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in self.cookies.items())
        try:
            connection.request(method, path, body=body,
                               headers={**({"Cookie": cookie} if cookie else {}),
                                        **(headers or {})})
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for header in response.msg.get_all("Set-Cookie") or []:
            self.cookies.load(header)
        return response.status, response.headers, content.decode("utf-8", "replace")

    def get(self, path):
        return self.request("GET", path)

    def post_form(self, path, fields: dict):
        return self.request("POST", path, urlencode(fields),
                            {"Content-Type": "application/x-www-form-urlencoded"})

    def post_file(self, path, fields: dict, name: str, file: Path, mimetype: str):
        content_type, length, chunks = multipart(fields, name, file, mimetype)
        return self.request("POST", path, chunks,
                            {"Content-Type": content_type, "Content-Length": str(length)})


def multipart(fields: dict, name: str, file: Path, mimetype: str):
    """(Content-Type, Content-Length, the body as chunks read from `file` as it is sent)."""
    boundary = uuid.uuid4().hex
    head = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
                    f"{value}\r\n".encode() for key, value in fields.items())
    head += (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
             f'filename="{file.name}"\r\nContent-Type: {mimetype}\r\n\r\n').encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def chunks():
        yield head
        with open(file, "rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk
        yield tail

    return (f"multipart/form-data; boundary={boundary}",
            len(head) + file.stat().st_size + len(tail), chunks())


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def log_in(browser: Browser) -> None:
    _, _, html = browser.get("/connexion")
    status, _, _ = browser.post_form("/connexion", {
        "csrf_token": csrf(html), "email": demo.DEMO_EMAIL, "password": demo.DEMO_PASSWORD})
    if status not in (302, 303):
        sys.exit(f"Connexion refusée : {status}")


# --- Measuring ------------------------------------------------------------------------------------

def rss_kib(field: str) -> int | None:
    """VmRSS or VmHWM (peak since the last reset) of this process, in Kio; None off Linux."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def reset_rss_peak() -> bool:
    """Bring the kernel's RSS high-water mark down to the current RSS (Linux ≥ 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def delete_deposited(browser: Browser, token: str) -> None:
    _, _, html = browser.get(f"/mes-justificatifs/{token}")
    actions = re.findall(r'action="(/mes-justificatifs/[^"]+/supprimer)"', html)
    if len(actions) != 1:
        sys.exit(f"Fichiers déposés : {len(actions)} au lieu de 1")
    status, _, _ = browser.post_form(actions[0], {"csrf_token": csrf(html)})
    if status != 303:
        sys.exit(f"Suppression refusée : {status}")


def timed_upload(browser, token, file, mimetype):
    """(seconds, RSS peak above the RSS before, in Kio or None) of one upload request."""
    board = f"/mes-justificatifs/{token}"
    _, _, html = browser.get(board)
    fields = {"csrf_token": csrf(html)}
    before = rss_kib("VmRSS") if reset_rss_peak() else None
    start = time.perf_counter()
    status, _, body = browser.post_file(f"{board}/pieces/{PIECE}", fields, "fichier", file,
                                        mimetype)
    elapsed = time.perf_counter() - start
    peak = rss_kib("VmHWM")
    if status != 303:
        sys.exit(f"{file.name} : dépôt refusé ({status}) :\n{body[:2000]}")
    delete_deposited(browser, token)
    return elapsed, (peak - before) if before is not None and peak is not None else None


class Meter:
    """WSGI middleware: the peak of Python allocations while the application handles a request
    (its response read through), when tracemalloc is on. The server's own work around it is
    left out: Werkzeug's development server drains the socket after every response with
    `rfile.read(10_000_000)` (werkzeug/serving.py), a 10 Mo buffer for an instant."""

    def __init__(self, app):
        self.app = app
        self.peak = None

    def __call__(self, environ, start_response):
        if not tracemalloc.is_tracing():
            return self.app(environ, start_response)
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        body = self.app(environ, start_response)
        try:
            chunks = list(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        self.peak = tracemalloc.get_traced_memory()[1] - before
        return chunks


def traced_upload(browser, token, file, mimetype, meter: Meter) -> int:
    """The peak of Python allocations (octets) while the application handles one upload, above
    the memory allocated before it."""
    board = f"/mes-justificatifs/{token}"
    _, _, html = browser.get(board)
    fields = {"csrf_token": csrf(html)}
    meter.peak = None
    tracemalloc.start()
    try:
        status, _, body = browser.post_file(f"{board}/pieces/{PIECE}", fields, "fichier", file,
                                            mimetype)
    finally:
        tracemalloc.stop()
    if status != 303 or meter.peak is None:
        sys.exit(f"{file.name} : dépôt refusé ({status}) :\n{body[:2000]}")
    delete_deposited(browser, token)
    return meter.peak


def measure(browser, token, file, mimetype, meter):
    """(median seconds, the application's Python peak in octets, largest RSS peak in Kio or
    None)."""
    timed_upload(browser, token, file, mimetype)  # warm: imports, pypdf / Pillow first use
    runs = [timed_upload(browser, token, file, mimetype) for _ in range(RUNS)]
    python_peak = traced_upload(browser, token, file, mimetype, meter)
    rss = [r for _, r in runs if r is not None]
    return statistics.median(t for t, _ in runs), python_peak, max(rss) if rss else None


def mo(size: float) -> str:
    """5 242 880 → « 5,0 Mo »."""
    return f"{size / MO:.1f}".replace(".", ",") + " Mo"


def kb(size: float) -> str:
    """Octets as « 9 770 Ko », thousands grouped the French way."""
    return f"{size / 1024:,.0f} Ko".replace(",", "\u202f")


def main():
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        app = bench_app(tmp)
        token = register_candidate(app)
        files = [(f"PDF {mo(size * MO)}", write_pdf(tmp / f"piece-{size}.pdf", int(size * MO)),
                  "application/pdf") for size in PDF_SIZES]
        width, height = PHOTO_PIXELS
        files.append((f"Photo JPEG {width}×{height} ({width * height / 1e6:.1f} Mpx)"
                      .replace(".", ","), write_photo(tmp / "photo.jpg"), "image/jpeg"))
        meter = Meter(app)
        server = make_server("127.0.0.1", 0, meter, threaded=False)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            browser = Browser(server.server_port)
            log_in(browser)
            for label, file, mimetype in files:
                rows.append((label, file.stat().st_size,
                             *measure(browser, token, file, mimetype, meter)))
        finally:
            server.shutdown()
            server.server_close()
            thread.join()
    report(rows)


def report(rows):
    print(f"Dépôt d'une pièce ({PIECE}) par HTTP, serveur Werkzeug sur 127.0.0.1 ; temps "
          f"médian sur {RUNS} envois ; pics de mémoire du serveur pendant la requête, au-dessus "
          f"de sa mémoire d'avant :")
    print()
    print("| fichier | taille | temps médian | pic Python (tracemalloc) | pic RSS |")
    print("|---|---:|---:|---:|---:|")
    for label, size, seconds, python_peak, rss in rows:
        rss_text = "n/d" if rss is None else kb(rss * 1024)
        print(f"| {label} | {mo(size)} | {seconds * 1000:.0f} ms | {kb(python_peak)} "
              f"| {rss_text} |")
    print()
    pdfs = [python_peak for label, _, _, python_peak, _ in rows if label.startswith("PDF")]
    print(f"PDF de {mo(rows[0][1])} à {mo(rows[len(pdfs) - 1][1])} : pic Python entre "
          f"{kb(min(pdfs))} et {kb(max(pdfs))}, quelle que soit la taille (au-delà de 500 Ko, "
          f"le fichier passe par le disque, jamais entier en mémoire).")
    print("Une photo est décodée puis réencodée sans ses métadonnées : sa mémoire suit son "
          "nombre de pixels, pas son poids ; les pixels de Pillow sont alloués en C, hors "
          "tracemalloc, d'où le pic RSS.")
    print(f"RSS maximal du processus (serveur et client) à la fin : "
          f"{kb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)}")


if __name__ == "__main__":
    main()
