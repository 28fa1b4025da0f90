from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .report import SignInReportView


@hooks.register("register_admin_urls")
def register_sign_in_report_urls():
    return [
        path("reports/sign-ins/", SignInReportView.as_view(), name="signin_report"),
        path(
            "reports/sign-ins/results/",
            SignInReportView.as_view(results_only=True),
            name="signin_report_results",
        ),
    ]


class SignInReportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("signin.view_signinevent")


@hooks.register("register_reports_menu_item")
def register_sign_in_report_menu_item():
    return SignInReportMenuItem(
        "Sign-ins", reverse("signin_report"), name="sign-ins", icon_name="key", order=1100
    )
