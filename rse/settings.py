"""RSE settings: one module, everything read from the environment with safe defaults.

The embedded default (no environment at all) is a development setup that needs no
server: SQLite file, in-memory channel layer, local-memory cache and a Celery broker
on the filesystem. Setting DATABASE_URL and REDIS_URL switches to PostgreSQL and Redis.
"""

import sys
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("RSE_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
TESTING = "pytest" in sys.modules

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-not-secret-rse-3f9c0c1e7d2b4a8e9f6a5b4c3d2e1f0a"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "channels",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our static files: no CDN
    "axes",  # login failure limits (rse/accounts/throttling.py)
    # Our apps, lowest layer first: nothing imports an app listed after it.
    "rse.accounts",
    "rse.trail",
    "rse.outbox",
    "repository",
    "directory",
    "communities",
    "animation",
    "engagement",
    "integrations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # HTML is compressed (WhiteNoise serves static files precompressed). BREACH: Django's gzip
    # pads each response with random bytes and CSRF tokens are masked anew on every response.
    "rse.lib.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "rse.accounts.middleware.IdleSessionTimeoutMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "rse.lib.middleware.NulCharacterMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "rse.lib.security.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "rse.lib.middleware.OutOfRangeIdMiddleware",
    "rse.lib.middleware.DatabaseUnavailableMiddleware",
    # Last, as axes asks: turns a login refused for too many failures into a 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rse.urls"
WSGI_APPLICATION = "rse.wsgi.application"
ASGI_APPLICATION = "rse.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rse.context_processors.site",
            ],
            "libraries": {"memo": "rse.lib.memo"},
        },
    },
]

# {% memo %} fragments (rse/lib/memo.py) rendered anew and compared with their stored copy: a
# fragment that reads more than its arguments fails (while developing and in the tests).
RSE_TEMPLATE_MEMO_CHECK = env.bool("RSE_TEMPLATE_MEMO_CHECK", default=DEBUG or TESTING)

# --- Database -------------------------------------------------------------------------
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout: the web server and the Celery worker write to the same file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if TESTING else env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Short OLTP queries: PostgreSQL's JIT spent ~2 s compiling plans for feed pages that
    # then ran in milliseconds.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    # A database that does not answer fails the request in seconds (a 503, rse/lib/middleware.py).
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5))
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
# The feed pages' statements (rse/lib/precompiled.py) prepared on the server: PostgreSQL plans
# them once per connection instead of on every request. Off behind pgbouncer in transaction mode
# older than 1.21 (DB_POOL_MAX_SIZE=0, docs/deploy.md), where a prepared statement would not find
# its connection again.
RSE_PREPARED_STATEMENTS = env.bool(
    "RSE_PREPARED_STATEMENTS", default=IS_POSTGRES and env.int("DB_POOL_MAX_SIZE", default=4) > 0
)
if RSE_PREPARED_STATEMENTS and IS_POSTGRES:
    # Django turns psycopg's preparation off (prepare_threshold None): back on, for the cursors
    # that bind on the server, which only rse/lib/precompiled.py opens (Django's bind on the client).
    DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)
# Production topology (issue 15, docs/deploy.md). A psycopg pool per process, bounded, instead
# of persistent connections: under ASGI every request runs in a thread of its own, and
# CONN_MAX_AGE kept one connection per dead thread until PostgreSQL said "too many clients".
# Connections at most: processes × DB_POOL_MAX_SIZE. Tests open and close their own.
DB_POOL_MAX_SIZE = env.int("DB_POOL_MAX_SIZE", default=4)
if IS_POSTGRES and DB_POOL_MAX_SIZE and not TESTING:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"]["pool"] = {
        "min_size": 1,
        "max_size": DB_POOL_MAX_SIZE,
        "max_idle": 300,
        "timeout": 10,
    }
