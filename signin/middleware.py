"""What a signed-in session must satisfy on every request: no older than
SIGNIN_SESSION_MAX_AGE since its sign-in (a leaver's access ends with it), and a local
password sign-in that needs a second factor has passed it (signin/second_factor.py)
before it reaches anything but the second-factor page and sign-out."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from . import events
from .second_factor import needs_second_factor


class SignInPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            if self.too_old(request):
                request.signin_sign_out_reason = "session_max_age"
                logout(request)
                return redirect(reverse("wagtailadmin_login"))
            if needs_second_factor(request) and not self.open_before_second_factor(request):
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('signin:second_factor')}?{query}")
        return self.get_response(request)

    def too_old(self, request):
        signed_in_at = request.session.get(events.SIGNED_IN_AT_KEY)
        if signed_in_at is None:
            # A session from before this rule: its time starts now.
            request.session[events.SIGNED_IN_AT_KEY] = time.time()
            return False
        return time.time() - signed_in_at > settings.SIGNIN_SESSION_MAX_AGE

    def open_before_second_factor(self, request):
        open_paths = (
            reverse("signin:second_factor"),
            reverse("wagtailadmin_logout"),
            # What the second-factor page itself loads: translations and icons.
            reverse("wagtailadmin_javascript_catalog"),
            reverse("wagtailadmin_sprite"),
            settings.STATIC_URL,
        )
        return request.path.startswith(open_paths)
