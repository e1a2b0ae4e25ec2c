"""Testing: the test fixtures supply the database; nothing is scheduled in the background."""

TESTING = True
SECRET_KEY = "testing-not-secret"  # noqa: S105 - tests only
SESSION_COOKIE_NAME = "tracker_session"
SESSION_COOKIE_SECURE = False
REMEMBER_COOKIE_SECURE = False
SCHEDULER_ENABLED = False
SCRAPE_JITTER_SECONDS = 0
# Tests see a revocation at once; the token cache's own tests turn it on with a clock they control.
AUTH_CACHE_SECONDS = 0
# Immediate mail goes at once (what is queued before the worker claims it is still one mail); the coalescing
# tests set a window with a clock they control.
MAIL_COALESCE_SECONDS = 0
