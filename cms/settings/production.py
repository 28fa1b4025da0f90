"""Production: everything that matters comes from the environment.

Required: SECRET_KEY, ALLOWED_HOSTS (comma-separated), DATABASE_URL and
WAGTAILADMIN_BASE_URL; start-up stops with ImproperlyConfigured naming whichever is
missing. Optional: REDIS_URL, CSRF_TRUSTED_ORIGINS and CORS_ALLOWED_ORIGINS
(comma-separated origins), SECURE_SSL_REDIRECT (default on), SECURE_HSTS_SECONDS
(default a year), GRAPHIQL_ENABLED and GRAPHQL_INTROSPECTION_ENABLED (default off),
LOG_LEVEL, SENTRY_DSN, and the media bucket's AWS_* variables (base.py).
.env.example lists every variable. The app expects to sit behind a proxy that
terminates TLS and sets X-Forwarded-Proto.
"""

import os

from django.core.exceptions import ImproperlyConfigured


def _require_env(*names):
    for name in names:
        if not os.environ.get(name, "").strip():
            raise ImproperlyConfigured(
                f"The {name} environment variable is not set: production settings need it."
            )


# Before base.py reads them: it would fall back to SQLite without DATABASE_URL, and to
# a development address for the absolute URLs of media and of the admin's emails
# without WAGTAILADMIN_BASE_URL.
_require_env("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "WAGTAILADMIN_BASE_URL")

from .base import *  # noqa: E402

SECRET_KEY = os.environ["SECRET_KEY"]
# Media URLs in the APIs are this plus a path beginning with a slash.
WAGTAILADMIN_BASE_URL = os.environ["WAGTAILADMIN_BASE_URL"].strip().rstrip("/")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("The ALLOWED_HOSTS environment variable names no host.")

# Front ends act on webhooks (they revalidate, purge): unsigned, anyone could send them.
if FRONTEND_WEBHOOK_URLS and not FRONTEND_WEBHOOK_SECRET.strip():
    raise ImproperlyConfigured(
        "FRONTEND_WEBHOOK_URLS is set but FRONTEND_WEBHOOK_SECRET is not: production sends "
        "webhooks signed only. Set FRONTEND_WEBHOOK_SECRET (whsec_ and base64)."
    )

DEBUG = False
GRAPHIQL_ENABLED = env_bool("GRAPHIQL_ENABLED", False)
GRAPHQL_INTROSPECTION_ENABLED = env_bool("GRAPHQL_INTROSPECTION_ENABLED", False)

# HTTPS only. The proxy in front terminates TLS and says so in X-Forwarded-Proto (it
# must overwrite any such header a client sends). The probes may call over plain HTTP.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 60 * 60)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True  # Wagtail's admin reads the token from the page, not the cookie
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Nothing is framed elsewhere; Wagtail's own preview panel overrides this to SAMEORIGIN.
X_FRAME_OPTIONS = "DENY"

# Static files by whitenoise, from what `manage.py release` collected: names carry a
# hash of the content (so after a Wagtail upgrade no cache serves outdated JS or CSS,
# and whitenoise lets browsers keep them for ever), with gzip copies made once at
# release rather than on every request.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Everything to stdout for the platform's log collector, one JSON object a line: a
# traceback is a field of its record (never lines of its own), as are the fields a
# caller passes in `extra=` and the id of the request being answered (null outside one).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "core.request_context.RequestIdLogFilter"},
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(process)d %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": True,  # ISO 8601, in UTC
        },
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            # On the handler, not a logger: records propagated from any logger pass it.
            "filters": ["request_id"],
            "formatter": "json",
        },
    },
    "root": {"handlers": ["stdout"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "cms": {"level": "INFO"},
        "axes": {"level": "INFO"},
    },
}

# Errors to Sentry, only where a DSN is given: unhandled exceptions in views (the Django
# integration) and records logged at ERROR. No personal data (addresses, cookies, user
# details) is sent.
if os.environ.get("SENTRY_DSN", "").strip():
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=os.environ["SENTRY_DSN"].strip(),
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        release=os.environ.get("SENTRY_RELEASE") or None,  # else sentry-sdk's own guess
        integrations=[DjangoIntegration()],
        send_default_pii=False,
    )
