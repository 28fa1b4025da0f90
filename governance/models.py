"""What every page and snippet carries for its governance: an owner and a review-by date
(`ReviewMixin`); and, on pages, the public record of major changes (`ChangeNotesMixin`).

Both are abstract: their fields live on each content model's own table, read with the
rest of the row (no query of their own).
"""

import datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.models import Page, Revision

# The report and the dashboard count content whose review is due within this many days.
DUE_SOON_DAYS = 30


def a_year_after(day):
    """The same day a year on (28 February for 29 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def next_review_date():
    """The review-by date given now: 12 months from today."""
    return a_year_after(timezone.localdate())


class ReviewMixin(models.Model):
    """An owner (a person, or a team's e-mail address) and a review-by date."""

    content_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="owner",
        help_text="The person who keeps this up to date and is reminded when it is due.",
    )
    content_owner_email = models.EmailField(
        "owning team's e-mail",
        blank=True,
        help_text="Or, instead of a person, the e-mail address of the team that owns it.",
    )
    review_by = models.DateField(
        null=True,
        blank=True,
        help_text="When it must next be checked. Left empty, it is set to 12 months after "
        "publishing.",
    )

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.content_owner_id and self.content_owner_email:
            raise ValidationError(
                {"content_owner_email": "Give a person or a team's e-mail address, not both."}
            )

    @property
    def owner_label(self):
        """Who owns it, as the report shows it."""
        if self.content_owner_id:
            return self.content_owner.get_full_name() or self.content_owner.get_username()
        return self.content_owner_email

    @property
    def owner_address(self):
        """Where its reminders go: the owner's e-mail address, or the team's."""
        if self.content_owner_id:
            return self.content_owner.email
        return self.content_owner_email


REVIEW_PANEL = MultiFieldPanel(
    [FieldPanel("content_owner"), FieldPanel("content_owner_email"), FieldPanel("review_by")],
    heading="Owner and review",
)


class ChangeNotesMixin(models.Model):
    """Minor or major, chosen as a change is published; a major change's note is public.

    `change_kind` and `change_note` describe the change being made, and are reset once it
    is published. `change_history` is the record of published major changes, newest
    first ({"at": ISO 8601 time, "note": text}): kept on the page, never taken from a
    revision, and written only as a change is published (governance/signals.py).
    """

    class ChangeKind(models.TextChoices):
        MINOR = "minor", "Minor: a correction or small update; readers are not told"
        MAJOR = "major", "Major: readers should know; needs a public change note"

    change_kind = models.CharField(
        "this change",
        max_length=5,
        choices=ChangeKind.choices,
        default=ChangeKind.MINOR,
    )
    change_note = models.TextField(
        "public change note",
        blank=True,
        help_text="For a major change: what changed, in a sentence readers will see with "
        "today's date.",
    )
    change_history = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.change_kind == self.ChangeKind.MAJOR and not self.change_note.strip():
            raise ValidationError(
                {
                    "change_note": "A major change needs a public change note: say what "
                    "changed, for the page's readers."
                }
            )

    def with_content_json(self, content):
        # A revision's copy of the history is what it was then: the page's own is current.
        obj = super().with_content_json(content)
        obj.change_history = self.change_history
        return obj

    @property
    def is_major_change(self):
        """Whether the change being published moves `lastUpdated`: a first publish, or
        one marked major."""
        first_publish = self.first_published_at == self.last_published_at
        return first_publish or self.change_kind == self.ChangeKind.MAJOR

    @property
    def last_updated_at(self):
        """When it was first published, or last changed in a major way."""
        if self.change_history:
            return datetime.datetime.fromisoformat(self.change_history[0]["at"])
        return self.first_published_at

    @property
    def public_change_history(self):
        """The public change notes, newest first, dated in the council's time zone."""
        return [
            {
                "date": timezone.localdate(datetime.datetime.fromisoformat(entry["at"])),
                "note": entry["note"],
            }
            for entry in self.change_history
        ]


CHANGE_PANEL = MultiFieldPanel(
    [FieldPanel("change_kind", widget=forms.RadioSelect), FieldPanel("change_note")],
    heading="Publishing this change",
)


class GovernedPageMixin(ReviewMixin, ChangeNotesMixin):
    """Every page type's: an owner and review date, and its public change notes, both in
    the editor's Settings tab."""

    settings_panels = [CHANGE_PANEL, *Page.settings_panels, REVIEW_PANEL]
    # A copy is a new page: its history starts afresh, its review date at its first publish.
    exclude_fields_in_copy = ["change_history", "review_by"]

    class Meta:
        abstract = True


def governed_models():
    """Every model with an owner and a review-by date, pages first."""
    from django.apps import apps

    found = [model for model in apps.get_models() if issubclass(model, ReviewMixin)]
    return sorted(found, key=lambda model: (not issubclass(model, Page), model._meta.label))


def save_outside_revisions(obj, **values):
    """Save these values on the object's row and in its live and latest revisions, without
    a new revision or publishing anything: facts about the object (its review date, the
    change now being made) that the next edit, from either revision, must start from."""
    type(obj)._default_manager.filter(pk=obj.pk).update(**values)
    serialised = {
        name: value.isoformat() if isinstance(value, datetime.date) else value
        for name, value in values.items()
    }
    revision_ids = {obj.live_revision_id, obj.latest_revision_id} - {None}
    for revision in Revision.objects.filter(pk__in=revision_ids):
        revision.content.update(serialised)
        revision.save(update_fields=["content"])
