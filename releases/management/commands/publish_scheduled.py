"""Wagtail's `publish_scheduled` (what is due goes live, what has expired is unpublished),
then every release whose go-live time has passed (releases/publishing.py). The
Procfile's scheduler runs it every minute: a release due while it was not running goes
live when it next runs."""

from django.utils import timezone
from wagtail.management.commands.publish_scheduled import Command as WagtailsCommand

from releases.models import Release
from releases.publishing import publish_due


class Command(WagtailsCommand):
    help = "Publish what is due (pages, snippets, releases); unpublish what has expired."

    def handle(self, *args, **options):
        super().handle(*args, **options)
        if options["dryrun"]:
            due = Release.objects.filter(
                status=Release.Status.SCHEDULED, go_live_at__lte=timezone.now()
            ).order_by("go_live_at")
            for release in due:
                self.stdout.write(f"Release to be published: {release.go_live_at} {release}")
            return
        for release, went_live in publish_due():
            if went_live:
                self.stdout.write(f"Published the release '{release}'.")
            else:
                self.stderr.write(f"The release '{release}' failed: {release.failure}")
