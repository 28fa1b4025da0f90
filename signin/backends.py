"""The two ways in: single sign-on through the council's OpenID provider
(`CouncilOIDCBackend`, mozilla-django-oidc's backend with the checks it leaves out), and
local passwords (`LocalPasswordBackend`), which `SSO_ONLY` keeps to break-glass
superusers. Both sit behind django-axes' AxesBackend (settings.AUTHENTICATION_BACKENDS)."""

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from . import events, provider
from .models import SignInEvent, SignInIdentity
from .refusals import SignInRefused

# PyJWT's refusals of a token, most particular first, as the reasons people are shown.
TOKEN_ERRORS = [
    (jwt.ExpiredSignatureError, "expired"),
    (jwt.ImmatureSignatureError, "not_yet_valid"),
    (jwt.InvalidAudienceError, "wrong_audience"),
    (jwt.InvalidIssuerError, "wrong_issuer"),
    (jwt.InvalidSignatureError, "bad_signature"),
    (jwt.InvalidAlgorithmError, "unsupported_algorithm"),
    (jwt.InvalidTokenError, "invalid_token"),
]


def roles_for(groups):
    """The Wagtail groups (roles) the provider's groups map to (SSO_GROUP_ROLES)."""
    if isinstance(groups, str):
        groups = [groups]
    if not isinstance(groups, list):
        return []
    names = {
        settings.SSO_GROUP_ROLES[group] for group in groups if group in settings.SSO_GROUP_ROLES
    }
    return list(Group.objects.filter(name__in=names).order_by("name"))


def role_names(groups):
    return ", ".join(sorted(group.name for group in groups)) or "none"


