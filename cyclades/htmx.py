"""The only code that reads HX-* headers: a page, or just its fragment for an htmx request.

A template extends base.html and fills `title` and `content`. For a real htmx request (not a
boosted link, not a history restore) only the fragment is sent: a <title> plus the named block,
which htmx swaps into <main> (base.html builds the same <title> for the full page). Every response says `Vary: HX-Request` so caches keep both apart.
"""
from flask import make_response, redirect, render_template, request
from markupsafe import escape
from jinja2_fragments.flask import render_block

from cyclades.i18n import gettext


def is_fragment_request() -> bool:
    headers = request.headers
    return (headers.get("HX-Request") == "true" and headers.get("HX-Boosted") != "true"
            and headers.get("HX-History-Restore-Request") != "true")


def render_page(template: str, fragment: str = "content", status: int = 200, **context):
    if is_fragment_request():
        body = render_block(template, fragment, **context)
        # The fragment stands for a new page (or step): send its <title>, htmx updates it.
        title = render_block(template, "title", **context).strip()
        body = f"<title>{title} – {escape(gettext('Cyclades libre'))}</title>\n{body}"
        response = make_response(body, status)
    else:
        response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


def follow(location: str, render_next):
    """After a successful POST that moves on (« Suivant »): for htmx, the next page's fragment
    in the same response, its URL pushed into the history (one round trip on a slow line);
    for a plain form, 303 See Other to it."""
    if is_fragment_request():
        response = render_next()
        response.headers["HX-Push-Url"] = location
        return response
    return hx_redirect(location)


def hx_redirect(location: str):
    """303 See Other for a plain form post; HX-Redirect (a full page load) for htmx."""
    if request.headers.get("HX-Request") == "true":
        response = make_response("", 204)
        response.headers["HX-Redirect"] = location
    else:
        response = redirect(location, code=303)
    response.vary.add("HX-Request")
    return response
