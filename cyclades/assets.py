"""Static files: fingerprinted, compressed once, and the stylesheet inlined.

- `static_url('js/cyclades.js')` → `/static/js/cyclades.js?v=1a2b3c4d`: the fingerprint is the
  file's content hash, so a changed file gets a new URL and the old one can be cached for a year
  as immutable.
- Each static file is read and compressed once per process, with brotli and gzip at their best
  levels, then served from memory in the encoding the browser accepts (`Content-Encoding`,
  `Vary: Accept-Encoding`, an ETag per encoding). Behind nginx (README) the files are served by
  nginx itself, from the same folder.
- The stylesheet is small (under 2 KB compressed): every page carries it in a `<style>`, so that a
  first visit on a slow line paints from the first response instead of waiting a second round
  trip for a render-blocking stylesheet. The Content-Security-Policy allows that one style by its
  hash (no `unsafe-inline`).
"""
import base64
import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

import brotli
from flask import Response, abort, request, url_for
from markupsafe import Markup
from werkzeug.security import safe_join

ONE_YEAR = 365 * 24 * 3600
STYLESHEET = "css/cyclades.css"


@dataclass(frozen=True)
class StaticFile:
    mimetype: str
    fingerprint: str
    bodies: dict  # encoding ("br", "gzip", "identity") → bytes


def _load(folder: str, filename: str) -> StaticFile | None:
    path = safe_join(folder, filename)
    if path is None or not Path(path).is_file():
        return None
    content = Path(path).read_bytes()
    mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"  # text/*: utf-8
    bodies = {"identity": content}
    if len(content) > 256 and not mimetype.startswith(("image/png", "image/jpeg")):
        bodies["br"] = brotli.compress(content, quality=11)
        bodies["gzip"] = gzip.compress(content, compresslevel=9, mtime=0)
    return StaticFile(mimetype, hashlib.sha256(content).hexdigest()[:10], bodies)


def _best_encoding(available) -> str:
    accepted = request.accept_encodings
    for encoding in ("br", "gzip"):
        if encoding in available and accepted[encoding]:
            return encoding
    return "identity"


def init_app(app):
    files: dict[str, StaticFile | None] = {}

    def static_file(filename: str) -> StaticFile | None:
        if filename not in files or app.debug:
            files[filename] = _load(app.static_folder, filename)
        return files[filename]

    def static_url(filename: str) -> str:
        return url_for("static", filename=filename, v=static_file(filename).fingerprint)

    def inline_stylesheet() -> Markup:
        return Markup(static_file(STYLESHEET).bodies["identity"].decode())

    def stylesheet_hash() -> str:
        """For the Content-Security-Policy: `'sha256-…'` of the inlined stylesheet."""
        digest = hashlib.sha256(static_file(STYLESHEET).bodies["identity"]).digest()
        return f"'sha256-{base64.b64encode(digest).decode()}'"

    def serve_static(filename: str):
        found = static_file(filename)
        if found is None:
            abort(404)
        encoding = _best_encoding(found.bodies)
        response = Response(found.bodies[encoding], mimetype=found.mimetype)
        if encoding != "identity":
            response.headers["Content-Encoding"] = encoding
        if len(found.bodies) > 1:
            response.vary.add("Accept-Encoding")
        response.set_etag(f"{found.fingerprint}-{encoding}")
        if request.args.get("v") == found.fingerprint:
            response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
        else:
            response.headers["Cache-Control"] = "public, max-age=300"
        return response.make_conditional(request)

    app.view_functions["static"] = serve_static
    app.jinja_env.globals["static_url"] = static_url
    app.jinja_env.globals["inline_stylesheet"] = inline_stylesheet
    app.extensions["stylesheet_hash"] = stylesheet_hash
