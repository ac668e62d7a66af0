"""Cyclades libre: the application factory."""
from pathlib import Path

from flask import Flask, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

from cyclades import assets, config, db, errors, queue, reference, serving, throttle, uploads
from cyclades.extensions import babel, compress, csrf, login_manager

ROOT = Path(__file__).resolve().parent.parent


def select_locale():
    languages = current_app.config["LANGUAGES"]
    chosen = request.cookies.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or "fr"


def create_app(test_config=None):
    app = Flask(__name__, template_folder=str(ROOT / "templates"),
                static_folder=str(ROOT / "static"), instance_path=str(ROOT / "instance"),
                instance_relative_config=True)
    app.config.update(config.DEFAULTS)
    if test_config is None:
        app.config.update(config.from_environment(app.instance_path))
    else:
        app.config.update(test_config)

    if app.config.get("TRUSTED_PROXIES"):
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    db.init_app(app)
    reference.init_app(app)  # after the connection is taken
    queue.init_app(app)
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(ROOT / "translations"))
    compress.init_app(app)
    uploads.init_app(app)  # before CSRFProtect: it reads the form, under the upload cap
    csrf.init_app(app)
    throttle.init_app(app)
    login_manager.init_app(app)
    assets.init_app(app)
    errors.init_app(app)

    from cyclades import cli, templating, worker
    from cyclades.accounts import session_end
    from cyclades.accounts.views import bp as accounts_bp
    from cyclades.backoffice.candidature import bp as backoffice_candidature_bp
    from cyclades.backoffice.views import bp as backoffice_bp
    from cyclades.documents.views import bp as documents_bp
    from cyclades.pieces.views import bp as pieces_bp
    from cyclades.public.views import bp as public_bp
    from cyclades.registration.views import bp as registration_bp

    templating.init_app(app)
    session_end.init_app(app)
    cli.init_app(app)
    worker.init_app(app)
    app.register_blueprint(public_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(registration_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(pieces_bp)
    app.register_blueprint(backoffice_bp)  # /gestion: the gestionnaires' side
    app.register_blueprint(backoffice_candidature_bp)
    serving.init_app(app)  # outermost: under gevent's workers only
    return app
