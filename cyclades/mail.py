"""Mail that never blocks a page and is never lost: an outbox in the database, a sender in the
worker.

An operation calls `queue()` inside its own write transaction: the message is rendered then (in
the recipient's language, from templates/emails/<name>.txt, whose first line is the subject) and
stored as an `OutgoingMail` row with the change it announces, or not at all. Once the
transaction has committed, the worker is asked to deliver it (`deliver_mail`); a mail it cannot
deliver waits and is tried again, later and later (RETRY_MINUTES), by the periodic job
`deliver_due_mail`, which also delivers anything whose first request was lost (a killed
process). `flask --app app mail-queue` lists what is not delivered.

Delivery goes through SMTP when CYCLADES_SMTP_HOST is set, else into instance/outbox/*.eml. A
message may be delivered twice if the worker is killed between the SMTP server's acceptance and
the row's update; it is never lost.
"""
import email
import email.policy
import logging
import smtplib
import ssl
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app, render_template

from cyclades.db import on_commit
from cyclades.i18n import force_locale
from cyclades.models import OutgoingMail, utcnow
from cyclades.queue import crontab, periodic, task

log = logging.getLogger(__name__)

#: Minutes before each new attempt: about forty hours in all, then the mail is given up (failed)
#: and listed by `flask --app app mail-queue`.
RETRY_MINUTES = (1, 2, 5, 10, 30, 60, 120, 240, 480, 720, 720)
#: A sender holds a mail this long at most, and longer than the SMTP exchange can last: the
#: timeout applies to each of its steps (connection, TLS, login, sender, recipient, data…).
CLAIM = timedelta(minutes=2)


def _claim_length() -> timedelta:
    return max(CLAIM, timedelta(seconds=12 * current_app.config.get("SMTP_TIMEOUT", 15)))
#: A mail with the same dedupe key as one queued this recently is not queued again: a form sent
#: twice (a double click, a reload) is one request; asked again later, it is sent again.
DEDUPE_WINDOW = timedelta(minutes=2)


def render_message(template: str, to: str, locale: str = "fr", **context) -> EmailMessage:
    with force_locale(locale):
        subject, _, body = render_template(f"emails/{template}.txt", **context).partition("\n")
    message = EmailMessage()
    message["Subject"] = subject.strip()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Message-ID"] = make_msgid(domain="cyclades-libre")
    message.set_content(body.strip() + "\n")
    return message


def queue(template: str, to: str, locale: str = "fr", *, account=None, candidature=None,
          dedupe: str = "", **context) -> OutgoingMail | None:
    """Store a mail to send, in the caller's transaction, and have it delivered once that
    transaction commits. `account` and `candidature` are kept with it (and given to the
    template). With `dedupe`, nothing is queued when a mail with that key was queued
    within DEDUPE_WINDOW (the same form sent twice). Returns the row, or None."""
    if dedupe and OutgoingMail.select().where(
            (OutgoingMail.dedupe_key == dedupe)
            & (OutgoingMail.created_at > utcnow() - DEDUPE_WINDOW)).exists():
        return None
    message = render_message(template, to, locale, account=account, candidature=candidature,
                             **context)
    row = OutgoingMail.create(to_address=to, subject=str(message["Subject"])[:250],
                              template=template, message=message.as_string(),
                              account=account, candidature=candidature, dedupe_key=dedupe)
    on_commit(lambda: deliver_mail(row.id))
    return row


# --- Delivery (in the worker) -----------------------------------------------------------------

class _Permanent(Exception):
    """The SMTP server refused the recipient for good: trying again changes nothing."""


def _claim(mail_id: int, now: datetime) -> bool:
    """Take the mail for this sender, if it is due and no other sender holds it."""
    return bool(OutgoingMail.update(claimed_until=now + _claim_length(),
                                    attempts=OutgoingMail.attempts + 1)
                .where((OutgoingMail.id == mail_id) & (OutgoingMail.status == OutgoingMail.PENDING)
                       & (OutgoingMail.next_attempt_at <= now)
                       & (OutgoingMail.claimed_until.is_null()
                          | (OutgoingMail.claimed_until < now)))
                .execute())


