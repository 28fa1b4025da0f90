"""Production: everything that matters comes from the environment."""

from .base import *

DEBUG = False
SECRET_KEY = os.environ["SECRET_KEY"]
ALLOWED_HOSTS = [h.strip() for h in os.environ["ALLOWED_HOSTS"].split(",") if h.strip()]
GRAPHIQL_ENABLED = os.environ.get("GRAPHIQL_ENABLED", "") == "1"

# Outdated JS/CSS must not be served from a cache after a Wagtail upgrade.
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
