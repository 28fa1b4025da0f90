from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from core import retirements
from webhooks.events import CHANGES_KEY
from webhooks.models import Change


class Command(BaseCommand):
    help = (
        "Delete the changes feed's events older than CHANGES_RETENTION_DAYS, with their "
        "webhook deliveries. Run it daily."
    )

    def handle(self, **options):
        cutoff = timezone.now() - timedelta(days=settings.CHANGES_RETENTION_DAYS)
        # Everything before the first event kept (which then records the last one
        # pruned, for the feed to tell an expired cursor), and never the latest event (a
        # cursor at the end of a quiet feed stays valid).
        first_kept = (
            Change.objects.filter(occurred_at__gte=cutoff).aggregate(first=Min("pk"))["first"]
            or Change.objects.order_by("-pk").values_list("pk", flat=True).first()
        )
        pruned = Change.objects.filter(pk__lt=first_kept or 0)  # none in an empty feed
        last_pruned = pruned.aggregate(last=Max("pk"))["last"]
        with transaction.atomic():
            _, deleted = pruned.delete()
            if last_pruned is not None:
                Change.objects.filter(pk=first_kept).update(pruned_up_to=last_pruned)
                retirements.record({CHANGES_KEY})
        count = deleted.get(Change._meta.label, 0)
        self.stdout.write(f"Pruned {count} events, from before {cutoff:%Y-%m-%d %H:%M %Z}.")
