"""What publishing does for governance, at the change pipeline's first stage
(core/changes.py), for each governed model: a review-by date where there is none, and a
major change's note into the page's public history; then the next edit starts afresh,
at a minor change with no note."""

from django.utils import timezone

from .models import (
    ChangeNotesMixin,
    a_year_after,
    governed_models,
    save_outside_revisions,
)

PUBLISHING = ("page.published", "snippet.published")


def on_change(change):
    if change.event not in PUBLISHING or change.model not in _governed:
        return
    instance = change.instance
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
        values.update(change_kind=ChangeNotesMixin.ChangeKind.MINOR, change_note="")
    if values:
        save_outside_revisions(instance, **values)


# Filled once as the project starts, before any request or thread reads it: not locked.
_governed = set()


def subscribe():
    from core import changes

    _governed.update(governed_models())
    changes.subscribe("governance", on_change)
