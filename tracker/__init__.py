"""Cluster Support Tracker: the application factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from config import Config, config_from_env


def create_app(config: Config | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, errors, hooks and commands."""
    root = Path(__file__).resolve().parent.parent
    app = Flask(
        __name__, template_folder=str(root / "templates"), static_folder=str(root / "static")
    )
    app.config.from_object(config or config_from_env())

    from tracker import cli, database, errors, security, templating
    from tracker.extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate

    database.configure_engine_events()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(root / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=templating.select_locale)
    bootstrap.init_app(app)
    login_manager.init_app(app)

    register_blueprints(app)
    security.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    cli.init_app(app)
    return app


def register_blueprints(app: Flask) -> None:
    from tracker.admin.views import bp as admin_bp
    from tracker.auth.views import bp as auth_bp
    from tracker.companies.views import bp as companies_bp
    from tracker.events.views import bp as events_bp
    from tracker.followups.views import bp as followups_bp
    from tracker.interactions.views import bp as interactions_bp
    from tracker.main.views import bp as main_bp
    from tracker.pipeline.views import bp as pipeline_bp
    from tracker.reports.views import bp as reports_bp
    from tracker.support.views import bp as support_bp
    from tracker.transfer.views import bp as transfer_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(companies_bp)
    app.register_blueprint(interactions_bp)
    app.register_blueprint(support_bp)
    app.register_blueprint(followups_bp)
    app.register_blueprint(events_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(pipeline_bp)
    app.register_blueprint(transfer_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
