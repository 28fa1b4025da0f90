from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Front-end webhooks"

    def ready(self):
        from core import changes

        from . import checks, events  # noqa: F401  (checks register themselves)

        changes.subscribe("events", events.on_change, together=events.on_changes_together)
