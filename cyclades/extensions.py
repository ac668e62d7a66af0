"""Extension objects, bound to the app in create_app()."""
from flask_babel import Babel
import flask_compress
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
login_manager = LoginManager()
