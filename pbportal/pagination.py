"""One page of a list: every paginated page in the portal asks for its rows through `page_of`."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import Select, func, select

from .extensions import db


@dataclass(frozen=True)
class Page:
    """The rows on one page, which page it is (1 to pages, whatever was asked for), how many pages and rows."""

    items: list[Any]
    page: int
    pages: int
    count: int

    def context(self) -> dict:
        """What `pagination.html` needs."""
        return {"page": self.page, "pages": self.pages, "count": self.count}


def page_of(query: Select, page: int | None, *, count: int | None = None, per_page: int | None = None,
            scalars: bool = True, params: dict | None = None) -> Page:
    """Page `page` of the rows `query` selects, in its order. A page past the last is the last, below 1 the
    first. Two queries (the count, then the rows) unless the caller already counted them (`count`). With
    `params`, `query` is a prebuilt statement (pbportal/extensions.py) ending in .limit(bindparam("limit"))
    .offset(bindparam("offset")), run with `params` and those two; the caller counts the rows."""
    per_page = per_page or current_app.config["PAGE_SIZE"]
    if params is not None and count is None:
        raise TypeError("page_of: a prebuilt statement (params) needs its rows counted by the caller")
    if count is None:
        count = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    pages = max(1, -(-count // per_page))
    page = min(max(page or 1, 1), pages)
    if params is None:
        paged, params = query.limit(per_page).offset((page - 1) * per_page), {}
    else:
        paged, params = query, {**params, "limit": per_page, "offset": (page - 1) * per_page}
    items = db.session.scalars(paged, params).all() if scalars else db.session.execute(paged, params).all()
    return Page(list(items), page, pages, count)
