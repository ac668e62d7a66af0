"""Jour de clôture: the portal served as in production (gunicorn, gunicorn.conf.py: gevent
workers, one per core) under the load of the last day of registration. Prints figures; asserts
nothing.

A temporary instance (its database, queue, rate-limit counters, files, secret) is made with
`flask --app app init-db` then `demo-data`, then, through the application's own operations,
ACCOUNTS candidates with a registered Bac Pro candidature in Clermont-Ferrand, reopened with
« Modifier » (so that its tabs can be saved again), 30 more for the slow phones and 150 accounts
for the burst of logins. The first candidature is filled in through the forms (the test client),
the others get its answers: the tabs post back exactly what they show. Every account has the
same password hash (hashed once: a hash carries its salt, each login still verifies it). The
two PDFs of « Enregistrer » are rendered for the first candidature only (reuse_first_pdfs).

The load comes from locust, as a library, headless, in a process of its own
(benchmarks/deadline_load.py), on 127.0.0.1 only: it shares the machine's cores with the
server, and the CPU it takes is printed. Each candidate logs in once (GET /connexion for the
CSRF token, POST), then loops over Mon espace, the tabs (GET), « Suivant » on a tab (the
tab's form posted as shown, redirect followed), Mes justificatifs, an upload of a 260 Ko photo,
the confirmation PDF. Every user logs in before any loops: gunicorn's gevent workers accept
one new connection per turn of their event loop when there are several workers
(gunicorn/workers/ggevent.py: max_accept = 1), so connections opened while others keep the
workers busy wait, up to a minute (phase 3 measures that on purpose). Each phase is measured
over a window that opens once every user is logged in and the server is warm:
- the bare-Flask reference (benchmarks/bare_flask.py: a 3,5 Ko Jinja page, the same gunicorn
  settings), then the portal with users sending without waiting (saturation);
- the portal at a fixed rate of 500 requests a second (locust's constant_throughput), and, when
  the saturation is below that, at 70 % of the saturation too: the rate of phases 2 and 3;
- phase 2: the mix with 30 phones uploading a 4 Mo photo at 400 kbit/s (raw sockets, small
  writes paced), until every upload has answered;
- phase 3: the mix with a burst of 150 logins within 3 seconds.
For each: requests a second, p50/p95/p99 per request type, errors (the users' own logins
included), and the CPU the gunicorn workers took per request (/proc/<pid>/stat of the master's
children, plus the master's cutime/cstime for a worker replaced meanwhile), beside what the
generator and the rest of the machine took (/proc/stat): another process busy on the same cores
moves the requests a second and the latencies, much less the CPU per request.

Run: `make benchmark` (or .venv/bin/python benchmarks/deadline_day.py). With
`--database postgresql://…` (or CYCLADES_BENCHMARK_DATABASE) the same phases run on that
database too, after SQLite (it must be a throw-away database: rows are added to it); with
`--postgres`, on a throw-away PostgreSQL cluster started in a temporary directory (default
durability settings) and stopped afterwards.
"""
import argparse
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import free_port, gunicorn  # noqa: E402
from tests.conftest import TABS  # noqa: E402  (a Bac Pro candidature in Clermont-Ferrand)

BIN = Path(sys.executable).parent
LOAD = ROOT / "benchmarks" / "deadline_load.py"
PASSWORD = "Tournesol-Vert42"
ACCOUNTS = 200  #: candidates of the mix
SLOW = 30  #: phones uploading slowly
BURST = 150  #: logins of the burst
SATURATION_USERS = 40  #: users sending without waiting
TARGET_RATE = 500  #: requests a second
SECONDS = 20  #: measured window of each phase
SLOW_RATE = 400_000  #: bits a second of a phone
TARGETS = {"rate": 500, "p95": 100, "p95_beside": 200}  #: req/s, ms, ms



# --- The instance -------------------------------------------------------------------------------

