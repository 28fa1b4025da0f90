"""Local development: debug on, GraphiQL on, any host. Never used in production."""

import contextlib

from .base import *

DEBUG = True
SECRET_KEY = "django-insecure-dev-only-key-not-for-production"  # noqa: S105
ALLOWED_HOSTS = ["*"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
GRAPHIQL_ENABLED = True
# The dev logins `make run` prints (home/management/commands/ensure_dev_admin.py) sign in
# with their password alone, here only.
SIGNIN_SECOND_FACTOR_EXEMPT = ["admin", "editor", "moderator"]

# A git-ignored local.py may override anything above on one machine.
with contextlib.suppress(ImportError):
    from .local import *