# analytics and exports read from a replica when one is configured (rse/lib/db.py).
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {**DATABASES["default"], **env.db_url("DATABASE_REPLICA_URL"), "TEST": {"MIRROR": "default"}}
    DATABASES["replica"]["OPTIONS"] = {**DATABASES["default"]["OPTIONS"], **DATABASES["replica"].get("OPTIONS", {})}
DATABASE_ROUTERS = ["rse.lib.db.ReplicaRouter"]
# Server-Timing header with app and SQL time per response, for `make bench` (off in production).
SERVER_TIMING = env.bool("SERVER_TIMING", default=False)
if SERVER_TIMING:
    MIDDLEWARE.insert(0, "rse.lib.middleware.ServerTimingMiddleware")
# Websockets on another port of the same host (`make serve`, no proxy); empty: same origin.
WEBSOCKET_PORT = env.str("WEBSOCKET_PORT", default="")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer, Celery, cache ----------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# Redis down must cost a request at most a second, once (rse/lib/breaker.py), never a 500: connection
# timeouts of 1 s for the cache, the broker and the channel layer (issue 14).
REDIS_TIMEOUTS = {"socket_connect_timeout": 1, "socket_timeout": 1}
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # Pub/sub: one PUBLISH per group event, fanned out inside each ASGI process, instead
            # of one queued message per socket (the core layer). Delivery is at-most-once either
            # way (clients catch up by cursor); 1,000 sockets over 2 processes need this.
            "BACKEND": env.str("CHANNEL_LAYER_BACKEND", default="channels_redis.pubsub.RedisPubSubChannelLayer"),
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, **REDIS_TIMEOUTS}],
                "prefix": env.str("CHANNEL_PREFIX", default="rse"),
            },
        }
    }
    # A Redis outage is a cache miss, not a 500: sessions come from the database (rse/lib/cache.py).
    CACHES = {
        "default": {"BACKEND": "rse.lib.cache.ResilientRedisCache", "LOCATION": REDIS_URL, "OPTIONS": REDIS_TIMEOUTS}
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    # socket_timeout stays above the worker's BRPOP wait (1 s), or an idle worker would time out.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 5}
    CELERY_BROKER_CONNECTION_TIMEOUT = 1
    CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
    CELERY_REDIS_SOCKET_TIMEOUT = 5
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    # Without Redis the web server and the Celery worker are separate processes: a file cache is
    # what they share (bell counts, import progress). Tests keep one in memory.
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
        if TESTING
        else {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(VAR_DIR / "cache")}
    }
    # kombu's filesystem transport made safe for two processes (rse/lib/broker.py): atomic writes,
    # a malformed file is moved to bad/ and logged instead of killing the worker. Its control
    # folder (remote control, `celery inspect`) lives here too, not in the current directory.
    _broker_dir = VAR_DIR / "celery-broker"
    for _folder in ("processed", "claimed", "bad", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "safefs://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_broker_dir / "processed"),
        "bad_folder": str(_broker_dir / "bad"),
        "control_folder": str(_broker_dir / "control"),
    }
    CELERY_RESULT_BACKEND = None

CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=TESTING)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# Seconds between two runs of the beat's maintenance (outbox drain, stalled jobs).
RSE_MAINTENANCE_EVERY = env.float("RSE_MAINTENANCE_EVERY", default=60.0)
CELERY_BEAT_SCHEDULE: dict = {
    "notification-digests": {
        "task": "communities.notifications.send_digests",
        "schedule": crontab(hour=7, minute=0),
    },
    "purge-unconfirmed-directory-imports": {
        "task": "directory.tasks.purge_old_imports",
        "schedule": crontab(hour=3, minute=30),
    },
    # Tasks whose send failed (broker down at commit) or that never completed (rse/lib/outbox.py).
    "drain-outbox": {"task": "rse.outbox.drain", "schedule": RSE_MAINTENANCE_EVERY},
    # Long jobs that stopped making progress (rse/lib/jobs.py).
    "requeue-stalled-jobs": {"task": "rse.jobs.requeue_stalled", "schedule": RSE_MAINTENANCE_EVERY},
    "purge-login-logs": {"task": "rse.accounts.purge_login_logs", "schedule": crontab(hour=3, minute=45)},
    # The animators' jobs: each idempotent, each catching up on what fell due while it was down.
    "animation-scheduled-posts": {"task": "animation.seeding.publish_due_posts", "schedule": crontab()},
    "animation-prompts": {"task": "animation.feeding.publish_due_prompts", "schedule": crontab(minute="*/5")},
    "animation-nudges": {"task": "animation.feeding.nudge_questions", "schedule": crontab(minute="*/15")},
    "animation-digests": {"task": "animation.feeding.send_digests", "schedule": crontab(minute=5)},
    "animation-pulses": {"task": "animation.feeding.close_expired_pulses", "schedule": crontab(minute=10)},
    # The activity roll-up the engagement figures read: what came since the last run, and nightly
    # the last RSE_ENGAGEMENT_ROLLUP_DAYS days again.
    "engagement-rollup": {"task": "engagement.tasks.roll_up_activity", "schedule": crontab(minute="*/15")},
    "engagement-rollup-lookback": {
        "task": "engagement.tasks.roll_up_activity",
        "schedule": crontab(hour=1, minute=5),
        "kwargs": {"lookback": True},
    },
    "engagement-purge-exports": {
        "task": "engagement.tasks.purge_expired_exports",
        "schedule": crontab(hour=3, minute=40),
    },
    "animation-stale": {"task": "animation.weeding.propose_stale", "schedule": crontab(hour=3, minute=20)},
    "animation-archive": {"task": "animation.weeding.archive_due", "schedule": crontab(minute=25)},
    # --- Webhooks and feeds (integrations) ---
    "integrations-webhook-retries": {"task": "integrations.webhooks.retry_due", "schedule": RSE_MAINTENANCE_EVERY},
    "integrations-webhook-purge": {"task": "integrations.webhooks.purge_old", "schedule": crontab(hour=3, minute=45)},
    "integrations-feeds-fetch": {"task": "integrations.feeds.fetch_due", "schedule": crontab(minute="*/5")},
    # --- end webhooks and feeds ---
}
# Task modules outside an app's top-level tasks.py (autodiscovery only finds those).
CELERY_IMPORTS = [
    "communities.notifications.tasks",
    "animation.seeding.tasks",
    "animation.feeding.tasks",
    "animation.weeding.tasks",
    "integrations.webhooks.tasks",
    "integrations.feeds.tasks",
    "rse.lib.outbox",
    "rse.lib.jobs",
]
# The outbox sends again a task that has not succeeded this many seconds after its last send (a
# message lost with a killed worker), at most this many times.
RSE_OUTBOX_REDELIVER_AFTER = env.int("RSE_OUTBOX_REDELIVER_AFTER", default=900)
RSE_OUTBOX_MAX_SENDS = env.int("RSE_OUTBOX_MAX_SENDS", default=10)
# A long job (import, digest, export…) without progress for this many seconds is stalled: shown
# with Retry and Cancel, and re-queued by beat, at most RSE_JOBS_MAX_ATTEMPTS runs in all.
RSE_JOBS_STALLED_AFTER = env.int("RSE_JOBS_STALLED_AFTER", default=600)
RSE_JOBS_MAX_ATTEMPTS = env.int("RSE_JOBS_MAX_ATTEMPTS", default=3)
# /healthz/ answers 503 when one of these is down (database, cache, broker, channel_layer); the
# others are reported, and make it say "degraded" (rse/lib/health.py says why only the database).
RSE_HEALTHZ_REQUIRED = env.list("HEALTHZ_REQUIRED", default=["database"])

# --- Auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rse.accounts.throttling.LoginThrottleBackend",  # first: refuses a locked-out login before any check
    "rse.accounts.backends.EmailBackend",
    # integrations: OpenID Connect sign-in (does nothing until OIDC_RP_CLIENT_ID is set)
    "integrations.oidc.backends.OIDCBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- Limits (issue 13; README "Security") ------------------------------------------------
