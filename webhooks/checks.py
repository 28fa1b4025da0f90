import binascii

from django.conf import settings
from django.core import checks

from .tasks import send_deliveries, signing_key


@checks.register()
def check_webhook_settings(app_configs, **kwargs):
    errors = []
    urls = settings.FRONTEND_WEBHOOK_URLS
    for url in urls:
        if not url.startswith(("http://", "https://")):
            errors.append(
                checks.Error(
                    f"FRONTEND_WEBHOOK_URLS holds {url!r}, which is not an http(s) URL.",
                    id="webhooks.E001",
                )
            )
    if urls and not settings.FRONTEND_WEBHOOK_SECRET:
        errors.append(
            checks.Warning(
                "FRONTEND_WEBHOOK_URLS is set but FRONTEND_WEBHOOK_SECRET is empty: "
                "webhooks go out unsigned and receivers cannot trust them.",
                hint="Set FRONTEND_WEBHOOK_SECRET in the environment.",
                id="webhooks.W001",
            )
        )
    try:
        signing_key(settings.FRONTEND_WEBHOOK_SECRET)
    except binascii.Error:
        errors.append(
            checks.Error(
                "FRONTEND_WEBHOOK_SECRET starts with whsec_ but what follows is not base64.",
                hint="A Standard Webhooks secret is whsec_ and the base64 of 24 to 64 "
                "random bytes: python -c \"import base64, secrets; print('whsec_' + "
                'base64.b64encode(secrets.token_bytes(32)).decode())"',
                id="webhooks.E002",
            )
        )
    # Retries are tasks queued to run later: a backend that cannot defer cannot queue them.
    backend = send_deliveries.get_backend()
    if urls and not backend.supports_defer:
        errors.append(
            checks.Error(
                f"FRONTEND_WEBHOOK_URLS is set but the task backend {backend.alias!r} "
                "cannot defer tasks, which webhook retries need.",
                hint="Use django_tasks_db.DatabaseBackend (see TASKS in cms/settings/base.py).",
                id="webhooks.E003",
            )
        )
    return errors
