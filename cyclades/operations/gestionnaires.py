"""The gestionnaires' accounts: made by `create-gestionnaire` or invited by a responsable,
activated by a single-use link (48 h) that sets a password, then a second factor (TOTP, RFC 6238)
enrolled with a code before it counts, and ten single-use recovery codes shown once. Every
login asks for the password, then a code; a code is accepted once.

Sessions (GestionSession) live on the server, like the candidates' but apart from them: 30
minutes idle, 8 hours at most (GESTION_SESSION_IDLE, GESTION_SESSION_MAX).
"""
import hashlib
import re
import secrets
import time
from datetime import timedelta

import pyotp
from flask import current_app

from cyclades import mail
from cyclades.db import write_transaction
from cyclades.models import Gestionnaire, GestionSession, RecoveryCode, utcnow
from cyclades.operations import external_url
from cyclades.security import (
    account_fingerprint, hash_password, make_token, read_token, verify_password,
)

ACTIVATION = "gestion-activate"
ACTIVATION_MAX_AGE = timedelta(hours=48)
RECOVERY_CODES = 10
ISSUER = "Cyclades libre"


class TokenUsed(Exception):
    """The link was followed already (the password is set since), or its gestionnaire is gone."""


def _audit(action: str, by: Gestionnaire | None, **detail):
    from cyclades.models import AuditLog

    AuditLog.create(action=action, gestionnaire=by, detail=detail)


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


# --- Creating and inviting ------------------------------------------------------------------

def create_gestionnaire(email: str, academie, role: str, name: str = "",
                        by: Gestionnaire | None = None) -> tuple[Gestionnaire, str]:
    """A new gestionnaire (no password yet) and its activation link. By a responsable (`by`):
    the link goes by mail; from the server's command, it is printed."""
    email = email.strip().lower()
    if role not in (Gestionnaire.GESTIONNAIRE, Gestionnaire.RESPONSABLE):
        raise ValueError(role)
    with write_transaction():
        gestionnaire = Gestionnaire.create(email=email, academie=academie, role=role, name=name)
        _audit("gestion.create", by, gestionnaire=gestionnaire.id, email=email, role=role,
               academie=academie.code)
        link = activation_link(gestionnaire)
        if by is not None:
            mail.queue("gestion_invitation", email, link=link, by=str(by),
                       academie=academie, role=role,
                       expires=utcnow() + ACTIVATION_MAX_AGE)
    return gestionnaire, link


def activation_link(gestionnaire: Gestionnaire) -> str:
    return external_url("backoffice.activate", token=make_token(ACTIVATION, gestionnaire))


def for_activation(token: str, lock: bool = False) -> Gestionnaire:
    """The gestionnaire of an activation link (TokenInvalid, TokenExpired, TokenUsed)."""
    data = read_token(ACTIVATION, token, ACTIVATION_MAX_AGE)
    query = Gestionnaire.select().where(Gestionnaire.id == data["a"])
    if lock:
        from cyclades.db import for_write
        query = for_write(query)
    gestionnaire = query.first()
    if gestionnaire is None or gestionnaire.disabled_at:
        raise TokenUsed()
    if data.get("f") != account_fingerprint(gestionnaire):
        raise TokenUsed()
    return gestionnaire


def activate(token: str, password: str) -> Gestionnaire:
    """The password of an activation link; the link is used up (its fingerprint changes)."""
    password_hash = hash_password(password)
    with write_transaction():
        gestionnaire = for_activation(token, lock=True)
        gestionnaire.password_hash = password_hash
        gestionnaire.activated_at = utcnow()
        gestionnaire.totp_pending = pyotp.random_base32()
        gestionnaire.save()
        _audit("gestion.activate", gestionnaire, gestionnaire=gestionnaire.id)
    return gestionnaire


# --- The second factor ----------------------------------------------------------------------

def provisioning_uri(gestionnaire: Gestionnaire) -> str:
    return pyotp.TOTP(gestionnaire.totp_pending).provisioning_uri(
        name=gestionnaire.email, issuer_name=f"{ISSUER} ({gestionnaire.academie.name})")


