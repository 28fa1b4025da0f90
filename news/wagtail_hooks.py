from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.log_actions import LogFormatter

from . import views
from .schema import NewsQuery
from .word_import import IMPORT_ACTION


@hooks.register("register_schema_query")
def register_news_queries(query_mixins):
    query_mixins.append(NewsQuery)


# Importing a press release from Word (news/word_import.py) ---------------------------------


@hooks.register("register_admin_urls")
def register_import_from_word_url():
    return [
        path(
            "news/import-from-word/<int:parent_id>/",
            views.ImportFromWordView.as_view(),
            name="news_import_from_word",
        )
    ]


class ImportFromWordButton(PageMenuItem):
    label = "Import from Word"
    icon_name = "doc-full"

    @property
    def url(self):
        return reverse("news_import_from_word", args=[self.page.id])

    def is_shown(self, user):
        return views.may_import_under(self.page.specific_deferred, user)


# On the news index's own listing (its header's menu, beside "Add child page")...
@hooks.register("register_page_header_buttons")
def import_from_word_header_button(page, user, view_name, next_url=None):
    yield ImportFromWordButton(page=page, priority=16)


# ...and on its row wherever it is listed (its "More options" menu).
@hooks.register("register_page_listing_more_buttons")
def import_from_word_listing_button(page, user, next_url=None):
    yield ImportFromWordButton(page=page, priority=16)


@hooks.register("register_log_actions")
def register_word_import_log_action(actions):
    @actions.register_action(IMPORT_ACTION)
    class ImportedFromWord(LogFormatter):
        label = "Imported from Word"

        def format_message(self, log_entry):
            return f"Imported from Word ({log_entry.data.get('file', 'a .docx')}) as a draft"

        def format_comment(self, log_entry):
            # What the import assumed or mended, for whoever reviews the page later.
            return " ".join(log_entry.data.get("notes", []))
