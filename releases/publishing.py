"""Scheduling and publishing a release: all of it, in one transaction, or none of it.

Publishing checks each item (releases/models.py: signed off, not edited since it was
added, not deleted), validates its draft and publishes it (Wagtail's
`revision.publish()`), every item inside one `transaction.atomic()`. The first item
that fails rolls all of them back: nothing goes live, and the release is marked failed,
saying which item and why. The change pipeline collects the items' changes
(`changes.together`) and hands them on as one group as the last item is published: one
`release.published` event, then the items' events, and one retirement (one CDN purge)
of all their surrogate keys, all in the release's transaction.

The scheduler (`manage.py publish_scheduled`, releases/management/commands/) publishes
every scheduled release whose go-live time has passed: so one due while it was not
running goes live when it runs again.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from core import changes

from .models import Release

logger = logging.getLogger("cms.releases")

PUBLISHED_EVENT = "release.published"


class NotReady(Exception):
    """The release cannot be scheduled or published as it stands: `problems` says why."""

    def __init__(self, problems):
        super().__init__("; ".join(problems))
        self.problems = problems


class ItemFailed(Exception):
    def __init__(self, item, reason):
        super().__init__(f"'{item.label}': {reason}")


def problems_of(release):
    """Why each item that cannot go live cannot, e.g. "'Fair': it has not been signed off"."""
    items = items_of(release)
    if not items:
        return ["it has no items"]
    return [f"'{item.label}': {problem}" for item in items if (problem := item.problem())]


def items_of(release):
    return list(release.items.select_related("revision"))


def schedule(release, go_live_at, user=None):
    """Schedule the release for `go_live_at`; raises NotReady if an item is not signed off."""
    problems = problems_of(release)
    if problems:
        raise NotReady(problems)
    release.status = Release.Status.SCHEDULED
    release.go_live_at = go_live_at
    release.failure = ""
    release.save(update_fields=["status", "go_live_at", "failure"])
    log(release, "releases.schedule", user=user, data={"go_live_at": go_live_at.isoformat()})


def unschedule(release, user=None):
    release.status = Release.Status.DRAFT
    release.save(update_fields=["status"])
    log(release, "releases.unschedule", user=user)


def publish(release, user=None):
    """Publish every item of the release, or none: True if it went live; else it is
    marked failed, with which item and why."""
    try:
        with transaction.atomic():
            # Held until it commits: the scheduler and an editor cannot both publish it.
            current = Release.objects.select_for_update().get(pk=release.pk)
            if current.status == Release.Status.PUBLISHED:
                return False
            items = items_of(release)
            if not items:
                raise NotReady(["it has no items"])
            with changes.together(release, PUBLISHED_EVENT):
                for item in items:
                    publish_item(item, user)
            release.status = Release.Status.PUBLISHED
            release.published_at = timezone.now()
            release.failure = ""
            release.save(update_fields=["status", "published_at", "failure"])
            log(release, "releases.publish", user=user)
    except (ItemFailed, NotReady) as error:
        fail(release, str(error), user)
        return False
    except Exception as error:  # a failure must leave the release failed, and say why
        logger.exception("Could not publish the release %s", release.pk)
        fail(release, f"it could not be published ({error})", user)
        return False
    return True


def publish_item(item, user):
    problem = item.problem()
    if problem is not None:
        raise ItemFailed(item, problem)
    draft = item.revision.as_object()
    if getattr(draft, "locked", False):
        raise ItemFailed(item, "it is locked: unlock it, then publish the release again")
    if draft.go_live_at and draft.go_live_at > timezone.now():
        # Wagtail would only schedule it: the release's time is the one that counts.
        raise ItemFailed(item, "it has a go-live time of its own: clear it, and add it again")
    try:
        draft.full_clean()
    except ValidationError as error:
        raise ItemFailed(item, f"its draft is not valid ({what_is_wrong(error)})") from error
    # The sign-off is the permission: the moderator approved this very revision.
    try:
        item.revision.publish(user=user, skip_permission_checks=True)
    except Exception as error:
        raise ItemFailed(item, f"it could not be published ({error})") from error


def what_is_wrong(error):
    """A model's validation error in a sentence, each field's messages after its name."""
    return "; ".join(
        f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
    )


def fail(release, reason, user=None):
    Release.objects.filter(pk=release.pk).update(status=Release.Status.FAILED, failure=reason)
    release.status, release.failure = Release.Status.FAILED, reason
    log(release, "releases.fail", user=user, data={"reason": reason})
    logger.warning("The release %s failed to publish: %s", release.pk, reason)


def publish_due(now=None):
    """Publish every scheduled release whose go-live time has passed, earliest first;
    return them, each with whether it went live."""
    due = Release.objects.filter(
        status=Release.Status.SCHEDULED, go_live_at__lte=now or timezone.now()
    ).order_by("go_live_at", "pk")
    return [(release, publish(release)) for release in due]
