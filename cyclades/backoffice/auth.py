"""Who is signed in on /gestion, read from its own cookie (path /gestion, never sent to the
candidates' pages; the candidates' session never opens these pages).

The cookie is signed and holds either a live session's key (cyclades.operations.gestionnaires)
or, between the password and the code, the gestionnaire's id for five minutes (`pending`).
`gestionnaire_required` and `responsable_required` guard the views; every object they read is
looked up within `g.gestionnaire.academie` (scoped()), so another académie's is a 404.
"""
import time
from functools import wraps

from flask import abort, current_app, g, redirect, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from cyclades.models import Gestionnaire
from cyclades.operations import gestionnaires as operations

COOKIE = "cyclades_gestion"
PATH = "/gestion"
#: Between the password and the code.
PENDING_SECONDS = 5 * 60


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="cyclades.gestion")


def _read() -> dict:
    raw = request.cookies.get(COOKIE)
    if not raw or len(raw) > 500:
        return {}
    try:
        data = _signer().loads(raw, max_age=int(
            current_app.config["GESTION_SESSION_MAX"].total_seconds()))
    except BadSignature:
        return {}
    return data if isinstance(data, dict) else {}


def set_cookie(response, data: dict | None):
    """Writes (or with None, deletes) the /gestion cookie on `response`."""
    if data is None:
        response.delete_cookie(COOKIE, path=PATH)
        return response
    response.set_cookie(COOKIE, _signer().dumps(data), path=PATH, httponly=True,
                        samesite="Strict", secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def load() -> None:
    """g.gestionnaire (and g.gestion_session) for this request, or None."""
    g.gestionnaire = g.gestion_session = None
    data = _read()
    found = operations.session_for(data.get("k", "")) if data.get("k") else None
    if found:
        g.gestionnaire, g.gestion_session = found
        g.gestion_key = data["k"]


def pending() -> Gestionnaire | None:
    """The gestionnaire who typed the right password less than five minutes ago and has not
    typed their code yet."""
    data = _read()
    if not isinstance(data.get("p"), int) or not isinstance(data.get("t"), (int, float)):
        return None
    if not 0 <= time.time() - data["t"] < PENDING_SECONDS:
        return None
    found = Gestionnaire.get_or_none(Gestionnaire.id == data["p"])
    return None if found is None or found.disabled_at or not found.password_hash else found


def pending_cookie(gestionnaire: Gestionnaire) -> dict:
    return {"p": gestionnaire.id, "t": int(time.time())}


def gestionnaire_required(view):
    """A signed-in gestionnaire (both factors), else the login page."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.get("gestionnaire") is None:
            return redirect(url_for("backoffice.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)
    return wrapped


def responsable_required(view):
    """A signed-in responsable; a gestionnaire gets 404 (nothing here is theirs to see)."""
    @wraps(view)
    @gestionnaire_required
    def wrapped(*args, **kwargs):
        if not g.gestionnaire.is_responsable:
            abort(404)
        return view(*args, **kwargs)
    return wrapped


def scoped(query, academie_field):
    """`query` limited to the signed-in gestionnaire's académie."""
    return query.where(academie_field == g.gestionnaire.academie_id)
