from django.utils.safestring import mark_safe
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


# A List block's points are boxes headed "Point" (home/blocks.py): each header gets its
# number, in the order the boxes stand, as points are added, moved or deleted (a deleted
# box stays, hidden, until the page is saved). Written into the header, not drawn by CSS,
# so that screen readers read it too.
NUMBERED_POINTS_SCRIPT = """<script>
(() => {
  const number = () => {
    const lists = document.querySelectorAll(".numbered-points [data-streamfield-list-container]");
    for (const list of lists) {
      const boxes = [...list.children].filter((child) =>
        child.matches("[data-streamfield-child]:not([aria-hidden='true'])"),
      );
      boxes.forEach((box, index) => {
        const label = box.querySelector(".c-sf-block__type");
        label.dataset.label ??= label.textContent;
        const numbered = `${label.dataset.label} ${index + 1}`;
        if (label.textContent !== numbered) label.textContent = numbered;
      });
    }
  };
  new MutationObserver(number).observe(document.body, {
    childList: true,
    subtree: true,
    attributeFilter: ["aria-hidden"],
  });
  number();
})();
</script>"""


@hooks.register("insert_editor_js")
def number_a_lists_points():
    return mark_safe(NUMBERED_POINTS_SCRIPT)  # noqa: S308 - a constant, no input in it
