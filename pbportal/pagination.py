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


def page_counted_with_rows(query: Select, page: int | None, *, per_page: int | None = None) -> Page:
    """page_of in one statement: the page's rows (ORM entities), each with the count of all rows
    (count(*) OVER ()). For lists of at most a few thousand rows, such as a caseload or a provider's accounts:
    PostgreSQL reads every matching row to count them, where page_of's LIMIT could stop early (so not for a
    budget's payments). A page past the last costs two statements more, to count and read the last page."""
    per_page = per_page or current_app.config["PAGE_SIZE"]
    page = max(page or 1, 1)
    rows = db.session.execute(query.add_columns(func.count().over()).limit(per_page)
                              .offset((page - 1) * per_page)).all()
    if not rows:
        return Page([], 1, 1, 0) if page == 1 else page_of(query, page, per_page=per_page)
    count = rows[0][-1]
    return Page([row[0] for row in rows], page, max(1, -(-count // per_page)), count)


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
