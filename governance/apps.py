from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "editorial governance"

    def ready(self):
        from . import signals

        signals.subscribe()
