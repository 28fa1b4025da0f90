from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = "Home and site-wide content"

    def ready(self):
        from core import changes

        changes.serve_app(self)  # its pages, snippets, settings and inline items
