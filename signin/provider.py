"""The council's OpenID provider, as its discovery document describes it
(`<SSO_ISSUER>/.well-known/openid-configuration`): read when a sign-in needs it, kept in
the shared cache for METADATA_SECONDS, and checked before use. A provider that does not
answer, or answers garbage, is a refusal with its reason, never a 500."""

from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.cache import cache

from .refusals import SignInRefused

METADATA_SECONDS = 10 * 60
REQUIRED_ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri")


def discovery_url():
    return settings.SSO_ISSUER.rstrip("/") + "/.well-known/openid-configuration"


def cache_key():
    return f"signin:provider-metadata:{settings.SSO_ISSUER}"


def is_url(value):
    return isinstance(value, str) and urlsplit(value).scheme in {"https", "http"}


def metadata():
    """The provider's endpoints and issuer, from its discovery document."""
    known = cache.get(cache_key())
    if known is not None:
        return known
    try:
        response = requests.get(discovery_url(), timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except requests.exceptions.JSONDecodeError as error:
        raise SignInRefused("provider_garbage") from error
    except requests.RequestException as error:
        raise SignInRefused("provider_unreachable") from error
    # OpenID Connect Discovery 1.0, 4.3: the issuer it names must be the one asked for,
    # else a document from elsewhere could name its own token endpoint and keys.
    if (
        not isinstance(document, dict)
        or document.get("issuer") != settings.SSO_ISSUER
        or not all(is_url(document.get(name)) for name in REQUIRED_ENDPOINTS)
    ):
        raise SignInRefused("provider_garbage")
    cache.set(cache_key(), document, METADATA_SECONDS)
    return document
