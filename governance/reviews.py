"""Content due for review: what the report lists, the dashboard counts and the reminders
name; and "reviewed, no change", which moves a review date on. The report also lists the
translations out of date against their source (translations/outdated.py), whatever their
review date."""

import datetime
from dataclasses import dataclass
from itertools import groupby

from django.utils import timezone
from django.utils.text import capfirst
from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.log_actions import log
from wagtail.models import Page

from translations.outdated import outdated_translations

from .models import (
    DUE_SOON_DAYS,
    ReviewMixin,
    governed_models,
    next_review_date,
    save_outside_revisions,
)

REVIEWED_ACTION = "governance.reviewed"


@dataclass
class DueItem:
    """A page or snippet whose review is overdue or due soon, as the report shows it."""

    obj: ReviewMixin
    section: str
    outdated_translation: bool = False

    @property
    def title(self):
        return self.obj.title if isinstance(self.obj, Page) else str(self.obj)

    @property
    def kind(self):
        return capfirst(self.obj._meta.verbose_name)

    @property
    def owner(self):
        return self.obj.owner_label

    @property
    def review_by(self):
        return self.obj.review_by

    @property
    def overdue(self):
        return self.review_by is not None and self.review_by < timezone.localdate()

    @property
    def due(self):
        return self.review_by is not None and self.review_by <= due_soon_cutoff()

    @property
    def status(self):
        review = ("Overdue" if self.overdue else "Due soon") if self.due else ""
        translation = "Translation out of date" if self.outdated_translation else ""
        return "; ".join(filter(None, [review, translation]))


def due_soon_cutoff():
    return timezone.localdate() + datetime.timedelta(days=DUE_SOON_DAYS)


def section_titles():
    """Each section's title by its tree path: the home page, and the pages below it (the
    page types' tree puts every page under one of those)."""
    return dict(Page.objects.filter(depth__in=[2, 3]).values_list("path", "title"))


def section_of(obj, titles):
    if isinstance(obj, Page):
        return titles.get(obj.path[: Page.steplen * 3]) or titles.get(obj.path, "")
    return capfirst(obj._meta.verbose_name_plural)


def due_items(narrow=lambda queryset: queryset, until=None):
    """Everything with a review date on or before `until` (default: due within
    DUE_SOON_DAYS), soonest first; `narrow` filters each model's queryset (the report's
    owner and section filters)."""
    until = until or due_soon_cutoff()
    titles = section_titles()
    items = []
    for model in governed_models():
        due = model._default_manager.filter(review_by__lte=until).select_related("content_owner")
        items.extend(DueItem(obj, section_of(obj, titles)) for obj in narrow(due))
    return sorted(items, key=lambda item: (item.review_by, item.title))


def with_outdated_translations(items, narrow=lambda queryset: queryset):
    """The due items and every translation out of date (as `narrow` leaves them), each
    once and marked so: due ones first, soonest first, then the others by title."""
    titles = section_titles()
    listed = {(type(item.obj), item.obj.pk): item for item in items}
    outdated = sorted((page for page, _ in outdated_translations()), key=type_name)
    extra = []
    for model, pages in groupby(outdated, key=type):
        kept = narrow(model._default_manager.filter(pk__in=[page.pk for page in pages]))
        for page in kept.select_related("content_owner"):
            if (model, page.pk) in listed:
                listed[(model, page.pk)].outdated_translation = True
            else:
                extra.append(DueItem(page, section_of(page, titles), outdated_translation=True))
    return [*items, *sorted(extra, key=lambda item: item.title)]


def type_name(obj):
    return type(obj)._meta.label


def next_due_after(day, narrow=lambda queryset: queryset):
    """The item whose review falls due first after `day`, or None; `narrow` as for
    due_items."""
    titles = section_titles()
    firsts = []
    for model in governed_models():
        later = narrow(model._default_manager.filter(review_by__gt=day))
        if first := later.order_by("review_by", "pk").first():
            firsts.append(DueItem(first, section_of(first, titles)))
    return min(firsts, key=lambda item: (item.review_by, item.title), default=None)


def due_counts():
    """How many items are overdue, and how many more are due within DUE_SOON_DAYS."""
    today, cutoff = timezone.localdate(), due_soon_cutoff()
    overdue = soon = 0
    for model in governed_models():
        due = model._default_manager.filter(review_by__lte=cutoff)
        overdue += due.filter(review_by__lt=today).count()
        soon += due.filter(review_by__gte=today).count()
    return {"overdue": overdue, "due_soon": soon}


def overdue_by_owner():
    """Overdue items grouped by the address their reminder goes to; those without an
    owner (or whose owner has no e-mail address) are left out."""
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    by_owner = {}
    for item in due_items(until=yesterday):
        if address := item.obj.owner_address:
            by_owner.setdefault(address.lower(), []).append(item)
    return by_owner


def edit_url(obj):
    """The path of the object's edit view (the e-mails put WAGTAILADMIN_BASE_URL before it)."""
    return AdminURLFinder().get_edit_url(obj)


def mark_reviewed(obj, user):
    """ "Reviewed, no change": the next review is due 12 months from today. Nothing is
    published (nothing changed), and the action is logged in the object's history."""
    review_by = next_review_date()
    save_outside_revisions(obj, review_by=review_by)
    log(
        instance=obj,
        action=REVIEWED_ACTION,
        user=user,
        data={"review_by": review_by.isoformat()},
    )
    return review_by
