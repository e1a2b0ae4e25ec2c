"""Production: PostgreSQL and a real secret must come from the environment."""

SESSION_COOKIE_SECURE = True
PREFERRED_URL_SCHEME = "https"