def instance_env(directory: Path, database: str | None) -> dict:
    directory.mkdir(parents=True, exist_ok=True)
    return {
        "CYCLADES_DATABASE": database or str(directory / "cyclades.sqlite3"),
        "CYCLADES_QUEUE": str(directory / "queue.sqlite3"),
        "CYCLADES_RATELIMIT_STORAGE": f"sqlite://{directory / 'ratelimits.sqlite3'}",
        "CYCLADES_SECRET_KEY": "jour de clôture",
        "CYCLADES_UPLOAD_DIR": str(directory / "uploads"),
        "CYCLADES_DOCUMENTS_DIR": str(directory / "documents"),
    }


def prepare(env: dict, out: Path) -> dict:
    """init-db, demo-data, then the accounts (in a process of its own, on that environment)."""
    full = {**os.environ, **env}
    for command in ("init-db", "demo-data"):
        subprocess.run([str(BIN / "flask"), "--app", "app", command], cwd=ROOT, env=full,
                       check=True, stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, __file__, "--prepare-accounts", str(out)], cwd=ROOT,
                   env=full, check=True)
    return json.loads(out.read_text())


def prepare_accounts(out: Path) -> None:
    """Runs in the instance's environment: the candidates, their candidatures, the burst's
    accounts. Writes what the load generators need."""
    import copy
    from datetime import date

    from cyclades import create_app
    from cyclades.db import database
    from cyclades.models import Account, Candidature, Window, utcnow
    from cyclades.operations import documents, registration
    from cyclades.security import hash_password

    app = create_app()
    reuse_first_pdfs()
    run = os.urandom(3).hex()  # a database given by URL may have seen an earlier run
    password_hash = hash_password(PASSWORD)

    def account(email):
        return Account.create(email=email, civilite="MME", nom_naissance="MARTIN", nom_usage="",
                              prenoms="Élodie Anne", date_naissance=date(1998, 5, 30),
                              pays_naissance="FR", password_hash=password_hash,
                              activated_at=utcnow())

    emails = [f"cloture.{run}.{i:04d}@example.fr" for i in range(ACCOUNTS + SLOW)]
    with app.app_context(), database.connection_context():
        first = account(emails[0])
    draft = fill_in_through_forms(app, emails[0])
    candidates = []
    with app.test_request_context(), database.connection_context():
        window = next(w for w in Window.open_at(utcnow())
                      if w.academie.code == "clermont-ferrand" and w.exam.code == "BCP"
                      and w.kind == Window.INSCRIPTION)
        for email in emails:
            owner = first if email == emails[0] else account(email)
            candidature, _ = registration.start_candidature(owner, window, "63000")
            if candidature.status != "inscrite":
                candidature.draft = copy.deepcopy(draft)
                candidature.save()
                candidature = registration.register_candidature(candidature)
            candidature = registration.reopen_candidature(candidature)
            confirmation = documents.latest_of(candidature, "confirmation")
            candidates.append({"email": email, "candidature": candidature.token,
                               "document": confirmation.token})
        burst = []
        for i in range(BURST):
            burst.append({"email": account(f"cloture.{run}.connexion.{i:03d}@example.fr").email})
        reopened = Candidature.select().where(Candidature.editing == True).count()  # noqa: E712
    out.write_text(json.dumps({"candidates": candidates[:ACCOUNTS],
                               "slow": candidates[ACCOUNTS:], "burst": burst,
                               "reopened": reopened}))


def reuse_first_pdfs() -> None:
    """Setup only: « Enregistrer » renders two PDFs (confirmation, demande de pièces), 0,45 s a
    candidature, 100 s for them all; the mix never renders one (it downloads the stored file).
    Each kind is rendered once, for the first candidature, and its bytes are stored for the
    others (their rows, numbers and HTML versions stay their own)."""
    from cyclades.documents import pdf

    render, rendered = pdf.render, {}

    def first_rendering(content):
        key = content.get("title")
        if key not in rendered:
            rendered[key] = render(content)
        return rendered[key]

    pdf.render = first_rendering