def deliver(mail_id: int) -> str | None:
    """One attempt at delivering one mail; its status afterwards (None if it was not due or
    another sender has it)."""
    now = utcnow()
    if not _claim(mail_id, now):
        return None
    mail = OutgoingMail.get_by_id(mail_id)
    try:
        _transport(mail.message, mail.to_address)
    except Exception as error:  # SMTP down, refused, timed out: it waits, or is given up
        permanent = isinstance(error, _Permanent) or mail.attempts > len(RETRY_MINUTES)
        delay = RETRY_MINUTES[min(mail.attempts, len(RETRY_MINUTES)) - 1]
        log.warning("Mail %s à %s non remis (essai %d) : %s", mail.id, mail.to_address,
                    mail.attempts, error)
        OutgoingMail.update(
            status=OutgoingMail.FAILED if permanent else OutgoingMail.PENDING,
            next_attempt_at=utcnow() + timedelta(minutes=delay), claimed_until=None,
            last_error=f"{type(error).__name__}: {error}"[:1000],
        ).where(OutgoingMail.id == mail.id).execute()
        return OutgoingMail.FAILED if permanent else OutgoingMail.PENDING
    OutgoingMail.update(status=OutgoingMail.SENT, sent_at=utcnow(), claimed_until=None,
                        message="", last_error="").where(OutgoingMail.id == mail.id).execute()
    return OutgoingMail.SENT


@task()
def deliver_mail(mail_id: int) -> None:
    deliver(mail_id)


def due(now: datetime | None = None, limit: int = 500) -> list[int]:
    now = now or utcnow()
    return [row.id for row in OutgoingMail.select(OutgoingMail.id).where(
        (OutgoingMail.status == OutgoingMail.PENDING) & (OutgoingMail.next_attempt_at <= now)
        & (OutgoingMail.claimed_until.is_null() | (OutgoingMail.claimed_until < now)))
        .order_by(OutgoingMail.next_attempt_at).limit(limit)]


def deliver_due() -> dict[str, int]:
    """Every mail due now, one attempt each: {status: count}."""
    counts: dict[str, int] = {}
    for mail_id in due():
        status = deliver(mail_id)
        if status:
            counts[status] = counts.get(status, 0) + 1
    return counts


@periodic(crontab(minute="*"))
def deliver_due_mail() -> None:
    deliver_due()


#: Delivered or given-up mails are kept this long (who was written to, when, why), then deleted.
KEPT = timedelta(days=30)


def purge_old() -> int:
    """Delete what is delivered or given up since KEPT: the outbox keeps no address forever."""
    return OutgoingMail.delete().where(
        (OutgoingMail.status != OutgoingMail.PENDING)
        & (OutgoingMail.created_at < utcnow() - KEPT)).execute()


@periodic(crontab(minute="17", hour="3"))
def purge_old_mail() -> None:
    purge_old()


def undelivered() -> list[OutgoingMail]:
    """What has not reached the SMTP server: waiting for a new attempt, or given up."""
    return list(OutgoingMail.select().where(OutgoingMail.status != OutgoingMail.SENT)
                .order_by(OutgoingMail.created_at))


def retry_now() -> dict[str, int]:
    """Every mail not delivered, given up or waiting, tried again now (once the SMTP server is
    repaired): {status: count}."""
    OutgoingMail.update(status=OutgoingMail.PENDING, next_attempt_at=utcnow()).where(
        OutgoingMail.status != OutgoingMail.SENT).execute()
    return deliver_due()


def _transport(message_text: str, to: str) -> None:
    config = current_app.config
    message = email.message_from_string(message_text, policy=email.policy.default)
    if config.get("SMTP_HOST"):
        _send_smtp(message, to, config)
    else:
        _write_outbox(bytes(message), Path(config["OUTBOX_DIR"]))


def _send_smtp(message: EmailMessage, to: str, config) -> None:
    mode = (config.get("SMTP_TLS") or "off").lower()
    port = config.get("SMTP_PORT") or (465 if mode == "ssl" else 587 if mode == "starttls" else 25)
    timeout = config.get("SMTP_TIMEOUT", 15)
    if mode == "ssl":
        server = smtplib.SMTP_SSL(config["SMTP_HOST"], port, timeout=timeout,
                                  context=ssl.create_default_context())
    else:
        server = smtplib.SMTP(config["SMTP_HOST"], port, timeout=timeout)
    with server:
        if mode == "starttls":
            server.starttls(context=ssl.create_default_context())
        if config.get("SMTP_USER"):
            server.login(config["SMTP_USER"], config.get("SMTP_PASSWORD") or "")
        try:
            server.send_message(message, to_addrs=[to])
        except smtplib.SMTPRecipientsRefused as refused:
            if all(code >= 500 for code, _ in refused.recipients.values()):
                raise _Permanent(str(refused.recipients)) from refused
            raise


def _write_outbox(data: bytes, outbox: Path) -> None:
    outbox.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    (outbox / f"{stamp}.eml").write_bytes(data)
