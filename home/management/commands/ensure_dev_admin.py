"""Create the local development admin once, and print its login that one time."""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

USERNAME = "admin"
PASSWORD_FILE = Path(settings.BASE_DIR) / ".dev-admin-password"


class Command(BaseCommand):
    help = "Create a superuser for local development (refused unless DEBUG is on)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("ensure_dev_admin is for local development only (DEBUG is off).")
        users = get_user_model().objects
        if users.filter(username=USERNAME).exists():
            self.stdout.write(
                f"Dev admin '{USERNAME}' already exists; its password is in {PASSWORD_FILE.name}."
            )
            return
        password = secrets.token_urlsafe(12)
        users.create_superuser(USERNAME, "admin@example.invalid", password)
        PASSWORD_FILE.write_text(password + "\n", encoding="utf-8")
        PASSWORD_FILE.chmod(0o600)
        self.stdout.write(
            self.style.SUCCESS(
                f"Dev admin created. Log in at http://127.0.0.1:8000/admin/ as "
                f"'{USERNAME}' with password: {password}  (kept in {PASSWORD_FILE.name})"
            )
        )
