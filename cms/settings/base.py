"""Settings shared by every environment. Secrets and hosts come from the environment."""

import importlib.util
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent


def env_list(name):
    """A comma-separated environment variable as a list, blanks dropped."""
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def env_pairs(name):
    """A comma-separated environment variable of `name:value` pairs as a dict."""
    pairs = (item.partition(":") for item in env_list(name))
    return {key.strip(): value.strip() for key, _, value in pairs if key.strip() and value.strip()}


def env_bool(name, default):
    """An on/off environment variable: 1, true, yes or on mean on; unset means `default`."""
    value = os.environ.get(name, "").strip().lower()
    return default if not value else value in {"1", "true", "yes", "on"}


INSTALLED_APPS = [
    "api",
    "home",
    "principles",
    "news",
    "governance",
    "signin",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Before wagtail: its `publish_scheduled` also publishes the releases that are due.
    "releases",
    "wagtail_headless_preview",
    # Translations (wagtail-localize): its editor, and its Locales admin in Wagtail's place;
    # before it, the sign-off workflow around its editor (translations/sign_off.py).
    "translations",
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.settings",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "axes",
    "wagtail.api.v2",
    "rest_framework",
    "wagtail.contrib.sitemaps",
    "django.contrib.sitemaps",  # its sitemap.xml template
    "django_tasks",
    "django_tasks_db",
    # The change pipeline (core/changes.py) is connected to each content model: after the
    # content apps have said which are theirs, and after wagtail.snippets is ready.
    "core",
    "webhooks",
    # grapple builds its types in ready(), after every wagtail app (snippets,
    # settings) has registered its models: keep these two last.
    "grapple",
    "graphene_django",
]

