"""What publishing does for governance, for each governed model (connected with `sender=`):
a review-by date where there is none, and a major change's note into the page's public
history; then the next edit starts afresh, at a minor change with no note."""

from django.utils import timezone
from wagtail.models import Page
from wagtail.signals import page_published, published

from .models import (
    ChangeNotesMixin,
    a_year_after,
    governed_models,
    save_outside_revisions,
)


def on_published(sender, instance, **kwargs):
    if not instance.live:  # scheduled for later: this runs again when it goes live
        return
    values = {}
    if instance.review_by is None:
        instance.review_by = a_year_after(timezone.localdate(instance.last_published_at))
        values["review_by"] = instance.review_by
    if isinstance(instance, ChangeNotesMixin):
        if instance.change_kind == ChangeNotesMixin.ChangeKind.MAJOR:
            entry = {"at": instance.last_published_at.isoformat(), "note": instance.change_note}
            instance.change_history = [entry, *instance.change_history]
            type(instance)._default_manager.filter(pk=instance.pk).update(
                change_history=instance.change_history
            )
        # Left as they are on the instance: the webhook's receiver reads which kind it was.
        values.update(change_kind=ChangeNotesMixin.ChangeKind.MINOR, change_note="")
    if values:
        save_outside_revisions(instance, **values)


def connect_signals():
    for model in governed_models():
        # A page's publish sends both signals: page_published carries the specific page.
        signal = page_published if issubclass(model, Page) else published
        signal.connect(on_published, sender=model, dispatch_uid="governance.published")
