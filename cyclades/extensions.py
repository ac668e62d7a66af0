"""Extension objects, bound to the app in create_app()."""
from flask import request
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

babel = Babel()
compress = Compress()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
login_manager = LoginManager()


def submitted_email_key() -> str:
    """Rate-limit key for "per address" limits: the address typed in the form, normalised."""
    return "email:" + request.form.get("email", "").strip().casefold()[:320]
