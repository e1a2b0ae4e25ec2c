"""Alembic migrations; run through ``tracker db upgrade`` (never at app start)."""