MIDDLEWARE = [
    # First, so that every response, and every log line written meanwhile, says which
    # request it answers (X-Request-ID).
    "core.middleware.RequestIdMiddleware",
    # Then, so every answer (redirects and 503s too) carries the CORS headers.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files answered here, before sessions and the rest: see STORAGES below.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy on every response from here on: see CONTENT_SECURITY_POLICY.
    "core.csp.ContentSecurityPolicyMiddleware",
    # 304 for a GET whose If-None-Match matches the ETag (set here where a view set none).
    "django.middleware.http.ConditionalGetMiddleware",
    # A database outage escaping a view answers 503 with Retry-After, not a 500 page.
    "core.middleware.ServiceUnavailableMiddleware",
    # Who is asking (core/clients.py), and their budget for the REST API (core/rate_limit.py).
    "core.middleware.ClientMiddleware",
    "core.middleware.RateLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language a page's path names (/es/...), the source language elsewhere.
    "core.middleware.PathLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Whether the user has passed a second factor (django-otp), then the sign-in policy:
    # the session's age, and the second factor where it is needed (signin/middleware.py).
    "django_otp.middleware.OTPMiddleware",
    "signin.middleware.SignInPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Sign-in throttling answers a locked-out attempt with 429; django-axes wants it last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cms.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

WSGI_APPLICATION = "cms.wsgi.application"

# SQLite in the checkout unless DATABASE_URL names another database.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# A PostgreSQL that does not answer fails the request within 2 s (a 503, see
# core/middleware.py) instead of after the operating system's TCP timeout.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)

# One cache shared by every process of every app server (the GraphQL response cache
# relies on that): Redis when REDIS_URL is set, else files under CACHE_DIR.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "OPTIONS": {
                # A slow or absent Redis costs a cache call at most a quarter of a
                # second and never fails a request: its errors are logged and read
                # as cache misses.
                "SOCKET_CONNECT_TIMEOUT": 0.25,
                "SOCKET_TIMEOUT": 0.25,
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    DJANGO_REDIS_LOGGER = "cms.cache"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get("CACHE_DIR", str(BASE_DIR / ".cache")),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
# Wagtail writes every rendition it serves to this cache, to save a lookup next time.
# API lists fetch renditions with their images in one query, so those writes (one per
# image per request, to Redis) cost more than they save: don't keep them.
CACHES["renditions"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in throttling (django-axes), for Wagtail's admin and Django's alike: after 5
# failed attempts for one username from one address, that pair is refused (429) for
# 15 minutes. `manage.py axes_reset_username NAME` lifts a lockout early. Every
# authenticate() call must pass the request: in tests, use force_login(). AxesBackend
# only refuses locked-out attempts (ModelBackend signs in); first, as Wagtail's test
# helpers sign in with the first backend, which must be able to load users.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesBackend",
    # Django's password check for local accounts (with SSO_ONLY, break-glass superusers
    # only), then the council's single sign-on (signin/backends.py).
    "signin.backends.LocalPasswordBackend",
    "signin.backends.CouncilOIDCBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True

# Council sign-in (signin/, README "Signing in"): single sign-on over OpenID Connect
# (authorisation code with PKCE, state and nonce) with the council's provider, off unless
# SSO_ENABLED. Roles follow the provider's groups at every sign-in: SSO_GROUP_ROLES maps
# each group (or app role) in the SSO_GROUPS_CLAIM claim to a Wagtail group.
SSO_ENABLED = env_bool("SSO_ENABLED", False)
SSO_ISSUER = os.environ.get("SSO_ISSUER", "").strip()
SSO_GROUPS_CLAIM = os.environ.get("SSO_GROUPS_CLAIM", "groups").strip()
SSO_GROUP_ROLES = env_pairs("SSO_GROUP_ROLES")
# Only single sign-on, and the password form for break-glass superusers alone.
SSO_ONLY = env_bool("SSO_ONLY", False)
# A token's times may be off by this much (clocks differ a little).
SSO_CLOCK_SKEW_SECONDS = 60
# mozilla-django-oidc's own settings (the endpoints come from SSO_ISSUER's discovery
# document, signin/provider.py).
OIDC_RP_CLIENT_ID = os.environ.get("SSO_CLIENT_ID", "").strip()
OIDC_RP_CLIENT_SECRET = os.environ.get("SSO_CLIENT_SECRET", "").strip()
OIDC_RP_SCOPES = os.environ.get("SSO_SCOPES", "openid email profile").strip()
OIDC_RP_SIGN_ALGO = os.environ.get("SSO_SIGNING_ALGORITHM", "RS256").strip()
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_STORE_ID_TOKEN = True  # the end-session request's hint, kept in the session only
OIDC_TIMEOUT = 5  # seconds for each call to the provider
OIDC_AUTHENTICATION_CALLBACK_URL = "signin:callback"
# Every sign-in lasts at most this long, whatever the browser does (default 8 hours).
SIGNIN_SESSION_MAX_AGE = int(os.environ.get("SIGNIN_SESSION_MAX_AGE", str(8 * 60 * 60)))
SESSION_COOKIE_AGE = SIGNIN_SESSION_MAX_AGE
# A second factor (an authenticator app, with recovery codes) for local password
# accounts: superusers always, every account while single sign-on is on. Accounts named
# in SIGNIN_SECOND_FACTOR_EXEMPT go without: never set it for a real deployment.
SIGNIN_SECOND_FACTOR_REQUIRED = True
SIGNIN_SECOND_FACTOR_EXEMPT = env_list("SIGNIN_SECOND_FACTOR_EXEMPT")
if SSO_ENABLED:
    _missing = [
        name
        for name, value in [
            ("SSO_ISSUER", SSO_ISSUER),
            ("SSO_CLIENT_ID", OIDC_RP_CLIENT_ID),
            ("SSO_CLIENT_SECRET", OIDC_RP_CLIENT_SECRET),
            ("SSO_GROUP_ROLES", SSO_GROUP_ROLES),
        ]
        if not value
    ]
    if _missing:
        raise ImproperlyConfigured(
            f"SSO_ENABLED is on but {', '.join(_missing)} is not set: single sign-on needs it."
        )
OTP_TOTP_ISSUER = "Southwark Children's Services CMS"
# With single sign-on the only way in, no password resets (break-glass accounts are
# reset by another administrator).
WAGTAIL_PASSWORD_RESET_ENABLED = not (SSO_ENABLED and SSO_ONLY)


# The content languages: the source, English (en-GB, in the council's own words), first,
# then each language content is translated into, as BCP 47 tags (`CONTENT_LANGUAGES`,
# comma-separated; README "Languages"). Each needs a locale in the admin (Settings >
# Locales) before anything can be translated into it.
SOURCE_LANGUAGE = "en-GB"
DEFAULT_CONTENT_LANGUAGES = [SOURCE_LANGUAGE, "es", "pt", "ar"]


def content_languages(tags):
    """(Django's code, name) for each tag, the source first. A language Django does not
    know is given with its name: `so:Soomaali`."""
    languages = {}
    for tag, _, name in (item.partition(":") for item in tags):
        code = tag.strip().lower()
        name = name.strip() or LANG_INFO.get(code, {}).get("name_local")
        if not name:
            raise ImproperlyConfigured(
                f"CONTENT_LANGUAGES: Django knows no language {code!r}: give its name too, "
                f"as {code}:Name."
            )
        languages.setdefault(code, name)
    if list(languages)[:1] != [SOURCE_LANGUAGE.lower()]:
        raise ImproperlyConfigured(
            f"CONTENT_LANGUAGES must begin with the source language, {SOURCE_LANGUAGE}."
        )
    return list(languages.items())


LANGUAGE_CODE = SOURCE_LANGUAGE.lower()
LANGUAGES = WAGTAIL_CONTENT_LANGUAGES = content_languages(
    env_list("CONTENT_LANGUAGES") or DEFAULT_CONTENT_LANGUAGES
)
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# collectstatic gathers the static files here; whitenoise serves them from here.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "static"))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Media (images, their renditions, documents) in an S3-compatible bucket when
# AWS_STORAGE_BUCKET_NAME is set, so that every app server sees every upload; else in
# MEDIA_ROOT, on this machine only.
MEDIA_BUCKET = os.environ.get("AWS_STORAGE_BUCKET_NAME", "").strip()
# The public host (and path, if any) media URLs are on: a CDN in front of the bucket,
# or the bucket's own public address.
MEDIA_DOMAIN = os.environ.get("AWS_S3_CUSTOM_DOMAIN", "").strip()
if MEDIA_BUCKET:
    if not MEDIA_DOMAIN:
        raise ImproperlyConfigured(
            "AWS_S3_CUSTOM_DOMAIN is not set: media in a bucket need the public host "
            "their URLs are on."
        )
    STORAGES["default"] = {
        "BACKEND": "core.storage.MediaStorage",
        "OPTIONS": {
            "bucket_name": MEDIA_BUCKET,
            # Unset: AWS itself, in the region given, with the credentials boto3 finds on
            # its own (an instance role, ~/.aws).
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
            # Plain https://MEDIA_DOMAIN/<name> URLs, never signed: public media, which
            # the CDN and browsers may keep. A private document is never linked there:
            # see WAGTAILDOCS_SERVE_METHOD.
            "custom_domain": MEDIA_DOMAIN,
            "querystring_auth": False,
            # A second upload of the same file name gets a name of its own rather than
            # replacing the first image or document in the bucket.
            "file_overwrite": False,
            # A bucket that does not answer costs a request seconds, not boto3's default
            # of a minute a try: a worker waiting on it serves no one else meanwhile.
            "connect_timeout": 2,
            "read_timeout": 10,
            "max_attempts": 2,
        },
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Complex page models can exceed Django's default of 1000 fields per form.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# Upload limits: a request body other than files is refused over 5 MiB; an uploaded
# file over 2.5 MiB goes to a temporary file rather than memory; images over 10 MiB and
# documents over 20 MiB are refused by the admin (the proxy must allow bodies that big).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024 // 2
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024

# Wagtail
WAGTAIL_SITE_NAME = "Southwark Children's Services"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
# Wagtail's database backend; on PostgreSQL a search ranks at most this many matches
# (core/search.py): a common word's cost does not grow with the content.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "core.search", "RANKED_CANDIDATES": 200}}
# The admin calls no other site: no avatars from gravatar.com (each would send a hash of
# an editor's email address), no check for new Wagtail releases (upgrades come through
# the lock files).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
# What the sign-off workflow approves is published, unless it is in a release not yet
# published: then it goes live with its release (releases/sign_off.py).
WAGTAIL_FINISH_WORKFLOW_ACTION = "releases.sign_off.publish_unless_in_a_release"
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx"]
# Documents are always served by Wagtail's document view, which checks a collection's
# view restrictions first; Wagtail's default for a bucket would redirect to the
# object's public URL, which anyone could then share.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAIL_I18N_ENABLED = True


def installed(module):
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a parent package is missing
        return False


def machine_translator(service, url="", key="", project=""):
    """wagtail-localize's WAGTAILLOCALIZE_MACHINE_TRANSLATOR for a translation service
    (TRANSLATION_SERVICE; README "Machine translation"): None, off, when none is named."""
    backends = "wagtail_localize.machine_translators"
    service = service.strip().lower()
    if not service:
        return None
    if service == "libretranslate":
        if not url:
            raise ImproperlyConfigured(
                "TRANSLATION_SERVICE=libretranslate needs TRANSLATION_SERVICE_URL."
            )
        options = {"LIBRETRANSLATE_URL": url.rstrip("/"), "API_KEY": key}
        return {"CLASS": f"{backends}.libretranslate.LibreTranslator", "OPTIONS": options}
    if service == "deepl":
        if not key:
            raise ImproperlyConfigured("TRANSLATION_SERVICE=deepl needs TRANSLATION_SERVICE_KEY.")
        return {"CLASS": f"{backends}.deepl.DeepLTranslator", "OPTIONS": {"AUTH_KEY": key}}
    if service == "google":
        if not installed("google.cloud.translate"):
            raise ImproperlyConfigured(
                "TRANSLATION_SERVICE=google needs the google-cloud-translate package, "
                "which is not installed."
            )
        if not project:
            raise ImproperlyConfigured(
                "TRANSLATION_SERVICE=google needs TRANSLATION_SERVICE_PROJECT."
            )
        options = {"PROJECT_ID": project, **({"CREDENTIALS_PATH": key} if key else {})}
        return {"CLASS": f"{backends}.google.GoogleCloudTranslator", "OPTIONS": options}
    raise ImproperlyConfigured(
        f"TRANSLATION_SERVICE: {service!r} is none of libretranslate, deepl and google."
    )


# A page submitted for translation starts as a draft, published once signed off: by
# default wagtail-localize publishes it at once (in the source's words) if the source is
# live (translations/sign_off.py).
WAGTAILLOCALIZE_SYNC_LIVE_STATUS_ON_TRANSLATE = False
# Machine translation in wagtail-localize's editor: off unless a service is named.
WAGTAILLOCALIZE_MACHINE_TRANSLATOR = machine_translator(
    os.environ.get("TRANSLATION_SERVICE", ""),
    url=os.environ.get("TRANSLATION_SERVICE_URL", ""),
    key=os.environ.get("TRANSLATION_SERVICE_KEY", ""),
    project=os.environ.get("TRANSLATION_SERVICE_PROJECT", ""),
)
WAGTAILIMAGES_IMAGE_FORM_BASE = "home.forms.ImageForm"  # alt text required

# Image renditions a client may ask for, each also as WebP: everything else is
# refused, so the API cannot be used to fill the disk with arbitrary renditions.
_IMAGE_SIZES = [
    *(f"width-{width}" for width in (320, 480, 640, 800, 1024, 1280, 1600)),
    *(f"fill-{box}" for box in ("160x160", "320x320", "640x360", "1280x720")),
]
ALLOWED_IMAGE_FILTERS = [*_IMAGE_SIZES, *(f"{size}|format-webp" for size in _IMAGE_SIZES)]

# REST API (Wagtail's API v2, api/rest.py): lists of up to 100 items, as in GraphQL.
WAGTAILAPI_LIMIT_MAX = 100

# GraphQL (grapple over graphene-django)
GRAPPLE = {
    "APPS": {"home": "", "principles": "", "news": ""},
    "EXPOSE_GRAPHIQL": False,
    "PAGE_SIZE": 10,
    "MAX_PAGE_SIZE": 100,
    "ALLOWED_IMAGE_FILTERS": ALLOWED_IMAGE_FILTERS,
    "PAGE_INTERFACE": "api.graphql.pages.PageInterface",
}
# What api.graphql.schema.build_schema() builds, on first use, once per process.
GRAPHENE = {"SCHEMA": "api.graphql.schema.schema"}

# GraphQL limits: each is answered with a GraphQL error carrying extensions.code.
GRAPHQL_MAX_DEPTH = 10
GRAPHQL_MAX_ALIASES = 30
GRAPHQL_MAX_COST = 50_000  # the documented queries cost at most a fifth of this
GRAPHQL_DEFAULT_LIST_COST = 10  # items assumed for a list field with no size argument
GRAPHQL_MAX_PER_PAGE = 100
GRAPHQL_MAX_QUERY_CHARS = 10_000
GRAPHQL_MAX_QUERY_TOKENS = 2_000
GRAPHQL_MAX_BODY_BYTES = 100_000
GRAPHQL_INTROSPECTION_ENABLED = True
GRAPHQL_MAX_SEARCH_CHARS = 200
# Only the documents `manage.py register_documents` trusted may run (api/graphql/persisted.py).
GRAPHQL_TRUSTED_DOCUMENTS_ONLY = env_bool("GRAPHQL_TRUSTED_DOCUMENTS_ONLY", False)
# Budgets (core/rate_limit.py): requests a window for each browser to /graphql/ (cache
# hits are free) and /api/; for each front-end server with a key, 0 meaning unlimited.
GRAPHQL_RATE_LIMIT_REQUESTS = int(os.environ.get("GRAPHQL_RATE_LIMIT_REQUESTS", "600"))
GRAPHQL_RATE_LIMIT_WINDOW_SECONDS = 60
FRONTEND_RATE_LIMIT_REQUESTS = int(os.environ.get("FRONTEND_RATE_LIMIT_REQUESTS", "0"))
# Front-end servers' keys, sent in X-Frontend-Key: `name:key` pairs, comma-separated.
FRONTEND_API_KEYS = env_pairs("FRONTEND_API_KEYS")
# How many proxies in front of the app set X-Forwarded-For (nginx: 1; a CDN before it:
# 2): the client is the address the outermost of them saw (core/clients.py). 0: none,
# the connection's own address.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "core.clients.client_address"
# Anonymous responses: kept until content changes (at most this long), and held by a
# CDN for s-maxage seconds, then served stale while it revalidates.
GRAPHQL_RESPONSE_CACHE_SECONDS = 24 * 60 * 60
# Each app server process also keeps the responses it serves in memory, up to this many
# bytes (checked against the shared content version on every request).
GRAPHQL_RESPONSE_MEMORY_BYTES = int(os.environ.get("GRAPHQL_RESPONSE_MEMORY_BYTES", 32 * 2**20))
# How often each process reads the content version afresh (core/content_version.py): a
# publish on another app server is seen within this many seconds.
CONTENT_VERSION_RECHECK_SECONDS = float(os.environ.get("CONTENT_VERSION_RECHECK_SECONDS", "0.5"))
# A CDN purged by surrogate key as content changes (core/cdn.py): `varnish`, `fastly` or
# `cloudflare`; none by default.
CDN_PURGE_BACKEND = os.environ.get("CDN_PURGE_BACKEND", "").strip().lower()
VARNISH_PURGE_URLS = env_list("VARNISH_PURGE_URLS")
FASTLY_API_URL = os.environ.get("FASTLY_API_URL", "https://api.fastly.com")
FASTLY_SERVICE_ID = os.environ.get("FASTLY_SERVICE_ID", "")
FASTLY_API_TOKEN = os.environ.get("FASTLY_API_TOKEN", "")
CLOUDFLARE_API_URL = os.environ.get("CLOUDFLARE_API_URL", "https://api.cloudflare.com")
CLOUDFLARE_ZONE_ID = os.environ.get("CLOUDFLARE_ZONE_ID", "")
CLOUDFLARE_API_TOKEN = os.environ.get("CLOUDFLARE_API_TOKEN", "")
# How long a CDN may keep an anonymous answer: a day when it is purged as content
# changes, a minute when nothing purges it.
GRAPHQL_CDN_MAX_AGE = int(
    os.environ.get("GRAPHQL_CDN_MAX_AGE", "86400" if CDN_PURGE_BACKEND else "60")
)
GRAPHQL_CDN_STALE_WHILE_REVALIDATE = 300
SERVICE_UNAVAILABLE_RETRY_AFTER = 5

# Cross-origin reads of the APIs from browsers (django-cors-headers): only from the
# origins in CORS_ALLOWED_ORIGINS (comma-separated, e.g. https://www.example.org), so
# none unless it is set; GET and POST, with a Content-Type header and no cookies.
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
CORS_URLS_REGEX = r"^/(graphql|api)/.*$"
CORS_ALLOW_METHODS = ["GET", "OPTIONS", "POST"]
CORS_ALLOW_HEADERS = ["content-type", "if-none-match", "x-request-id", "x-frontend-key"]
CORS_EXPOSE_HEADERS = ["etag", "retry-after", "x-request-id"]

# Headless preview: the admin's "Front end" preview opens the front end's preview route
# (HEADLESS_PREVIEW_URL) with a signed token, good for this many seconds. Without that
# route, nothing answers there: previews default to this site's templates (core/preview.py).
PREVIEW_TOKEN_MAX_AGE = int(os.environ.get("PREVIEW_TOKEN_MAX_AGE", "3600"))
_HEADLESS_PREVIEW_URL = os.environ.get("HEADLESS_PREVIEW_URL", "")
WAGTAIL_HEADLESS_PREVIEW = {
    "CLIENT_URLS": {"default": _HEADLESS_PREVIEW_URL} if _HEADLESS_PREVIEW_URL else {},
}

# Content-Security-Policy (django-csp, core/csp.py): scripts, fonts and frames from this
# origin only, images from it and from the media domain, no plugins; no other site may
# frame these pages or be sent their forms. Inline styles only with the request's nonce
# (templates/base.html) or by their hash (templates/500.html, which has no request).
# Wagtail's admin writes scripts into its pages (its widgets initialise themselves so)
# and its scripts insert <style> elements: under ADMIN_PATH_PREFIXES (and in the
# previews the admin makes) ADMIN_CONTENT_SECURITY_POLICY replaces those directives,
# and the headless preview's front ends may be framed. The admin's own calls to other
# sites are switched off (WAGTAIL_GRAVATAR_PROVIDER_URL, WAGTAIL_ENABLE_UPDATE_CHECK).
ERROR_PAGE_STYLE_HASH = "'sha256-0FvUN306lfMcG/8AooZlZYvP/yREofv4aX/mJWFqZDc='"
_MEDIA_SOURCES = [f"https://{MEDIA_DOMAIN}/"] if MEDIA_BUCKET else []  # else on this origin
_SSO_ISSUER_PARTS = urlsplit(SSO_ISSUER)
_SSO_FORM_TARGETS = (
    [f"{_SSO_ISSUER_PARTS.scheme}://{_SSO_ISSUER_PARTS.netloc}"] if SSO_ENABLED else []
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "style-src": [SELF, NONCE, ERROR_PAGE_STYLE_HASH],
        # data: and blob: for the admin's previews of images chosen for upload.
        "img-src": [SELF, "data:", "blob:", *_MEDIA_SOURCES],
        "object-src": [NONE],
        "base-uri": [SELF],
        # Signing out posts a form that ends at the provider's end-session page.
        "form-action": [SELF, *_SSO_FORM_TARGETS],
        "frame-ancestors": [SELF],
    }
}
ADMIN_PATH_PREFIXES = ("/admin/", "/django-admin/")
# Not added to the directives above but in their place: beside a nonce or a hash,
# browsers ignore 'unsafe-inline'.
ADMIN_CONTENT_SECURITY_POLICY = {
    "script-src": [SELF, UNSAFE_INLINE],
    "style-src": [SELF, UNSAFE_INLINE],
}

# Background tasks (Wagtail's own and the webhooks) are queued in the database and run by
# `manage.py db_worker --queue-name '*'` (`make run` starts one beside runserver).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "webhooks"],
    }
}

# Front-end webhooks (webhooks/): each event is POSTed as JSON to every URL here, signed
# as Standard Webhooks sign (webhook-id, webhook-timestamp, webhook-signature) with the
# secret, in their `whsec_<base64>` form (a plain secret is used as it is).
FRONTEND_WEBHOOK_URLS = env_list("FRONTEND_WEBHOOK_URLS")
FRONTEND_WEBHOOK_SECRET = os.environ.get("FRONTEND_WEBHOOK_SECRET", "")
FRONTEND_WEBHOOK_TIMEOUT = 5  # seconds for each attempt
# Seconds from one attempt's time to the next, once one fails: 11 retries, the last 31.7
# hours after the first attempt (a front end down for a day still gets every event).
FRONTEND_WEBHOOK_RETRY_SCHEDULE = [5, 30, 120, 600, 1800, 3600, 7200, 14400, 28800, 28800, 28800]

# Outgoing e-mail (`manage.py send_review_reminders`): an SMTP server, from the environment.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "webmaster@localhost")

# The changes feed (GraphQL `changes`) keeps this many days of events; older ones are
# pruned by `manage.py prune_changes`, run daily.
CHANGES_RETENTION_DAYS = 30

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "cms": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
