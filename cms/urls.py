from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView
from grapple.urls import graphiql
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from api.graphql.view import CMSGraphQLView
from api.rest import api_router
from api.sitemap import PublicPagesSitemap
from core import health
from core.caching import cdn_cacheable

urlpatterns = [
    # Liveness and readiness probes, never cached.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("django-admin/", admin.site.urls),
    # Sign-in's steps (single sign-on, the second factor, sign-out): before Wagtail's.
    path("admin/", include("signin.urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v2/", api_router.urls),
    # Named as grapple's GraphiQL page expects.
    path("graphql/", CMSGraphQLView.as_view(), name="grapple_graphql"),
    # Sitemap and robots.txt: before Wagtail's catch-all below (the feeds too, there).
    path(
        "sitemap.xml",
        cdn_cacheable(sitemap),
        {"sitemaps": {"pages": PublicPagesSitemap}},
        name="sitemap",
    ),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots_txt",
    ),
]

if settings.GRAPHIQL_ENABLED:
    urlpatterns.append(path("graphiql/", graphiql, name="graphiql"))

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's page serving last: it matches every other path. A translation's pages are
# under its language's prefix (/es/principles/fair/); the source language's have none.
# The news feeds likewise: /news/feed/, /es/news/feed/.
urlpatterns += i18n_patterns(
    path("news/", include("news.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
