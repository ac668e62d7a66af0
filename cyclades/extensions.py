"""Extension objects, bound to the app in create_app()."""
from flask import request
from flask_babel import Babel
import flask_compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect



class Compress(flask_compress.Compress):
    """Flask-Compress leaves every non-2xx response as it is. A form shown again with its errors
    (422) weighs as much as the form itself, and is what a candidate on a slow line waits for:
    compress 4xx pages too."""

    def after_request(self, response):
        status = response.status_code
        if not 400 <= status < 500:
            return super().after_request(response)
        response.status_code = 200
        try:
            return super().after_request(response)
        finally:
            response.status_code = status


babel = Babel()
compress = Compress()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
login_manager = LoginManager()


def submitted_email_key() -> str:
    """Rate-limit key for "per address" limits: the address typed in the form, normalised."""
    return "email:" + request.form.get("email", "").strip().casefold()[:320]
