"""Concerto: the application factory."""

import logging
import os

from flask import Flask, jsonify
from werkzeug.middleware.proxy_fix import ProxyFix

from config import CONFIGS, INSTANCE_DIR

logger = logging.getLogger(__name__)


def create_app(config_name: str | None = None, overrides: dict | None = None) -> Flask:
    """Build the application. ``overrides`` replaces config values (tests, one-off tools)."""
    # The imports of create_app and its helpers are lazy on purpose: ``import app.models`` (scripts, migrations,
    # tests) must not import every blueprint, and the blueprints' modules import ``app`` (a genuine cycle).
    config_name = config_name or os.environ.get("CONCERTO_CONFIG") or os.environ.get("FLASK_CONFIG") or "development"
    config_class = CONFIGS[config_name]
    from app.compliance import log_redaction

    log_redaction.install()
    app = Flask(__name__, template_folder="../templates", instance_path=str(INSTANCE_DIR))
    app.config.from_object(config_class)
    app.config.update(overrides or {})
    config_class.init_app(app)
    INSTANCE_DIR.mkdir(exist_ok=True)
    if app.config["PROXY_FIX_COUNT"]:
        count = app.config["PROXY_FIX_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    from app.web.urls import IdConverter

    app.url_map.converters["int"] = IdConverter  # before any rule is added: ids fit PostgreSQL's integer
    _init_extensions(app)
    _register_blueprints(app)

    from app import cli, events
    from app.core import deferred, mail
    from app.web import boundary, error_pages, ratelimits, security

    events.register(app)

    ratelimits.register(app)
    error_pages.register(app)
    security.register(app)
    deferred.register(app)
    mail.register(app)
    boundary.register(app)  # after deferred: the commit queues the e-mail that deferred hands to the response
    cli.register(app)

    @app.get("/healthz")
    def healthz():
        from app.web.health import check

        body, healthy = check()
        return jsonify(body), 200 if healthy else 503

    healthz.access = "public"
    return app


def _init_extensions(app: Flask) -> None:
    from app.core.extensions import babel, compress, csrf, db, limiter, login_manager, migrate
    from app.web import i18n, static_files

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(
        app,
        default_locale=app.config["BABEL_DEFAULT_LOCALE"],
        default_timezone=app.config["BABEL_DEFAULT_TIMEZONE"],
        default_translation_directories=app.config["BABEL_TRANSLATION_DIRECTORIES"],
        locale_selector=i18n.select_locale,
    )
    i18n.register(app)
    login_manager.init_app(app)
    compress.init_app(app)
    static_files.register(app)  # after Compress: its after_request must run before the compressor's

    from app.auth import session as auth_session

    auth_session.register(login_manager)

    from app.core import database

    database.register(app)


def _register_blueprints(app: Flask) -> None:
    from app import followup, moderation, orientations, respond, results, voting
    from app.admin import bp as admin_bp
    from app.auth import bp as auth_bp
    from app.builder import bp as builder_bp
    from app.exports import bp as exports_bp
    from app.main import bp as main_bp
    from app.moderation import bp as moderation_bp
    from app.participation import bp as participation_bp
    from app.processes import bp as processes_bp
    from app.reports import bp as reports_bp
    from app.respond import bp as respond_bp
    from app.results import bp as results_bp
    from app.voting import bp as voting_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(processes_bp)
    app.register_blueprint(voting_bp)
    app.register_blueprint(builder_bp)
    app.register_blueprint(respond_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(results_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(participation_bp)
    moderation.register(app)
    respond.register(app)
    voting.register(app)
    orientations.register(app)
    results.register(app)
    followup.register(app)  # after the vote: actions, commitments, updates and the public follow-up page
