from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Shared platform"

    def ready(self):
        from . import content_version

        content_version.connect_signals()
