"""The only module that builds an app at import: for gunicorn (``gunicorn wsgi:app``) and ``flask --app wsgi``."""

from tracker import create_app
from tracker.settings import ConfigError

try:
    app = create_app()
except ConfigError as exc:  # a bad setting: one clear line, no traceback
    raise SystemExit(f"TU-tracker cannot start: {exc}") from None
