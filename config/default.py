"""Defaults for every environment. Each name may be overridden by ``TRACKER_<NAME>`` in the environment."""

# Empty means SQLite at instance/tracker.db (resolved by the app factory, which knows the instance path).
DATABASE_URL = ""
# Must be set outside development and testing; the factory refuses to start production without it.
SECRET_KEY = ""
# Fernet keys (comma-separated, newest first) that encrypt webhook secrets at rest; the first encrypts, all
# decrypt. Empty: derived from SECRET_KEY (development/tests only; production requires its own).
ENCRYPTION_KEYS = ""
BASE_URL = "http://127.0.0.1:8000"
# How many reverse proxies (TLS terminators, load balancers) stand in front of gunicorn. Their
# X-Forwarded-For/-Proto headers are trusted only this deep, so login throttling keys on the real client
# address and HTTPS is recognised. 0: none (the default: headers from clients are never trusted).
PROXY_HOPS = 0

# Interface languages, Danish first.
LANGUAGES = ["da", "en"]
BABEL_DEFAULT_LOCALE = "da"
BABEL_DEFAULT_TIMEZONE = "Europe/Copenhagen"

# Cookies: secure by default; development relaxes Secure so plain http on 127.0.0.1 works.
SESSION_COOKIE_NAME = "__Host-tracker"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
REMEMBER_COOKIE_SECURE = True
REMEMBER_COOKIE_HTTPONLY = True
WTF_CSRF_TIME_LIMIT = None
MAX_CONTENT_LENGTH = 2 * 1024 * 1024
# Longest request target (path and query) answered; longer ones get a 414 in the API's JSON shape. gunicorn's
# own limit (`tracker run` sets 8190) is above it, so its HTML 414 is only met by far longer lines.
MAX_URL_LENGTH = 4094
# /metrics is for operations: answered to these networks (comma-separated CIDRs), or to a request with
# "Authorization: Bearer <METRICS_TOKEN>" when a token is set.
METRICS_ALLOWED_NETWORKS = "127.0.0.0/8,::1/128"
METRICS_TOKEN = ""

# How long a worker believes an API or feed token it has just checked (seconds): a revocation or deactivation
# takes effect within this window on the other workers (at once on the one that made it). 0: look up each time.
AUTH_CACHE_SECONDS = 5.0

# Anonymous public GETs (overview, solution pages, public feeds/calendars, public API lists, OpenAPI) may be
# kept by shared caches (nginx in front, see the README) this many seconds, and served stale while one
# request refreshes them for PUBLIC_STALE_SECONDS more. Personal answers are always private.
PUBLIC_MAX_AGE = 60
PUBLIC_STALE_SECONDS = 120

# Login throttling, kept in the database so it holds across gunicorn workers.
LOGIN_MAX_FAILURES = 10
LOGIN_WINDOW_SECONDS = 15 * 60
# Login sessions live on the server: they end at logout, after this long without a request (idle) and
# this long after login (absolute), whatever the cookie says.
SESSION_IDLE_TIMEOUT_SECONDS = 8 * 3600
SESSION_MAX_AGE_SECONDS = 7 * 24 * 3600

# Webhooks: comma-separated CIDRs that may be targeted although non-public (empty: none).
WEBHOOK_ALLOWED_NETWORKS = ""
WEBHOOK_CONNECT_TIMEOUT = 5.0
WEBHOOK_READ_TIMEOUT = 10.0
WEBHOOK_BATCH_SIZE = 100  # rows per claim (at most twice the free senders; fewer claims, fewer scans)
WEBHOOK_CONCURRENCY = 64  # requests in flight per worker; a hanging receiver holds one for the read timeout
WEBHOOK_RECORD_BATCH_SIZE = 100  # outcomes written per transaction (at the latest every 0.2 s)
WEBHOOK_STOP_SECONDS = 5.0  # on SIGTERM: how long requests in flight may finish before their claims are released
WEBHOOK_REQUIRE_HTTPS = True
WEBHOOK_USER_AGENT = "TU-tracker-Webhooks/1.0 (+https://tu-tracker.kl.dk/om)"
WEBHOOK_CLAIM_SECONDS = 0  # 0: derived from the timeouts (2 × (connect + read) + 30 s)
WEBHOOK_DISABLE_AFTER_HOURS = 72  # a subscription failing without a break this long is switched off