def fill_in_through_forms(app, email: str) -> dict:
    """The first candidature, through the pages (test client): logged in, M'inscrire, every
    tab with « Suivant », Enregistrer. Its saved answers, for the others."""
    from cyclades.db import database
    from cyclades.models import Candidature

    client = app.test_client()

    def token(page):
        html = client.get(page).get_data(as_text=True)
        return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)

    client.post("/connexion", data={"csrf_token": token("/connexion"), "email": email,
                                    "password": PASSWORD})
    started = client.post("/inscription/nouvelle", data={
        "csrf_token": token("/inscription/nouvelle?code_postal=63000"),
        "code_postal": "63000", "examen": "BCP"})
    if started.status_code != 303:
        sys.exit(f"M'inscrire refusé : {started.status_code}")
    candidature = started.headers["Location"].split("/")[2]
    for slug, answers in TABS.items():
        url = f"/inscription/{candidature}/{slug}"
        response = client.post(url, data={**answers, "action": "suivant",
                                          "csrf_token": token(url)})
        if response.status_code != 303:
            sys.exit(f"Onglet {slug} refusé : {response.status_code}")
    saved = client.post(f"/inscription/{candidature}/enregistrer",
                        data={"csrf_token": token(f"/inscription/{candidature}/recapitulatif")})
    if saved.status_code != 303:
        sys.exit(f"Enregistrer refusé : {saved.status_code}")
    with app.app_context(), database.connection_context():
        return Candidature.get(Candidature.token == candidature).draft


def write_photo(path: Path, width: int, height: int, sigma: float, quality: int) -> Path:
    """A photo-like JPEG (gradients and grain): compresses as a phone's photo does."""
    from PIL import Image

    coarse = Image.effect_noise((width // 4, height // 4), sigma).resize((width, height),
                                                                        Image.BILINEAR)
    fine = Image.effect_noise((width, height), sigma / 2)
    gradient = Image.linear_gradient("L").resize((width, height))
    Image.merge("RGB", (Image.blend(gradient, coarse, 0.5),
                        Image.blend(gradient.transpose(Image.FLIP_LEFT_RIGHT), fine, 0.5),
                        Image.blend(coarse, fine, 0.5))).save(path, "JPEG", quality=quality)
    return path


# --- Servers ------------------------------------------------------------------------------------

@contextmanager
def throwaway_postgres(tmp: Path):
    """A PostgreSQL cluster of its own in a temporary directory (initdb as the `postgres` user
    when we are root), on a free port of 127.0.0.1 and a socket in that directory, with the
    default durability settings; stopped and removed afterwards. (Its URL, the postmaster's
    pid, whose processes' CPU is measured as the workers' is.)"""
    bindir = None
    for candidate in [shutil.which("initdb"), *sorted(Path("/usr/lib/postgresql").glob(
            "*/bin/initdb"), reverse=True)]:
        if candidate:
            bindir = Path(candidate).resolve().parent
            break
    if bindir is None:
        sys.exit("initdb introuvable : apt-get install postgresql")
    directory = Path(tempfile.mkdtemp(prefix="deadline-day-pg-"))
    as_owner = []
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
        as_owner = ["runuser", "-u", "postgres", "--"]
    data, port = directory / "data", free_port()
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "check": True}
    try:
        subprocess.run([*as_owner, str(bindir / "initdb"), "-D", str(data), "-A", "trust",
                        "-U", "postgres", "-E", "UTF8", "--locale=C"], **quiet)
        subprocess.run([*as_owner, str(bindir / "pg_ctl"), "-D", str(data), "-l",
                        str(directory / "server.log"), "-w", "-o",
                        f"-p {port} -k {directory} -c listen_addresses=127.0.0.1", "start"],
                       **quiet)
        subprocess.run([*as_owner, str(bindir / "createdb"), "-h", str(directory), "-p",
                        str(port), "-U", "postgres", "cyclades"], **quiet)
        postmaster = int((data / "postmaster.pid").read_text().split()[0])
        yield f"postgresql://postgres@127.0.0.1:{port}/cyclades", postmaster
    finally:
        subprocess.run([*as_owner, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w",
                        "stop"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(directory, ignore_errors=True)


# --- Running a load -----------------------------------------------------------------------------

class Load:
    """A load generator process (deadline_load.py): start it, wait for its window to open,
    then for its results."""

    def __init__(self, tmp: Path, mode: str, spec: dict):
        name = f"{mode}-{time.monotonic_ns()}"
        self.spec_path, self.out = tmp / f"{name}.json", tmp / f"{name}.out.json"
        self.spec_path.write_text(json.dumps(spec))
        self.log = tmp / f"{name}.log"
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(LOAD), mode, str(self.spec_path), str(self.out)], cwd=ROOT,
                stdout=subprocess.PIPE, stderr=log, text=True)

    def window_start(self) -> float:
        line = self.process.stdout.readline()
        if not line.startswith("WINDOW "):
            self.process.wait()
            sys.exit(f"Générateur de charge arrêté :\n{self.log.read_text()[-3000:]}")
        return float(line.split()[1])

    def result(self, timeout: float = 300) -> dict:
        self.process.wait(timeout=timeout)
        if self.process.returncode != 0 or not self.out.exists():
            sys.exit(f"Générateur de charge en échec :\n{self.log.read_text()[-3000:]}")
        return json.loads(self.out.read_text())


