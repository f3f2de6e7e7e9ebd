"""Command-line tasks: `flask --app app demo-data`, `flask --app app create-user`."""
from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import select

from .auth.models import Organisation, User
from .demo import load_demo_data
from .extensions import db


def register(app: Flask) -> None:
    @app.cli.command("demo-data")
    def demo_data() -> None:
        """Load the demo organisations, users and budgets (safe to run again)."""
        created = load_demo_data()
        click.echo("Demo data loaded." if created else "Demo data already present; nothing changed.")

    @app.cli.command("create-user")
    @click.option("--email", required=True)
    @click.option("--name", required=True)
    @click.option("--role", required=True,
                  type=click.Choice(["holder", "representative", "provider_staff", "case_manager", "admin"]))
    @click.option("--organisation", default=None, help="Exact name of the user's organisation")
    @click.password_option()
    def create_user(email: str, name: str, role: str, organisation: str | None, password: str) -> None:
        """Add a user who can sign in."""
        org = None
        if organisation:
            org = db.session.scalar(select(Organisation).where(Organisation.name == organisation))
            if org is None:
                raise click.ClickException(f"No organisation called {organisation!r}")
        user = User(email=email.strip().lower(), name=name, role=role, organisation=org)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        click.echo(f"Created {role} {email}")
