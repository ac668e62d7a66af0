"""The load generators of benchmarks/deadline_day.py, each run in a process of its own (their
CPU is then theirs, not the server's, and gevent's patching stays out of the orchestrator):

    deadline_load.py mix SPEC OUT        locust, headless: candidates logged in, the page mix
    deadline_load.py reference SPEC OUT  locust, the same settings, on the bare Flask page
    deadline_load.py slow SPEC OUT       phones uploading a 4 Mo photo at 400 kbit/s
    deadline_load.py burst SPEC OUT      a burst of logins

SPEC is a JSON file written by deadline_day.py; OUT receives every request as a record
(start, name, milliseconds, ok, status) and what the process measured. A `mix` or `reference`
run prints `WINDOW <epoch>` on stdout when its measured window opens (every user logged in,
a few seconds of warm-up), so that the side loads can be started relative to it; everything
else goes to stderr.
"""
from gevent import monkey

monkey.patch_all()

import http.client  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import socket  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import urlencode  # noqa: E402

import gevent  # noqa: E402

from browser import (CSRF, MIX, TABS, form_fields, multipart,  # noqa: E402
                     requests_per_action)


# --- Measuring the server -----------------------------------------------------------------------

def _stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def server_cpu(master: int) -> dict:
    """CPU seconds of gunicorn's workers: the live ones (children of the master) plus those
    already gone (reaped by the master: its cutime + cstime), so a worker replaced after
    max_requests is still counted; the master's own time apart; the workers' pids."""
    ticks = os.sysconf("SC_CLK_TCK")
    fields = _stat(master)
    # Fields after the command: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14).
    gone = (int(fields[13]) + int(fields[14])) / ticks
    own = (int(fields[11]) + int(fields[12])) / ticks
    live, pids = 0.0, []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        child = _stat(int(entry))
        if child and int(child[1]) == master:
            live += (int(child[11]) + int(child[12])) / ticks
            pids.append(int(entry))
    return {"workers": live + gone, "master": own, "pids": sorted(pids)}


