from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from governance.sign_off import SignOffSnippetEditView

from .models import Inspection, Testimonial
from .schema import SearchQuery, SnippetsQuery


class TestimonialViewSet(SnippetViewSet):
    model = Testimonial
    edit_view_class = SignOffSnippetEditView
    icon = "openquote"
    menu_label = "Testimonials"
    list_display = ["attribution", "quote", "year"]
    list_filter = ["year"]
    search_fields = ["quote", "attribution"]


class InspectionViewSet(SnippetViewSet):
    model = Inspection
    edit_view_class = SignOffSnippetEditView
    icon = "doc-full"
    menu_label = "Inspections"
    list_display = ["inspectorate", "published_on", "overall_rating"]
    ordering = ["-published_on"]


register_snippet(TestimonialViewSet)
register_snippet(InspectionViewSet)


@hooks.register("register_schema_query")
def register_snippet_queries(query_mixins):
    query_mixins.append(SnippetsQuery)


# Registered first (order=-1) so that it takes precedence over grapple's own `search`.
@hooks.register("register_schema_query", order=-1)
def register_search_query(query_mixins):
    query_mixins.append(SearchQuery)
