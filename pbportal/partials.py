"""The one place that decides between a partial and a full page."""
from __future__ import annotations

from flask import render_template, request


def wants_partial() -> bool:
    """An htmx request that swaps part of a page (not a boosted navigation or a history restore)."""
    hx = getattr(request, "htmx", None)
    return bool(hx) and not hx.boosted and not hx.history_restore_request


def render(full_template: str, partial: str, **context) -> str:
    """Render the partial for htmx, the full page (which includes that same partial) otherwise."""
    return render_template(partial if wants_partial() else full_template, **context)
