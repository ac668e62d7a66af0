"""Password hashing, signed single-use tokens, and the HTTP security headers."""
import hashlib
import os
import unicodedata
from urllib.parse import urlsplit

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from cyclades.serving import offload

#: argon2id with OWASP's recommended parameters (Password Storage Cheat Sheet): 19 MiB of
#: memory, 2 passes, 1 lane. Each hash costs about 20 ms of one core, against 150 ms of two for
#: argon2-cffi's default (64 MiB, 3 passes, 4 lanes) which the first sessions used: those hashes
#: still verify and are replaced at the next login (needs_rehash).
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=Type.ID)
#: Hash computations running at once in one process; the others wait their turn. Under
#: gevent's workers they run in a thread pool of this size, so that the waiting requests, and
#: every other request of the process, go on (the event loop is never held by a hash).
HASH_SLOTS = int(os.environ.get("CYCLADES_HASH_SLOTS", "2"))


def _bounded(function, *args):
    return offload("password-hash", HASH_SLOTS, function, *args)


def hash_password(password: str) -> str:
    return _bounded(_hasher.hash, password)


#: Compared against when no account matches, so a wrong address takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("pas un vrai mot de passe")


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _bounded(_hasher.verify, password_hash or _DUMMY_HASH, password) \
            and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """The hash was made with other parameters than today's (the first sessions' costlier ones)."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return False


class TokenInvalid(Exception):
    """The link was altered or is not one of ours."""


class TokenExpired(Exception):
    """The link was ours but is too old."""


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"cyclades.{purpose}")


def account_fingerprint(account) -> str:
    """Changes whenever the account's email, password or activation changes, so that a link
    signed before such a change stops working: every link is single use."""
    state = f"{account.id}|{account.email}|{account.password_hash}|{account.activated_at}"
    return hashlib.sha256(state.encode()).hexdigest()[:16]


def make_token(purpose: str, account, **extra) -> str:
    return _serializer(purpose).dumps({"a": account.id, "f": account_fingerprint(account), **extra})


def read_token(purpose: str, token: str, max_age) -> dict:
    try:
        data = _serializer(purpose).loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired as exc:
        raise TokenExpired from exc
    except BadSignature as exc:
        raise TokenInvalid from exc
    if not isinstance(data, dict) or not isinstance(data.get("a"), int):
        raise TokenInvalid
    return data


def same_site_path(target: str | None) -> str | None:
    r"""`target` when it is a path on this site, else None. Browsers drop tabs and line breaks
    from a URL and read a backslash as a slash, so "/\t/evil.example" or "/\evil.example"
    would lead to another host: any control character, space or backslash refuses it, and so
    does anything that names a scheme or a host."""
    if not target or len(target) > 2000 or not target.startswith("/") \
            or target.startswith("//"):  # "//host" and "///host" name another site
        return None
    if any(unicodedata.category(c)[0] in "CZ" or c == "\\" for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") \
            or parts.path.startswith("//"):
        return None
    return parts.geturl()


#: {style_hash}: the inlined stylesheet's hash (cyclades.assets), the one inline style allowed.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' {style_hash}",
    "img-src 'self' data:",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
])


def keep_private(response):
    """`Cache-Control: no-store` on what a signed-in person sees, and on the pages a link sent
    by mail opens or that show the address typed: no browser or proxy keeps a copy that the next
    user of a shared computer, or of a cache, could read."""
    from flask import g, request
    from flask_login import current_user

    if request.endpoint == "static":
        return response
    private = (g.get("private_page") or "token" in (request.view_args or {})
               or current_user.is_authenticated)
    if private and "no-store" not in response.headers.get("Cache-Control", ""):
        response.headers["Cache-Control"] = "no-store"
    return response


def private_page(view):
    """A page that shows what only its reader should see, signed in or not."""
    from functools import wraps

    from flask import g

    @wraps(view)
    def wrapped(*args, **kwargs):
        g.private_page = True
        return view(*args, **kwargs)
    return wrapped


def add_security_headers(response):
    style_hash = current_app.extensions["stylesheet_hash"]()
    response.headers.setdefault("Content-Security-Policy",
                                CONTENT_SECURITY_POLICY.format(style_hash=style_hash))
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response
