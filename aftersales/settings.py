"""Settings for the after-sales CRM, read from the environment (see README, "Configuration").

Development defaults are safe to use on a laptop; with DEBUG=false the process refuses to start
without a real SECRET_KEY and ALLOWED_HOSTS, and `manage.py check --deploy` passes.
"""

from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
# Git-ignored folder for everything a local run writes: embedded database, broker files, uploads.
VAR_DIR = BASE_DIR / "var"
# Celery beat's schedule and the filesystem broker live here even on a fresh checkout.
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)

_DEVELOPMENT_SECRET_KEY = "development-only-insecure-key-never-use-in-production"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=_DEVELOPMENT_SECRET_KEY if DEBUG else "")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

if not DEBUG:
    if not SECRET_KEY or SECRET_KEY == _DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("Set SECRET_KEY to a random string of 50+ characters.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("Set ALLOWED_HOSTS to the host names the app is served under.")

INSTALLED_APPS = [
    # Before the admin, so that its admin classes and widgets take precedence.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "simple_history",
    "aftersales",
    "customers",
    "followups",
    "quality",
    "staff",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the messages: a timed-out session says why it ended.
    "aftersales.signin.middleware.SessionTimeoutMiddleware",
    "aftersales.signin.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "aftersales.urls"
WSGI_APPLICATION = "aftersales.wsgi.application"

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
                "aftersales.context_processors.navigation",
            ],
        },
    },
]

# Database: DATABASE_URL, or the embedded PostgreSQL that scripts/dev.py starts and exports.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/aftersales")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Every connection without JIT compiling (also set on our own servers, scripts/postgresql.conf;
# here for any other): our queries run for milliseconds, compiling one whose estimate passes
# jit_above_cost takes hundreds. Passed at connect time, so it costs no query.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# Prepared statements only where the code asks for them (aftersales.prepared: the lookups of
# nearly every request). Django's cursors bind parameters on the client and never prepare; a
# threshold no query reaches keeps psycopg from preparing on its own. A connection pooler in
# transaction mode (PgBouncer) would need its prepared-statement support turned on.
DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 2**31 - 1
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "aftersales.User"
# django-axes first: it refuses a locked-out account before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, loading a session's user with their roles, branches and
    # permissions in the one query.
    "aftersales.signin.loading.AccessLoadingBackend",
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

