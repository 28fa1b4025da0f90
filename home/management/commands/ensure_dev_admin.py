"""Create the local development logins once, and print each one's password that one time:
`admin` (a superuser), `editor` (in Editors) and `moderator` (in Moderators), each with its
password kept in a git-ignored `.dev-<username>-password`."""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

# username: the group it is in (the roles come from governance's migration); None for
# the superuser.
DEV_LOGINS = {"admin": None, "editor": "Editors", "moderator": "Moderators"}


def password_file(username):
    return Path(settings.BASE_DIR) / f".dev-{username}-password"


class Command(BaseCommand):
    help = (
        "Create a superuser, an editor and a moderator for local development "
        "(refused unless DEBUG is on)."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("ensure_dev_admin is for local development only (DEBUG is off).")
        for username, group in DEV_LOGINS.items():
            self.ensure_login(username, group)

    def ensure_login(self, username, group):
        users = get_user_model().objects
        password_path = password_file(username)
        if users.filter(username=username).exists():
            self.stdout.write(
                f"Dev login '{username}' already exists; its password is in {password_path.name}."
            )
            return
        password = secrets.token_urlsafe(12)
        email = f"{username}@example.invalid"
        if group is None:
            users.create_superuser(username, email, password)
        else:
            user = users.create_user(username, email, password)
            user.groups.add(Group.objects.get(name=group))
        password_path.write_text(password + "\n", encoding="utf-8")
        password_path.chmod(0o600)
        role = "Dev admin" if group is None else f"Dev {username} ({group})"
        self.stdout.write(
            self.style.SUCCESS(
                f"{role} created. Log in at http://127.0.0.1:8000/admin/ as "
                f"'{username}' with password: {password}  (kept in {password_path.name})"
            )
        )
