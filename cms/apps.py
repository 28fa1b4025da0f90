from django.apps import AppConfig


class CMSConfig(AppConfig):
    name = "cms"
    verbose_name = "CMS plumbing"

    def ready(self):
        from . import content_version

        content_version.connect_signals()
