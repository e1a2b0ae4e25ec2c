"""Messages in the request's language (Danish first), also safe in jobs, the CLI and tests outside a request.

Flask-Babel's locale selector reads the request; a service called from a job has none and speaks Danish.
"""

from __future__ import annotations

from tracker.i18n import translated

_ = translated  # the one implementation lives in tracker.i18n; services elsewhere use it too
