"""Messages in the request's language (Danish first), also safe in jobs, the CLI and tests outside a request.

Flask-Babel's locale selector reads the request; a service called from a job has none and speaks Danish.
"""

from __future__ import annotations

from typing import Any

from flask import has_request_context
from flask_babel import gettext


def _(text: str, **variables: Any) -> str:
    """``gettext`` inside a request; the Danish text (formatted) outside one."""
    if has_request_context():
        return str(gettext(text, **variables))
    return text % variables if variables else text
