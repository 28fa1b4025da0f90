"""The admin's record of webhook deliveries (Settings > Webhook deliveries): read-only,
with a re-send.

Seen by superusers and by groups given "Can view webhook delivery"; re-sent by those
given "Can re-send webhook deliveries". No one adds, edits or deletes a delivery: those
views are not there (`manage.py prune_changes` removes old ones with their events).
"""

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.views.generic import TemplateView
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import Button

from .models import Delivery
from .tasks import resend


class DeliveryIndexView(generic.IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("change")
            .annotate(attempt_count=Count("attempts"))
        )


class DeliveryInspectView(generic.InspectView):
    resend_url_name = None

    def get_webhook_id_display_value(self):
        return self.object.webhook_id

    def get_body_display_value(self):
        return format_html("<pre>{}</pre>", self.object.body)

    def get_attempts_display_value(self):
        attempts = self.object.attempts.all()
        if not attempts:
            return "None yet"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{} ms</td></tr>",
            (
                (
                    f"{localtime(attempt.attempted_at):%Y-%m-%d %H:%M:%S}",
                    attempt.outcome,
                    attempt.duration_ms,
                )
                for attempt in attempts
            ),
        )
        return format_html(
            '<table class="listing"><thead><tr><th>Time</th><th>Outcome</th>'
            "<th>Took</th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    @property
    def header_more_buttons(self):
        if not self.user_has_permission("resend"):
            return []
        url = reverse(self.resend_url_name, args=[self.object.pk])
        return [Button("Re-send", url=url, icon_name="resubmit", priority=10)]


class ResendView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """GET asks to confirm; POST queues the delivery again: an attempt now, then retries
    on the schedule if it fails."""

    model = Delivery
    permission_required = "resend"
    template_name = "webhooks/confirm_resend.html"
    page_title = "Re-send"
    header_icon = "resubmit"
    inspect_url_name = None

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.object = get_object_or_404(Delivery.objects.select_related("change"), pk=kwargs["pk"])

    def get_page_subtitle(self):
        return str(self.object)

    def get_context_data(self, **kwargs):
        inspect_url = reverse(self.inspect_url_name, args=[self.object.pk])
        return super().get_context_data(object=self.object, inspect_url=inspect_url, **kwargs)

    def post(self, request, pk):
        if resend(self.object):
            messages.success(request, f"Re-sending {self.object}.")
        else:
            messages.warning(request, f"{self.object} is already waiting to be sent.")
        return redirect(self.inspect_url_name, pk)


class DeliveryViewSet(ModelViewSet):
    model = Delivery
    icon = "resubmit"
    menu_label = "Webhook deliveries"
    add_to_settings_menu = True
    index_view_class = DeliveryIndexView
    inspect_view_class = DeliveryInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        "change",
        "url",
        "state",
        Column("attempt_count", label="Attempts"),
        "queued_at",
    ]
    list_filter = ["state"]
    inspect_view_fields = ["change", "webhook_id", "url", "state", "queued_at", "body", "attempts"]
    ordering = ["-pk"]

    def get_common_view_kwargs(self, **kwargs):
        # Read-only: no links to the views a delivery does not have.
        return super().get_common_view_kwargs(
            add_url_name=None,
            edit_url_name=None,
            delete_url_name=None,
            history_url_name=None,
            usage_url_name=None,
            **kwargs,
        )

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            resend_url_name=self.get_url_name("resend"), **kwargs
        )

    @property
    def resend_view(self):
        return ResendView.as_view(inspect_url_name=self.get_url_name("inspect"))

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("resend/<int:pk>/", self.resend_view, name="resend"),
        ]