def locust_spec(base_url, master, users, rate=None, seconds=SECONDS, **extra) -> dict:
    return {"base_url": base_url, "master": master, "users": users, "rate": rate,
            "seconds": seconds, "spawn_rate": 100, "warmup": 3, "password": PASSWORD, **extra}


def side_spec(base_url, accounts, start, **extra) -> dict:
    host, port = base_url.removeprefix("http://").split(":")
    return {"host": host, "port": int(port), "accounts": accounts, "start": start,
            "password": PASSWORD, **extra}


# --- Figures ------------------------------------------------------------------------------------

def percentile(values: list[float], share: float) -> float:
    """Nearest rank, on sorted values."""
    if not values:
        return float("nan")
    return values[min(len(values) - 1, max(0, math.ceil(share * len(values)) - 1))]


def within(records, start, end):
    """The requests sent and answered inside [start, end]."""
    return [r for r in records if r[0] >= start and r[0] + r[2] / 1000 <= end]


def summary(records, start, end) -> dict:
    inside = within(records, start, end)
    by_name = defaultdict(list)
    for record in inside:
        by_name[record[1]].append(record)
    rows = {}
    for name, group in sorted(by_name.items(), key=lambda item: -len(item[1])):
        times = sorted(r[2] for r in group)
        rows[name] = {"count": len(group), "p50": percentile(times, .5),
                      "p95": percentile(times, .95), "p99": percentile(times, .99),
                      "errors": sum(not r[3] for r in group)}
    times = sorted(r[2] for r in inside)
    failures = Counter((r[1], r[4], r[5]) for r in inside if not r[3])
    return {"rows": rows, "count": len(inside), "seconds": end - start,
            "rate": len(inside) / (end - start) if end > start else 0,
            "p50": percentile(times, .5), "p95": percentile(times, .95),
            "p99": percentile(times, .99), "errors": sum(failures.values()),
            "failures": failures}


def ms(value: float) -> str:
    if value != value:
        return "–"
    return f"{number(value, 0 if value >= 10 else 1)} ms"


def number(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}".replace(",", "\u202f").replace(".", ",")


