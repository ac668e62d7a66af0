"""First paint on a slow line: how long a candidate on a phone looks at a blank screen.

The portal is served as in production: gunicorn with the repository's gunicorn.conf.py (one
gevent worker) on 127.0.0.1, on a temporary instance (`flask --app app init-db`, `demo-data`).
Debian's Chromium, through Playwright, gets each network profile from the DevTools protocol
(Network.emulateNetworkConditions, on a CDP session of the page):
- « 3G lente »: 400 ms, 400 kbit/s down and 400 kbit/s up (Chrome DevTools' « Slow 3G » sends
  500 kbit/s × 0,8 ≈ 400 kbit/s);
- « 2G »: 800 ms, 280 kbit/s down, 256 kbit/s up (WebPageTest's « 2G » profile).
Chromium adds the latency to each request and spreads each response at that throughput; it does
not model TCP's handshake or slow start, so a real line is slower still: the figures are for
comparing versions of the portal, not promises. Chromium accepts brotli from 127.0.0.1 (a
secure origin) as it does over https. The CPU is not slowed down.

Printed:
- for « Accueil », « Créer mon compte » and « Me connecter », signed out: the first
  contentful paint (performance's `first-contentful-paint`) of a first visit (a new browser
  context: empty cache, no cookie) and of a repeat visit (the same page opened again in that
  context), with the requests that went over the network and what they transferred (headers
  included; a file taken from the cache counts for nothing); median of RUNS contexts;
- « Suivant » on tab 1 of M'inscrire (the second demo candidate's Bac Pro in Clermont-Ferrand,
  still being filled in; the first one's is registered): from
  the click to tab 2's heading on screen. With JavaScript htmx posts the form and swaps the tab:
  click event → the new heading in the DOM → the next animation frame. Without JavaScript the
  browser posts the form and follows the 303 to a whole page: navigation start (the click) →
  the new page's first contentful paint, or its HTML parsed to the end if that comes later (the
  heading is then in the page). Median of RUNS clicks.

Figures only: nothing is asserted. About a minute and a half. Run: `make benchmark` (or
.venv/bin/python benchmarks/first_paint.py). Chromium: `chromium` on the PATH, or its path in
CYCLADES_CHROMIUM. The portal served is the one beside this file (its folder is gunicorn's and
flask's working directory); the Python programs are those of the interpreter running this file.
"""
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import free_port, gunicorn  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEMO_EMAIL = "lucas.bernard@example.fr"  # cyclades/demo.py: DRAFT_EMAIL, a candidature in draft
DEMO_PASSWORD = "Demo-Cyclades-2027"

#: name → (latency ms, download kbit/s, upload kbit/s); kbit = 1 000 bits.
PROFILES = {"3G lente": (400, 400, 400), "2G": (800, 280, 256)}
PAGES = [("Accueil", "/"), ("Créer mon compte", "/compte/creer"), ("Me connecter", "/connexion")]
RUNS = 3
#: A phone's screen; Debian's Chromium as the browser tests launch it (tests/browser/conftest.py).
VIEWPORT = {"width": 360, "height": 800}
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
TIMEOUT_MS = 60_000  # a 2G line is slow, a hung page must still end the run
#: Tab 1 as the browser tests answer it (tests/conftest.py TABS); the postal code is kept from
#: « M'inscrire ».
IDENTIFICATION = {"Adresse": "12 rue Blatin", "Commune": "Clermont-Ferrand",
                  "Téléphone portable": "06 12 34 56 78"}
REPRESENTATIVE = ("Catégorie socio-professionnelle d'un représentant légal", "6")
NEXT_HEADING = "Étape 2 sur 6 : Informations candidature"


# --- The portal ----------------------------------------------------------------------------------

def instance_env(directory: Path) -> dict:
    return {
        "CYCLADES_DATABASE": str(directory / "cyclades.sqlite3"),
        "CYCLADES_QUEUE": str(directory / "queue.sqlite3"),
        "CYCLADES_RATELIMIT_STORAGE": f"sqlite://{directory / 'ratelimits.sqlite3'}",
        "CYCLADES_SECRET_KEY": "premier affichage",
        "CYCLADES_UPLOAD_DIR": str(directory / "uploads"),
        "CYCLADES_DOCUMENTS_DIR": str(directory / "documents"),
    }


