"""The Content-Security-Policy header: django-csp's middleware, with what the admin needs.

Every response gets settings.CONTENT_SECURITY_POLICY. In responses of the admins
(ADMIN_PATH_PREFIXES, and the previews Wagtail makes inside the admin) the directives
of ADMIN_CONTENT_SECURITY_POLICY replace those, as Wagtail's admin runs scripts and
styles written into its pages, and frames may come from the headless preview's front
ends too (WAGTAIL_HEADLESS_PREVIEW's CLIENT_URLS), as its "Front end" preview frames
them; that preview also asks them whether they answer (connect-src). Those are read on
each request, so a test that points the preview elsewhere gets a header that agrees.
"""

from urllib.parse import urlsplit

from csp.constants import SELF
from csp.middleware import CSPMiddleware
from django.conf import settings
from wagtail_headless_preview.settings import headless_preview_settings


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and in_admin(request):
            front_ends = preview_origins()
            parts.replace = {
                **settings.ADMIN_CONTENT_SECURITY_POLICY,
                "frame-src": [SELF, *front_ends],
                "connect-src": [SELF, *front_ends],
            }
        return parts


def in_admin(request):
    # Wagtail previews a page by a request of its own to the page's path (marked
    # is_dummy), made inside the admin's request and passed through this middleware
    # first: the header it gets is the one the admin's response keeps.
    return request.path_info.startswith(settings.ADMIN_PATH_PREFIXES) or getattr(
        request, "is_dummy", False
    )


def preview_origins():
    urls = headless_preview_settings.CLIENT_URLS.values()
    return sorted({"{0.scheme}://{0.netloc}".format(urlsplit(url)) for url in urls})
