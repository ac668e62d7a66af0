"""The writes: one named function per user action, each in one transaction with an audit line.

Views validate a form, call one of these, then redirect or re-render. A mail is stored in the
same transaction as the change it announces (cyclades.mail.queue) and delivered by the worker
once that transaction has committed: a mail never announces something the database does not
hold, and a change is never lost to a mail server that is down.
`accounts` holds the account actions, `registration` the candidature ones.
"""
from flask import current_app, has_request_context, url_for

from cyclades.models import AuditLog


def audit(action: str, account=None, **detail):
    AuditLog.create(action=action, account=account, detail=detail)


def external_url(endpoint: str, **values) -> str:
    """An absolute link for a mail, on the public address of the portal (CYCLADES_BASE_URL),
    from a request or from a command."""
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        path = current_app.url_map.bind("").build(endpoint, values)
    return current_app.config["BASE_URL"] + path
