"""The only module that builds an app at import: for gunicorn (``gunicorn wsgi:app``) and ``flask --app wsgi``."""

from tracker import create_app

app = create_app()
