"""Signed-in sessions, held on the server (LoginSession): opened at « Me connecter », ended by
« Me déconnecter », by a new password, after 30 minutes without a request
(PERMANENT_SESSION_LIFETIME) and at the latest SESSION_ABSOLUTE_LIFETIME after the login, however
active it stays. The cookie carries only the session's key; what it opens is decided here at
each request, so a copied cookie stops working with the session.
"""
import hashlib
import math
import secrets
from datetime import timedelta

from flask import current_app
from flask import session as cookie

from cyclades.db import Prepared, write_transaction
from cyclades.models import Account, LoginSession, utcnow
from cyclades.queue import crontab, periodic

#: The last request is written down at most this often (a write per minute, not per page;
#: a tenth of the idle timeout when that is shorter, as in the tests).
SEEN_EVERY = timedelta(minutes=1)
#: Ended or expired sessions are kept this long for the audit, then deleted.
KEPT = timedelta(days=30)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def open_session(account: Account) -> Account:
    """A new session for `account` (at login); the account comes back with its key, for
    flask_login.login_user()."""
    key = secrets.token_urlsafe(32)
    with write_transaction():
        LoginSession.create(key_hash=_hash(key), account=account)
    account.session_key = key
    return account


def _limits(now):
    config = current_app.config
    return now - config["PERMANENT_SESSION_LIFETIME"], now - config["SESSION_ABSOLUTE_LIFETIME"]


#: Read at every request of a signed-in person (built once: cyclades.db.Prepared).
_LIVE_SESSION = Prepared(lambda slot: (
    LoginSession.select(LoginSession, Account).join(Account)
    .where((LoginSession.key_hash == slot("key_hash")) & LoginSession.ended_at.is_null()
           & (LoginSession.last_seen_at > slot("idle_since"))
           & (LoginSession.created_at > slot("born_since"))).limit(1)))


def _seen_every():
    return min(SEEN_EVERY, current_app.config["PERMANENT_SESSION_LIFETIME"] / 10)


def _ends_at(session):
    """When `session` ends if nothing more is asked of it (UTC, naive)."""
    config = current_app.config
    return min(session.last_seen_at + config["PERMANENT_SESSION_LIFETIME"],
               session.created_at + config["SESSION_ABSOLUTE_LIFETIME"])


def account_for(key: str) -> Account | None:
    """The account whose live session has this key, or None (ended, idle too long, too old).
    The account comes back with `session_key` and `session_ends_at`."""
    if not key or len(key) > 100:
        return None
    now = utcnow()
    idle_since, born_since = _limits(now)
    session = _LIVE_SESSION.first(key_hash=_hash(key), idle_since=idle_since,
                                  born_since=born_since)
    if session is None:
        return None
    if now - session.last_seen_at > _seen_every():
        _seen(session, now)
    account = session.account
    account.session_key = key
    account.session_ends_at = _ends_at(session)
    return account


def _seen(session, now) -> None:
    with write_transaction():  # every write takes its turn (cyclades.db)
        LoginSession.update(last_seen_at=now).where(LoginSession.id == session.id).execute()
    session.last_seen_at = now
    cookie.modified = True  # its expiry moves with the session's (SESSION_REFRESH_…)


def extend(account: Account) -> None:
    """« Rester connecté »: the signed-in session of `account` (its current request's) counts
    from now; its absolute limit stays."""
    session = LoginSession.get_or_none(LoginSession.key_hash == _hash(account.session_key))
    if session is not None:
        _seen(session, utcnow())
        account.session_ends_at = _ends_at(session)


def seconds_left(account: Account) -> int:
    """Seconds before the session of this request ends, if nothing more is asked of it."""
    return max(0, math.ceil((account.session_ends_at - utcnow()).total_seconds()))


def end_session(key: str | None, because: str = "logout") -> None:
    if key:
        with write_transaction():
            LoginSession.update(ended_at=utcnow(), ended_because=because).where(
                (LoginSession.key_hash == _hash(key)) & LoginSession.ended_at.is_null()).execute()


def end_sessions_of(account: Account, because: str, keep: str | None = None) -> None:
    """Every session of `account` ends (a new password), but the one whose key is `keep`."""
    query = LoginSession.update(ended_at=utcnow(), ended_because=because).where(
        (LoginSession.account == account) & LoginSession.ended_at.is_null())
    if keep:
        query = query.where(LoginSession.key_hash != _hash(keep))
    query.execute()


def purge_sessions() -> int:
    """Delete what is ended or expired since KEPT."""
    now = utcnow()
    idle_since, born_since = _limits(now - KEPT)
    with write_transaction():
        return LoginSession.delete().where(
            (LoginSession.ended_at < now - KEPT) | (LoginSession.last_seen_at < idle_since)
            | (LoginSession.created_at < born_since)).execute()


@periodic(crontab(minute="23", hour="3"))
def purge_sessions_daily() -> None:
    purge_sessions()
