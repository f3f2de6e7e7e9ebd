"""pbportal: personal budgets, direct payments and managed accounts."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from . import assets, audit, backup, cli, filters, inputs, ops, outbox, transactions
from .audit import AlreadyChanged
from .auth import models as _auth_models
from .auth import sessions as _session_models
from .auth import tokens as _token_models
from .auth import two_factor as _two_factor_models
from .auth.account_views import bp as your_account_bp
from .auth.invitation_views import bp as invitations_bp
from .auth.password_views import bp as passwords_bp
from .auth.two_factor_views import bp as two_factor_bp
from .auth.views import bp as auth_bp
from .banking import jobs as _banking_jobs
from .banking import models as _banking_models
from .banking.match_views import bp as matching_bp
from .banking.views import bp as banking_bp
from .banking.views import upload_too_large
from .budget import models as _budget_models
from .budget.caseload_views import bp as caseloads_bp
from .budget.locks import BudgetEnded, PeriodLocked
from .budget.people_views import bp as people_bp
from .budget.plan_views import bp as plan_bp
from .budget.views import bp as budget_bp
from .config import INSTANCE_DIR, Config
from .contingency import models as _contingency_models
from .contingency.views import bp as contingency_bp
from .contingency.views import share_bp
from .demo.views import bp as demo_bp
from .documents import models as _document_models
from .documents import services as documents
from .documents.views import bp as documents_bp
from .documents.views import may_keep as may_keep_documents
from .employment import models as _employment_models
from .employment import rates as _rates_models
from .employment.admin_views import bp as rates_bp
from .employment.services import sick_cover
from .employment.views import bp as employment_bp
from .exports import models as _export_models
from .exports.views import bp as exports_bp
from .extensions import csrf, db, htmx, limiter, login_manager, migrate
from .fields import error_list
from .homes import conditions as budget_conditions
from .homes.funder_views import bp as funders_bp
from .homes.views import bp as homes_bp
from .income.views import bp as income_bp
from .notifications import models as _notification_models
from .notifications.views import bp as notifications_bp
from .organisations.admin_views import bp as organisations_bp
from .organisations.views import bp as organisation_bp
from .pages.views import bp as pages_bp
from .reconciliation import lock as period_lock
from .reconciliation import models as _reconciliation_models
from .reconciliation.account_views import bp as account_bp
from .reconciliation.period_views import bp as periods_bp
from .reconciliation.return_views import bp as returns_bp
from .reviews import models as _reviews_models
from .reviews.views import bp as reviews_bp
from .security import SessionInterface, set_headers
from .spending import models as _spending_models
from .spending.views import bp as spending_bp
from .timeutil import today

# Every model module, so the metadata (and Alembic) sees every table.
MODELS = (audit, outbox, _auth_models, _session_models, _token_models, _two_factor_models, _banking_models,
          _banking_jobs,
          _budget_models, _contingency_models, _employment_models, _rates_models, _reconciliation_models,
          _reviews_models, _spending_models, _notification_models, _document_models,
          _export_models)
BLUEPRINTS = (auth_bp, passwords_bp, invitations_bp, your_account_bp, homes_bp, budget_bp, plan_bp, spending_bp,
              income_bp, employment_bp, rates_bp, contingency_bp, share_bp, reviews_bp, funders_bp, banking_bp,
              matching_bp, periods_bp, returns_bp, account_bp, demo_bp, notifications_bp,
              organisation_bp, organisations_bp, people_bp,
              two_factor_bp, caseloads_bp, pages_bp, documents_bp, exports_bp)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(config: type[Config] | dict | None = None) -> Flask:
    app = Flask(
        __name__,
        static_folder=os.path.join(ROOT, "static"),
        static_url_path="/assets",
        template_folder=os.path.join(ROOT, "templates"),
        instance_path=str(INSTANCE_DIR),
    )
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    if not app.config.get("SECRET_KEY"):
        if app.debug or app.testing:
            app.config["SECRET_KEY"] = "dev-only-secret-key"
        else:
            raise RuntimeError("Set SECRET_KEY in the environment (see README, Configuration)")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        os.makedirs(app.instance_path, exist_ok=True)
    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    _templates(app)
    assets.register(app, Path(ROOT) / "static", Path(app.instance_path) / "assets")
    _extensions(app)
    transactions.register(app)  # the first teardown hook, so it runs last: a read-only transaction is committed
    ops.register(app)  # the request id and log line first, so every later hook's work is timed
    inputs.register(app)  # before the blueprints: bounded ids in every route
    for bp in BLUEPRINTS:
        app.register_blueprint(bp)
    _errors(app)
    period_lock.register()  # the closed-period lock: a before_flush check on every session
    budget_conditions.register(app)  # after a request that changed budgets, tell people of new problems
    cli.register(app)
    backup.register(app)  # flask backup, flask restore-drill
    return app


def _templates(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(os.path.join(ROOT, "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)
    app.add_template_global(error_list, "wtforms_errors")  # date errors link to the first box
    # The contingency page says what a PA's sickness costs, from employment (a layer it does not import).
    app.add_template_global(lambda budget_id: sick_cover(budget_id, today()), "sick_cover")
    # Documents attached to records of several areas (documents/_attached.html), each area's pages showing them.
    app.add_template_global(documents.by_subject, "documents_about")
    app.add_template_global(lambda budget: may_keep_documents(current_user, budget), "may_keep_documents")
    app.add_template_global(today, "today_date")
    filters.register(app)


def _extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(ROOT, "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "important"
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    app.session_interface = SessionInterface()
    app.after_request(set_headers)


def _errors(app: Flask) -> None:
    def page(template: str, status: int, **context):
        db.session.rollback()
        return render_template(template, **context), status

    @app.errorhandler(400)
    def bad_request(_error):
        return page("errors/400.html", 400)

    @app.errorhandler(404)
    def not_found(_error):
        return page("errors/404.html", 404)

    @app.errorhandler(405)
    def not_allowed(_error):
        return page("errors/404.html", 405)

    @app.errorhandler(413)
    def too_large(_error):
        if request.endpoint == "banking.upload":  # a statement: say so on the upload form itself
            db.session.rollback()
            form_page = upload_too_large((request.view_args or {}).get("budget_id"))
            if form_page is not None:
                return form_page, 413
        return page("errors/413.html", 413, limit_mb=app.config["RECEIPT_MAX_BYTES"] // (1024 * 1024))

    @app.errorhandler(429)
    def too_many(_error):
        return page("errors/429.html", 429)

    @app.errorhandler(AlreadyChanged)
    def already_changed(error):
        return page("errors/changed.html", 409, message=str(error))

    @app.errorhandler(BudgetEnded)
    def ended(error):
        return page("errors/ended.html", 409, budget=error.budget)

    @app.errorhandler(PeriodLocked)
    def locked(error):
        return page("errors/locked.html", 409, period=error.period, message=str(error))

    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return page("errors/csrf.html", 400)

    @app.errorhandler(500)
    def server_error(_error):
        return page("errors/500.html", 500)
