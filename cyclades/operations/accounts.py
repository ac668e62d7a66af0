"""Account writes: create, activate, log in, reset, modify (R1–R6)."""
from datetime import datetime

from flask import current_app
from peewee import IntegrityError

from cyclades import mail
from cyclades.db import database, for_write, write_transaction
from cyclades.i18n import get_locale
from cyclades.models import Account, AuditLog, OutgoingMail, utcnow
from cyclades.operations import audit, external_url, sessions
from cyclades.queue import crontab, periodic, task
from cyclades.security import (
    TokenInvalid, account_fingerprint, hash_password, make_token, needs_rehash, read_token,
    verify_password,
)


class TokenUsed(Exception):
    """A genuine link whose action has already been done (or was overtaken by a later one)."""

    def __init__(self, account=None):
        super().__init__()
        self.account = account


def _locale() -> str:
    return str(get_locale() or "fr")


# --- Creating and activating an account (R1–R4) -----------------------------------------------

class _LookAgain(Exception):
    """The pending account changed between the look and the write: another submission."""


def create_account(identity: dict, email: str, password: str) -> None:
    """Créer mon compte. The caller always answers the same way: whether the address already
    had an account is said only in the mail sent to that address (no account enumeration).
    The same form sent twice (a double click, a reload, at the same instant or not) is one
    submission: one account, one mail, and the link of that mail keeps working."""
    password_hash = hash_password(password)  # before the lookup: both paths cost the same
    for _attempt in range(3):
        # Whether a pending account is this very form is judged outside the write
        # transaction (a password check takes a tenth of a second), then confirmed in it.
        pending = Account.by_email(email)
        repeated = (pending is not None and not pending.is_active
                    and pending.created_at > utcnow() - mail.DEDUPE_WINDOW
                    and all(getattr(pending, f) == value for f, value in identity.items())
                    and verify_password(pending.password_hash, password))
        try:
            return _save_account(identity, email, password_hash, pending, repeated)
        except _LookAgain:
            continue
        except IntegrityError:
            continue  # created at this instant by the same form sent twice: look again
    return _save_account(identity, email, password_hash, None, False, final=True)


def _save_account(identity, email, password_hash, pending, repeated, final=False) -> None:
    with write_transaction():
        account = Account.by_email(email, for_write=True)
        if account is not None and not account.is_active and not final and (
                pending is None or account.password_hash != pending.password_hash):
            raise _LookAgain
        if repeated:
            return  # that very form was already taken into account
        if account is not None and account.is_active:
            audit("account.create.existing", account)
            mail.queue("account_exists", account.email, account.locale, account=account,
                       dedupe=f"account_exists:{account.id}",
                       reset_url=external_url("accounts.forgot_password"),
                       login_url=external_url("accounts.login"))
            return
        if account is None:
            account = Account(email=email)
        # A pending, never activated account is replaced by the latest form: only the owner
        # of the address can activate it, and the mail shows the name given.
        for field, value in identity.items():
            setattr(account, field, value)
        account.password_hash = password_hash
        account.locale = _locale()
        account.created_at = utcnow()
        account.save()
        audit("account.create", account)
        _queue_activation(account)


def activation_deadline(account: Account) -> datetime:
    return account.created_at + current_app.config["ACTIVATION_MAX_AGE"]


def _queue_activation(account: Account, dedupe: str = "") -> None:
    """Inside the transaction that creates the account or renews its 48 h."""
    token = make_token("activate", account)
    mail.queue("activation", account.email, account.locale, account=account, dedupe=dedupe,
               expires=activation_deadline(account),
               activation_url=external_url("accounts.activate", token=token))


def resend_activation(email: str) -> None:
    """From the login page, for an account not yet activated. The page answers at once and the
    same way whatever the address: the worker looks it up (activation_requested)."""
    activation_requested(email)


@task()
def activation_requested(email: str) -> None:
    """A fresh 48 h and a new link, if the address has an account still to activate."""
    with write_transaction():
        account = Account.by_email(email, for_write=True)
        if account is None or account.is_active:
            return
        account.created_at = utcnow()
        account.save()
        audit("account.activation.resend", account)
        _queue_activation(account, dedupe=f"activation.resend:{account.id}")