def machine_cpu() -> float:
    """CPU seconds the whole machine has been busy (every process, every core), /proc/stat."""
    with open("/proc/stat") as handle:
        fields = [int(v) for v in handle.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def database_cpu(postmaster: int | None) -> float | None:
    """CPU seconds of a PostgreSQL cluster of this machine: the postmaster, its live processes
    (backends, writers) and those gone."""
    if not postmaster:
        return None
    cpu = server_cpu(postmaster)
    return cpu["workers"] + cpu["master"]


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- locust: the candidates ---------------------------------------------------------------------

def run_locust(mode: str, spec: dict, out: Path) -> None:
    from locust import FastHttpUser, constant, constant_throughput, events, task
    from locust.env import Environment

    from gevent.event import Event

    records, logged_in, accounts = [], [0], list(spec.get("accounts", []))
    #: Set once every user has logged in: the loops start together. A user that loops while
    #: others still connect makes their connections wait (see deadline_day.py, « accept »).
    everyone = Event()
    photo = Path(spec["photo"]).read_bytes() if spec.get("photo") else b""

    @events.request.add_listener
    def _record(request_type, name, response_time, response_length, response=None,
                exception=None, start_time=None, **kwargs):
        status = getattr(response, "status_code", 0) or 0
        records.append((start_time, name, response_time, exception is None, status,
                        None if exception is None else str(exception)[:200]))

    class Browser(FastHttpUser):
        abstract = True
        host = spec["base_url"]
        network_timeout = 60.0
        connection_timeout = 60.0

        def send(self, method, path, name, expect=(200,), **kwargs):
            """One request; a failure unless its status is one of `expect`."""
            with self.client.request(method, path, name=name, catch_response=True,
                                     allow_redirects=False, **kwargs) as response:
                if response.status_code in expect:
                    response.success()
                elif not response.status_code:  # no answer: say why
                    error = getattr(response, "error", None)
                    response.failure(f"{type(error).__name__}: {error}"[:200])
                else:
                    response.failure(f"HTTP {response.status_code}")
                return response

    class Candidate(Browser):
        """A candidate with a registered candidature being modified (« Modifier »: its tabs
        are open again), on deadline day."""

        def on_start(self):
            self.account = accounts[logged_in[0] % len(accounts)]
            logged_in[0] += 1  # counted on entry: the next user takes the next account
            token = self.account["candidature"]
            self.board = f"/mes-justificatifs/{token}"
            self.forms = {}
            self.csrf = None
            self.complement = 0
            page = self.send("GET", "/connexion", "GET /connexion")
            found = CSRF.search(page.text or "")
            if found:
                self.send("POST", "/connexion", "POST /connexion", expect=(302, 303),
                          data=urlencode({"csrf_token": found.group(1),
                                          "email": self.account["email"],
                                          "password": spec["password"]}),
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
            spec.setdefault("_ready", []).append(1)
            everyone.wait(timeout=120)

        def page(self, path, name, expect=(200,)):
            response = self.send("GET", path, name, expect)
            if self.csrf is None and response.status_code == 200:
                found = CSRF.search(response.text or "")
                self.csrf = found.group(1) if found else None
            return response

        def tab_url(self, slug):
            return f"/inscription/{self.account['candidature']}/{slug}"

        @task(MIX["home"])
        def home(self):
            self.page("/", "GET / (Mon espace)")

        @task(MIX["tab"])
        def tab(self):
            self.page(self.tab_url(random.choice(TABS + ("recapitulatif",))), "GET onglet")

        @task(MIX["suivant"])
        def suivant(self):
            """A tab, then « Suivant » with what it shows (the address's complement changed
            on Identification, so that its save is a real write), then the next tab."""
            slug = random.choice(TABS)
            url = self.tab_url(slug)
            response = self.page(url, "GET onglet")
            if response.status_code != 200:
                return
            if slug not in self.forms:
                self.forms[slug] = form_fields(response.text or "", url)
            fields = [(k, v) for k, v in self.forms[slug] if k != "action"]
            if slug == "identification":
                self.complement += 1
                fields = [(k, (f"Bâtiment {self.complement % 2 + 1}" if k == "complement"
                               else v)) for k, v in fields]
            fields.append(("action", "suivant"))
            posted = self.send("POST", url, "POST Suivant", expect=(303,),
                               data=urlencode(fields),
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
            if posted.status_code == 303:
                self.page(posted.headers.get("Location", url), "GET onglet")

        @task(MIX["justificatifs"])
        def justificatifs(self):
            response = self.send("GET", "/mes-justificatifs", "GET /mes-justificatifs",
                                 expect=(302, 303))
            if response.status_code in (302, 303):
                self.page(self.board, "GET justificatifs (candidature)")

        @task(MIX["board"])
        def board_page(self):
            self.page(self.board, "GET justificatifs (candidature)")

        @task(MIX["upload"])
        def upload(self):
            """A photo of the identity document (the same each time: the piece keeps one
            file, the page does not grow, and the photo is checked every time)."""
            if self.csrf is None:
                self.page(self.board, "GET justificatifs (candidature)")
            content_type, body = multipart({"csrf_token": self.csrf or ""}, "fichier",
                                           "carte-identite.jpg", photo, "image/jpeg")
            response = self.send("POST", f"{self.board}/pieces/DCSTID01", "POST dépôt photo",
                                 expect=(303,), data=body,
                                 headers={"Content-Type": content_type})
            if response.status_code == 303:
                self.page(self.board, "GET justificatifs (candidature)")

        @task(MIX["pdf"])
        def pdf(self):
            response = self.send("GET", f"/documents/{self.account['document']}/pdf",
                                 "GET confirmation PDF")
            if response.status_code == 200 and not (response.content or b"").startswith(b"%PDF"):
                records.append((time.time(), "GET confirmation PDF", 0, False, 200, "pas un PDF"))

    class Visitor(Browser):
        """The bare Flask page (the reference): no login."""

        @task
        def page_(self):
            self.send("GET", "/", "GET / (Flask nu)")

        def on_start(self):
            spec.setdefault("_ready", []).append(1)
            everyone.wait(timeout=120)

    user = Visitor if mode == "reference" else Candidate
    user.wait_time = constant(0) if not spec.get("rate") else \
        constant_throughput(spec["rate"] / spec["users"] / (
            1 if mode == "reference" else requests_per_action()))
    environment = Environment(user_classes=[user], events=events)
    runner = environment.create_local_runner()
    runner.start(spec["users"], spawn_rate=spec.get("spawn_rate", 100))
    deadline = time.time() + 100
    while len(spec.get("_ready", [])) < spec["users"] and time.time() < deadline:
        gevent.sleep(0.1)
    everyone.set()
    gevent.sleep(spec.get("warmup", 3))
    cpu_before, own_before, start = server_cpu(spec["master"]), own_cpu(), time.time()
    machine_before, db_before = machine_cpu(), database_cpu(spec.get("db_master"))
    print(f"WINDOW {start}", flush=True)
    stop_file = Path(spec["stop_file"]) if spec.get("stop_file") else None
    end_at = start + spec["seconds"]
    while time.time() < end_at and not (stop_file and stop_file.exists()):
        gevent.sleep(0.1)
    end = time.time()
    cpu_after, own_after = server_cpu(spec["master"]), own_cpu()
    machine_after, db_after = machine_cpu(), database_cpu(spec.get("db_master"))
    runner.quit()
    out.write_text(json.dumps({
        "window": [start, end], "records": records,
        "server_cpu": cpu_after["workers"] - cpu_before["workers"],
        "master_cpu": cpu_after["master"] - cpu_before["master"],
        "pids": [cpu_before["pids"], cpu_after["pids"]],
        "generator_cpu": own_after - own_before, "users": spec["users"],
        "machine_cpu": machine_after - machine_before,
        "database_cpu": None if db_before is None else db_after - db_before,
    }))


# --- Beside the mix: slow phones, and a burst of logins -------------------------------------------

class Client:
    """A browser's session over one keep-alive connection (stdlib, cooperative under gevent)."""

    def __init__(self, host: str, port: int):
        self.host, self.port, self.cookies = host, port, {}
        self.connection = http.client.HTTPConnection(host, port, timeout=120)

    def cookie_header(self) -> dict:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} \
            if self.cookies else {}

    def request(self, method, path, body=None, headers=None):
        self.connection.request(method, path, body=body,
                                headers={**self.cookie_header(), **(headers or {})})
        response = self.connection.getresponse()
        content = response.read()
        for header in response.msg.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response, content.decode("utf-8", "replace")

    def log_in(self, email: str, password: str, records: list | None = None) -> int:
        start = time.time()
        status, _, html = self.request("GET", "/connexion")
        if records is not None:
            records.append((start, "GET /connexion", (time.time() - start) * 1000,
                            status == 200, status, None))
        token = CSRF.search(html)
        start = time.time()
        status, _, _ = self.request(
            "POST", "/connexion", urlencode({"csrf_token": token.group(1) if token else "",
                                             "email": email, "password": password}),
            {"Content-Type": "application/x-www-form-urlencoded"})
        if records is not None:
            records.append((start, "POST /connexion", (time.time() - start) * 1000,
                            status in (302, 303), status, None))
        return status


def slow_upload(spec: dict, account: dict, start_at: float, photo: bytes, results: list):
    """Logs in, opens the pieces page, then sends the photo for the signed confirmation
    (CINSIG01) at the phone's rate, in small writes, and reads the answer."""
    gevent.sleep(max(0.0, start_at - time.time()))
    client = Client(spec["host"], spec["port"])
    result = {"email": account["email"], "start": time.time()}
    try:
        if client.log_in(account["email"], spec["password"]) not in (302, 303):
            raise RuntimeError("connexion refusée")
        board = f"/mes-justificatifs/{account['candidature']}"
        _, _, html = client.request("GET", board)
        token = CSRF.search(html)
        content_type, body = multipart({"csrf_token": token.group(1) if token else ""},
                                       "fichier", "confirmation-signee.jpg", photo, "image/jpeg")
        sock = socket.create_connection((spec["host"], spec["port"]), timeout=120)
        head = (f"POST {board}/pieces/CINSIG01 HTTP/1.1\r\nHost: {spec['host']}:{spec['port']}"
                f"\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
                + "".join(f"{k}: {v}\r\n" for k, v in client.cookie_header().items())
                + "Connection: close\r\n\r\n").encode()
        sock.sendall(head)
        rate = spec["bits_per_second"] / 8  # octets a second
        chunk = int(rate / 10)
        began = time.time()
        for offset in range(0, len(body), chunk):
            sock.sendall(body[offset:offset + chunk])
            ahead = began + (offset + chunk) / rate - time.time()
            if ahead > 0:
                gevent.sleep(ahead)
        result["sent"] = time.time()
        response = http.client.HTTPResponse(sock)
        response.begin()
        response.read()
        result.update(status=response.status, end=time.time())
        sock.close()
    except Exception as error:  # reported, never raised: the others go on
        result.update(status=0, end=time.time(), error=f"{type(error).__name__}: {error}")
    results.append(result)


def run_slow(spec: dict, out: Path) -> None:
    photo = Path(spec["photo"]).read_bytes()
    results = []
    start = spec["start"]
    jobs = [gevent.spawn(slow_upload, spec, account, start + random.uniform(0, spec["spread"]),
                         photo, results) for account in spec["accounts"]]
    gevent.joinall(jobs, timeout=spec["timeout"])
    out.write_text(json.dumps({"uploads": results, "size": len(photo)}))


def run_burst(spec: dict, out: Path) -> None:
    records = []

    def one(account, at):
        gevent.sleep(max(0.0, at - time.time()))
        try:
            Client(spec["host"], spec["port"]).log_in(account["email"], spec["password"],
                                                      records)
        except Exception as error:
            records.append((at, "POST /connexion", 0, False, 0, f"{type(error).__name__}"))

    count = len(spec["accounts"])
    jobs = [gevent.spawn(one, account, spec["start"] + spec["spread"] * i / count)
            for i, account in enumerate(spec["accounts"])]
    gevent.joinall(jobs, timeout=spec["timeout"])
    out.write_text(json.dumps({"records": records}))


if __name__ == "__main__":
    mode, spec_path, out_path = sys.argv[1:4]
    spec = json.loads(Path(spec_path).read_text())
    if mode in ("mix", "reference"):
        run_locust(mode, spec, Path(out_path))
    elif mode == "slow":
        run_slow(spec, Path(out_path))
    elif mode == "burst":
        run_burst(spec, Path(out_path))
    else:
        sys.exit(f"mode inconnu : {mode}")
