"""A release: drafts of pages and snippets, each signed off, published together.

A `Release` holds `ReleaseItem`s, each a page's or snippet's revision, recorded when it
was added. It is scheduled (or published now) only when every item's revision passed
the sign-off workflow and is still its object's latest (an item edited since it was
added is shown as changed, and must be added again and signed off again). Publishing it
is all or nothing (releases/publishing.py).
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from wagtail.models import Revision, WorkflowState


class Release(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "draft"
        SCHEDULED = "scheduled", "scheduled"
        PUBLISHED = "published", "published"
        FAILED = "failed", "failed"

    name = models.CharField(
        max_length=255, help_text="What goes live together, e.g. 'Ofsted report, 14 June'."
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    go_live_at = models.DateTimeField(
        "go-live time",
        null=True,
        blank=True,
        help_text="When it is to be published, once it is scheduled.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    failure = models.TextField(
        blank=True, editable=False, help_text="Why it last failed to publish: which item, and why."
    )

    def __str__(self):
        return self.name

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "go_live_at"])]


class ReleaseItem(models.Model):
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="items")
    # The page or snippet, as Wagtail's revisions name it (Page for every page type).
    base_content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=255)
    # The draft it was added with; null once it is gone (its page or snippet deleted).
    revision = models.ForeignKey(Revision, null=True, on_delete=models.SET_NULL, related_name="+")
    # What it was called when added: still said if it is deleted.
    label = models.CharField(max_length=255)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.label

    def problem(self):
        """Why it cannot go live as it stands, in a sentence, or None."""
        if self.revision is None:
            return "it has been deleted"
        latest = self.revision.content_object.latest_revision_id
        if latest != self.revision_id:
            return "it was edited after it was added: add it again, and have it signed off"
        if not is_signed_off(self.revision):
            return "it has not been signed off (submit it to Moderators approval)"
        return None

    @property
    def state(self):
        """Its state, as the admin shows it."""
        return self.problem() or "signed off"

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "base_content_type", "object_id"],
                name="one_item_per_object_in_a_release",
            )
        ]


def is_signed_off(revision):
    """Whether the sign-off workflow approved this revision: a finished, approved workflow
    whose last task approved it."""
    return WorkflowState.objects.filter(
        status=WorkflowState.STATUS_APPROVED, current_task_state__revision=revision
    ).exists()


def open_items_of(obj):
    """The items of releases not yet published that hold this page or snippet."""
    return ReleaseItem.objects.filter(
        base_content_type=obj.get_base_content_type(),
        object_id=str(obj.pk),
    ).exclude(release__status=Release.Status.PUBLISHED)


def add(release, obj, user=None):
    """Add the page's or snippet's latest draft to the release (again, if it is there:
    its newer draft replaces the one added before)."""
    revision = obj.latest_revision
    item, _ = ReleaseItem.objects.update_or_create(
        release=release,
        base_content_type=obj.get_base_content_type(),
        object_id=str(obj.pk),
        defaults={
            "revision": revision,
            "label": str(revision.object_str or obj)[:255],
            "added_by": user,
            "added_at": timezone.now(),
        },
    )
    return item