@contextmanager
def portal(directory: Path):
    """A temporary instance with the demo data, served by gunicorn (one worker): its base URL."""
    port = free_port()
    env = {**os.environ, **instance_env(directory),
           "CYCLADES_BASE_URL": f"http://127.0.0.1:{port}"}
    for command in ("init-db", "demo-data"):
        subprocess.run([str(BIN / "flask"), "--app", "app", command], cwd=ROOT, env=env,
                       check=True, stdout=subprocess.DEVNULL)
    with gunicorn({**env, "GUNICORN_WORKERS": "1"}, directory / "gunicorn.stderr",
                  port=port) as (base_url, _master):
        for _, path in PAGES:  # templates compiled, files read: a warm server, as in production
            urllib.request.urlopen(base_url + path, timeout=30).read()
        yield base_url


# --- The browser ---------------------------------------------------------------------------------

class Line:
    """The page's network through the DevTools protocol: its profile, and what went over it."""

    def __init__(self, page):
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.requests, self.cached, self.sizes = set(), set(), {}
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.requestServedFromCache", lambda e: self.cached.add(e["requestId"]))
        self.cdp.on("Network.responseReceived", self._received)
        self.cdp.on("Network.loadingFinished", self._finished)

    def _sent(self, event):
        if not event["request"]["url"].startswith("data:"):
            self.requests.add(event["requestId"])

    def _received(self, event):
        if event["response"].get("fromDiskCache") or event["response"].get("fromPrefetchCache"):
            self.cached.add(event["requestId"])

    def _finished(self, event):
        self.sizes[event["requestId"]] = event["encodedDataLength"]

    def throttle(self, profile: str | None):
        latency, down, up = PROFILES[profile] if profile else (0, -1, -1)
        self.cdp.send("Network.emulateNetworkConditions", {
            "offline": False, "latency": latency,
            "downloadThroughput": down * 1000 / 8 if down > 0 else -1,
            "uploadThroughput": up * 1000 / 8 if up > 0 else -1})

    def reset(self):
        self.requests, self.cached, self.sizes = set(), set(), {}

    def traffic(self) -> tuple[int, int]:
        """(requests over the network, bytes they transferred) since the last reset()."""
        sent = self.requests - self.cached
        return len(sent), sum(self.sizes.get(request, 0) for request in sent)