def print_summary(title: str, figures: dict, result: dict | None = None,
                  beside: int = 0) -> None:
    """The table of a phase; with the generator's `result`, the CPU figures (per request of
    the mix and the `beside` requests of a side load answered in the window)."""
    print(f"\n### {title}\n")
    print("| requête | nombre | req/s | p50 | p95 | p99 | erreurs |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, row in figures["rows"].items():
        print(f"| {name} | {row['count']} | {number(row['count'] / figures['seconds'], 1)} "
              f"| {ms(row['p50'])} | {ms(row['p95'])} | {ms(row['p99'])} | {row['errors']} |")
    print(f"| **toutes** | {figures['count']} | **{number(figures['rate'], 1)}** "
          f"| {ms(figures['p50'])} | **{ms(figures['p95'])}** | {ms(figures['p99'])} "
          f"| **{figures['errors']}** |")
    if result is not None:
        seconds = result["window"][1] - result["window"][0]
        served = figures["count"] + beside
        cpu_ms = result["server_cpu"] * 1000 / served if served else 0
        figures["cpu_ms"] = cpu_ms
        replaced = len(set(result["pids"][1]) - set(result["pids"][0]))
        database = result.get("database_cpu")
        rest = result["machine_cpu"] - result["server_cpu"] - result["generator_cpu"] \
            - (database or 0)
        print(f"\nFenêtre mesurée : {number(seconds, 1)} s. CPU des workers gunicorn : "
              f"**{number(cpu_ms, 2)} ms par requête**"
              + (f" (les {beside} requêtes d'à côté comprises)" if beside else "")
              + f" ({number(result['server_cpu'] / seconds, 2)}"
              f" cœur en moyenne) ; générateur locust (mêmes cœurs) : "
              f"{number(result['generator_cpu'] / seconds, 2)} cœur ; le reste de la machine : "
              f"{number(max(rest, 0) / seconds, 2)} cœur."
              + (f" Workers remplacés pendant la fenêtre (max_requests) : {replaced}."
                 if replaced else ""))
        if database is not None:
            print(f"PostgreSQL (tous ses processus) : {number(database * 1000 / served, 2)} ms "
                  f"par requête ({number(database / seconds, 2)} cœur) ; workers et base "
                  f"ensemble : **{number((result['server_cpu'] + database) * 1000 / served, 2)}"
                  f" ms par requête**.")
        logins(figures, result)
    for (name, status, message), count in figures["failures"].most_common(6):
        print(f"- erreur × {count} : {name} → {status or 'pas de réponse'}"
              f"{' (' + message + ')' if message else ''}")


def logins(figures: dict, result: dict) -> None:
    """How the users' own logins went, before the window (their failures count as errors)."""
    before = [r for r in result["records"] if r[0] < result["window"][0]]
    posts = sorted(r[2] for r in before if r[1] == "POST /connexion" and r[3])
    failed = Counter((r[1], r[4], r[5]) for r in before if not r[3])
    figures["login_errors"] = sum(failed.values())
    if posts:
        print(f"Connexions des {result['users']} utilisateurs avant la fenêtre : {len(posts)} "
              f"réussies, POST /connexion p50 {ms(percentile(posts, .5))}, p95 "
              f"{ms(percentile(posts, .95))}" + (f" ; **{figures['login_errors']} requêtes en "
                                                 f"échec**" if failed else "") + ".")
    for (name, status, message), count in failed.most_common(3):
        print(f"- connexion en échec × {count} : {name} → {status or 'pas de réponse'}"
              f"{' (' + message + ')' if message else ''}")


def verdict(ok: bool) -> str:
    return "atteint" if ok else "**non atteint**"


# --- The phases ---------------------------------------------------------------------------------

def reference(tmp: Path, seconds: float) -> dict:
    with gunicorn({}, tmp / "bare_flask.stderr", "bare_flask:app",
                  ("--pythonpath", "benchmarks")) as (base_url, master):
        load = Load(tmp, "reference",
                    locust_spec(base_url, master, SATURATION_USERS, seconds=seconds))
        load.window_start()
        result = load.result()
    figures = summary(result["records"], *result["window"])
    print_summary(f"Référence : Flask nu, une page Jinja de 3,5 Ko ({SATURATION_USERS} "
                  "utilisateurs sans attente)", figures, result)
    return figures


def portal(tmp: Path, label: str, database: str | None, bare: dict, seconds: float,
           postmaster: int | None = None) -> dict:
    directory = tmp / re.sub(r"\W+", "-", label.lower())
    env = instance_env(directory, database)
    started = time.monotonic()
    people = prepare(env, directory / "accounts.json")
    print(f"\n## {label}\n")
    print(f"Instance temporaire prête en {number(time.monotonic() - started, 1)} s : "
          f"{len(people['candidates'])} candidats (candidature enregistrée puis rouverte avec "
          f"« Modifier »), {len(people['slow'])} pour les téléphones lents, "
          f"{len(people['burst'])} comptes pour la rafale de connexions.")
    photo = write_photo(tmp / "carte-identite.jpg", 1600, 1200, 25, 80)
    big = write_photo(tmp / "confirmation-signee.jpg", 4000, 3000, 45, 88)
    log = directory / "gunicorn.stderr"
    found = {}
    with gunicorn(env, log) as (base_url, master):
        common = {"accounts": people["candidates"], "photo": str(photo), "seconds": seconds,
                  "db_master": postmaster}

        load = Load(tmp, "mix", locust_spec(base_url, master, SATURATION_USERS, **common))
        load.window_start()
        result = load.result()
        found["saturation"] = saturation = summary(result["records"], *result["window"])
        print_summary(f"Phase 1 a : saturation ({SATURATION_USERS} candidats sans attente)",
                      saturation, result)
        print(f"\nRapport au Flask nu : {number(saturation['cpu_ms'] / bare['cpu_ms'], 1)} fois "
              f"son CPU par requête ({number(saturation['cpu_ms'], 2)} ms contre "
              f"{number(bare['cpu_ms'], 2)} ms).")
        generator = result["generator_cpu"] / (result["window"][1] - result["window"][0])
        cores = os.cpu_count()
        print(f"Ce que le CPU permet : {cores} cœurs pour le serveur seul, moins ce que prend le "
              f"générateur, ≈ {number((cores - generator) / saturation['cpu_ms'] * 1000, 0)} "
              f"req/s ; {TARGET_RATE} req/s demanderaient "
              f"{number(TARGET_RATE * saturation['cpu_ms'] / 1000, 1)} cœurs de workers.")

        load = Load(tmp, "mix", locust_spec(base_url, master, ACCOUNTS, TARGET_RATE, **common))
        load.window_start()
        result = load.result()
        found["fixed"] = fixed = summary(result["records"], *result["window"])
        print_summary(f"Phase 1 b : débit fixé à {TARGET_RATE} req/s ({ACCOUNTS} candidats, "
                      "constant_throughput)", fixed, result)

        # The highest rate served: at saturation, or at 500 req/s asked (each phase on a
        # machine that other processes may have shared differently, see « le reste »).
        best = max(saturation["rate"], fixed["rate"])
        rate = TARGET_RATE
        if best < TARGET_RATE * 1.1:
            rate = max(10, int(best * 0.7 // 10 * 10))
            load = Load(tmp, "mix", locust_spec(base_url, master, ACCOUNTS, rate, **common))
            load.window_start()
            result = load.result()
            found["below"] = summary(result["records"], *result["window"])
            print_summary(f"Phase 1 c : débit fixé à {rate} req/s (70 % du plus haut débit "
                          "servi : la base des phases 2 et 3)", found["below"], result)
        else:
            found["below"] = fixed
        found["rate"] = rate

        found["slow"] = slow_phones(tmp, base_url, master, rate, people, big, common)
        found["burst"] = login_burst(tmp, base_url, master, rate, people, common)
    found["log"] = log
    return found


def slow_phones(tmp, base_url, master, rate, people, big, common) -> dict:
    stop = tmp / f"stop-{time.monotonic_ns()}"
    load = Load(tmp, "mix", locust_spec(base_url, master, ACCOUNTS, rate,
                                        **{**common, "seconds": 240, "stop_file": str(stop)}))
    start = load.window_start()
    size = big.stat().st_size
    expected = size * 8 / SLOW_RATE
    phones = Load(tmp, "slow", side_spec(base_url, people["slow"], start + 1, spread=5,
                                         photo=str(big), bits_per_second=SLOW_RATE,
                                         timeout=expected + 60))
    uploads = phones.result(timeout=expected + 90)["uploads"]
    stop.touch()
    result = load.result()
    figures = summary(result["records"], *result["window"])
    figures["side_errors"] = sum(u.get("status") != 303 for u in uploads)
    print_summary(f"Phase 2 : le mélange à {rate} req/s et {len(people['slow'])} téléphones "
                  f"envoyant une photo de {number(size / 1024 / 1024, 1)} Mo à "
                  f"{SLOW_RATE // 1000} kbit/s (≈ {expected:.0f} s chacun)", figures, result,
                  beside=4 * sum(1 for u in uploads if u.get("status")))
    done = [u for u in uploads if u.get("status") == 303]
    durations = sorted(u["end"] - u["start"] for u in done)
    answers = sorted(u["end"] - u["sent"] for u in done if u.get("sent"))
    print(f"\nEnvois terminés : **{len(done)} sur {len(people['slow'])}** (303 See Other)"
          + (f", en {number(durations[0], 0)} à {number(durations[-1], 0)} s ; réponse une fois "
             f"le corps envoyé : médiane {ms(percentile(answers, .5) * 1000)}, max "
             f"{ms(answers[-1] * 1000)}" if done else "") + ".")
    for upload in uploads:
        if upload.get("status") != 303:
            print(f"- {upload['email']} : {upload.get('status')} {upload.get('error', '')}")
    if done:
        first = min(u["sent"] for u in done)
        last = max(u["end"] for u in done)
        during = summary(result["records"], first - 1, last + 1)
        figures["checking"] = during
        streaming = summary(result["records"], result["window"][0], first - 1)
        figures["streaming"] = streaming
        arriving = first - 1 - result["window"][0]
        print(f"Le mélange pendant que les photos arrivent ({number(arriving, 0)} s) : p95 "
              f"**{ms(streaming['p95'])}** ({streaming['count']} requêtes, "
              f"{streaming['errors']} erreurs) ; pendant que les photos arrivées sont vérifiées "
              f"({number(last - first + 2, 1)} s) : p95 **{ms(during['p95'])}** "
              f"({during['count']} requêtes, {during['errors']} erreurs).")
    return figures


def login_burst(tmp, base_url, master, rate, people, common) -> dict:
    load = Load(tmp, "mix", locust_spec(base_url, master, ACCOUNTS, rate,
                                        **{**common, "seconds": max(common["seconds"], 16)}))
    start = load.window_start()
    burst = Load(tmp, "burst", side_spec(base_url, people["burst"], start + 6, spread=3,
                                         timeout=60)).result(timeout=90)["records"]
    result = load.result()
    figures = summary(result["records"], *result["window"])
    print_summary(f"Phase 3 : le mélange à {rate} req/s et {len(people['burst'])} connexions en "
                  "3 s", figures, result, beside=len(within(burst, *result["window"])))
    posts = [r for r in burst if r[1] == "POST /connexion"]
    first = min(r[0] for r in burst)
    last = max(r[0] + r[2] / 1000 for r in burst)
    during = summary(result["records"], first, last)
    figures["during"] = during
    figures["side_errors"] = sum(not r[3] for r in burst)
    times = sorted(r[2] for r in posts)
    print(f"\nRafale : {sum(r[3] for r in posts)} connexions réussies sur {len(people['burst'])}, "
          f"en {number(last - first, 1)} s ; chaque POST /connexion p50 "
          f"{ms(percentile(times, .5))}, p95 {ms(percentile(times, .95))}, max "
          f"{ms(times[-1] if times else float('nan'))}.")
    print(f"Le mélange pendant la rafale : {during['count']} requêtes, p95 "
          f"**{ms(during['p95'])}**, p99 {ms(during['p99'])}, {during['errors']} erreurs.")
    return figures


def report_targets(label: str, found: dict) -> None:
    saturation, fixed = found["saturation"], found["fixed"]
    phases = {id(found[k]): found[k] for k in ("saturation", "fixed", "below", "slow", "burst")}
    errors = sum(p["errors"] + p.get("login_errors", 0) for p in phases.values())
    errors += found["slow"]["side_errors"] + found["burst"]["side_errors"]
    streaming = found["slow"].get("streaming", found["slow"])
    checking = found["slow"].get("checking", found["slow"])
    print(f"\n### Objectifs ({label})\n")
    print("| objectif | mesuré | |")
    print("|---|---|---|")
    best = max(saturation["rate"], fixed["rate"])
    print(f"| ≥ {TARGETS['rate']} req/s | {number(best, 0)} req/s au plus (phase 1 "
          f"{'a' if best == saturation['rate'] else 'b'}) | {verdict(best >= TARGETS['rate'])} |")
    print(f"| p95 < {TARGETS['p95']} ms à {TARGET_RATE} req/s | {ms(fixed['p95'])} "
          f"({number(fixed['rate'], 0)} req/s servies) | "
          f"{verdict(fixed['p95'] < TARGETS['p95'] and fixed['rate'] >= TARGET_RATE * 0.95)} |")
    print(f"| 0 erreur | {errors} | {verdict(errors == 0)} |")
    print(f"| téléphones lents : p95 des autres ≤ {TARGETS['p95_beside']} ms | "
          f"{ms(found['slow']['p95'])} sur la phase : {ms(streaming['p95'])} pendant l'envoi, "
          f"{ms(checking['p95'])} pendant les vérifications (à {found['rate']} req/s) | "
          f"{verdict(found['slow']['p95'] <= TARGETS['p95_beside'])} |")
    print(f"| rafale de connexions : p95 des autres ≤ {TARGETS['p95_beside']} ms | "
          f"{ms(found['burst']['during']['p95'])} pendant la rafale (à {found['rate']} req/s) | "
          f"{verdict(found['burst']['during']['p95'] <= TARGETS['p95_beside'])} |")


def server_errors(log: Path) -> None:
    """What gunicorn's stderr says went wrong: tracebacks (distinct, by their last line) and
    error lines."""
    text = log.read_text(errors="replace") if log.exists() else ""
    blocks = re.findall(r"Traceback \(most recent call last\):\n(?:[ \t].*\n|\n)*\S.*", text)
    errors = [line for line in text.splitlines()
              if re.search(r"\[(ERROR|CRITICAL)\]|\] ERROR in |WORKER TIMEOUT", line)]
    if not blocks and not errors:
        print("\nstderr de gunicorn : aucune erreur, aucune trace d'exception.")
        return
    distinct = {}
    for block in blocks:
        distinct.setdefault(block.strip().splitlines()[-1], []).append(block)
    print(f"\nstderr de gunicorn : {len(errors)} lignes d'erreur, {len(blocks)} traces "
          f"d'exception ({len(distinct)} distinctes) :")
    for line in errors[:5]:
        print(f"    {line}")
    for last, found in list(distinct.items())[:3]:
        print(f"\n{len(found)} × :\n```\n{found[0].strip()[-2500:]}\n```")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default=os.environ.get("CYCLADES_BENCHMARK_DATABASE"),
                        help="a throw-away PostgreSQL database (postgresql://…), after SQLite")
    parser.add_argument("--postgres", action="store_true",
                        help="start a throw-away PostgreSQL cluster, run on it after SQLite")
    parser.add_argument("--seconds", type=float, default=SECONDS,
                        help=f"measured window of each phase (default {SECONDS})")
    parser.add_argument("--prepare-accounts", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare_accounts:
        return prepare_accounts(Path(args.prepare_accounts))

    began = time.monotonic()
    print(f"# Jour de clôture : le portail sous gunicorn ({os.cpu_count()} cœurs, "
          f"{os.environ.get('GUNICORN_WORKERS', os.cpu_count())} workers gevent)\n")
    print(f"Le générateur de charge (locust, un processus) tourne sur la même machine et "
          f"partage ses {os.cpu_count()} cœurs avec le serveur : les req/s à saturation sont "
          f"celles de cette machine partagée ; le CPU par requête, lu dans /proc pour les "
          f"workers seuls, ne dépend pas de lui. 127.0.0.1 uniquement.")
    busy = machine_busy()
    if busy > 0.2:
        print(f"\n**Attention** : avant de commencer, la machine est déjà occupée "
              f"({number(busy, 2)} cœur pris par d'autres processus) : les req/s et les "
              f"latences en pâtissent (le CPU par requête beaucoup moins).")
    with tempfile.TemporaryDirectory(prefix="deadline-day-") as tmp:
        tmp = Path(tmp)
        bare = reference(tmp, args.seconds)
        targets = [("SQLite", None, None)]
        if args.database:
            targets.append(("PostgreSQL", args.database, None))
        with (throwaway_postgres(tmp) if args.postgres else _nothing()) as cluster:
            if cluster:
                targets.append(("PostgreSQL jetable", *cluster))
            for label, database, postmaster in targets:
                found = portal(tmp, label, database, bare, args.seconds, postmaster)
                report_targets(label, found)
                server_errors(found["log"])
    print(f"\nDurée totale : {number(time.monotonic() - began, 0)} s.")


def machine_busy(seconds: float = 2.0) -> float:
    """Cores the machine keeps busy (every process), over `seconds`."""
    def busy():
        with open("/proc/stat") as handle:
            fields = [int(v) for v in handle.readline().split()[1:]]
        return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")
    before = busy()
    time.sleep(seconds)
    return (busy() - before) / seconds


@contextmanager
def _nothing():
    yield None


if __name__ == "__main__":
    random.seed()
    main()