# Proxies whose X-Forwarded-For is believed (addresses or networks, e.g. 10.0.0.0/8): without them
# the client is REMOTE_ADDR, and a header anyone can write never resets a counter (rse/lib/clientip.py).
RSE_TRUSTED_PROXIES = env.list("RSE_TRUSTED_PROXIES", default=[])
# Logins (django-axes): refused after AXES_FAILURE_LIMIT failures for one account within
# AXES_COOLOFF_TIME, or from one IP within RSE_LOGIN_IP_WINDOW, on every door (page, admin, Basic).
AXES_ENABLED = True
AXES_FAILURE_LIMIT = env.int("RSE_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(seconds=env.int("RSE_LOGIN_ACCOUNT_WINDOW", default=15 * 60))
RSE_LOGIN_IP_WINDOW = timedelta(seconds=env.int("RSE_LOGIN_IP_WINDOW", default=60))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "rse.accounts.throttling.LoginAttemptsHandler"
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # one row per failure: the windows slide exactly
AXES_CLIENT_IP_CALLABLE = "rse.lib.clientip.client_ip"
AXES_USERNAME_CALLABLE = "rse.accounts.throttling.login_username"
AXES_LOCKOUT_CALLABLE = "rse.accounts.throttling.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
RSE_LOGIN_LOG_DAYS = env.int("RSE_LOGIN_LOG_DAYS", default=90)  # then purged daily by beat
# Requests and writes (DRF throttles, also on the matching pages: rse/lib/ratelimit.py), counted in
# the cache (Redis when REDIS_URL is set, so shared by every process). Override any of them with
# RATE_LIMITS="post=10/min,comment=30/min" in the environment.
RSE_RATE_LIMITS = {
    "anon": "60/min",  # API requests without a user, per client IP
    "user": "600/min",  # API requests of one user
    "post": "30/hour",  # new posts and shares, API and pages
    "comment": "120/hour",
    "reaction": "300/hour",
    "invite": "100/hour",
    "password_reset": "3/hour",  # reset e-mails per address (beyond: not sent, same page)
    **env.dict("RATE_LIMITS", default={}),
}

# --- I18N -----------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Paris")
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns at every start when it is missing
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "rse.lib.staticstorage.StaticFilesStorage"
    },
}
# Media in production (README "Security", rse/lib/files.py). Photos and covers are served by the
# application at MEDIA_URL; attachments and documents only by their permission views. With a proxy,
# the application answers the headers and the proxy sends the file: RSE_MEDIA_SENDFILE=x-accel-redirect
# (nginx: an `internal` location at RSE_MEDIA_ACCEL_PREFIX aliased to MEDIA_ROOT) or x-sendfile.
RSE_MEDIA_SENDFILE = env.str("RSE_MEDIA_SENDFILE", default="")
if RSE_MEDIA_SENDFILE not in ("", "x-accel-redirect", "x-sendfile"):
    raise ImproperlyConfigured("RSE_MEDIA_SENDFILE must be empty, x-accel-redirect or x-sendfile.")
RSE_MEDIA_ACCEL_PREFIX = env.str("RSE_MEDIA_ACCEL_PREFIX", default="/protected-media/")
# S3-compatible object storage (django-storages) instead of the local folder, when a bucket is named.
# Credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment (read by boto3).
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {"BACKEND": "rse.lib.s3.MediaS3Storage"}
    AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default="") or None  # MinIO, Ceph, OVH, Scaleway…
    AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default="") or None
    AWS_DEFAULT_ACL = None  # the bucket stays private: RSE serves every file itself
    AWS_S3_FILE_OVERWRITE = False
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# --- E-mail ---------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="RSE <no-reply@rse.localhost>")

