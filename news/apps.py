from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "news"
    verbose_name = "News"

    def ready(self):
        from core import changes

        changes.serve_app(self)  # its pages, snippets, settings and inline items