# Internationalisation: English is the fallback, the browser's language is honoured.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("de", _("German"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Names and texts shipped as data or configured by a dealer have a column per language
# (each app's translation.py); a value missing in the reader's language shows the other one.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("en", "de"), "en": ("de",), "de": ("en",)}
# The fields side by side read "Name (Deutsch)" / "Name (English)": each language in its own name.
MODELTRANSLATION_BUILD_LOCALIZED_VERBOSE_NAME = lambda verbose_name, language: format_lazy(  # noqa: E731
    "{} ({})", verbose_name, {"de": "Deutsch", "en": "English"}[language]
)
USE_I18N = True
USE_TZ = True
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Berlin")

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Third-party browser assets come from package.json (npm ci), never from a CDN or the repository.
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/chartjs", NODE_MODULES / "chart.js" / "dist"),
    ("vendor/swagger-ui", NODE_MODULES / "swagger-ui-dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Development serves static files straight from their sources (no collectstatic needed).
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# Files only staff may see (complaint attachments): never served as /media/, only through views
# that check permissions.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=VAR_DIR / "private")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: EMAIL_URL such as smtp+tls://user:password@mail.example.com:587; console by default.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="After-Sales CRM <aftersales@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Seconds the SMTP client waits for each answer of the mail server: a hung server fails the
# attempt (the tick tries again) instead of holding a worker (and the e-mail's claim) for ever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=vars().get("EMAIL_TIMEOUT") or 10)
# The domain part of the outbox's Message-IDs (<…@domain>); the sender's domain by default.
EMAIL_MESSAGE_ID_DOMAIN = (
    env.str("EMAIL_MESSAGE_ID_DOMAIN", default="")
    or parseaddr(DEFAULT_FROM_EMAIL)[1].rpartition("@")[2]
    or "localhost"
)
# How long a customer's personal survey link works.
SURVEY_LINK_DAYS = env.int("SURVEY_LINK_DAYS", default=30)
# Data protection: candidates who were not hired are deleted this many months after the decision.
CANDIDATE_RETENTION_MONTHS = env.int("CANDIDATE_RETENTION_MONTHS", default=6)
# Absolute links in e-mails (the workers have no request to build them from).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# Dissonance scores (quality.scoring): a signal's weight halves every this many days, and the
# weights by kind can be overridden here (a dict merged over quality.scoring.DEFAULT_WEIGHTS).
DISSONANCE_HALF_LIFE_DAYS = env.int("DISSONANCE_HALF_LIFE_DAYS", default=60)
DISSONANCE_WEIGHTS = {}

# Celery: Redis at REDIS_URL; without it kombu's filesystem transport under var/ keeps a local run
# free of services. The database stays the source of truth for everything that becomes due.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CELERY_BROKER_URL = "filesystem://"
    _BROKER_DIR = VAR_DIR / "broker"
    # The transport waits forever on folders that do not exist, so make sure they do.
    for _folder in ("queue", "processed", "control"):
        (_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_BROKER_DIR / "queue"),
        "data_folder_out": str(_BROKER_DIR / "queue"),
        "processed_folder": str(_BROKER_DIR / "processed"),
        "control_folder": str(_BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Seconds an on-commit enqueue (aftersales.celery.enqueue_on_commit) may take to reach the broker
# before it gives up: a broker outage must not slow down the request that saved something. The
# row is in the database, and the delivery tick sends it.
ON_COMMIT_PUBLISH_TIMEOUT = env.float("ON_COMMIT_PUBLISH_TIMEOUT", default=0.1)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
# Celery's Django fixup otherwise opens a new database connection for every task (~30 ms each).
# A connection that broke meanwhile (a database restart) is replaced before the next task:
# aftersales.celery checks the connections around every task.
CELERY_DB_REUSE_MAX = 200
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Delivery normally happens right after commit; this tick picks up whatever a lost message,
    # a dead worker (its claim's lease ran out) or a Redis outage left behind. A scan that finds
    # nothing is one index lookup, so it runs every 10 seconds: after a broker outage (which no
    # tick gets through) or a database restart (which fails the tick under way) the e-mails that
    # waited go out seconds later, not a minute (the chaos run measured p99 70 s with 20).
    "deliver-pending-emails": {
        "task": "aftersales.tasks.deliver_pending_emails",
        "schedule": timedelta(seconds=10),
        # A tick that waited a minute (workers busy or down) is dropped, so a backlog of ticks
        # stays small; not sooner: behind a queue of deliveries every tick would expire before
        # a worker got to it, and the safety net would be gone just when it is needed.
        "options": {"expires": 60},
    },
    # Each tick re-scans the database for what is due, so a lost or doubled run changes nothing.
    # A background job whose worker died (an old heartbeat) or whose message was lost runs again.
    "jobs-requeue": {
        "task": "aftersales.tasks.requeue_stale_jobs",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 60},
    },
    "followup-digests": {
        "task": "followups.tasks.send_daily_digests",
        "schedule": crontab(minute="*/5"),
    },
    "followup-escalations": {
        "task": "followups.tasks.escalate_overdue_followups",
        "schedule": crontab(minute="*/15"),
    },
    "followup-surveys": {
        "task": "followups.tasks.send_due_surveys",
        "schedule": crontab(minute="*/15"),
    },
    "complaint-breaches": {
        "task": "quality.tasks.escalate_breached_complaints",
        "schedule": crontab(minute="*/5"),
    },
    # Scores decay with age; once a night is enough to keep the dashboard honest.
    "dissonance-recompute": {
        "task": "quality.tasks.recompute_scores",
        "schedule": crontab(hour=2, minute=30),
    },
    # The dissonance dashboard's roll-ups of signals and complaints: kept by triggers as they
    # change, rebuilt each night so that a category's changed involvement is taken into account.
    "dissonance-rollups": {
        "task": "quality.tasks.refresh_dashboard_rollups",
        "schedule": crontab(hour=2, minute=50),
    },
    "followup-missed": {
        "task": "followups.tasks.mark_missed_followups",
        "schedule": crontab(minute=10),
    },
    # Public holidays of the branches' regions for this year and the next, from the `holidays`
    # package: a sync that changes nothing when all is there, so hourly costs two queries and a
    # branch given a new holiday region has its holidays within the hour.
    "public-holidays": {
        "task": "followups.tasks.fill_public_holidays",
        "schedule": crontab(minute=40),
    },
    # Training expiry warnings and notices, and due coaching actions: each goes out once (marker
    # and dedupe key), so hourly is only about how soon after midnight they arrive.
    "training-reminders": {
        "task": "staff.tasks.send_training_reminders",
        "schedule": crontab(minute=20),
    },
    "coaching-reminders": {
        "task": "staff.tasks.send_coaching_reminders",
        "schedule": crontab(minute=25),
    },
    # Quality audits: reminders before and on the due date of audits and corrective actions, and
    # the escalation of overdue actions, each once (marker and dedupe key); complaint clusters
    # are looked for every five minutes (one alert per cluster); the complaints-per-product
    # roll-up of the quality dashboard is rebuilt hourly.
    "audit-reminders": {
        "task": "quality.tasks.send_audit_reminders",
        "schedule": crontab(minute=35),
    },
    "corrective-action-reminders": {
        "task": "quality.tasks.send_action_reminders",
        "schedule": crontab(minute=45),
    },
    "complaint-clusters": {
        "task": "quality.tasks.detect_complaint_clusters",
        "schedule": crontab(minute="*/5"),
    },
    "product-complaint-figures": {
        "task": "quality.tasks.refresh_product_figures",
        "schedule": crontab(minute=50),
    },
    # Cross-selling: the offers of the new local day are found early each morning (each branch
    # has its local day, so the run repeats a few hours later for branches further west, and a
    # second run finds nothing new); expiry is one UPDATE over a partial index, hourly; the
    # figures' roll-ups are rebuilt from the raw tables each night.
    "offer-generation": {
        "task": "followups.tasks.generate_offers",
        "schedule": crontab(hour="4,10", minute=5),
    },
    "offer-expiry": {
        "task": "followups.tasks.expire_offers",
        "schedule": crontab(minute=55),
    },
    "offer-rollups": {
        "task": "followups.tasks.refresh_offer_rollups",
        "schedule": crontab(hour=3, minute=45),
    },
    # The follow-up adherence and survey roll-ups of the scorecards and the dashboard: kept by
    # triggers as follow-ups and answers change, rebuilt each night so that a branch's changed
    # time zone or a purchase's changed salesperson is taken into account.
    "followup-rollups": {
        "task": "followups.tasks.refresh_rollups",
        "schedule": crontab(hour=3, minute=55),
    },
    # Candidates past their retention period (CANDIDATE_RETENTION_MONTHS) are erased once a day.
    "candidate-deletion": {
        "task": "staff.tasks.delete_expired_candidates",
        "schedule": crontab(hour=3, minute=15),
    },
}