# --- Security (production values when DEBUG is off) -------------------------------------
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
# Sessions are read from the cache (Redis in production) and written through to the database:
# one SQL query less on every page.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# A session unused this long is signed out (rse/accounts/middleware.py); SESSION_COOKIE_AGE (Django's
# 14 days) stays the absolute limit from sign-in.
RSE_SESSION_IDLE_TIMEOUT = env.int("RSE_SESSION_IDLE_TIMEOUT", default=8 * 3600)
# Content-Security-Policy on every response (django-csp; rse/lib/security.py): no inline or foreign
# script anywhere (the templates, the admin and the API docs load theirs from /static/), no plugins,
# no framing, no <base> hijack. Inline style attributes stay allowed (poll bars, Swagger UI).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}
# Browser features the application never uses are switched off for it and anything it embeds.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media",
        "geolocation", "gyroscope", "magnetometer", "microphone", "midi", "payment", "usb", "xr-spatial-tracking",
    )
}  # fmt: skip

# --- API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Scripts and connectors send `Authorization: Bearer <token>` (integrations/tokens); browsers
    # use their session; HTTP Basic only as RSE_API_BASIC_AUTH allows. The bearer scheme comes
    # first: it names the scheme in the 401 that an unauthenticated request gets.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "integrations.tokens.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
        "integrations.tokens.authentication.LimitedBasicAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "rse.lib.ratelimit.AnonRateThrottle",
        "rse.lib.ratelimit.UserRateThrottle",
        "rse.lib.ratelimit.ActionRateThrottle",
        # integrations: per API token (RSE_API_TOKEN_RATE)
        "integrations.tokens.throttling.TokenRateThrottle",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "rse.lib.parsers.ObjectJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rse.lib.api.CursorPagination",
    "PAGE_SIZE": 25,
    "EXCEPTION_HANDLER": "rse.lib.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "RSE API",
    "DESCRIPTION": "Enterprise social network: directory, business repository, communities. "
    "Authenticate with an API token: `Authorization: Bearer <token>` (see /developers/api/).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Tags come from the first segment after this prefix (communities, posts…); without it the
    # prefix is guessed from every route, and /scim/v2/ (not in the schema) made it "/".
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a `kind` choice field: name each enum after its model.
    "ENUM_NAME_OVERRIDES": {
        "OrgUnitKindEnum": "directory.models.OrgUnit.Kind",
        "FieldDefinitionKindEnum": "repository.models.FieldDefinition.Kind",
        "NotificationKindEnum": "communities.models.NotificationKind",
        "PostKindEnum": "communities.models.Post.Kind",
        "ReactionKindEnum": "communities.models.Reaction.Kind",
        "ScheduledPostKindEnum": "animation.seeding.models.ScheduledPost.Kind",
        "PromptScheduleKindEnum": "animation.feeding.models.PromptSchedule.Kind",
        "NotificationChannelEnum": "communities.models.NotificationChannel",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Django's default config gives "django" a console handler of its own, and it also
        # propagates to ours: every line was written twice.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
    },
}

# --- RSE ------------------------------------------------------------------------------
RSE_PAGE_SIZE = 20
RSE_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
RSE_IMPORT_MAX_ROWS = 20_000
# Files only served through views that check access (HR exports): never under MEDIA_ROOT.
RSE_PRIVATE_ROOT = Path(env.str("RSE_PRIVATE_ROOT", default=str(VAR_DIR / "private")))
# Engagement analytics: the default minimum group size of exports and dashboards (never below 3,
# administrators may raise it), and how many days an export file stays downloadable.
RSE_ENGAGEMENT_MIN_GROUP_SIZE = max(3, env.int("RSE_ENGAGEMENT_MIN_GROUP_SIZE", default=5))
# The activity roll-up (engagement/rollup.py) recomputes this many days at its nightly run, for
# late edits and deletions; older days stay as rolled up (manage.py rollup_engagement --since).
RSE_ENGAGEMENT_ROLLUP_DAYS = env.int("RSE_ENGAGEMENT_ROLLUP_DAYS", default=7)
RSE_ENGAGEMENT_EXPORT_DAYS = env.int("RSE_ENGAGEMENT_EXPORT_DAYS", default=7)

