"""gunicorn's settings for Cyclades libre in production: `make serve`, or
`.venv/bin/gunicorn -c gunicorn.conf.py app:app` (README, « Running it for real »).

gevent workers: each holds its clients as greenlets, so slow phones uploading photos, or reading
a page at 400 kbit/s, cost memory and not a worker (sync workers collapse under 20 of them, and
gthread's threads run out). gunicorn's gevent worker monkey-patches the standard library before
it imports the application; the code cooperates where it must (cyclades.db: a connection per
greenlet from a pool, SQLite writers queued in the process; cyclades.security: password hashes in
a bounded thread pool; cyclades.serving: the deadlines of one request).

Every setting can be changed from the environment, e.g. GUNICORN_WORKERS=4.
"""
import multiprocessing
import os


def _env(name, default):
    return type(default)(os.environ.get(name, default))


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
#: One process per core: gevent runs one greenlet at a time per process, the cores do the rest.
workers = _env("GUNICORN_WORKERS", multiprocessing.cpu_count())


def worker_class():
    """gunicorn's gevent worker, accepting new connections as gevent does (cyclades.serving).
    cyclades/serving.py is loaded by its path, not as `cyclades.serving`: that would import the
    whole application (Peewee included) in gunicorn's master, before gevent patches the
    standard library in the workers, and Peewee's per-thread connection would then be one
    connection shared by every greenlet of a worker."""
    import importlib.util

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cyclades", "serving.py")
    spec = importlib.util.spec_from_file_location("_cyclades_gunicorn_worker", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.GeventWorker


#: Each worker listens on a socket of its own (SO_REUSEPORT, opened after the fork), and the
#: kernel spreads new connections over them. On one shared socket, the first worker to wake
#: took every connection of a burst and kept them alive: at saturation, two workers used one
#: core. (A worker that is replaced loses the connections waiting in its socket's queue, which
#: the clients then open again: with max_requests below, at 100 requests a second per worker,
#: once every half hour.)
reuse_port = True
#: Clients held at once by one worker (slow uploads included).
worker_connections = _env("GUNICORN_WORKER_CONNECTIONS", 1000)
#: A worker whose event loop is held this long (not a slow request: a stuck process) is
#: replaced. A single slow or stuck request is ended by cyclades.serving, not by this.
timeout = _env("GUNICORN_TIMEOUT", 60)
graceful_timeout = _env("GUNICORN_GRACEFUL_TIMEOUT", 30)
#: Seconds an idle keep-alive connection stays open (a phone's next page skips the handshake).
keepalive = _env("GUNICORN_KEEPALIVE", 15)
#: A worker is replaced after this many requests (plus jitter), so that memory never creeps.
#: Rarely: a worker leaving closes its idle kept-alive connections, and a client that sends its
#: next request on one at that moment gets no answer (at 20 000, every 3 minutes of a deadline
#: day, 3 requests of 27 000 in the benchmark).
max_requests = _env("GUNICORN_MAX_REQUESTS", 200000)
max_requests_jitter = _env("GUNICORN_MAX_REQUESTS_JITTER", 20000)
#: Request lines and headers: browsers send far less.
limit_request_line = 8190
limit_request_fields = 100
#: Behind nginx on the same machine (README): the addresses it forwards are trusted.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
#: nginx keeps the access log; GUNICORN_ACCESSLOG=- prints gunicorn's own.
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"
#: The application is imported in each worker, after gevent has patched it (no preload).
preload_app = False
#: gunicorn's control socket (`gunicornc`) is not used; several portals may share a machine.
control_socket_disable = True
