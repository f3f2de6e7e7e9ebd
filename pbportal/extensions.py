"""Flask extensions, created unbound and initialised in create_app."""
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from htmx_flask import Htmx
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# Prebuilt statements. SQLAlchemy builds a statement, and then works out its cache key, every time the code that
# makes it runs: 0.2-0.3 ms of Python for a statement of a few lines, as much as PostgreSQL takes to answer it.
# The statements that nearly every page runs (the signed-in session, the header's notification count, a
# budget's plan, lines and latest payments, the budget lookup) and those of the busiest pages (the budget page,
# the spending list, the list pages' figures) are built once, at import or first use, with bindparam()
# where their values go, and executed with those values: db.session.scalars(_PLANS, {"budget_id": 7}). A built
# statement keeps its cache key, so neither cost recurs. bench/README.md has the figures.
db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
htmx = Htmx()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
