"""E-mail each owner of overdue content one reminder listing all of it. Run daily (the
Procfile's scheduler does); an owner is reminded every day until the items are reviewed."""

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand

from governance.reviews import edit_url, overdue_by_owner


def reminder_text(items):
    lines = [
        "This content you own is overdue for review. Check each item: edit and publish "
        "what needs changing, or press “Reviewed, no change” in the admin's Due for review "
        "report.",
        "",
    ]
    for item in items:
        lines.append(f"- {item.title} ({item.kind}), review by {item.review_by:%d %B %Y}")
        lines.append(f"  {settings.WAGTAILADMIN_BASE_URL.rstrip('/')}{edit_url(item.obj)}")
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "E-mail the owners of content overdue for review, one e-mail per owner."

    def handle(self, *args, **options):
        reminders = overdue_by_owner()
        for address, items in sorted(reminders.items()):
            subject = f"{settings.WAGTAIL_SITE_NAME}: {len(items)} overdue for review"
            send_mail(subject, reminder_text(items), None, [address])
        self.stdout.write(f"Sent {len(reminders)} review reminder(s).")
