"""Reports > Sign-ins: every recorded sign-in, refusal, sign-out and role change, newest
first, filterable, exportable (Wagtail's ReportView); for superusers and any group given
"Can view sign-in event"."""

import django_filters
from django.utils.formats import date_format
from django.utils.timezone import localtime
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.reports import ReportView
from wagtail.permission_policies import ModelPermissionPolicy

from .models import SignInEvent


class SignInFilterSet(WagtailFilterSet):
    kind = django_filters.ChoiceFilter(choices=SignInEvent.KINDS, empty_label="Any")
    username = django_filters.CharFilter(lookup_expr="icontains", label="User")

    class Meta:
        model = SignInEvent
        fields = ["kind", "username"]


class SignInReportView(ReportView):
    page_title = "Sign-ins"
    header_icon = "key"
    index_url_name = "signin_report"
    index_results_url_name = "signin_report_results"
    filterset_class = SignInFilterSet
    permission_policy = ModelPermissionPolicy(SignInEvent)
    any_permission_required = ["view"]
    columns = [
        Column(
            "occurred_at",
            label="When",
            accessor=lambda event: date_format(localtime(event.occurred_at), "DATETIME_FORMAT"),
        ),
        Column("kind", label="What", accessor="get_kind_display"),
        Column("method", label="How", accessor="get_method_display"),
        Column("username", label="User"),
        Column("reason"),
        Column("detail"),
        Column("request_id", label="Request id"),
    ]
    list_export = ["occurred_at", "kind", "method", "username", "reason", "detail", "request_id"]

    def get_queryset(self):
        return SignInEvent.objects.all()