class LocalPasswordBackend(ModelBackend):
    """Django's password check, for local accounts only: never for an account single
    sign-on made (it has no usable password anyway), and with SSO_ONLY on, for
    superusers alone (the break-glass accounts, which also need their second factor)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username, password, **kwargs)
        # Even should someone have given it a password in the admin's Users.
        if user is not None and SignInIdentity.objects.filter(user=user).exists():
            return None
        return user

    def user_can_authenticate(self, user):
        # Also asked of every request's session (get_user): with SSO_ONLY switched on,
        # the password sessions of all but superusers end.
        sso_only = settings.SSO_ENABLED and settings.SSO_ONLY
        return super().user_can_authenticate(user) and (user.is_superuser or not sso_only)


class CouncilOIDCBackend(OIDCAuthenticationBackend):
    """Signs a person in from the provider's ID token, and gives them exactly the roles
    its groups map to, at every sign-in.

    mozilla-django-oidc checks the state (its callback view), the nonce, PKCE and the
    token's signature; this adds what it leaves out: the audience, the issuer and the
    times (exp, iat, nbf), an algorithm allow-list checked before any key is looked up,
    the provider's endpoints from its discovery document, and each failure as a
    `SignInRefused` with its reason rather than an exception the user would see as a 500.
    """

    def __init__(self, *args, **kwargs):
        # Not the library's __init__: the endpoints come from the discovery document when
        # a sign-in needs them (provider.py), not from settings at start-up.
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.UserModel = get_user_model()

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self):  # noqa: N802 (the library's name)
        return provider.metadata()["token_endpoint"]

    @property
    def OIDC_OP_JWKS_ENDPOINT(self):  # noqa: N802
        return provider.metadata()["jwks_uri"]

    def get_user(self, user_id):
        # The library's loads any user; a switched-off account's sessions end as Django's
        # own backend ends them.
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None

    def authenticate(self, request, **kwargs):
        # Only the callback view's call (it passes the nonce it kept), never a password
        # form's, even one posted to a URL carrying a code and a state.
        if not settings.SSO_ENABLED or "nonce" not in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    # The token exchange --------------------------------------------------------------------

    def get_token(self, payload):
        try:
            answer = super().get_token(payload)
        except requests.exceptions.JSONDecodeError as error:
            raise SignInRefused("provider_garbage") from error
        except requests.HTTPError as error:
            # 4xx: the provider refused the code (used, expired, or the PKCE verifier
            # does not match); 5xx: it is failing.
            if error.response is not None and error.response.status_code < 500:
                raise SignInRefused("code_refused") from error
            raise SignInRefused("provider_unreachable") from error
        except requests.RequestException as error:
            raise SignInRefused("provider_unreachable") from error
        if not isinstance(answer, dict) or not isinstance(answer.get("id_token"), str):
            raise SignInRefused("provider_garbage")
        return answer

    # The ID token ------------------------------------------------------------------------

    def verify_token(self, token, **kwargs):
        try:
            algorithm = jwt.get_unverified_header(token).get("alg")
        except jwt.InvalidTokenError as error:
            raise SignInRefused("invalid_token") from error
        # Before any key is looked up: `none`, and any algorithm but the one configured,
        # are refused outright (no key confusion between RS256 and HS256).
        if algorithm != self.OIDC_RP_SIGN_ALGO:
            raise SignInRefused("unsupported_algorithm")
        try:
            return super().verify_token(token, **kwargs)
        except SuspiciousOperation as error:
            # The library's one refusal left to it here (the others are ours, below):
            # the token's nonce is not the one this sign-in sent.
            raise SignInRefused("nonce") from error

    def retrieve_matching_jwk(self, token):
        try:
            return super().retrieve_matching_jwk(token)
        except SuspiciousOperation as error:
            # No key of the provider's has the token's key id: not signed by it.
            raise SignInRefused("bad_signature") from error
        except requests.exceptions.JSONDecodeError as error:
            raise SignInRefused("provider_garbage") from error
        except requests.RequestException as error:
            raise SignInRefused("provider_unreachable") from error
        except (KeyError, TypeError, AttributeError, jwt.PyJWKError) as error:
            raise SignInRefused("provider_garbage") from error

    def _verify_jws(self, payload, key):
        # The library's decodes with the audience unchecked and the issuer not asked for.
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=provider.metadata()["issuer"],
                leeway=settings.SSO_CLOCK_SKEW_SECONDS,
                options={"require": ["iss", "aud", "sub", "exp", "iat"]},
            )
        except jwt.InvalidTokenError as error:
            for kind, reason in TOKEN_ERRORS:  # pragma: no branch (the last is the base)
                if isinstance(error, kind):
                    raise SignInRefused(reason) from error

    # The account -------------------------------------------------------------------------

    def get_userinfo(self, access_token, id_token, payload):
        # The claims of the verified ID token: Entra ID sends groups and app roles there
        # alone (its userinfo endpoint does not carry them).
        return payload

    def verify_claims(self, claims):
        if not isinstance(claims["sub"], str) or not claims["sub"].strip():
            raise SignInRefused("invalid_token")
        self.roles = roles_for(claims.get(settings.SSO_GROUPS_CLAIM))
        if not self.roles:
            # Someone who has left every mapped group: no account is made, and one made
            # before loses its roles now, not only at its next successful sign-in.
            for user in self.filter_users_by_claims(claims):
                self.set_roles(user, before=role_names(user.groups.all()))
            raise SignInRefused("no_mapped_group", username=self.username_from(claims))
        return True

    def username_from(self, claims):
        for name in ("preferred_username", "email"):
            if isinstance(claims.get(name), str) and claims[name].strip():
                return claims[name].strip()[:150]
        return claims["sub"].strip()[:150]  # a non-empty string (verify_claims)

    def filter_users_by_claims(self, claims):
        return self.UserModel.objects.filter(
            signin_identity__issuer=claims["iss"], signin_identity__subject=claims["sub"]
        )

    @transaction.atomic  # the account, its identity and its roles together, or nothing
    def create_user(self, claims):
        username = self.username_from(claims)
        if self.UserModel.objects.filter(username__iexact=username).exists():
            raise SignInRefused("username_taken", username=username)
        user = self.UserModel(username=username)
        user.set_unusable_password()
        self.copy_profile(user, claims)
        user.save()
        SignInIdentity.objects.create(user=user, issuer=claims["iss"], subject=claims["sub"])
        self.set_roles(user, before="none")
        return user

    @transaction.atomic
    def update_user(self, user, claims):
        self.copy_profile(user, claims)
        user.save()
        self.set_roles(user, before=role_names(user.groups.all()))
        return user

    def copy_profile(self, user, claims):
        user.email = claims.get("email") if isinstance(claims.get("email"), str) else ""
        user.first_name = str(claims.get("given_name") or claims.get("name") or "")[:150]
        user.last_name = str(claims.get("family_name") or "")[:150]

    def set_roles(self, user, before):
        """Exactly the mapped roles; each change recorded."""
        user.groups.set(self.roles)
        after = role_names(self.roles)
        if after != before:
            events.record(
                self.request,
                SignInEvent.ROLES_CHANGED,
                SignInEvent.SSO,
                user=user,
                detail=f"{before} -> {after}",
            )
