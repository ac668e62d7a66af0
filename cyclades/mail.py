"""Sending mail: through SMTP when CYCLADES_SMTP_HOST is set, else into instance/outbox/*.eml.

Messages are plain text (light, read aloud well) rendered from templates/emails/<name>.txt in the
recipient's language. The first line of the template is the subject.
"""
import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale


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


def send(template: str, to: str, locale: str = "fr", **context) -> EmailMessage:
    message = render_message(template, to, locale, **context)
    config = current_app.config
    if config.get("SMTP_HOST"):
        _send_smtp(message, config)
    else:
        _write_outbox(message, Path(config["OUTBOX_DIR"]))
    return message


def _send_smtp(message, config):
    mode = (config.get("SMTP_TLS") or "off").lower()
    port = config.get("SMTP_PORT") or (465 if mode == "ssl" else 587 if mode == "starttls" else 25)
    if mode == "ssl":
        server = smtplib.SMTP_SSL(config["SMTP_HOST"], port, timeout=15,
                                  context=ssl.create_default_context())
    else:
        server = smtplib.SMTP(config["SMTP_HOST"], port, timeout=15)
    with server:
        if mode == "starttls":
            server.starttls(context=ssl.create_default_context())
        if config.get("SMTP_USER"):
            server.login(config["SMTP_USER"], config.get("SMTP_PASSWORD") or "")
        server.send_message(message)


def _write_outbox(message, outbox: Path):
    outbox.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    (outbox / f"{stamp}.eml").write_bytes(bytes(message))
