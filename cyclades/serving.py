"""What the portal needs from its production server (gunicorn's gevent workers, gunicorn.conf.py).

A gevent worker holds thousands of connections, so a phone uploading a photo at 400 kbit/s
costs a greenlet, not a worker. Two deadlines keep a connection from holding anything forever:
- while the body of a request arrives, at most BODY_IDLE seconds without a byte (a client that
  stopped sending, or sends a byte a minute): 408, and the connection is closed;
- once the body is in, REQUEST_TIMEOUT seconds to answer: a request stuck there (a lock never
  released, a server that never answers) ends with a 503 page, the other requests of the worker
  go on, and its transaction is rolled back. It is generous (two minutes): a deposit waits its
  turn to be checked (cyclades.serving.offload) and, with thirty phones sending photos on a
  loaded machine, 30 s ended nineteen of them that were only waiting.
The body is read here, before the application sees it, so the second deadline counts only the
work. Behind nginx (README) the body arrives already buffered and the first one never fires.
"""
import tempfile

#: Seconds without a byte of the body before giving up on it.
BODY_IDLE = 30
#: Seconds to answer once the body is in.
REQUEST_TIMEOUT = 120
#: Bodies up to this size are kept in memory while read; larger ones go to a temporary file.
IN_MEMORY = 1024 * 1024

_MESSAGES = {
    408: ("408 Request Timeout", "La page n'a pas reçu votre envoi à temps : votre connexion "
          "s'est peut-être interrompue. Revenez en arrière et envoyez le formulaire à nouveau."),
    503: ("503 Service Unavailable", "Le serveur n'a pas pu répondre à temps. Rien n'a été "
          "enregistré : revenez en arrière et envoyez le formulaire à nouveau."),
}


def gevent_is_active() -> bool:
    try:
        from gevent import monkey
    except ImportError:
        return False
    return monkey.is_module_patched("socket")


def _answer(start_response, code, exc_info=None):
    status, message = _MESSAGES[code]
    body = (f'<!doctype html><html lang="fr"><meta charset="utf-8"><title>{status[4:]} – '
            f'Cyclades libre</title><h1>{message}</h1></html>').encode()
    start_response(status, [("Content-Type", "text/html; charset=utf-8"),
                            ("Content-Length", str(len(body))), ("Connection", "close"),
                            ("Cache-Control", "no-store")], exc_info)
    return [body]


class Deadlines:
    """WSGI middleware: the two deadlines above, with gevent's Timeout (a greenlet's own)."""

    def __init__(self, app, max_body: int, body_idle: float = BODY_IDLE,
                 request_timeout: float = REQUEST_TIMEOUT):
        self.app, self.max_body = app, max_body
        self.body_idle, self.request_timeout = body_idle, request_timeout

    def __call__(self, environ, start_response):
        from gevent import Timeout

        length = environ.get("CONTENT_LENGTH") or ""
        if length.isdigit() and 0 < int(length) <= self.max_body:
            body = self._read_body(environ["wsgi.input"], int(length))
            if body is None:
                return _answer(start_response, 408)
            environ["wsgi.input"] = body
        # A larger body is refused by the application (413) without being read.
        timeout = Timeout(self.request_timeout)
        timeout.start()
        try:
            return self.app(environ, start_response)
        except Timeout as exc:
            if exc is not timeout:
                raise
            import sys
            return _answer(start_response, 503, sys.exc_info())
        finally:
            timeout.close()

    def _read_body(self, stream, length: int):
        from gevent import Timeout

        body = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY)
        remaining = length
        while remaining:
            chunk = None
            with Timeout(self.body_idle, False):
                chunk = stream.read(min(64 * 1024, remaining))
            if not chunk:  # idle too long, or the client went away
                body.close()
                return None
            body.write(chunk)
            remaining -= len(chunk)
        body.seek(0)
        return body


def init_app(app) -> None:
    """Under gevent's workers only: the development server and the tests keep the plain app."""
    if gevent_is_active():
        app.wsgi_app = Deadlines(app.wsgi_app, app.config["UPLOAD_MAX_REQUEST"],
                                 app.config.get("BODY_IDLE", BODY_IDLE),
                                 app.config.get("REQUEST_TIMEOUT", REQUEST_TIMEOUT))


# --- Work that holds the CPU, off the event loop ------------------------------------------------

_semaphores: dict = {}
_green_pools: dict = {}


def offload(name: str, slots: int, function, *args):
    """`function(*args)`, at most `slots` of this `name` at once in the process, the others
    waiting their turn. Under gevent's workers it runs in a thread pool of that size: the C code
    of a password hash (argon2) or of a photo's decoding (Pillow) releases the GIL, so the other
    requests of the worker go on meanwhile; pure Python code (pypdf) shares the GIL with them
    instead of holding the event loop until it is done. Elsewhere (the development server, the
    tests, the worker) a semaphore bounds it. While it waits and runs, the request's database
    connection goes back to the pool (cyclades.db.connection_released): thirty photos waiting
    their turn to be checked would otherwise hold thirty connections, and the pages of everyone
    else would wait for one."""
    from cyclades.db import connection_released  # not at import: see gunicorn.conf.py

    with connection_released():
        return _offload(name, slots, function, *args)


def _offload(name: str, slots: int, function, *args):
    if not gevent_is_active():
        semaphore = _semaphores.get(name)
        if semaphore is None:
            import threading
            semaphore = _semaphores.setdefault(name, threading.BoundedSemaphore(slots))
        with semaphore:
            return function(*args)
    pool = _green_pools.get(name)
    if pool is None:
        from gevent.threadpool import ThreadPool
        pool = _green_pools.setdefault(name, ThreadPool(slots))
    return pool.apply(function, args)


# --- gunicorn's worker ------------------------------------------------------------------------

def _worker_class():
    from gevent.server import StreamServer
    from gunicorn.workers import ggevent

    class _Server(StreamServer):
        """gunicorn sets `max_accept = 1` when it runs several workers, so that one worker
        does not take every new connection of their shared socket. But accepting one
        connection per turn of a busy event loop made new visitors wait: while forty kept-alive
        clients kept both workers busy, 124 of 200 new connections waited more than 15 s (none
        with gevent's own default, 100 at a time, kept here; the slowest took 1,4 s). A worker
        that took more than its share serves them as greenlets all the same."""

        @property
        def max_accept(self):
            return StreamServer.max_accept

        @max_accept.setter
        def max_accept(self, value):
            pass

    class GeventWorker(ggevent.GeventWorker):
        def run(self):
            ggevent.StreamServer = _Server
            super().run()

    return GeventWorker


def __getattr__(name):
    # `worker_class = "cyclades.serving.GeventWorker"`: built on first use, so that importing
    # this module (the application does) needs neither gunicorn nor gevent.
    if name == "GeventWorker":
        return _worker_class()
    raise AttributeError(name)