def _account_from_token(purpose: str, token: str, max_age,
                        lock: bool = False) -> tuple[Account, dict]:
    """`lock`, inside a write transaction: the account is locked before its fingerprint is
    checked, so the same link followed twice at once is used once (the second sees the first's
    change and raises TokenUsed)."""
    data = read_token(purpose, token, max_age)  # TokenInvalid / TokenExpired
    account = Account.for_write(data["a"]) if lock else Account.get_or_none(Account.id == data["a"])
    if account is None:
        raise TokenUsed()
    if data.get("f") != account_fingerprint(account):
        raise TokenUsed(account)
    return account, data


def activate_account(token: str) -> Account:
    with write_transaction():
        account, _data = _account_from_token("activate", token,
                                             current_app.config["ACTIVATION_MAX_AGE"], lock=True)
        account.activated_at = utcnow()
        account.save()
        audit("account.activate", account)
    return account


def purge_inactive(now=None) -> int:
    """R4: an account not activated within 48 h is deleted; the person must create it again."""
    limit = (now or utcnow()) - current_app.config["ACTIVATION_MAX_AGE"]
    with write_transaction():
        # Locked: an account activated at this instant is read again, active, and kept.
        stale = list(for_write(Account.inactive_since(limit)))
        for account in stale:
            audit("account.purge", None, created_at=account.created_at.isoformat())
            # Its activation mails go with it: nothing of the address is kept.
            OutgoingMail.delete().where(OutgoingMail.account == account).execute()
            account.delete_instance()
    return len(stale)


@periodic(crontab(minute="*/15"))
def purge_inactive_accounts() -> None:
    purge_inactive()


# --- Logging in -------------------------------------------------------------------------------

def authenticate(email: str, password: str) -> Account | None:
    """The account whose password matches, active or not (the view tells which), else None."""
    account = Account.by_email(email)
    if not verify_password(account.password_hash if account else None, password):
        return None
    if account.is_active and needs_rehash(account.password_hash):
        # Hashed with older parameters: hashed again now that the password is known. Not for
        # an account still waiting for activation: its link is signed with the old hash.
        account.rehashed = hash_password(password)
    return account


def record_login(account: Account) -> None:
    with write_transaction():
        account.last_login_at = utcnow()
        only = [Account.last_login_at]
        if getattr(account, "rehashed", None):
            account.password_hash = account.rehashed
            only.append(Account.password_hash)
        account.save(only=only)
        audit("account.login", account)


# --- Forgotten password (R5) ------------------------------------------------------------------

def request_password_reset(email: str) -> None:
    """Mot de passe oublié (R5). The page answers at once and the same way, in the same time,
    whatever the address: nothing is looked up here, the worker does it (reset_requested)."""
    reset_requested(email, _locale())