def grouped(secret: str) -> str:
    """« JBSW Y3DP EHPK 3PXP »: the secret as a person types it."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def start_enrolment(gestionnaire: Gestionnaire) -> None:
    """A new secret to enrol (the second factor was reset, or never confirmed)."""
    if not gestionnaire.totp_pending:
        with write_transaction():
            gestionnaire.totp_pending = pyotp.random_base32()
            gestionnaire.save(only=[Gestionnaire.totp_pending])


def _accepted_step(secret: str, code: str, last_step: int) -> int | None:
    """The time step `code` is valid for (now, or one step either side for a slow clock),
    if it is above `last_step`; else None."""
    code = "".join(code.split())
    if not re.fullmatch(r"[0-9]{6}", code):  # ASCII digits only (« ²²²²²² » is no code)
        return None
    totp = pyotp.TOTP(secret)
    current = int(time.time()) // totp.interval
    for step in (current, current - 1, current + 1):
        if step > last_step and secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _locked(gestionnaire_id: int) -> Gestionnaire | None:
    from cyclades.db import for_write

    return for_write(Gestionnaire.select().where(Gestionnaire.id == gestionnaire_id)).first()


def confirm_enrolment(gestionnaire: Gestionnaire, code: str) -> list[str] | None:
    """The code typed from the new secret: the enrolment counts, and ten recovery codes are
    made (returned once, kept hashed). None when the code is wrong."""
    step = _accepted_step(gestionnaire.totp_pending or "", code, 0)
    if step is None:
        return None
    codes = [f"{secrets.randbelow(10**10):010d}" for _ in range(RECOVERY_CODES)]
    with write_transaction():
        # Read again, locked: a disable, a reset or the same form sent twice meanwhile wins.
        fresh = _locked(gestionnaire.id)
        if (fresh is None or fresh.disabled_at or fresh.totp_secret
                or fresh.totp_pending != gestionnaire.totp_pending):
            return None
        fresh.totp_secret, fresh.totp_pending, fresh.totp_last_step = fresh.totp_pending, None, step
        fresh.save(only=[Gestionnaire.totp_secret, Gestionnaire.totp_pending,
                         Gestionnaire.totp_last_step])
        gestionnaire.totp_secret, gestionnaire.totp_pending = fresh.totp_secret, None
        RecoveryCode.delete().where(RecoveryCode.gestionnaire == gestionnaire).execute()
        RecoveryCode.insert_many([{"gestionnaire": gestionnaire.id, "code_hash": _hash(c)}
                                  for c in codes]).execute()
        _audit("gestion.totp.enrol", gestionnaire, gestionnaire=gestionnaire.id)
    return [f"{c[:5]} {c[5:]}" for c in codes]


def check_code(gestionnaire: Gestionnaire, code: str) -> str | None:
    """A login's second step: a TOTP code (once each) or an unused recovery code. Returns
    "totp" or "recovery", or None."""
    with write_transaction():
        fresh = Gestionnaire.get_by_id(gestionnaire.id)
        step = _accepted_step(fresh.totp_secret or "", code, fresh.totp_last_step)
        # Taken only if no request took this step meanwhile: a code opens one session.
        if step is not None and (Gestionnaire.update(totp_last_step=step)
                                 .where((Gestionnaire.id == fresh.id)
                                        & (Gestionnaire.totp_last_step < step)).execute()):
            return "totp"
        digits = "".join(code.split())
        if re.fullmatch(r"[0-9]{10}", digits):
            used = (RecoveryCode.update(used_at=utcnow())
                    .where((RecoveryCode.gestionnaire == fresh.id)
                           & (RecoveryCode.code_hash == _hash(digits))
                           & RecoveryCode.used_at.is_null()).execute())
            if used:
                _audit("gestion.recovery_code.use", fresh, gestionnaire=fresh.id)
                return "recovery"
    return None


def recovery_codes_left(gestionnaire: Gestionnaire) -> int:
    return (RecoveryCode.select().where((RecoveryCode.gestionnaire == gestionnaire)
                                        & RecoveryCode.used_at.is_null()).count())


def reset_second_factor(gestionnaire: Gestionnaire, by: Gestionnaire) -> None:
    """A responsable resets a colleague's second factor (a lost phone): the colleague enrols a
    new one at the next login, after the password; their sessions end."""
    with write_transaction():
        gestionnaire.totp_secret, gestionnaire.totp_pending = None, pyotp.random_base32()
        gestionnaire.totp_last_step = 0
        gestionnaire.save(only=[Gestionnaire.totp_secret, Gestionnaire.totp_pending,
                                Gestionnaire.totp_last_step])
        RecoveryCode.delete().where(RecoveryCode.gestionnaire == gestionnaire).execute()
        end_sessions_of(gestionnaire, "second_factor_reset")
        _audit("gestion.totp.reset", by, gestionnaire=gestionnaire.id)


# --- Logging in and sessions ----------------------------------------------------------------

#: A hash that takes as long to check as a real one, for an address with no gestionnaire.
_NOBODY = None


def authenticate(email: str, password: str) -> Gestionnaire | None:
    """The gestionnaire whose address and password these are (active, not disabled); the same
    time either way."""
    global _NOBODY
    gestionnaire = Gestionnaire.get_or_none(Gestionnaire.email == email.strip().lower())
    if gestionnaire is None or not gestionnaire.password_hash:
        if _NOBODY is None:
            _NOBODY = hash_password(secrets.token_urlsafe(16))
        verify_password(_NOBODY, password)
        return None
    if not verify_password(gestionnaire.password_hash, password) or gestionnaire.disabled_at:
        return None
    return gestionnaire


def open_session(gestionnaire: Gestionnaire, how: str) -> str:
    """A new session after both factors; its key, for the cookie."""
    key = secrets.token_urlsafe(32)
    with write_transaction():
        GestionSession.create(key_hash=_hash(key), gestionnaire=gestionnaire)
        Gestionnaire.update(last_login_at=utcnow()).where(
            Gestionnaire.id == gestionnaire.id).execute()
        _audit("gestion.login", gestionnaire, second_factor=how)
    return key


def _limits(now):
    config = current_app.config
    return now - config["GESTION_SESSION_IDLE"], now - config["GESTION_SESSION_MAX"]


def session_for(key: str) -> tuple[Gestionnaire, GestionSession] | None:
    """The gestionnaire of a live session key, or None (ended, idle, too old, disabled)."""
    if not key or len(key) > 100:
        return None
    now = utcnow()
    idle_since, born_since = _limits(now)
    session = (GestionSession.select(GestionSession, Gestionnaire).join(Gestionnaire)
               .where((GestionSession.key_hash == _hash(key)) & GestionSession.ended_at.is_null()
                      & (GestionSession.last_seen_at > idle_since)
                      & (GestionSession.created_at > born_since)
                      & Gestionnaire.disabled_at.is_null() & Gestionnaire.totp_secret.is_null(False))
               .first())
    if session is None:
        return None
    if now - session.last_seen_at > timedelta(minutes=1):
        with write_transaction():
            GestionSession.update(last_seen_at=now).where(
                GestionSession.id == session.id).execute()
        session.last_seen_at = now
    return session.gestionnaire, session


def ends_at(session: GestionSession):
    config = current_app.config
    return min(session.last_seen_at + config["GESTION_SESSION_IDLE"],
               session.created_at + config["GESTION_SESSION_MAX"])


def end_session(key: str | None, because: str = "logout") -> None:
    if key:
        with write_transaction():
            GestionSession.update(ended_at=utcnow(), ended_because=because).where(
                (GestionSession.key_hash == _hash(key))
                & GestionSession.ended_at.is_null()).execute()


def end_sessions_of(gestionnaire: Gestionnaire, because: str) -> None:
    GestionSession.update(ended_at=utcnow(), ended_because=because).where(
        (GestionSession.gestionnaire == gestionnaire)
        & GestionSession.ended_at.is_null()).execute()


def disable(gestionnaire: Gestionnaire, by: Gestionnaire) -> None:
    with write_transaction():
        gestionnaire.disabled_at = utcnow()
        gestionnaire.save(only=[Gestionnaire.disabled_at])
        end_sessions_of(gestionnaire, "disabled")
        _audit("gestion.disable", by, gestionnaire=gestionnaire.id)
