"""What each request of the deadline-day mix costs the server: CPU milliseconds of one gunicorn
worker (gunicorn.conf.py, one gevent worker) per request, request type by request type, sent one
at a time over one keep-alive connection by a logged-in candidate, so that nothing else runs in
the worker. Also the SQL statements each sends (counted by the worker with
CYCLADES_COUNT_STATEMENTS=1, read from the X-Statements header). Prints figures; asserts nothing.

The instance is the one of benchmarks/deadline_day.py (the same preparation), and the weights of
its mix give the average a mix request costs, the figure the deadline-day target is about.

Run: .venv/bin/python benchmarks/request_costs.py [--requests N]
"""
import argparse
import gzip
import http.client
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import brotli  # noqa: E402

from benchmarks.browser import CSRF, MIX, REQUESTS, form_fields, multipart  # noqa: E402
from benchmarks.common import gunicorn  # noqa: E402
from benchmarks.deadline_day import (PASSWORD, instance_env, number, prepare,  # noqa: E402
                                     write_photo)


#: Series of each request type, interleaved.
ROUNDS = 7


def _cpu(pid: int) -> float:
    """CPU seconds of the process `pid`, every thread (the hashes' and file checks' pools
    included), to the nanosecond (schedstat), not to the clock tick."""
    total = 0
    for thread in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{thread}/schedstat") as handle:
                total += int(handle.read().split()[0])
        except OSError:
            continue
    return total / 1e9


def worker_of(master: int) -> int:
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    if int(handle.read().rsplit(")", 1)[1].split()[1]) == master:
                        return int(entry)
            except OSError:
                continue
    sys.exit("pas de worker gunicorn")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per type")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="request-costs-") as tmp:
        tmp = Path(tmp)
        env = instance_env(tmp / "instance", None)
        people = prepare(env, tmp / "accounts.json")
        photo = write_photo(tmp / "carte-identite.jpg", 1600, 1200, 25, 80).read_bytes()
        env = {**env, "GUNICORN_WORKERS": "1", "CYCLADES_COUNT_STATEMENTS": "1"}
        with gunicorn(env, tmp / "gunicorn.stderr") as (base_url, master):
            measure(base_url, master, people["candidates"][0], photo, args.requests)


