"""A throw-away PostgreSQL server for the tests (`CYCLADES_TEST_DATABASE=postgresql`, as the second
run of `make test` sets it): Debian's `postgresql` binaries, a cluster made with initdb in a
temporary folder, listening on 127.0.0.1 on a free port (and on a unix socket in that folder),
stopped and removed at the end of the session.

Every test gets a database of its own, copied from a template that was migrated once
(`CREATE DATABASE … TEMPLATE`): as fresh as a new SQLite file, and reachable by the processes a
test starts (the portal, the worker) through the same URL. The copy for the next test is made,
and the last test's database dropped, by a thread while the test runs: a test waits for neither.

PostgreSQL refuses to run as root: when the tests run as root (CI), the server runs as Debian's
`postgres` user, which owns the temporary folder.
"""
import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

#: Settings for a server whose data may be lost at any moment: nothing waits for the disk.
SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "300",  # each test app's pool, the threads of at_once, subprocesses
    "shared_buffers": "128MB",
    "log_min_messages": "warning",
    "log_min_error_statement": "panic",  # the tests' own unique violations are expected
    "timezone": "UTC",
}

SERVER_USER = "postgres"  #: Debian's account for the server, used when we are root
SUPERUSER = "postgres"  #: the cluster's superuser (trust authentication: no password)


def _version(path: str) -> tuple:
    return tuple(int(n) for n in re.findall(r"\d+", path))


def find_bindir() -> str | None:
    """The folder of initdb, pg_ctl and postgres: CYCLADES_POSTGRES_BIN, Debian's
    /usr/lib/postgresql/<newest version>/bin, or the PATH."""
    wanted = os.environ.get("CYCLADES_POSTGRES_BIN")
    candidates = [wanted] if wanted else sorted(
        (os.path.dirname(p) for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")),
        key=_version, reverse=True)
    on_path = shutil.which("initdb")
    if not wanted and on_path:
        candidates.append(os.path.dirname(on_path))
    for folder in candidates:
        if all(os.access(os.path.join(folder, name), os.X_OK)
               for name in ("initdb", "pg_ctl", "postgres")):
            return folder
    return None


def unavailable_reason() -> str | None:
    """Why no cluster can be started here, or None."""
    if find_bindir() is None:
        return ("PostgreSQL est introuvable (initdb, pg_ctl) : sudo apt-get install postgresql, "
                "ou indiquez son dossier bin dans CYCLADES_POSTGRES_BIN")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            return f"en root, PostgreSQL doit tourner sous l'utilisateur {SERVER_USER!r}, absent"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """initdb, start, one database per test, stop: see the module's docstring."""

    def __init__(self):
        self.bindir = find_bindir()
        self.folder = Path(tempfile.mkdtemp(prefix="cyclades-postgres-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.port = _free_port()
        self._admin = None
        self._count = 0
        #: Every statement on the server's own database runs in this one thread, in order.
        self._admin_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="postgres")
        self._spare = None  #: (template, future name of its next copy)

    # --- The server ------------------------------------------------------------------------

    def _run(self, *command):
        """A PostgreSQL program, as the postgres user when we are root."""
        command = [os.path.join(self.bindir, command[0]), *command[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            log = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(command)} : {result.returncode}\n{result.stdout}"
                               f"{result.stderr}{log}")
        return result

    def start(self):
        if os.geteuid() == 0:
            user = pwd.getpwnam(SERVER_USER)
            os.chown(self.folder, user.pw_uid, user.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust",
                  "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync")
        settings = {**SETTINGS, "listen_addresses": "'127.0.0.1'", "port": str(self.port),
                    "unix_socket_directories": f"'{self.folder}'"}
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write("\n# tests/postgres.py\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                  "start")
        return self

    def stop(self):
        try:
            self._admin_thread.shutdown(wait=True)  # the drops asked for are done
            if self._admin is not None:
                self._admin.close()
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    # --- Databases -------------------------------------------------------------------------

    def url(self, name: str) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{name}"

    def execute(self, sql: str) -> None:
        """A statement outside any transaction (CREATE/DROP DATABASE), on the server's own
        `postgres` database: run in the admin thread, waited for."""
        return self._admin_thread.submit(self._execute, sql).result()

    def _execute(self, sql: str) -> None:
        import psycopg2

        if self._admin is None or self._admin.closed:
            self._admin = psycopg2.connect(host=str(self.folder), port=self.port,
                                           user=SUPERUSER, dbname="postgres")
            self._admin.autocommit = True
        with self._admin.cursor() as cursor:
            cursor.execute(sql)

    def _create(self, template: str | None) -> str:
        self._count += 1  # in the admin thread only
        name = f"test_{self._count}"
        self._execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return name

    def create_database(self, template: str | None = None) -> str:
        """A new empty database (or a copy of `template`, which nothing may be connected to):
        its name."""
        return self._admin_thread.submit(self._create, template).result()

    def _copy_of(self, template: str) -> str:
        """A copy of `template`, made beforehand when it could be; the next one is started."""
        spare, self._spare = self._spare, None
        name = spare[1].result() if spare and spare[0] == template else None
        if name is None:
            name = self.create_database(template)
        self._spare = (template, self._admin_thread.submit(self._create, template))
        return name

    def drop_database(self, name: str, wait: bool = True) -> None:
        # FORCE ends the connections still open on it: a process a test left behind.
        done = self._admin_thread.submit(self._execute,
                                         f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if wait:
            done.result()

    @contextmanager
    def database(self, template: str | None = None):
        """A database of its own for one test (or one session): its URL. Dropped after, without
        waiting (the admin thread does it), once the caller has closed its connections."""
        name = self._copy_of(template) if template else self.create_database()
        try:
            yield self.url(name)
        finally:
            self.drop_database(name, wait=False)


@contextmanager
def running_cluster():
    cluster = Cluster()
    try:
        yield cluster.start()
    finally:
        cluster.stop()


def close_pool(db) -> None:
    """Close every connection of a Peewee database (a pool's idle and in-use ones too), before
    the database it points at is dropped."""
    if db is None:
        return
    close_all = getattr(db, "close_all", None)
    if close_all is not None:
        close_all()
    elif not db.is_closed():
        db.close()
