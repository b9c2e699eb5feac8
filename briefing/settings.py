"""Settings for Briefing, read from the environment only (see .env.example)."""

import hashlib
import os
import re
import tempfile
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")


def env_flag(name, default):
    """A true/false variable; anything else stops start-up rather than silently meaning false."""
    value = env.str(name, default=str(default)).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name, default):
    """A whole-number variable, rejected with its name when it is not one."""
    value = env.str(name, default=str(default)).strip()
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_url(name, parse, default):
    """A DATABASE_URL / CACHE_URL style variable, rejected with its name when malformed."""
    try:
        config = parse(name, default=default)
    except (ImproperlyConfigured, KeyError, ValueError) as error:
        raise ImproperlyConfigured(
            f"{name} is not a valid URL for this setting: {error}"
        ) from error
    if not config.get("ENGINE", config.get("BACKEND")):
        raise ImproperlyConfigured(f"{name} names an unknown engine: {env.str(name)!r}.")
    return config


DEBUG = env_flag("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable (see .env.example); "
            "the site refuses to start with DEBUG off and no secret key."
        )
    # A throwaway key for local development: sessions do not survive a restart.
    from django.core.management.utils import get_random_secret_key

    SECRET_KEY = get_random_secret_key()

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# HTTPS: the site is reached over https (directly or through a TLS-terminating proxy). On by
# default with DEBUG off; `make demo` and `make serve` turn it off for plain http on loopback.
# It makes the session and CSRF cookies Secure, redirects http to https and sends HSTS.
HTTPS = env_flag("HTTPS", default=not DEBUG)
# Trust the proxy's X-Forwarded-Proto (is the request https?) and X-Forwarded-For (the client's
# address, for login throttling) only when told: a client reaching the app directly can forge
# them.
TRUST_PROXY_HEADERS = env_flag("TRUST_PROXY_HEADERS", default=False)
if TRUST_PROXY_HEADERS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", default=HTTPS)
# A load balancer probes the health check over plain http inside the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=31_536_000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# Opt-in: preloading is hard to undo (browsers ship the list), so the operator decides.
SECURE_HSTS_PRELOAD = env_flag("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Sent by briefing.middleware.PermissionsPolicyMiddleware: the site uses none of these features.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), "
    "fullscreen=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), "
    "payment=(), picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), "
    "sync-xhr=(), usb=(), xr-spatial-tracking=()"
)

SESSION_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# An editor's session ends after this many seconds (default 8 hours), idle or not.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# Preloading stays an explicit choice (SECURE_HSTS_PRELOAD); without it check --deploy warns
# (security.W021) although not preloading is a deliberate, documented default.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# Content-Security-Policy (django-csp 4): everything from this origin only, no inline script
# or style, no eval, no frames. JSON-LD blocks are data, not script, and need no exception.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

INSTALLED_APPS = [
    "briefing.admin_config.BriefingAdminConfig",  # django.contrib.admin on our site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.syndication",
    "simple_history",
    "csp",
    "axes",
    "briefing",
]