def measure(base_url, master, candidate, photo, count):
    host, port = base_url.split("//")[1].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    cookies = {}

    def send(method, path, body=None, headers=None):
        head = {"Accept-Encoding": "gzip, br"}  # as a browser: the pages are compressed
        if cookies:
            head["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        connection.request(method, path, body=body, headers={**head, **(headers or {})})
        response = connection.getresponse()
        content = response.read()
        encoding = response.getheader("Content-Encoding")
        if encoding == "gzip":
            content = gzip.decompress(content)
        elif encoding == "br":
            content = brotli.decompress(content)
        for header in response.msg.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            cookies[name.strip()] = rest.split(";", 1)[0]
        return response, content.decode("utf-8", "replace") if b"%PDF" not in content[:8] \
            else ""

    form = {"Content-Type": "application/x-www-form-urlencoded"}
    _, html = send("GET", "/connexion")
    send("POST", "/connexion", urlencode({"csrf_token": CSRF.search(html).group(1),
                                          "email": candidate["email"], "password": PASSWORD}),
         form)
    token = candidate["candidature"]
    board = f"/mes-justificatifs/{token}"
    _, html = send("GET", board)
    csrf = CSRF.search(html).group(1)
    tab = f"/inscription/{token}/identification"
    _, html = send("GET", tab)
    identification = [(k, v) for k, v in form_fields(html, tab) if k != "action"]
    epreuves = f"/inscription/{token}/epreuves"
    _, html = send("GET", epreuves)
    epreuves_fields = [(k, v) for k, v in form_fields(html, epreuves) if k != "action"]
    turn = [0]

    def suivant_identification():
        turn[0] += 1
        fields = [(k, f"Bâtiment {turn[0] % 2 + 1}" if k == "complement" else v)
                  for k, v in identification]
        return "POST", tab, urlencode(fields + [("action", "suivant")]), form

    def upload():
        content_type, body = multipart({"csrf_token": csrf}, "fichier", "carte-identite.jpg",
                                       photo, "image/jpeg")
        return "POST", f"{board}/pieces/DCSTID01", body, {"Content-Type": content_type}

    kinds = {
        "GET / (Mon espace)": lambda: ("GET", "/", None, None),
        "GET onglet identification": lambda: ("GET", tab, None, None),
        "GET onglet epreuves": lambda: ("GET", epreuves, None, None),
        "GET onglet recapitulatif": lambda: ("GET", f"/inscription/{token}/recapitulatif",
                                             None, None),
        "POST Suivant (identification)": suivant_identification,
        "POST Suivant (epreuves)": lambda: ("POST", epreuves, urlencode(
            epreuves_fields + [("action", "suivant")]), form),
        "GET /mes-justificatifs (redirection)": lambda: ("GET", "/mes-justificatifs", None,
                                                         None),
        "GET justificatifs (candidature)": lambda: ("GET", board, None, None),
        "POST dépôt photo": upload,
        "GET confirmation PDF": lambda: ("GET", f"/documents/{candidate['document']}/pdf",
                                         None, None),
        "GET /static (feuille de style)": lambda: ("GET", "/static/css/cyclades.css", None, None),
    }
    worker = worker_of(master)
    anonymous = {"GET /connexion (anonyme)"}
    kinds["GET /connexion (anonyme)"] = lambda: ("GET", "/connexion", None, None)
    cpu, wall, seen = {k: [] for k in kinds}, {k: [] for k in kinds}, {}
    for _ in range(ROUNDS):  # interleaved: a disturbance of the machine spreads over all
        for name, make in kinds.items():
            saved = dict(cookies)
            if name in anonymous:
                cookies.clear()
            rounds = max(3, count // ROUNDS // (10 if name == "POST dépôt photo" else 1))
            send(*make())
            statements = []
            before, started = _cpu(worker), time.perf_counter()
            for _ in range(rounds):
                response, body = send(*make())
                statements.append(int(response.getheader("X-Statements") or 0))
            wall[name].append((time.perf_counter() - started) * 1000 / rounds)
            cpu[name].append((_cpu(worker) - before) * 1000 / rounds)
            seen[name] = (sum(statements) / len(statements), len(body.encode()), response.status)
            cookies.clear()
            cookies.update(saved)
    print("# Ce que coûte chaque requête (un worker gevent, une requête à la fois)\n")
    print(f"Médiane et minimum de {ROUNDS} séries entrelacées.\n")
    print("| requête | CPU ms (médiane) | CPU ms (min) | ms de bout en bout | requêtes SQL "
          "| octets | statut |")
    print("|---|---:|---:|---:|---:|---:|---|")
    costs = {}
    for name in kinds:
        costs[name] = statistics.median(cpu[name])
        statements, size, status = seen[name]
        print(f"| {name} | {number(costs[name], 2)} | {number(min(cpu[name]), 2)} | "
              f"{number(statistics.median(wall[name]), 2)} | {number(statements, 1)} | {size} "
              f"| {status} |")
    # The mix's average: each action's requests, with their weights.
    tab_get = (costs["GET onglet identification"] + costs["GET onglet epreuves"]
               + costs["GET onglet recapitulatif"]) / 3
    suivant = (costs["POST Suivant (identification)"] + costs["POST Suivant (epreuves)"]) / 2
    action = {"home": costs["GET / (Mon espace)"], "tab": tab_get,
              "suivant": 2 * tab_get + suivant,
              "justificatifs": costs["GET /mes-justificatifs (redirection)"]
              + costs["GET justificatifs (candidature)"],
              "board": costs["GET justificatifs (candidature)"],
              "upload": costs["POST dépôt photo"] + costs["GET justificatifs (candidature)"],
              "pdf": costs["GET confirmation PDF"]}
    total = sum(MIX[k] * action[k] for k in MIX)
    requests = sum(MIX[k] * REQUESTS[k] for k in MIX)
    print(f"\nUne requête moyenne du mélange de benchmarks/deadline_day.py : "
          f"**{number(total / requests, 2)} ms de CPU** (sans les connexions).")
    for k in MIX:
        print(f"- {k} : {number(MIX[k] * action[k] / total * 100, 0)} % du CPU du mélange")


if __name__ == "__main__":
    main()