# --- Signing in (aftersales.signin) ---------------------------------------------------------
# Reverse proxies in front of the app that append to X-Forwarded-For (1 behind the compose
# set-up's proxy); the client's address is the one the outermost of them saw. 0: REMOTE_ADDR.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Lockout per account (username), not per address, so one person cannot lock out an office
# behind one address: LOGIN_FAILURE_LIMIT failures, each within LOGIN_LOCKOUT_MINUTES of the
# last, refuse that account's sign-in for LOGIN_LOCKOUT_MINUTES (more failures meanwhile do not
# extend it). Administrators lift a lockout in the admin (Axes › Access attempts: delete).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username"]
# Axes warns that a lockout by username alone lets an attacker rotate user agents; rotating them
# does not help here (the user agent is no parameter), and addresses are limited on their own
# (SIGNIN_ADDRESS_FAILURE_LIMIT), so that an office behind one address is not locked out.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "aftersales.signin.addresses.client_ip"
AXES_LOCKOUT_CALLABLE = "aftersales.signin.views.lockout_response"
# Every failure is logged (user, address, time, whether it locked), shown on the lockouts page.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code", "otp"]
# An address that fails this often within the window (many accounts tried) is refused too.
SIGNIN_ADDRESS_FAILURE_LIMIT = env.int("SIGNIN_ADDRESS_FAILURE_LIMIT", default=30)
SIGNIN_ADDRESS_FAILURE_WINDOW = AXES_COOLOFF_TIME
# The second factor (TOTP, django-otp): required of these roles where enforced, optional for
# everyone else. Enforced in production; with DEBUG the README's demo logins stay valid.
TWO_FACTOR_REQUIRED_ROLES = env.list(
    "TWO_FACTOR_REQUIRED_ROLES", default=["admin", "manager", "quality"]
)
TWO_FACTOR_ENFORCED = env.bool("TWO_FACTOR_ENFORCED", default=not DEBUG)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="After-Sales CRM")
# Nobody but the person enrolling sees a device's secret: the admin shows no key, no
# configuration page and no QR code (administrators reset a second factor, they never copy one).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# API tokens expire this long after they were issued.
API_TOKEN_LIFETIME = timedelta(days=env.int("API_TOKEN_DAYS", default=30))
# Browser sessions end after this long without a request, and this long after sign-in.
SESSION_IDLE_TIMEOUT = timedelta(minutes=env.int("SESSION_IDLE_MINUTES", default=30))
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=env.int("SESSION_ABSOLUTE_HOURS", default=10))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
# The throttles' counters: Redis in production (CACHE_URL, e.g. redis://redis:6379/1, a database
# of its own beside Celery's), the process's memory for a local run and the tests.
CACHES = {
    "default": env.cache_url("CACHE_URL", default="locmemcache://"),
    # Each process's own: big lists' estimated totals, reused for a minute (aftersales.pagination).
    "list-estimates": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "list-estimates",
        "OPTIONS": {"MAX_ENTRIES": 2_000},
    },
}

