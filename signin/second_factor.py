"""The second factor for local password accounts (django-otp): an authenticator app
(TOTP), set up at the first sign-in that needs it, with ten single-use recovery codes
shown once. Required for superusers, and for every local account while single sign-on
is on (`second_factor_required`); asked of anyone who has set one up.

django-otp's devices throttle wrong codes themselves (each failure doubles the wait), as
django-axes throttles the password step before it."""

import base64

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.generic import View
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import events
from .models import SignInEvent

RECOVERY_CODES = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


def second_factor_required(user):
    if user.get_username() in settings.SIGNIN_SECOND_FACTOR_EXEMPT:
        return False
    if not settings.SIGNIN_SECOND_FACTOR_REQUIRED:
        return False
    return user.is_superuser or settings.SSO_ENABLED


def needs_second_factor(request):
    """Whether this signed-in session must pass the second factor before anything else.
    Single sign-on users have passed the provider's own."""
    user = request.user
    if request.session.get(events.METHOD_KEY) == SignInEvent.SSO or user.is_verified():
        return False
    return second_factor_required(user) or user_has_device(user, confirmed=True)


def pending_app_device(user):
    """The authenticator app being set up: the same secret until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def new_recovery_codes(user):
    """Ten new single-use codes, replacing any earlier ones."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@method_decorator(login_required, name="dispatch")
class SecondFactorView(View):
    def next_url(self):
        given = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if url_has_allowed_host_and_scheme(
            given, {self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return given
        return reverse("wagtailadmin_home")

    def get(self, request):
        if request.user.is_verified():
            return redirect(self.next_url())
        return self.form(request)

    def post(self, request):
        if request.user.is_verified():
            return redirect(self.next_url())
        code = "".join(request.POST.get("code", "").split())
        if user_has_device(request.user, confirmed=True):
            return self.check(request, code)
        return self.confirm_app(request, code)

    def check(self, request, code):
        for device in devices_for_user(request.user, confirmed=True, for_verify=True):
            if code and device.verify_token(code):
                otp_login(request, device)
                events.record(
                    request, SignInEvent.SIGNED_IN, SignInEvent.SECOND_FACTOR, user=request.user
                )
                return redirect(self.next_url())
        return self.refuse(request)

    def confirm_app(self, request, code):
        device = pending_app_device(request.user)
        if not (code and device.verify_token(code)):
            return self.refuse(request)
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = new_recovery_codes(request.user)
        otp_login(request, device)
        events.record(
            request,
            SignInEvent.SIGNED_IN,
            SignInEvent.SECOND_FACTOR,
            user=request.user,
            detail="authenticator app set up",
        )
        return render(
            request,
            "signin/recovery_codes.html",
            {"codes": codes, "next": self.next_url()},
        )

    def refuse(self, request):
        events.record(
            request,
            SignInEvent.REFUSED,
            SignInEvent.SECOND_FACTOR,
            user=request.user,
            reason="wrong_second_factor",
        )
        return self.form(request, error=True, status=400)

    def form(self, request, error=False, status=200):
        context = {"next": self.next_url(), "error": error}
        if not user_has_device(request.user, confirmed=True):
            device = pending_app_device(request.user)
            context["setup"] = {
                # Drawn on the server as SVG: the secret never leaves for another site.
                "qr_code": mark_safe(segno.make(device.config_url).svg_inline(scale=4)),  # noqa: S308
                "secret": base64.b32encode(device.bin_key).decode(),
            }
        return render(request, "signin/second_factor.html", context, status=status)
