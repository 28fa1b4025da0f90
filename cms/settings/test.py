"""The test suite: fast hashing, throwaway media, no GraphiQL."""

import tempfile

from .base import *

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="cms-test-media-"))
# Nothing is collected for the tests (the live server serves the apps' static files
# itself), but whitenoise warns on every start about a STATIC_ROOT that is missing.
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="cms-test-static-"))
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
GRAPHIQL_ENABLED = False
# A cache of files, as without Redis, in a directory of each test process's own
# (or CACHE_DIR: the processes a test starts share its cache).
CACHES["default"] = {
    "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
    "LOCATION": os.environ.get("CACHE_DIR") or tempfile.mkdtemp(prefix="cms-test-cache-"),
}
# SQLite's test database in a file, not in memory, so that processes a test starts can
# open it too (tests/test_response_cache.py publishes from another process).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"cms-test-{os.getpid()}.sqlite3")
    }
    # A throwaway file: no need to wait for the disk (as an in-memory database wouldn't).
    DATABASES["default"]["OPTIONS"] = {"init_command": "PRAGMA synchronous=OFF;"}
# No webhooks unless a test points them at its own receiver, whatever the shell exports.
FRONTEND_WEBHOOK_URLS = []
FRONTEND_WEBHOOK_SECRET = "test-webhook-secret"  # noqa: S105
# Background tasks run at once, so the search and reference indexes are current when a
# test reads them; tests/test_webhooks.py switches to the database queue and its worker.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "webhooks"],
    }
}
# The suite sends hundreds of queries a minute from one address; the rate limit
# has a test of its own.
GRAPHQL_RATE_LIMIT_REQUESTS = 0
# Each request reads the content version afresh: tests switch caches under the app
# (tests/test_response_cache.py checks the re-reading interval on its own).
CONTENT_VERSION_RECHECK_SECONDS = 0
# The suite signs superusers in (pytest-django's admin_client) for tests of everything
# else: the second factor is asked for only in the sign-in tests (tests/test_signin_*.py).
SIGNIN_SECOND_FACTOR_REQUIRED = False