REST_FRAMEWORK = {
    # The token scheme first: a call without credentials is answered 401 with
    # `WWW-Authenticate: Token` (DRF takes the header from the first class; sessions have none).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "aftersales.signin.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Bodies that would break later (lone surrogates, deep nesting, control characters, too
    # large) are a 400 here (aftersales.parsers).
    "DEFAULT_PARSER_CLASSES": [
        "aftersales.parsers.GuardedJSONParser",
        "aftersales.parsers.GuardedFormParser",
        "aftersales.parsers.GuardedMultiPartParser",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "aftersales.filters.StrictFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "aftersales.pagination.EstimatingPagination",
    "PAGE_SIZE": 50,
    # drf-spectacular's, telling blank and null values and the error answers (aftersales.schema).
    "DEFAULT_SCHEMA_CLASS": "aftersales.schema.AutoSchema",
    "EXCEPTION_HANDLER": "aftersales.api.exception_handler",
    # Per client address (aftersales.signin.throttling; X-Forwarded-For as TRUSTED_PROXY_COUNT
    # says): asking for tokens, and the customers' survey answers (public pages).
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "token": env.str("THROTTLE_TOKEN_RATE", default="20/min"),
        "survey": env.str("THROTTLE_SURVEY_RATE", default="30/hour"),
    },
}
# The largest JSON body the API reads (uploads go as multipart, limited per file by the services).
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)
SPECTACULAR_SETTINGS = {
    "TITLE": "After-Sales CRM API",
    "DESCRIPTION": "Customers, purchases, follow-ups, complaints, quality and staff assessment.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["aftersales.api.IsStaffMember"],
    # One name for choice lists that several serializers share.
    "ENUM_NAME_OVERRIDES": {
        "ChannelEnum": "customers.models.Channel",
        "ComplaintChannelEnum": "quality.models.Complaint.Channel",
        "ComplaintStatusEnum": "quality.models.Complaint.Status",
        "ContactChannelEnum": "followups.models.ContactChannel",
        "CustomerKindEnum": "customers.models.Customer.Kind",
        "CriterionKindEnum": "staff.models.Criterion.Kind",
        "StepKindEnum": "followups.models.StepKind",
        "CandidateStatusEnum": "staff.models.Candidate.Status",
        "CandidateDecisionEnum": "staff.hiring.services.DECISION_CHOICES",
        "CandidateRoleEnum": "staff.hiring.services.CANDIDATE_ROLE_CHOICES",
        "AppointmentKindEnum": "staff.models.Appointment.Kind",
        "CoachingSourceEnum": "staff.models.CoachingAction.Source",
        "ConsentSourceEnum": "customers.models.ConsentRecord.Source",
        "SeverityEnum": "quality.models.Severity",
        "AuditStatusEnum": "quality.audits.models.AuditStatus",
        "AuditItemKindEnum": "quality.audits.models.AuditItem.Kind",
        # Findings, clusters and campaigns share one choice set: open / closed.
        "OpenClosedEnum": "quality.audits.models.Finding.Status",
        "FindingSeverityEnum": "quality.audits.models.FindingSeverity",
        "CorrectiveActionStatusEnum": "quality.audits.models.ActionStatus",
        "CampaignSourceEnum": "quality.campaigns.models.Campaign.Source",
        "OfferStateEnum": "followups.offers.models.OfferState",
        "OfferDeclineReasonEnum": "followups.offers.models.DeclineReason",
        "SeasonMonthEnum": "followups.offers.models.MONTHS",
        "AssignmentStateEnum": "staff.mystery.selectors.AssignmentState",
    },
    # The interactive docs load Swagger UI from our own static files (npm), not from a CDN.
    "SWAGGER_UI_DIST": "/static/vendor/swagger-ui",
    "SWAGGER_UI_FAVICON_HREF": "/static/vendor/swagger-ui/favicon-32x32.png",
}

# Security: strict in production, relaxed only for local HTTP.
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# No inline script anywhere (templates load static files; data travels in data- attributes and
# json_script). Style attributes stay allowed for the few widths computed per row; <style>
# elements do not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Browser features the app never uses are switched off for it and anything it might embed.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