def first_contentful_paint(page) -> float:
    """In ms from the navigation's start. Read synchronously: no callback of ours runs in a page
    without JavaScript."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        fcp = page.evaluate("performance.getEntriesByName('first-contentful-paint')[0]?.startTime")
        if fcp is not None:
            return fcp
        time.sleep(0.02)
    raise RuntimeError(f"pas de first-contentful-paint sur {page.url}")


def new_page(browser, base_url, javascript=True):
    context = browser.new_context(base_url=base_url, viewport=VIEWPORT, locale="fr-FR",
                                  java_script_enabled=javascript)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    return page, Line(page)


def visit(page, line, path) -> tuple[float, int, int]:
    """(FCP ms, requests, bytes) of one navigation to `path`."""
    line.reset()
    page.goto(path, wait_until="load")
    fcp = first_contentful_paint(page)
    return (fcp, *line.traffic())


def measure_pages(browser, base_url) -> list:
    rows = []
    for profile in PROFILES:
        for label, path in PAGES:
            runs = {"1re visite": [], "2e visite": []}
            for _ in range(RUNS):
                page, line = new_page(browser, base_url)
                line.throttle(profile)
                runs["1re visite"].append(visit(page, line, path))
                runs["2e visite"].append(visit(page, line, path))
                page.context.close()
            for kind, figures in runs.items():
                fcp, requests, size = (statistics.median(column) for column in zip(*figures))
                rows.append((profile, label, kind, fcp, round(requests), size))
    return rows


# --- « Suivant » -------------------------------------------------------------------------------

def log_in(page):
    page.goto("/connexion")
    page.get_by_label("Adresse mail", exact=True).fill(DEMO_EMAIL)
    page.get_by_label("Mot de passe", exact=True).fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", level=1, name="Mon espace").wait_for()


def start_candidature(page) -> str:
    """« M'inscrire » for the Baccalauréat professionnel in Clermont-Ferrand: its tab 1's path.
    Asked again, the portal opens the same candidature."""
    page.goto("/inscription/nouvelle?code_postal=63000")
    with page.expect_navigation():
        page.get_by_role("button", name="M'inscrire : Baccalauréat professionnel",
                         exact=True).click()
    token = re.search(r"/inscription/([^/]+)/", page.url).group(1)
    return f"/inscription/{token}/identification"


#: The click's time, then the next frame's once the wanted heading is in the DOM.
_WATCH_SWAP = """(wanted) => {
  const marks = window.suivantMarks = {};
  document.addEventListener("click", e => { marks.click = e.timeStamp; },
                            {capture: true, once: true});
  new MutationObserver((records, observer) => {
    const heading = document.getElementById("step-title");
    if (heading && heading.textContent.trim() === wanted) {
      observer.disconnect();
      requestAnimationFrame(() => { marks.frame = performance.now(); });
    }
  }).observe(document.body, {childList: true, subtree: true});
}"""

_NAVIGATION = "performance.getEntriesByType('navigation')[0].domInteractive"


def click_next(page, line, profile, tab_one, javascript) -> float:
    """Tab 1 answered on a fast line, then « Suivant » on `profile`: ms until tab 2 shows."""
    line.throttle(None)
    page.goto(tab_one, wait_until="load")
    for label, value in IDENTIFICATION.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label(REPRESENTATIVE[0], exact=True).select_option(REPRESENTATIVE[1])
    button = page.get_by_role("button", name="Suivant", exact=True)
    line.throttle(profile)
    if javascript:
        page.evaluate(_WATCH_SWAP, NEXT_HEADING)
        button.click()
        page.wait_for_function("() => window.suivantMarks.frame !== undefined")
        marks = page.evaluate("window.suivantMarks")
        shown = marks["frame"] - marks["click"]
    else:
        with page.expect_navigation(url=re.compile(r"/informations$"), wait_until="load"):
            button.click()
        shown = max(first_contentful_paint(page), page.evaluate(_NAVIGATION))
    heading = page.locator("h2#step-title").text_content().strip()
    if heading != NEXT_HEADING:
        raise RuntimeError(f"« Suivant » a mené à « {heading} » ({page.url})")
    line.throttle(None)
    return shown


def measure_next(browser, base_url) -> list:
    rows = []
    tab_one = None
    for javascript in (True, False):
        page, line = new_page(browser, base_url, javascript=javascript)
        log_in(page)
        tab_one = tab_one or start_candidature(page)
        for profile in PROFILES:
            times = [click_next(page, line, profile, tab_one, javascript) for _ in range(RUNS)]
            rows.append((profile, "avec JavaScript (htmx)" if javascript else "sans JavaScript",
                         statistics.median(times), min(times), max(times)))
        page.context.close()
    return rows


# --- Report --------------------------------------------------------------------------------------

def ko(size: int) -> str:
    return f"{size / 1024:.1f} Ko".replace(".", ",")


def ms(value: float) -> str:
    return f"{value:,.0f} ms".replace(",", "\u202f")


def chromium_path() -> str:
    path = os.environ.get("CYCLADES_CHROMIUM") or shutil.which("chromium")
    if not path or not os.access(path, os.X_OK):
        sys.exit("chromium est introuvable : sudo apt-get install chromium, ou son chemin dans "
                 "CYCLADES_CHROMIUM.")
    return path


def main():
    began = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp, portal(Path(tmp)) as base_url, \
            sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium_path(), headless=True,
                                         args=CHROMIUM_ARGS)
        try:
            version = browser.version
            pages = measure_pages(browser, base_url)
            swaps = measure_next(browser, base_url)
        finally:
            browser.close()

    print(f"Premier affichage, Chromium {version} ({VIEWPORT['width']} × {VIEWPORT['height']}), "
          f"réseau émulé, portail sous gunicorn ; médiane de {RUNS} essais.")
    for profile, (latency, down, up) in PROFILES.items():
        print(f"- {profile} : {latency} ms, {down} kbit/s descendant, {up} kbit/s montant")
    print()
    print("| réseau | page | visite | premier affichage (FCP) | requêtes | transféré |")
    print("|---|---|---|---:|---:|---:|")
    for profile, label, kind, fcp, requests, size in pages:
        print(f"| {profile} | {label} | {kind} | {ms(fcp)} | {requests} | {ko(size)} |")
    print()
    print("| réseau | « Suivant » (onglet 1 → onglet 2 affiché) | médiane | min | max |")
    print("|---|---|---:|---:|---:|")
    for profile, label, median, fastest, slowest in swaps:
        print(f"| {profile} | {label} | {ms(median)} | {ms(fastest)} | {ms(slowest)} |")
    print()
    print(f"Durée totale : {time.monotonic() - began:.0f} s.")


if __name__ == "__main__":
    main()
