"""The demo: data for the README's demo logins (data.py), the demo managed account's statements
(statements.py), and the download of its next statement (views.py). The demo sits above every area: it uses
them all, and no area imports it."""
from .data import PASSWORD, USERS, load_demo_data

__all__ = ["PASSWORD", "USERS", "load_demo_data"]
