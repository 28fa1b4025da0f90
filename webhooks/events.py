"""Content changes become webhook events for the front ends.

An event is built as the change happens (a deleted page's URL comes from the instance in
memory) and handed to the task queue only when the transaction commits: a rolled-back
change sends nothing, and the editor's request does no more than queue it. The sending,
with its retries, is `webhooks.tasks.deliver_webhook`, run by the task worker.

Events: `page.published`, `page.unpublished`, `page.deleted`, `page.moved` (with
`previousUrlPath`); `snippet.published`, `snippet.unpublished`, `snippet.deleted`, and
`snippet.saved` for snippets without drafts; `settings.saved`.
"""

import json
import logging
import uuid
from datetime import UTC

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from wagtail.contrib.settings.models import BaseGenericSetting, BaseSiteSetting
from wagtail.models import DraftStateMixin, Page, Site
from wagtail.signals import (
    page_published,
    page_unpublished,
    post_page_move,
    published,
    unpublished,
)
from wagtail.snippets.models import get_snippet_models

from .tasks import deliver_webhook

logger = logging.getLogger("cms.webhooks")


def build_event(event, model, pk, url_path=None, url=None, **extra):
    """The JSON body sent to every receiver, as text: what is signed is what is sent."""
    payload = {
        "event": event,
        "type": model._meta.label,
        "id": pk,
        "urlPath": url_path,
        "url": url,
        "occurred_at": timezone.now()
        .astimezone(UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
        **extra,
    }
    return json.dumps(payload, separators=(",", ":"))


def send_event(event, model, pk, **fields):
    """Queue one delivery of the event to each front end once the transaction commits."""
    urls = list(settings.FRONTEND_WEBHOOK_URLS)
    if not urls:
        return
    body = build_event(event, model, pk, **fields)

    def enqueue():
        for url in urls:
            try:
                deliver_webhook.enqueue(
                    url=url, event=event, body=body, delivery_id=str(uuid.uuid4())
                )
            except Exception:
                # Publishing has already happened; a lost webhook must not undo or fail it.
                logger.exception("Could not queue webhook event=%s url=%s", event, url)

    transaction.on_commit(enqueue)


def page_urls(page):
    """(site-relative path, absolute URL) of a page, or (None, None) if it has no URL."""
    parts = page.get_url_parts()
    if not parts or parts[2] is None:
        return None, None
    return parts[2], page.get_full_url()


def site_relative_path(url_path):
    """Turn a tree path (`/home/news/x/`) into the path on its site (`/news/x/`)."""
    for root in Site.get_site_root_paths():
        if url_path.startswith(root.root_path):
            return url_path[len(root.root_path) - 1 :]
    return None


def _page_event(event, page, **extra):
    url_path, url = page_urls(page)
    send_event(event, page.specific_class, page.pk, url_path=url_path, url=url, **extra)


def _guarded(handler):
    """A webhook must never break an editor's action: log what fails and carry on."""

    def receiver(sender, **kwargs):
        if not settings.FRONTEND_WEBHOOK_URLS:
            return
        try:
            handler(sender, **kwargs)
        except Exception:
            logger.exception("Could not build a webhook event for %r", kwargs.get("instance"))

    receiver.__name__ = handler.__name__
    return receiver


def _is_setting(model):
    return issubclass(model, BaseSiteSetting | BaseGenericSetting)


@_guarded
def on_page_published(sender, instance, **kwargs):
    _page_event("page.published", instance)


@_guarded
def on_page_unpublished(sender, instance, **kwargs):
    _page_event("page.unpublished", instance)


@_guarded
def on_page_moved(sender, instance, url_path_before, url_path_after, **kwargs):
    if url_path_before != url_path_after:
        _page_event("page.moved", instance, previousUrlPath=site_relative_path(url_path_before))


@_guarded
def on_published(sender, instance, **kwargs):
    send_event("snippet.published", sender, instance.pk)


@_guarded
def on_unpublished(sender, instance, **kwargs):
    send_event("snippet.unpublished", sender, instance.pk)


@_guarded
def on_post_save(sender, instance, raw=False, **kwargs):
    if not raw:
        event = "settings.saved" if _is_setting(sender) else "snippet.saved"
        send_event(event, sender, instance.pk)


@_guarded
def on_post_delete(sender, instance, **kwargs):
    if isinstance(instance, Page):
        # A page is a row in each table of its class's inheritance chain, each deleted
        # with its own signal: report it once, from its most specific class. Its URL is
        # still worked out from the instance in memory. (A live page has already sent
        # page.unpublished: Wagtail unpublishes pages as it deletes them.)
        if type(instance) is instance.specific_class:
            _page_event("page.deleted", instance)
    else:
        send_event("snippet.deleted", sender, instance.pk)


def connect_signals():
    """One receiver for each model that sends events, connected with `sender=`."""
    from wagtail.contrib.settings.registry import registry as settings_registry
    from wagtail.models import get_page_models

    page_published.connect(on_page_published, dispatch_uid="webhooks.page_published")
    page_unpublished.connect(on_page_unpublished, dispatch_uid="webhooks.page_unpublished")
    post_page_move.connect(on_page_moved, dispatch_uid="webhooks.page_moved")
    for model in get_page_models():
        post_delete.connect(on_post_delete, sender=model, dispatch_uid="webhooks.post_delete")
    for model in get_snippet_models():
        # Snippets with drafts say so through published/unpublished: their saves are drafts.
        if issubclass(model, DraftStateMixin):
            published.connect(on_published, sender=model, dispatch_uid="webhooks.published")
            unpublished.connect(on_unpublished, sender=model, dispatch_uid="webhooks.unpublished")
        else:
            post_save.connect(on_post_save, sender=model, dispatch_uid="webhooks.post_save")
        post_delete.connect(on_post_delete, sender=model, dispatch_uid="webhooks.post_delete")
    for model in settings_registry:
        post_save.connect(on_post_save, sender=model, dispatch_uid="webhooks.post_save")