# E-mail. MAIL_URL: smtp://host:25, smtp+starttls://user:pass@host:587, smtps://user:pass@host:465,
# or file:///dir; empty writes each mail as an .eml file under instance/mail/ (for make run).
MAIL_URL = ""
MAIL_FROM = "TU-tracker <tu-tracker@kl.dk>"
MAIL_TIMEOUT = 20.0  # seconds per SMTP conversation
MAIL_BATCH_SIZE = 50  # mails claimed per round
MAIL_CONCURRENCY = 4  # mails in flight per worker, each sender on its own reused SMTP connection
MAIL_COALESCE_SECONDS = 60  # immediate mail waits this long for more changes to the same person: one mail lists them
MAIL_CLAIM_SECONDS = 0  # 0: derived from the timeout (2 × timeout + 30 s)
MAIL_INTERVAL_SECONDS = 60  # how often the scheduler job send_mail runs (digests are due at 07:00 Danish time)
MAIL_UNSUBSCRIBE_MAX_AGE_DAYS = 120  # how long the one-click unsubscribe link in a mail stays valid

# Scraping.
SCRAPE_USER_AGENT = "TU-tracker/1.0 (+https://tu-tracker.kl.dk/om; tu-tracker@kl.dk)"
SCRAPE_INTERVAL_MINUTES = 360
SCRAPE_JITTER_SECONDS = 300
SCRAPE_BASE_URL = ""  # when set, every source's scheme+host is replaced by it (tests point sources at 127.0.0.1)
SCRAPE_CONNECT_TIMEOUT = 5.0
SCRAPE_READ_TIMEOUT = 20.0
SCRAPE_UNHEALTHY_AFTER_FAILURES = 3
SCRAPE_MAX_TRIES = 3  # attempts per page on 429/5xx/connection errors, with backoff (Retry-After honoured)
SCRAPE_BACKOFF_SECONDS = 1.0
SCRAPE_MAX_ARTICLES = 10  # news sources: the newest N relevant articles followed from the archive (same host)
SCRAPE_WATCH_URLS = ""  # comma-separated pages for the generic watch source; empty: scrapers.watch.WATCH_URLS

# Scheduler.
SCHEDULER_ENABLED = True
SCHEDULER_LEASE_SECONDS = 60
DELIVERY_INTERVAL_SECONDS = 10

API_PAGE_SIZE_MAX = 500

# Inquiries: how many new questions one user may ask in 24 hours (similar open ones are offered to join).
INQUIRY_DAILY_LIMIT = 10

# Who runs the service and its functional contact mailbox (never a person's address), shown in the footer,
# the accessibility statement and the privacy page. An empty CONTACT_EMAIL publishes no address.
SITE_OWNER = "KL (Kommunernes Landsforening)"
CONTACT_EMAIL = "tu-tracker@kl.dk"

# Single sign-on (SAML 2.0, OIOSAML 3; see the README). Off until a signing key and certificate are set.
# PEM files: the pair that signs requests (and decrypts, unless an encryption pair is set), and the next pairs
# for rotation (published in the metadata beside the current ones; they decrypt too).
SAML_SIGNING_KEY = ""
SAML_SIGNING_CERT = ""
SAML_SIGNING_KEY_NEXT = ""
SAML_SIGNING_CERT_NEXT = ""
SAML_ENCRYPTION_KEY = ""
SAML_ENCRYPTION_CERT = ""
SAML_ENCRYPTION_KEY_NEXT = ""
SAML_ENCRYPTION_CERT_NEXT = ""
# The SP's entity ID; empty: BASE_URL + "/saml/metadata".
SAML_ENTITY_ID = ""
# specVersion values accepted in assertions (OIOSAML 4.0 later: add its value here).
SAML_ACCEPTED_SPEC_VERSIONS = ["OIO-SAML-3.0"]
# The NSIS level asked for (RequestedAuthnContext Comparison="minimum"): Low, Substantial or High. Whatever
# is asked, a session below Substantial sees public pages only.
SAML_REQUESTED_LOA = "Substantial"
# Clock skew allowed on NotBefore/NotOnOrAfter (OIOSAML 3: 3–5 minutes).
SAML_CLOCK_SKEW_SECONDS = 180
# Refuse a Response whose own element is unsigned (the assertion must be signed in every case).
SAML_REQUIRE_SIGNED_RESPONSE = True
# The privilege (Basic Privilege Profile 1.2) that, scoped to KL's CVR, makes a coordinator.
SAML_COORDINATOR_PRIVILEGE = "https://tu-tracker.kl.dk/rettigheder/koordinator"
# How long a login may take at the IdP (an AuthnRequest waits this long for its answer).
SAML_REQUEST_MAX_AGE_SECONDS = 600
# Where pysaml2 finds Debian's xmlsec1 (empty: on PATH).
SAML_XMLSEC_BINARY = ""
# Largest IdP metadata document accepted (upload or fetch), bytes.
SAML_METADATA_MAX_BYTES = 1_000_000
