from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class CMSConfig(AppConfig):
    name = "cms"
    verbose_name = "CMS plumbing"

    def ready(self):
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from .graphql.cache import content_changed, model_changed

        for signal in (page_published, page_unpublished, post_page_move):
            signal.connect(content_changed, dispatch_uid=f"graphql-cache-{signal!r}")
        post_save.connect(model_changed, dispatch_uid="graphql-cache-save")
        post_delete.connect(model_changed, dispatch_uid="graphql-cache-delete")
