"""The test suite: fast hashing, throwaway media, no GraphiQL."""

import tempfile

from .base import *

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="cms-test-media-"))
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
GRAPHIQL_ENABLED = False
