from django.apps import AppConfig


class PrinciplesConfig(AppConfig):
    name = "principles"
    verbose_name = "Vision, principles and working here"

    def ready(self):
        from core import changes

        changes.serve_app(self)  # its pages, snippets, settings and inline items
