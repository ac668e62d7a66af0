"""Settings read from the environment (documented in README.md, « Configuration »).

Every setting has a default that works on a developer's machine: SQLite files (the database,
the task queue) and a secret key under `instance/`, and mails written as `.eml` files under
`instance/outbox/` when no SMTP host is given.
"""
import os
import secrets
from datetime import timedelta
from pathlib import Path


def _env(name, default=None):
    value = os.environ.get(name, "").strip()
    return value if value else default


def _flag(name, default=False):
    value = _env(name)
    if value is None:
        return default
    return value.lower() in {"1", "true", "yes", "oui", "on"}


def _secret_key(instance_path: Path) -> str:
    """The secret key from the environment, else one generated once and kept in instance/."""
    from_env = _env("CYCLADES_SECRET_KEY")
    if from_env:
        return from_env
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _served_url() -> str:
    """Where `flask run` serves: its FLASK_RUN_HOST and FLASK_RUN_PORT (`make run` sets them from
    its HOST and PORT), else its own defaults. A server listening on every interface is reached
    on this machine at 127.0.0.1."""
    host = _env("FLASK_RUN_HOST", "127.0.0.1")
    if host in {"0.0.0.0", "::", "[::]"}:
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address in a URL
    return f"http://{host}:{_env('FLASK_RUN_PORT', '5000')}"


def from_environment(instance_path: str) -> dict:
    instance = Path(instance_path)
    base_url = _env("CYCLADES_BASE_URL", _served_url()).rstrip("/")
    smtp_port = _env("CYCLADES_SMTP_PORT")
    return {
        "SECRET_KEY": _secret_key(instance),
        "DATABASE": _env("CYCLADES_DATABASE", str(instance / "cyclades.sqlite3")),
        "BASE_URL": base_url,
        "SMTP_HOST": _env("CYCLADES_SMTP_HOST"),
        "SMTP_PORT": int(smtp_port) if smtp_port else None,
        "SMTP_USER": _env("CYCLADES_SMTP_USER"),
        "SMTP_PASSWORD": _env("CYCLADES_SMTP_PASSWORD"),
        # "starttls" (default when a user is set), "ssl" (implicit TLS) or "off".
        "SMTP_TLS": _env("CYCLADES_SMTP_TLS", "starttls" if _env("CYCLADES_SMTP_USER") else "off"),
        "SMTP_TIMEOUT": float(_env("CYCLADES_SMTP_TIMEOUT", "15")),  #: seconds, in the worker
        "MAIL_FROM": _env("CYCLADES_MAIL_FROM", "Cyclades libre <ne-pas-repondre@localhost>"),
        "OUTBOX_DIR": str(instance / "outbox"),
        "UPLOAD_DIR": _env("CYCLADES_UPLOAD_DIR", str(instance / "uploads")),
        "DOCUMENTS_DIR": _env("CYCLADES_DOCUMENTS_DIR", str(instance / "documents")),
        "SESSION_COOKIE_SECURE": base_url.startswith("https://"),
        # Rate-limit counters shared by the server's processes (cyclades.throttle).
        "RATELIMIT_STORAGE": _env("CYCLADES_RATELIMIT_STORAGE",
                                  f"sqlite://{instance / 'ratelimits.sqlite3'}"),
        # The task queue (mail, periodic jobs): a SQLite file, or redis://… (cyclades.queue).
        "QUEUE": _env("CYCLADES_QUEUE", str(instance / "queue.sqlite3")),
        # Under gunicorn's gevent workers (cyclades.serving): seconds without a byte of a
        # request's body, and seconds to answer once it is in.
        "BODY_IDLE": float(_env("CYCLADES_BODY_IDLE", "30")),
        "REQUEST_TIMEOUT": float(_env("CYCLADES_REQUEST_TIMEOUT", "120")),
        "TRUSTED_PROXIES": int(_env("CYCLADES_TRUSTED_PROXIES", "0")),
        # Each response's X-Statements header: the SQL statements its request sent.
        "COUNT_STATEMENTS": _env("CYCLADES_COUNT_STATEMENTS", "") == "1",
    }


