"""cms.urls, with the uploaded media served as well: for a live server in the tests,
where no proxy or bucket serves MEDIA_URL as in production."""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from cms.urls import urlpatterns as cms_urlpatterns

urlpatterns = [
    re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    *cms_urlpatterns,
]
