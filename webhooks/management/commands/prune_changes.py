from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db.models import Min
from django.utils import timezone

from cms import content_version
from webhooks.events import CHANGES_KEY
from webhooks.models import Change


class Command(BaseCommand):
    help = (
        "Delete the changes feed's events older than CHANGES_RETENTION_DAYS, with their "
        "webhook deliveries. Run it daily."
    )

    def handle(self, **options):
        cutoff = timezone.now() - timedelta(days=settings.CHANGES_RETENTION_DAYS)
        # Everything before the first event kept, so what is kept has no gaps (a cursor
        # is expired exactly when events after it are gone), and always the latest event
        # (a cursor at the end of a quiet feed stays valid).
        first_kept = (
            Change.objects.filter(occurred_at__gte=cutoff).aggregate(first=Min("pk"))["first"]
            or Change.objects.order_by("-pk").values_list("pk", flat=True).first()
        )
        if first_kept is None:
            return
        _, deleted = Change.objects.filter(pk__lt=first_kept).delete()
        pruned = deleted.get(Change._meta.label, 0)
        if pruned:
            content_version.retire({CHANGES_KEY})
        self.stdout.write(f"Pruned {pruned} events, from before {cutoff:%Y-%m-%d %H:%M %Z}.")
