"""What the shared platform keeps in the database."""

from django.db import models
from django.utils import timezone


class Retirement(models.Model):
    """What one change retires, recorded in the change's own transaction and applied, a
    step at a time, until it succeeds (core/retirements.py)."""

    class Step(models.TextChoices):
        RETIRE = "retire", "new versions of the content and of the surrogate keys"
        PURGE = "purge", "the CDN's purge"
        PURGE_AGAIN = "purge again", "the CDN's purge, once app servers have seen the change"

    keys = models.JSONField(help_text="The surrogate keys the change retires.")
    step = models.CharField(max_length=12, choices=Step.choices, default=Step.RETIRE)
    due_at = models.DateTimeField(default=timezone.now)
    failures = models.PositiveIntegerField(default=0)  # of the current step, in a row
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.step}: {' '.join(self.keys)}"

    class Meta:
        indexes = [models.Index(fields=["due_at"], name="core_retirement_due_at")]
