from django.apps import AppConfig


class ReleasesConfig(AppConfig):
    name = "releases"
    verbose_name = "releases"

    def ready(self):
        from core import preview as core_preview

        from . import preview

        core_preview.token_kinds[preview.KIND] = preview.resolve_page
        core_preview.snippet_token_kinds[preview.KIND] = preview.snippet_drafts_of
        core_preview.page_in_locale_token_kinds[preview.KIND] = preview.page_in_locale