#: Settings that do not depend on the environment.
DEFAULTS = {
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "cyclades_session",
    # Idle timeout: the session ends after 30 minutes without a request (its cookie and its
    # row on the server, cyclades.operations.sessions).
    "PERMANENT_SESSION_LIFETIME": timedelta(minutes=30),
    # The cookie is signed again, with 30 more minutes, when the session's last request is
    # written down (at most once a minute, cyclades.operations.sessions), not at every page.
    "SESSION_REFRESH_EACH_REQUEST": False,
    # However active it stays, a signed-in session ends this long after the login.
    "SESSION_ABSOLUTE_LIFETIME": timedelta(hours=12),
    # The CSRF token lives as long as the session: a slow candidate is not punished.
    "WTF_CSRF_TIME_LIMIT": None,
    "WTF_CSRF_HEADERS": ["X-CSRFToken"],
    "BABEL_DEFAULT_LOCALE": "fr",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
    "LANGUAGES": ("fr", "en"),
    "MAX_CONTENT_LENGTH": 1024 * 1024,  # every form but the uploads
    # An upload request: up to 10 phone photos of one document (uploads.accepts_uploads).
    "UPLOAD_MAX_REQUEST": 50 * 1024 * 1024,
    "MAX_FORM_MEMORY_SIZE": 64 * 1024,
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_MIMETYPES": [
        "text/html", "text/css", "text/plain", "application/javascript", "text/javascript",
        "application/json", "image/svg+xml",
    ],
    "COMPRESS_MIN_SIZE": 256,
    # What a process alone uses when nothing else is said (a test, a script): the environment
    # sets files shared by the server's processes (from_environment).
    "RATELIMIT_STORAGE": "memory://",
    "QUEUE": "memory://",
    # How long the links we send stay valid.
    "ACTIVATION_MAX_AGE": timedelta(hours=48),
    "RESET_MAX_AGE": timedelta(hours=1),
    "EMAIL_CHANGE_MAX_AGE": timedelta(hours=24),
    # Rate limits (cyclades.throttle), each counting what it protects, in any such window.
    # Failed logins: per address and client together, per address (someone else may be trying
    # it: the owner gets through with the reset link), per client (one trying many addresses).
    "LIMIT_LOGIN_FAILURES_PAIR": "5 per 15 minutes",
    "LIMIT_LOGIN_FAILURES_ADDRESS": "30 per hour",
    "LIMIT_LOGIN_FAILURES_CLIENT": "100 per 15 minutes",
    # Mails sent (Créer mon compte, Renvoyer le lien, Mot de passe oublié, a new address):
    # per address (or account) and per client. A form refused for a typo sends nothing.
    "LIMIT_MAIL_ADDRESS": "3 per hour",
    "LIMIT_MAIL_CLIENT": "30 per hour",
    # Tabs kept after a session's end (cyclades.operations.kept_tabs), per client: a candidate
    # comes back to one or two; what someone sending without a session would fill the table.
    "LIMIT_KEPT_TABS_CLIENT": "20 per hour",
    # The gestionnaire side (/gestion): its own session (8 hours at most, 30 minutes idle);
    # wrong passwords and wrong codes limited like the candidates' passwords (no reset link
    # there: a responsable resets a colleague's second factor).
    "GESTION_SESSION_IDLE": timedelta(minutes=30),
    "GESTION_SESSION_MAX": timedelta(hours=8),
    "LIMIT_GESTION_LOGIN_PAIR": "5 per 15 minutes",
    "LIMIT_GESTION_LOGIN_CLIENT": "50 per 15 minutes",
    "LIMIT_GESTION_CODE": "5 per 15 minutes",
}
