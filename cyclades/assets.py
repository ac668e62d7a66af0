"""Fingerprinted static files: `static_url('css/cyclades.css')` → `/static/css/cyclades.css?v=1a2b3c4d`.

The fingerprint is the file's content hash, so a changed file gets a new URL and the old one can be
cached for a year as immutable.
"""
import hashlib
from pathlib import Path

from flask import request, url_for

ONE_YEAR = 365 * 24 * 3600


def init_app(app):
    fingerprints: dict[str, str] = {}

    def fingerprint(filename: str) -> str:
        if filename not in fingerprints or app.debug:
            content = (Path(app.static_folder) / filename).read_bytes()
            fingerprints[filename] = hashlib.sha256(content).hexdigest()[:10]
        return fingerprints[filename]

    def static_url(filename: str) -> str:
        return url_for("static", filename=filename, v=fingerprint(filename))

    app.jinja_env.globals["static_url"] = static_url

    @app.after_request
    def cache_static(response):
        if request.endpoint == "static" and response.status_code == 200:
            # Read the (small) file so that the compression, which runs after this, sees a
            # body and not a file stream it would skip.
            if response.direct_passthrough:
                response.direct_passthrough = False
                response.set_data(response.get_data())
            if request.args.get("v"):
                response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
            else:
                response.headers["Cache-Control"] = "public, max-age=300"
        return response
