"""Single sign-on's three steps (mozilla-django-oidc's views, with the provider's endpoints
from its discovery document and every failure answered with a page saying why), and
signing out of the admin, and of the provider where it offers end-session."""

from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.generic import View
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView
from wagtail.admin.views.account import LogoutView

from . import events, provider
from .models import SignInEvent
from .refusals import SignInRefused


def refuse(request, refusal):
    """The refusal recorded, and a page saying what went wrong in plain words."""
    events.record(
        request,
        SignInEvent.REFUSED,
        SignInEvent.SSO,
        username=refusal.username,
        reason=refusal.reason,
    )
    return render(
        request,
        "signin/refused.html",
        {"message": refusal.message, "reason": refusal.reason},
        status=refusal.status,
    )


class SignInStartView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider with a new state, nonce and PKCE challenge
    (kept in the session for the callback)."""

    def __init__(self, **kwargs):
        # Not the library's __init__, which reads the authorisation endpoint from settings.
        View.__init__(self, **kwargs)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get(self, request):
        if not settings.SSO_ENABLED:
            raise Http404("Single sign-on is off.")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider.metadata()["authorization_endpoint"]
        except SignInRefused as refusal:
            return refuse(request, refusal)
        return super().get(request)


class SignInCallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back: the library checks the state (once
    only) and has the backend exchange the code and check the token; any refusal is a
    page, with nothing made or changed."""

    def get(self, request):
        if not settings.SSO_ENABLED:
            raise Http404("Single sign-on is off.")
        try:
            return super().get(request)
        except SignInRefused as refusal:
            return refuse(request, refusal)
        except SuspiciousOperation:
            # The library's refusal of a state this session did not start, or used already.
            return refuse(request, SignInRefused("state"))

    @property
    def success_url(self):
        return self.request.session.get("oidc_login_next") or reverse("wagtailadmin_home")

    def login_failure(self):
        if self.request.GET.get("error"):
            reason = "provider_error"
        elif not hasattr(self, "user"):
            reason = "state"  # no sign-in under way in this session, or no code
        elif self.user is None:
            reason = "no_account"
        else:
            reason = "inactive"
        return refuse(self.request, SignInRefused(reason))


def end_session_url(request):
    """Where to send a single sign-on user's browser to sign out of the provider too: its
    end-session endpoint if it offers one and answers (else None, and the local sign-out
    goes ahead alone)."""
    if request.session.get(events.METHOD_KEY) != SignInEvent.SSO:
        return None
    try:
        endpoint = provider.metadata().get("end_session_endpoint")
    except SignInRefused:
        return None
    if not provider.is_url(endpoint):
        return None
    query = {
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("wagtailadmin_login")),
        # Which sign-in to end (kept in the session by the library at sign-in).
        "id_token_hint": request.session.get("oidc_id_token", ""),
    }
    return f"{endpoint}?{urlencode(query)}"


class SignOutView(LogoutView):
    """Wagtail's sign-out (the session ended, the sign-out recorded by events.py), then
    the provider's end-session for a single sign-on user."""

    def post(self, request, *args, **kwargs):
        self.provider_sign_out = end_session_url(request)  # while the session still says
        return super().post(request, *args, **kwargs)

    def get_success_url(self):
        return self.provider_sign_out or super().get_success_url()
