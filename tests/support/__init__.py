"""Test support: databases built by the real migrations, on SQLite and PostgreSQL."""
