from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from graphene_django.views import GraphQLView
from grapple.urls import graphiql
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Read-only API with no cookies-based mutations: CSRF does not apply.
    path(
        "graphql/", csrf_exempt(GraphQLView.as_view()), name="grapple_graphql"
    ),  # the name grapple's GraphiQL posts to
]

if settings.GRAPHIQL_ENABLED:
    urlpatterns.append(path("graphiql/", graphiql, name="graphiql"))

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's page serving last: it matches every other path.
urlpatterns.append(path("", include(wagtail_urls)))
