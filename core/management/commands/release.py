"""The release step, run once for each deployment before its app servers start."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Collect the static files, migrate the database, register docs/queries as trusted "
        "documents and run the deployment checks (warnings fail too); the first step to "
        "fail stops the release with an error."
    )

    def handle(self, *args, **options):
        # Static files first: a release whose admin could not get its CSS or JavaScript
        # stops before it changes the database.
        call_command("collectstatic", interactive=False, verbosity=options["verbosity"])
        call_command("migrate", interactive=False, verbosity=options["verbosity"])
        # The documented queries are trusted documents wherever only those may run.
        call_command("register_documents", stdout=self.stdout)
        # Raises SystemCheckError (so exits non-zero) on any warning or error.
        call_command("check", deploy=True, fail_level="WARNING")
