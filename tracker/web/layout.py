"""The page frame's helpers: the error summary, menu links with aria-current, sortable table headers.

All server-side and usable without JavaScript; registered as Jinja globals by ``tracker.web.init_app``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from flask import request, url_for
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from wtforms import Form

from tracker.errors import AppError
from tracker.i18n import worded


@dataclass(frozen=True)
class SummaryItem:
    """One line of the error summary: what is wrong, and the field it links to (if any)."""

    message: str
    target: str | None


def _forms_in(value: Any, depth: int = 0) -> Iterator[Form]:
    """The forms in a template variable: a form, or forms inside lists/tuples (``[(idp, form), …]``)."""
    if isinstance(value, Form):
        yield value
    elif depth < 2 and isinstance(value, list | tuple):
        for item in value:
            yield from _forms_in(item, depth + 1)


def _field_items(form: Form) -> Iterator[SummaryItem]:
    for field in form:
        for problem in field.errors if isinstance(field.errors, list) else []:
            label = field.label.text if field.label else field.name
            yield SummaryItem(f"{label}: {problem}", field.id)


@pass_context
def error_summary(context: Context) -> list[SummaryItem]:
    """Every problem on this page: each invalid field of each form, and the page's own error (``error``)."""
    items: list[SummaryItem] = []
    seen: set[int] = set()
    for value in context.get_all().values():
        for form in _forms_in(value):
            if id(form) not in seen:
                seen.add(id(form))
                items.extend(_field_items(form))
    error = context.get("error")
    head: list[SummaryItem] = []
    if isinstance(error, str) and error:
        head.append(SummaryItem(error, None))
    elif isinstance(error, AppError):
        head.append(SummaryItem(error.message, None))
        if not items:  # the fields' own errors say it better, with links
            prefix = context.get("error_field_prefix")
            head.extend(
                SummaryItem(
                    worded(str(problem)) if isinstance(problem, str) else str(problem),
                    f"{prefix}{name}" if prefix else None,
                )
                for name, problem in error.details.items()
            )
    return head + items


def nav_link(endpoint: str, label: str, **values: Any) -> Markup:
    """A DKFDS menu link (``nav-link``) that says ``aria-current="page"`` on the page it leads to."""
    href = url_for(endpoint, **values)
    if request.path == href:
        return Markup('<a href="{}" class="nav-link" aria-current="page"><span>{}</span></a>').format(href, label)
    return Markup('<a href="{}" class="nav-link"><span>{}</span></a>').format(href, label)


def menu_item(endpoint: str, label: str, **values: Any) -> Markup:
    """One item of DKFDS's main menu (the same markup serves the desktop bar and the phone's drawer)."""
    href = url_for(endpoint, **values)
    css = Markup(' class="active current"') if request.path == href else Markup("")
    return Markup("<li{}>{}</li>").format(css, nav_link(endpoint, label, **values))


def sort_header(column: str, label: str, sort: str, direction: str, **keep: Any) -> Markup:
    """A ``<th>`` whose link sorts the table by ``column`` (server side), with ``aria-sort`` when active.

    ``keep`` are the page's other query parameters (filters), carried over unchanged.
    """
    active = sort == column
    next_direction = "desc" if active and direction == "asc" else "asc"
    params = {k: v for k, v in keep.items() if v not in (None, "") and k != "offset"}
    href = url_for(
        request.endpoint or "web.index", **(request.view_args or {}), **params, sort=column, retning=next_direction
    )
    if not active:
        return Markup('<th scope="col"><a href="{}">{}</a></th>').format(href, label)
    aria, arrow = ("ascending", "▲") if direction == "asc" else ("descending", "▼")
    return Markup('<th scope="col" aria-sort="{}"><a href="{}">{}</a> <span aria-hidden="true">{}</span></th>').format(
        aria, href, label, arrow
    )


def sort_args(allowed: Iterable[str], default: str) -> tuple[str, str]:
    """The table's sort column and direction from ``?sort=&retning=`` (unknown values fall back quietly)."""
    columns = set(allowed)
    sort = request.args.get("sort", default)
    direction = request.args.get("retning", "asc")
    return (sort if sort in columns else default), (direction if direction in ("asc", "desc") else "asc")
