"""Included under /admin/ before Wagtail's own URLs (cms/urls.py): outside Wagtail's
`require_admin_access`, as single sign-on's steps and the second factor come before it."""

from django.urls import path

from . import second_factor, views

app_name = "signin"

urlpatterns = [
    path("sso/start/", views.SignInStartView.as_view(), name="start"),
    path("sso/callback/", views.SignInCallbackView.as_view(), name="callback"),
    path("second-factor/", second_factor.SecondFactorView.as_view(), name="second_factor"),
    # In place of Wagtail's own sign-out, at the same address.
    path("logout/", views.SignOutView.as_view(), name="sign_out"),
]
