"""Cluster Support Tracker: the application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

from config import Config, config_from_env


class RecordId(IntegerConverter):
    """`<int:...>` in every route: ids beyond a database integer are a 404, not a driver error."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def create_app(config: Config | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, errors, hooks and commands."""
    root = Path(__file__).resolve().parent.parent
    app = Flask(
        __name__, template_folder=str(root / "templates"), static_folder=str(root / "static")
    )
    app.config.from_object(config or config_from_env())
    app.url_map.converters["int"] = RecordId

    from tracker import archiving, cli, database, errors, i18n, security, templating
    from tracker.extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate

    database.configure_engine_events()
    archiving.init_app(app)
    # Their session hooks keep the companies' facts and search rows, the workload's totals, the
    # funnel's flows, the board's column counts and the report's health spans.
    from tracker.companies import facts, search  # noqa: F401
    from tracker.pipeline import columns, flows, totals  # noqa: F401
    from tracker.reports import spans  # noqa: F401

    db.init_app(app)
    migrate.init_app(app, db, directory=str(root / "migrations"))
    csrf.init_app(app)
    security.check_rate_limit_storage(app)  # before the limiter binds to it
    limiter.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.check_catalogues(app)
    bootstrap.init_app(app)
    login_manager.init_app(app)

    register_blueprints(app)
    security.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    cli.init_app(app)
    return app


def register_blueprints(app: Flask) -> None:
    from tracker.account.views import bp as account_bp
    from tracker.admin.views import bp as admin_bp
    from tracker.auth.views import bp as auth_bp
    from tracker.companies.views import bp as companies_bp
    from tracker.events.views import bp as events_bp
    from tracker.followups.views import bp as followups_bp
    from tracker.gdpr.views import bp as gdpr_bp
    from tracker.history.views import audit_bp
    from tracker.history.views import bp as history_bp
    from tracker.interactions.views import bp as interactions_bp
    from tracker.main.views import bp as main_bp
    from tracker.pipeline.views import bp as pipeline_bp
    from tracker.reports.views import bp as reports_bp
    from tracker.support.views import bp as support_bp
    from tracker.transfer.views import bp as transfer_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(companies_bp)
    app.register_blueprint(interactions_bp)
    app.register_blueprint(support_bp)
    app.register_blueprint(followups_bp)
    app.register_blueprint(events_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(pipeline_bp)
    app.register_blueprint(transfer_bp)
    app.register_blueprint(gdpr_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(history_bp)
    app.register_blueprint(audit_bp, url_prefix="/admin/audit")
