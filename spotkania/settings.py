"""Settings for Spotkania.

Everything that differs between a laptop and production comes from the environment
(see README.md, "Configuration"); the defaults are those of a developer's machine.
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from spotkania import security
from spotkania.deployment import caches, session_engine

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", security.DEVELOPMENT_SECRET_KEY)
DEBUG = env_bool("DJANGO_DEBUG", True)
# Production: DJANGO_DEBUG=0 (or DJANGO_ENV=production, which then also refuses DEBUG on).
# It needs a real secret key from the environment and turns on the secure defaults below
# (HTTPS only, secure cookies, HSTS). README.md, "Production".
PRODUCTION = os.environ.get("DJANGO_ENV", "").strip().lower() == "production" or not DEBUG
_problems = security.production_problems(secret_key=SECRET_KEY, debug=DEBUG, production=PRODUCTION)
if _problems:
    raise ImproperlyConfigured(" ".join(_problems))
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
]
if DEBUG:
    ALLOWED_HOSTS += ["testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "spotkania",
    "dictionaries",
    "customers",
    "employees",
    "activities",
    "reports",
    "schedule",
    "imports",
    "ninja",
    "api",
    "axes",
    "csp",
    "simple_history",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A database fault during a view answers 503 (page or JSON), see spotkania/faults.py.
    "spotkania.faults.DatabaseFaultMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads the path or the body: control characters in the path are
    # 404, a body over the upload limit 413, in the request's language (spotkania/guards.py).
    "spotkania.guards.RequestGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Who made a change: history_user of django-simple-history. The API sets request.user
    # from the token before its view saves anything, so API changes get their user too.
    "simple_history.middleware.HistoryRequestMiddleware",
    "employees.middleware.UserTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its 429 answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "spotkania.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "employees.context_processors.roles",
            ],
        },
    },
]

# Forms and widgets through their Jinja2 templates where Django has them (twice as fast).
FORM_RENDERER = "spotkania.rendering.FormRenderer"

WSGI_APPLICATION = "spotkania.wsgi.application"


def _use_our_postgresql(database: dict) -> None:
    """Django's PostgreSQL backend with timestamps read by psycopg's C loader
    (spotkania/postgresql), for every PostgreSQL database."""
    if database["ENGINE"] == "django.db.backends.postgresql":
        database["ENGINE"] = "spotkania.postgresql"


# SQLite by default (a file in the project folder); PostgreSQL through DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while one writer writes; IMMEDIATE transactions take the
    # write lock at BEGIN, so concurrent writers wait (busy timeout) instead of failing
    # with "database is locked" half-way through a transaction. Connections persist
    # (CONN_MAX_AGE) as on PostgreSQL: opening one per request, with its PRAGMAs, cost a
    # third of an API list's time (bench/: 330 -> 455 requests/s).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }

else:
    _use_our_postgresql(DATABASES["default"])
    # QuerySet.iterator() (a form's choices, e.g. the filters' categories and priorities)
    # would open a server-side cursor: DECLARE, FETCH and CLOSE, three round trips for a
    # few rows, and one that PgBouncer's transaction pooling does not allow. Nothing of
    # ours streams a result too large to fetch at once.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    # Prepared statements: a statement run a second time on a connection is prepared, and
    # from then on PostgreSQL skips parsing and planning it. The lists' statements are the
    # same text on every request (spotkania.shapes), so most requests run prepared ones:
    # an API list 11 -> 8.5 ms, its throughput 182 -> 236 requests/s, the customer's page
    # 40 -> 32 ms (bench/, 1M activities). They need the parameters bound by the server
    # (psycopg's server-side binding). DJANGO_PG_PREPARE=0 turns both off, for a pooler
    # that cannot keep prepared statements (docs/deployment.md).
    if os.environ.get("DJANGO_PG_PREPARE", "1") != "0":
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=2
        )

# Reports read from a read replica when DATABASE_REPLICA_URL is set (spotkania/replica.py);
# the tests use "default" in its place (MIRROR).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
        disable_server_side_cursors=True,
    )
    _use_our_postgresql(DATABASES["replica"])
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["spotkania.replica.ReplicaRouter"]
    MIDDLEWARE.insert(0, "spotkania.replica.ReplicaMiddleware")
REPLICA_PATHS = ["/reports/", "/api/v1/reports/"]

# Cache and sessions: Redis through REDIS_URL, else memory and the database
# (spotkania/deployment.py says why).
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = caches(
    REDIS_URL,
    throttle_dir=os.environ.get(
        "DJANGO_THROTTLE_DIR", str(Path(tempfile.gettempdir()) / "spotkania-throttle")
    ),
)
RATELIMIT_USE_CACHE = "throttle"
SESSION_ENGINE = session_engine(REDIS_URL)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failed logins for one username
# from one address, that pair is locked for the cool-off; a success resets the count. The
# check is the first backend, so the login page, the admin and POST /api/v1/auth/token
# all count (spotkania/throttling.py). Behind a proxy, the proxy must pass the client's
# address as REMOTE_ADDR (or every user shares the proxy's address).
AUTHENTICATION_BACKENDS = [
    "spotkania.throttling.ThrottlingBackend",
    # ModelBackend reading the user with their employee and role (see the module).
    "employees.backends.CrmBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("DJANGO_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "spotkania.throttling.lockout_response"
AXES_VERBOSE = False

# The largest upload (a multipart body, files and fields together) any page or endpoint
# takes; a larger declared one is 413 before anything is written (spotkania/guards.py).
# Other bodies keep Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB).
UPLOAD_MAX_REQUEST_BYTES = int(os.environ.get("DJANGO_UPLOAD_MAX_MB", "25")) * 1024 * 1024

# Password reset by e-mail (/accounts/password_reset/): on unless DJANGO_PASSWORD_RESET=0;
# each address and each client may ask so many times per period (django-ratelimit's
# "N/s|m|h|d"), counted in the cache (spotkania/throttling.py).
PASSWORD_RESET_ENABLED = env_bool("DJANGO_PASSWORD_RESET", True)
PASSWORD_RESET_RATE_PER_ADDRESS = os.environ.get("DJANGO_PASSWORD_RESET_PER_ADDRESS", "3/h")
PASSWORD_RESET_RATE_PER_CLIENT = os.environ.get("DJANGO_PASSWORD_RESET_PER_CLIENT", "10/h")

# Sessions: a working day from login; the cookie goes when the browser closes (shared
# computers in sales offices). Not renewed on every request: one write per login.
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Content-Security-Policy on every page (django-csp), the same in development and
# production: no inline scripts anywhere (spotkania/security.py says why each source).
CONTENT_SECURITY_POLICY = security.CONTENT_SECURITY_POLICY

# HTTPS: on in production. DJANGO_HTTPS=0 is only for a production-mode server reached
# over plain HTTP on a closed network (a load test on 127.0.0.1); check --deploy warns then.
HTTPS = env_bool("DJANGO_HTTPS", PRODUCTION)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (and strips it from clients).
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "activities:list"
LOGOUT_REDIRECT_URL = "login"

# Polish first: the users are Polish sales teams. English ships too.
LANGUAGE_CODE = "pl"
LANGUAGES = [("pl", _("Polish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["spotkania.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Warsaw"
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where collectstatic writes (and WhiteNoise serves from when DEBUG is off).
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
# SMTP (DJANGO_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend) is configured here.
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("DJANGO_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("DJANGO_EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "spotkania@localhost")

# Schedule: an overlap of scheduled activities of one employee is a warning the user may
# override ("warn") or a refusal ("refuse"). Calendar feeds reach this many months back;
# UIDs of iCalendar events end with this domain, so keep it stable once feeds are in use.
SPOTKANIA_SCHEDULE_CONFLICTS = os.environ.get("SPOTKANIA_SCHEDULE_CONFLICTS", "warn")
if SPOTKANIA_SCHEDULE_CONFLICTS not in ("warn", "refuse"):
    raise ValueError("SPOTKANIA_SCHEDULE_CONFLICTS must be 'warn' or 'refuse'")
# A small firm may let every employee see all activities, schedules and costs (editing
# still follows the team structure). Default: each sees their own and their teams'.
SPOTKANIA_ALL_ACTIVITIES_VISIBLE = os.environ.get("SPOTKANIA_ALL_ACTIVITIES_VISIBLE", "") == "1"
SPOTKANIA_FEED_MONTHS_BACK = int(os.environ.get("SPOTKANIA_FEED_MONTHS_BACK", "3"))
SPOTKANIA_CALENDAR_DOMAIN = os.environ.get("SPOTKANIA_CALENDAR_DOMAIN", "spotkania.local")

# Money: one definition of digits and places for every amount column.
MONEY_MAX_DIGITS = 14
MONEY_DECIMAL_PLACES = 2

# Activities per page on lists.
ACTIVITY_PAGE_SIZE = 25

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
