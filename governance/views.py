"""The "Due for review" report (Wagtail's ReportView: filters, CSV and Excel export), and
the "Reviewed, no change" action its rows offer."""

import django_filters
from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.views.decorators.http import require_POST
from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.models import Page

from .models import DUE_SOON_DAYS, ReviewMixin, governed_models
from .reviews import (
    due_items,
    due_soon_cutoff,
    mark_reviewed,
    next_due_after,
    section_titles,
    with_outdated_translations,
)


def owner_choices():
    """The owners content has: people (by user id) and teams (by e-mail address)."""
    users, teams = {}, set()
    for model in governed_models():
        rows = model._default_manager.exclude(content_owner=None, content_owner_email="")
        for obj in rows.select_related("content_owner"):
            if obj.content_owner_id:
                users[f"user:{obj.content_owner_id}"] = obj.owner_label
            else:
                teams.add(obj.content_owner_email.lower())
    people = sorted(users.items(), key=lambda choice: choice[1].lower())
    return [*people, *((f"team:{email}", email) for email in sorted(teams))]


def section_choices():
    """The page tree's sections (the home page and each page below it), then each
    snippet type."""
    pages = [(f"page:{path}", title) for path, title in sorted(section_titles().items())]
    snippets = [
        (f"model:{model._meta.label_lower}", capfirst(model._meta.verbose_name_plural))
        for model in governed_models()
        if not issubclass(model, Page)
    ]
    return [*pages, *snippets]


class DueForReviewFilterSet(WagtailFilterSet):
    """Filters one governed model's queryset at a time (the report spans several)."""

    owner = django_filters.ChoiceFilter(
        label="Owner", choices=owner_choices, method="filter_owner", empty_label="Any owner"
    )
    section = django_filters.ChoiceFilter(
        label="Section",
        choices=section_choices,
        method="filter_section",
        empty_label="Any section",
    )

    def filter_owner(self, queryset, name, value):
        kind, _, key = value.partition(":")
        if kind == "user":
            return queryset.filter(content_owner_id=key)
        return queryset.filter(content_owner_email__iexact=key)

    def filter_section(self, queryset, name, value):
        kind, _, key = value.partition(":")
        model = queryset.model
        if kind == "page":
            if not issubclass(model, Page):
                return queryset.none()
            # The home page is a section of its own, not everything below it.
            within = Q(path=key) if len(key) == Page.steplen * 2 else Q(path__startswith=key)
            return queryset.filter(within)
        return queryset if model._meta.label_lower == key else queryset.none()


class ReviewedColumn(Column):
    """A "Reviewed, no change" button, for those who may edit the item."""

    cell_template_name = "governance/reviewed_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        request = parent_context["request"]
        context["may_edit"] = instance.edit_url is not None
        context["action_url"] = reviewed_url(instance.obj)
        context["csrf_token"] = get_token(request)
        # Back to the report as filtered (also when this is the filters' results fragment).
        query = request.GET.copy()
        query.pop("_w_filter_fragment", None)
        context["next_url"] = f"{reverse('governance:due_for_review')}?{query.urlencode()}"
        return context


class DueForReviewView(ReportView):
    page_title = "Due for review"
    header_icon = "date"
    index_url_name = "governance:due_for_review"
    index_results_url_name = "governance:due_for_review_results"
    filterset_class = DueForReviewFilterSet
    # Everyone who may use the admin sees what is due; what they cannot edit has neither
    # a link nor the button.
    columns = [
        TitleColumn("title", get_url=lambda item: item.edit_url),
        Column("kind", label="Type"),
        Column("section"),
        Column("owner"),
        # The date itself: Wagtail's DateColumn says "just now" of a date days ahead.
        Column(
            "review_by",
            label="Review by",
            accessor=lambda item: date_format(item.review_by) if item.review_by else "",
        ),
        Column("status"),
        ReviewedColumn("reviewed", label=""),
    ]
    list_export = ["title", "kind", "section", "owner", "review_by", "status"]
    export_headings = {
        "title": "Title",
        "kind": "Type",
        "section": "Section",
        "owner": "Owner",
        "review_by": "Review by",
        "status": "Status",
    }
    export_filename = "due-for-review"

    def get_filterset_kwargs(self):
        return {**super().get_filterset_kwargs(), "queryset": Page.objects.none()}

    @cached_property
    def narrow(self):
        """What the owner and section filters leave of one governed model's queryset."""
        filters = self.filters if self.filters and self.filters.is_valid() else None
        return filters.filter_queryset if filters else lambda queryset: queryset

    @cached_property
    def no_results_message(self):
        """What the report covers, and when the next item (of those filtered) falls due."""
        until = due_soon_cutoff()
        which = "matching these filters " if self.is_filtering else ""
        said = (
            f"Nothing {which}is overdue or due for review in the next {DUE_SOON_DAYS} days"
            f" (to {date_format(until)})."
        )
        following = next_due_after(until, narrow=self.narrow)
        if following is not None:
            return (
                f"{said} The next review falls due on {date_format(following.review_by)}:"
                f" {following.title} ({following.kind.lower()})."
            )
        if self.is_filtering:
            return f"{said} Nothing matching them has a later review date."
        return f"{said} Nothing has a later review date: content gets one when it is published."

    def get_queryset(self):
        items = with_outdated_translations(due_items(narrow=self.narrow), narrow=self.narrow)
        finder = AdminURLFinder(self.request.user)
        for item in items:
            item.edit_url = finder.get_edit_url(item.obj)
        return items

    def filter_queryset(self, queryset):
        return queryset  # filtered model by model in get_queryset


def reviewed_url(obj):
    return reverse("governance:reviewed", args=[obj._meta.app_label, obj._meta.model_name, obj.pk])


@require_POST
def reviewed(request, app_label, model_name, pk):
    """Mark an item "reviewed, no change", then go back where the button was."""
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError as missing:
        raise Http404 from missing
    if not issubclass(model, ReviewMixin):
        raise Http404
    obj = model._default_manager.filter(pk=pk).first()
    if obj is None:
        raise Http404
    if AdminURLFinder(request.user).get_edit_url(obj) is None:
        raise PermissionDenied
    review_by = mark_reviewed(obj, request.user)
    title = obj.title if isinstance(obj, Page) else str(obj)
    messages.success(request, f"“{title}” reviewed: next review by {review_by:%d %B %Y}.")
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("governance:due_for_review")
    return redirect(next_url)
