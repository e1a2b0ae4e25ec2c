"""Lists tell clients whether there is more: ``has_more`` in the body and ``Link: <…>; rel="next"``.

One after-request hook for every list the API answers with ``total``/``limit``/``offset`` (offset paging) or
``next_after`` (the event log's cursor), so lists other blueprints add get the same without extra code.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, request
from marshmallow import Schema, fields

from tracker.errors import _DANISH, error_response
from tracker.http_cache import served_cached


def has_more_field() -> fields.Boolean:
    """The schema field every page declares."""
    return fields.Boolean(required=True, metadata={"description": "More items follow (see the Link header)"})


class PageSchema(Schema):
    """A page of a list by offset: its ``items`` (a page names their schema, keeping them first), the total and
    where the page starts, and whether more follow."""

    items = fields.List(fields.Raw(), required=True)
    total = fields.Integer(required=True)
    limit = fields.Integer(required=True)
    offset = fields.Integer(required=True)
    has_more = has_more_field()


def _next_url(**changes: Any) -> str:
    args = dict(request.args.items())
    args.update({k: str(v) for k, v in changes.items()})
    return f"{request.base_url}?{urlencode(args)}"


def finish_page(body: dict[str, Any]) -> dict[str, str]:
    """Set ``has_more`` in a list body and return the headers that go with it (``Link`` rel=next, if any).

    For offset pages (``total``/``limit``/``offset``) and the event log's cursor (``next_after``). A view
    that caches its rendered page calls this before serializing and keeps the headers with the body.
    """
    link = None
    if {"total", "limit", "offset"} <= body.keys():
        more = body["offset"] + len(body["items"]) < body["total"]
        if more:
            link = _next_url(offset=body["offset"] + len(body["items"]), limit=body["limit"])
    else:
        limit = request.args.get("limit", type=int) or 100
        more = len(body["items"]) >= limit
        if more:
            link = _next_url(after=body["next_after"])
    body["has_more"] = more
    return {"Link": f'<{link}>; rel="next"'} if link else {}


def add_paging(response: Response) -> Response:
    """Fill in ``has_more`` and the ``next`` link of a list response (only 200 JSON under /api/).

    A body that already says ``has_more`` was finished by its view (``finish_page``) and is left as it is, and
    a body served through the response cache (``http_cache.served_cached``: a page there is rendered with
    ``finish_page``) is not even looked at — scanning a 250 KB readiness for the keys cost a fifth of its answer.
    """
    if served_cached() or response.status_code != 200 or response.mimetype != "application/json":
        return response
    if response.direct_passthrough:
        return response
    if not request.path.startswith("/api/") or request.method != "GET":
        return response
    data = response.get_data()
    # Only an unfinished page needs this: skip parsing the rest. A string that merely contains these keys is
    # parsed and then left alone below.
    if b'"items"' not in data or b'"has_more"' in data or (b'"offset"' not in data and b'"next_after"' not in data):
        return response
    try:
        body = json.loads(data)
    except ValueError:
        return response
    if not isinstance(body, dict) or not isinstance(body.get("items"), list):
        return response
    if not ({"total", "limit", "offset"} <= body.keys() or "next_after" in body):
        return response
    headers = finish_page(body)
    response.set_data(json.dumps(body, ensure_ascii=False, separators=(",", ":")))
    response.headers.update(headers)
    return response


# What API writes take: JSON, and a file upload for the portfolio import.
ACCEPTED_BODIES = ("application/json", "multipart/form-data")


def refuse_wrong_content_type() -> Response | None:
    """A body in another format is a 415 saying what to send (webargs would call it 'missing data', a 422)."""
    if not request.path.startswith("/api/") or request.method not in ("POST", "PUT", "PATCH"):
        return None
    if not request.content_length and "chunked" not in request.headers.get("Transfer-Encoding", ""):
        return None
    mimetype = request.mimetype or ""
    if mimetype in ACCEPTED_BODIES or mimetype.endswith("+json"):
        return None

    return error_response(415, "unsupported_media_type", str(_DANISH[415]), {"content_type": mimetype[:100]})


def init_app(app: Flask) -> None:
    """Install the hooks."""
    app.before_request(refuse_wrong_content_type)
    app.after_request(add_paging)
