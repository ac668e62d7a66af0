"""Translations for the templates, looked up once per request.

Flask-Babel finds the current translations through `g` at each `_()` of a template (three
context-local lookups each, fifty strings a page: a tenth of a page's CPU). The templates' gettext
callables here take the request's translations once and keep them for the request.
`force_locale()` (a mail in the candidate's language, a document in French) keeps that right:
use it instead of Flask-Babel's.
"""
from contextlib import contextmanager
from contextvars import ContextVar

import flask_babel
from flask import has_request_context

_current: ContextVar = ContextVar("cyclades_translations", default=None)


def translations():
    found = _current.get()
    if found is None:
        found = flask_babel.get_translations()
        if has_request_context():  # kept for this request only
            _current.set(found)
    return found


@contextmanager
def force_locale(locale):
    token = _current.set(None)
    try:
        with flask_babel.force_locale(locale):
            yield
    finally:
        _current.reset(token)


def init_app(app) -> None:
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True)

    @app.before_request
    def _forget_translations():
        _current.set(None)

    @app.teardown_request
    def _forget_translations_after(exc):
        _current.set(None)
