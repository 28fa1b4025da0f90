from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Shared platform"

    def ready(self):
        from . import changes, retirements

        changes.subscribe(
            "retirement", retirements.on_change, together=retirements.on_changes_together
        )
        changes.connect()