MIDDLEWARE = [
    # Pages (cached ones too) go out compressed to browsers that accept it: the demo page is
    # 60 KB raw, 11 KB compressed. Static files come precompressed from whitenoise. Django
    # pads the compressed body with random bytes against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    # Anonymous readers are answered from the cache here, with the headers the middleware
    # below gave the page when it was stored: a cached page costs less than a static file.
    "briefing.middleware.AnonymousPageCacheMiddleware",
    # Headers every response gets, static files, the http→https redirect and the 400 for a bad
    # Host included, so that no response can leave without them (SecurityMiddleware answers
    # the redirect itself and adds its own headers to it).
    "csp.middleware.CSPMiddleware",
    "briefing.middleware.PermissionsPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "briefing.middleware.AllowedHostMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "briefing.middleware.StaticFilesMiddleware",
    # A client that keeps missing the page cache gets 429 here, before sessions, auth and CSRF.
    "briefing.render_limit.RenderLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Sets the signed cookie that lets a logged-in editor past the page cache (and deletes it).
    "briefing.staff_cookie.StaffCookieMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # django-axes wants to be last: it turns a locked-out login into the lockout response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Refuses logins from a locked-out user/address before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# After logging in with no (or a refused) ?next=, editors land on the desk, not a missing page.
LOGIN_REDIRECT_URL = "admin:index"

# Four eyes: whoever made the current version of an event or claim cannot check it. A one-person
# newsroom turns this on (docs/publishing.md).
ALLOW_SELF_CHECK = env_flag("ALLOW_SELF_CHECK", default=False)

# Admin login throttling: after AXES_FAILURE_LIMIT failed logins for one username from one
# address, that pair is locked out for AXES_COOLOFF_MINUTES; a success resets the count.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "lockout.html"
AXES_CLIENT_IP_CALLABLE = "briefing.middleware.client_ip"
# Lockouts are logged with the username and address, so an operator can tell who was locked out
# (axes masks both by default); passwords are never logged.
AXES_SENSITIVE_PARAMETERS = []

ROOT_URLCONF = "briefing.urls"
WSGI_APPLICATION = "briefing.wsgi.application"

TEMPLATES = [
    # The public pages (templates/public/) render with Jinja2 for speed; the admin with Django's.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "public"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "briefing.templating.environment",
            "trim_blocks": True,
            "lstrip_blocks": True,
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env_url("DATABASE_URL", env.db, default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}

# Keep connections open between requests and check them before use, so the site recovers by
# itself once a restarted database is back.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Two editors saving at the same moment: a save reads before it writes, and in SQLite's
    # default (deferred) transactions a reader cannot wait for the write lock another holds, so
    # one save failed at once with "database is locked". IMMEDIATE takes the lock as the
    # transaction begins; a save then waits its turn, up to `timeout` seconds (a save takes
    # milliseconds), instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
    # The test database is a file in the temporary directory, not SQLite's shared in-memory
    # database: on that one connection, shared by the live server's threads in the browser
    # tests, two requests at once (an autocomplete while a list loads) could hang. One file per
    # process, so that test runs side by side do not meet.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"briefing-test-{os.getpid()}.sqlite3")
    }

# Local memory is per process: several app processes or servers need a shared cache
# (redis://, pymemcache://, or filecache:// on one machine) so that an edit clears every copy.
CACHES = {"default": env_url("CACHE_URL", env.cache, default="locmemcache://")}
# How long an anonymous reader's page may stay cached; an edit invalidates it at once anyway.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", default=600)
# Written when publishing or withdrawing could not clear the page cache (a full disk, Redis out
# of memory): while it exists, the app processes sharing it render every page instead of
# serving possibly stale ones, and retry. Default: a file in the temporary directory, named
# after the cache, so every process of this site on this server finds it.
_cache_identity = f"{CACHES['default']['BACKEND']}|{CACHES['default'].get('LOCATION', '')}"
PAGE_CACHE_FAULT_FILE = env.str(
    "PAGE_CACHE_FAULT_FILE",
    default=str(
        Path(tempfile.gettempdir())
        / f"briefing-page-cache-fault-{hashlib.sha256(_cache_identity.encode()).hexdigest()[:12]}"
    ),
)
# The pages (URL names) answered from the cache to anonymous readers, each with the query
# parameters its view reads. Any other parameter is dropped before the cache key is made and
# before the view runs: `?junk=1` gets the cached page, it cannot force a render.
PAGE_CACHE_URL_NAMES = {
    "briefing:index": [],
    "briefing:detail": ["actor"],
    "briefing:claim": [],
    "briefing:export": [],
    "briefing:edition": ["actor"],
    "briefing:edition_export": [],
    "briefing:feed": [],
}
# Uncached renders of those pages one client (address, or IPv6 /64) may cause, as
# django-ratelimit's "count/period" (s, m, h, d); beyond it, 429 with Retry-After. Staff with a
# valid login are not counted.
PAGE_RENDER_RATE = env.str("PAGE_RENDER_RATE", default="60/m").strip()
if not re.fullmatch(r"[1-9][0-9]*/(?:[1-9][0-9]*)?[smhd]", PAGE_RENDER_RATE):
    raise ImproperlyConfigured(
        f"PAGE_RENDER_RATE must look like 60/m (count/period), not {PAGE_RENDER_RATE!r}."
    )
# The count is kept in the cache: if the cache fails, render rather than refuse everyone.
RATELIMIT_FAIL_OPEN = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names let browsers and CDNs cache static files for a year; compressed
    # copies are served to clients that accept gzip or brotli.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# The admin lives under a path that can be moved away from the well-known /admin/.
ADMIN_PATH = env.str("ADMIN_PATH", default="admin/").strip("/") + "/"

# Errors (django.request logs "Internal Server Error: /path" with the traceback) and axes'
# lockouts go to stdout, where the service manager collects them.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name} {message}", "style": "{"}},
    "filters": {"one_line": {"()": "briefing.log_filters.OneLineWarning"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["stdout"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # axes announces its version on every start of every command; its lockouts still show.
        "axes.apps": {"level": "WARNING"},
        # A request for a host the site does not serve is a scanner's, not a fault of the site:
        # one line saying which host, without the traceback Django attaches.
        "django.security.DisallowedHost": {"filters": ["one_line"]},
    },
}