@task()
def reset_requested(email: str, locale: str) -> None:
    with write_transaction():
        account = Account.by_email(email, for_write=True)
        if account is None:
            return  # nothing to send; the page answered as if we had
        audit("account.reset.request", account)
        token = make_token("reset", account)
        mail.queue("password_reset", account.email, account.locale or locale, account=account,
                   dedupe=f"reset:{account.id}:{account_fingerprint(account)}",
                   reset_url=external_url("accounts.reset_password", token=token),
                   valid_minutes=int(current_app.config["RESET_MAX_AGE"].total_seconds() // 60))


def account_for_reset(token: str) -> Account:
    account, _data = _account_from_token("reset", token, current_app.config["RESET_MAX_AGE"])
    return account


def reset_password(token: str, new_password: str) -> Account:
    """Sets the new password; following the link also proves the address, so it activates."""
    password_hash = hash_password(new_password)  # never inside the transaction: it waits its turn
    with write_transaction():
        account, _data = _account_from_token("reset", token, current_app.config["RESET_MAX_AGE"],
                                             lock=True)
        _set_password(account, password_hash)
        if account.activated_at is None:
            account.activated_at = utcnow()
        account.save()
        audit("account.reset", account)
        mail.queue("password_changed", account.email, account.locale, account=account,
                   reset_url=external_url("accounts.forgot_password"))
    return account


def _set_password(account: Account, password_hash: str) -> None:
    """Every session of the account ends, but the one that changes it (Modifier mon compte)."""
    account.password_hash = password_hash
    sessions.end_sessions_of(account, "password", keep=account.session_key)


# --- Modifier mon compte (R6) -----------------------------------------------------------------

def change_password(account: Account, new_password: str) -> None:
    password_hash = hash_password(new_password)
    with write_transaction():
        Account.for_write(account.id)  # one write of this account at once
        _set_password(account, password_hash)
        # Only the password: `account` was read at the start of the request, and another tab
        # may have changed the rest since (an inscription saved: N° candidat, identity locked).
        account.save(only=[Account.password_hash])
        audit("account.password.change", account)
        mail.queue("password_changed", account.email, account.locale, account=account,
                   reset_url=external_url("accounts.forgot_password"))


def password_just_changed_to(account: Account, password: str) -> bool:
    """The account's password was changed a moment ago, to `password` (a form sent twice)."""
    recent = AuditLog.select().where(
        (AuditLog.account == account) & (AuditLog.action == "account.password.change")
        & (AuditLog.at > utcnow() - mail.DEDUPE_WINDOW)).exists()
    return recent and verify_password(Account.get_by_id(account.id).password_hash, password)


def request_email_change(account: Account, new_email: str) -> None:
    """The new address becomes the login only once confirmed from a link sent to it."""
    with write_transaction():
        Account.by_email(account.email, for_write=True)  # one request of this account at once
        audit("account.email.request", account)
        taken = Account.by_email(new_email)
        if taken is not None and taken.id != account.id:
            # Said only to the owner of that address, never on the page.
            mail.queue("email_taken", new_email, account.locale,
                       dedupe=f"email_taken:{account.id}:{new_email}",
                       login_url=external_url("accounts.login"))
            return
        token = make_token("email", account, e=new_email)
        mail.queue("email_change_confirm", new_email, account.locale, account=account,
                   dedupe=f"email_change:{account.id}:{new_email}", new_email=new_email,
                   confirm_url=external_url("accounts.confirm_email", token=token))


class EmailTaken(Exception):
    """The address was given to another account between the request and the confirmation."""


def confirm_email_change(token: str) -> Account:
    with write_transaction():
        account, data = _account_from_token("email", token,
                                            current_app.config["EMAIL_CHANGE_MAX_AGE"], lock=True)
        new_email = data.get("e")
        if not isinstance(new_email, str) or not new_email:
            raise TokenInvalid
        if Account.by_email(new_email) is not None:
            raise EmailTaken
        old_email = account.email
        account.email = new_email
        try:
            with database.atomic():  # a savepoint: the address may be taken at this instant
                account.save()
        except IntegrityError:
            raise EmailTaken from None
        audit("account.email.change", account)
        mail.queue("email_changed_old", old_email, account.locale, account=account,
                   new_email=new_email)
    return account


def update_identity(account: Account, identity: dict) -> bool:
    """Identity fields change only while no inscription was ever saved (R6)."""
    if not account.can_edit_identity:
        return False
    with write_transaction():
        # Read again, locked: an inscription saved in another tab meanwhile has locked it.
        current = Account.for_write(account.id)
        if current is None or not current.can_edit_identity:
            return False
        changed = [field for field, value in identity.items() if getattr(current, field) != value]
        for field in changed:
            setattr(current, field, identity[field])
            setattr(account, field, identity[field])
        if changed:
            current.save(only=[getattr(Account, field) for field in changed])
            from cyclades.domain.identity import search_key
            from cyclades.models import Candidature

            (Candidature.update(birth_name_key=search_key(current.nom_naissance),
                                usage_name_key=search_key(current.nom_usage))
             .where(Candidature.account == current.id).execute())  # the lists' search
        audit("account.identity.change", account, fields=changed)
    return True


