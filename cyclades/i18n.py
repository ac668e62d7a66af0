"""Translations and locale, looked up once per request.

Flask-Babel finds the current translations and locale through `g` at each `_()` and each date
(three context-local lookups each, a hundred a page: a tenth of a page's CPU). The functions here
(gettext, ngettext, lazy_gettext, get_locale: Flask-Babel's, same arguments) and the templates'
gettext callables take the request's translations and locale once and keep them for the
request. `force_locale()` (a mail in the candidate's language, a document in French) keeps that
right: use it instead of Flask-Babel's.
"""
from contextlib import contextmanager
from contextvars import ContextVar

import flask_babel
from flask import has_request_context
from flask_babel.speaklater import LazyString

#: (translations, locale) of the current request, once looked up.
_current: ContextVar = ContextVar("cyclades_translations", default=None)


def _looked_up():
    found = _current.get()
    if found is None:
        found = (flask_babel.get_translations(), flask_babel.get_locale())
        if has_request_context():  # kept for this request only
            _current.set(found)
    return found


def translations():
    return _looked_up()[0]


def get_locale():
    return _looked_up()[1]


def gettext(string, **variables):
    translated = _looked_up()[0].ugettext(string)
    return translated % variables if variables else translated


def ngettext(singular, plural, num, **variables):
    variables.setdefault("num", num)
    return _looked_up()[0].ungettext(singular, plural, num) % variables


def lazy_gettext(string, **variables):
    return LazyString(gettext, string, **variables)


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
