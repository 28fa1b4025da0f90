"""Every sign-in recorded: a `SignInEvent` row (the admin's Reports > Sign-ins) and a log
line on `cms.signin` (JSON with the request id in production), for each success, refusal
(with its reason), sign-out and role change. Only names, reasons and role names are
recorded: never a password, code, token or secret.

Password sign-ins are recorded from Django's auth signals and django-axes' lockout signal;
single sign-on and the second factor record their own outcomes where they decide them."""

import logging
import time

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from core.clients import client_address, is_address
from core.request_context import context_of

from .models import SignInEvent

logger = logging.getLogger("cms.signin")

# What the session says about how its user signed in (set at sign-in, read by the
# middleware and the sign-out), and when.
METHOD_KEY = "signin_method"
SIGNED_IN_AT_KEY = "signin_at"
SSO_BACKEND = "signin.backends.CouncilOIDCBackend"


def record(request, kind, method="", *, user=None, username="", reason="", detail=""):
    if user is not None and not username:
        username = user.get_username()
    request_id = context_of(request).request_id if request is not None else ""
    address = client_address(request) if request is not None else None
    SignInEvent.objects.create(
        kind=kind,
        method=method,
        user=user,
        username=username[:255],
        reason=reason,
        detail=detail[:255],
        request_id=request_id,
        ip_address=address if address and is_address(address) else None,
    )
    level = logging.WARNING if kind == SignInEvent.REFUSED else logging.INFO
    logger.log(
        level,
        "sign-in: %s",
        kind,
        extra={
            "event": kind,
            "method": method,
            "username": username,
            "user_id": getattr(user, "pk", None),
            "reason": reason,
            "detail": detail,
        },
    )


def method_of(user):
    return SignInEvent.SSO if getattr(user, "backend", "") == SSO_BACKEND else SignInEvent.PASSWORD


def signed_in(sender, request, user, **kwargs):
    method = method_of(user)
    request.session[METHOD_KEY] = method  # login() has always given the request a session
    request.session[SIGNED_IN_AT_KEY] = time.time()
    record(request, SignInEvent.SIGNED_IN, method, user=user)


def refused_password(sender, credentials, request=None, **kwargs):
    # Django has already replaced the password in `credentials` with stars; only the
    # username is kept. A single sign-on callback has none: it records its own refusal.
    username = credentials.get("username") or ""
    # django-axes has flagged a locked-out attempt by now: `locked_out` records that.
    if username and not getattr(request, "axes_locked_out", False):
        record(
            request,
            SignInEvent.REFUSED,
            SignInEvent.PASSWORD,
            username=username,
            reason="wrong_password",
        )


def locked_out(sender, request, username, ip_address, **kwargs):
    record(
        request,
        SignInEvent.REFUSED,
        SignInEvent.PASSWORD,
        username=username or "",
        reason="locked_out",
    )


def signed_out(sender, request, user, **kwargs):
    if user is None:  # signing out when not signed in
        return
    method = request.session.get(METHOD_KEY, "")
    # The sign-in policy (middleware.py) says when it is the session's age that ends it.
    reason = getattr(request, "signin_sign_out_reason", "")
    record(request, SignInEvent.SIGNED_OUT, method, user=user, reason=reason)


def subscribe():
    user_logged_in.connect(signed_in, dispatch_uid="signin.signed_in")
    user_login_failed.connect(refused_password, dispatch_uid="signin.refused_password")
    user_locked_out.connect(locked_out, dispatch_uid="signin.locked_out")
    user_logged_out.connect(signed_out, dispatch_uid="signin.signed_out")
