from django.conf import settings
from django.core import checks


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
    return errors
