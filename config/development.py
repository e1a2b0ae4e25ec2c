"""Development: plain http on 127.0.0.1, a fixed dev secret, SQLite under instance/."""

SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - development only; production refuses to start without its own
SESSION_COOKIE_NAME = "tracker_session"  # the __Host- prefix needs Secure, which plain http cannot give
SESSION_COOKIE_SECURE = False
REMEMBER_COOKIE_SECURE = False
WEBHOOK_REQUIRE_HTTPS = False