# --- Integrations: API tokens, SCIM, OpenID Connect (integrations/tokens, scim, oidc) ----------
# HTTP Basic on the API: "off" (people's passwords never work there, so they cannot be guessed
# through it) or "service_accounts" (a connector that cannot send a bearer token).
RSE_API_BASIC_AUTH = env.str("API_BASIC_AUTH", default="off")
if RSE_API_BASIC_AUTH not in ("off", "service_accounts"):
    raise ImproperlyConfigured("API_BASIC_AUTH must be off or service_accounts.")
# Requests per API token: "<n>/second|minute|hour|day", shared by every process through the cache
# (Redis when REDIS_URL is set); empty: no limit per token.
RSE_API_TOKEN_RATE = env.str("API_TOKEN_RATE", default="1200/minute")

# OpenID Connect sign-in (integrations/oidc, mozilla-django-oidc): on when OIDC_RP_CLIENT_ID is set.
# Each endpoint comes from its variable or else from the discovery document at OIDC_OP_DISCOVERY_URL.
# People are matched by verified e-mail; OIDC_CREATE_USERS creates the unknown at first sign-in.
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_OP_DISCOVERY_URL = env.str("OIDC_OP_DISCOVERY_URL", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_OP_ISSUER = env.str("OIDC_OP_ISSUER", default="")
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email profile")
OIDC_CREATE_USER = env.bool("OIDC_CREATE_USERS", default=False)
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="")
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT", default=10)
OIDC_AUTHENTICATE_CLASS = "integrations.oidc.views.AuthenticationRequestView"
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/?sso=failed"
# Off: the login page offers single sign-on only and refuses passwords (service accounts keep
# HTTP Basic on the API when API_BASIC_AUTH allows it; `manage.py changepassword` and /admin/ stay).
RSE_PASSWORD_LOGIN = env.bool("PASSWORD_LOGIN", default=True)

# --- Webhooks and feeds (integrations/webhooks/, integrations/feeds/) ---
# Hosts a webhook may reach although they resolve to internal addresses (also: admin, "allowed hosts").
RSE_WEBHOOK_ALLOWED_HOSTS = env.list("RSE_WEBHOOK_ALLOWED_HOSTS", default=[])
RSE_WEBHOOK_TIMEOUT = env.float("RSE_WEBHOOK_TIMEOUT", default=10.0)
# Seconds before each retry of a failed delivery: exponential backoff, about 24 h in all.
RSE_WEBHOOK_RETRY_DELAYS = [5, 60, 300, 1800, 7200, 18000, 28800, 28800]
# An endpoint whose deliveries all failed for this long is disabled and its owner told.
RSE_WEBHOOK_DISABLE_AFTER = env.int("RSE_WEBHOOK_DISABLE_AFTER", default=24 * 3600)
# Days the delivery log keeps finished deliveries.
RSE_WEBHOOK_KEEP_DAYS = env.int("RSE_WEBHOOK_KEEP_DAYS", default=30)
# Open communities' RSS/Atom feeds at a plain URL, without a personal token (readable by anyone
# who reaches the server): off unless the administrator switches it on.
RSE_PUBLIC_FEEDS = env.bool("RSE_PUBLIC_FEEDS", default=False)
# External feeds followed by communities: seconds between two fetches of a feed (doubled after
# each failure, up to a day), fetch limits, posts made per fetch (the rest waits in the queue).
RSE_FEED_FETCH_EVERY = env.int("RSE_FEED_FETCH_EVERY", default=1800)
RSE_FEED_TIMEOUT = env.float("RSE_FEED_TIMEOUT", default=15.0)
RSE_FEED_MAX_BYTES = env.int("RSE_FEED_MAX_BYTES", default=5 * 1024 * 1024)
RSE_FEED_MAX_POSTS_PER_FETCH = env.int("RSE_FEED_MAX_POSTS_PER_FETCH", default=3)
# --- end webhooks and feeds ---
