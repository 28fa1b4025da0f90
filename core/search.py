"""The search backend: Wagtail's database backend, ranking a bounded set on PostgreSQL.

Wagtail's PostgreSQL backend ranks every matching row before it keeps the first few.
A word in most pages ("fostering") then costs a ts_rank over each of them, which grows
with the content: 100+ ms at 10,000 news pages. Here a search ranks by relevance at
most RANKED_CANDIDATES of the matching pages, those most recently added to the index
(found by walking the index entries' primary key backwards, which stops once it has
them); a search matching fewer ranks them all, as before. A word in thousands of pages
thus finds the most relevant of its most recent matches.

Each language is stemmed as its own on PostgreSQL: a translatable item (a page, a
snippet) is indexed with its language's text search configuration (`text_search_config`:
`spanish` for Spanish, so "niña" finds "niños"; `simple`, words as written, for a
language PostgreSQL has none for), and a search in a language (`search_in_language`)
reads its words with the same one. Items indexed before this (with the database's
default, English) take their language's at their next publish, or `manage.py update_index`.

On other databases (SQLite in development and tests) it is Wagtail's backend unchanged:
SQLite's FTS5 matches words as written (its unicode61 tokenizer), in every language.
Configured in WAGTAILSEARCH_BACKENDS: `{"BACKEND": "core.search", "RANKED_CANDIDATES": n}`.
"""

import copy
import re
import unicodedata

from django.conf.locale import LANG_INFO
from django.db import connection
from django.db.models import F
from modelsearch.backends import get_search_backend
from modelsearch.backends.database import SearchBackend as DatabaseSearchBackend
from modelsearch.backends.database.postgres.postgres import (
    IndexEntry,
    PostgresIndex,
    PostgresSearchBackend,
    PostgresSearchQueryCompiler,
)
from modelsearch.query import Phrase, PlainText
from modelsearch.utils import get_descendants_content_types_pks

from .locales import code_of_locale_id
from .memo import cached_function


def SearchBackend(params):  # noqa: N802 (the name Wagtail imports from a backend module)
    if connection.vendor == "postgresql":
        return BoundedPostgresSearchBackend(params)
    return DatabaseSearchBackend(params)


class BoundedSearchQueryCompiler(PostgresSearchQueryCompiler):
    def search(self, config, start, stop, score_field=None, backend=None):
        if not (self.order_by_relevance and isinstance(self.query, PlainText | Phrase)):
            return super().search(config, start, stop, score_field, backend)
        # Wagtail's search() reads self.queryset and is called again for a count: the
        # candidates narrow it for this call only.
        everything = self.queryset
        candidates = self.candidates(config, backend.ranked_candidates)
        self.queryset = everything.filter(index_entries__in=candidates)
        try:
            return super().search(config, start, stop, score_field, backend)
        finally:
            self.queryset = everything

    def candidates(self, config, how_many):
        """The index entries of the `how_many` matches most recently added to the index,
        matched as the backend matches (title and body, one tsquery)."""
        content_types = get_descendants_content_types_pks(self.queryset.model)
        entries = IndexEntry.objects.filter(content_type_id__in=content_types)
        entries = entries.annotate(_vector_=F("title")._combine(F("body"), "||", False))
        matching = entries.filter(_vector_=self.build_tsquery(self.query, config=config))
        return matching.order_by("-pk").values("pk")[:how_many]


class LanguageIndex(PostgresIndex):
    """The index, each translatable item's words read in its language's configuration."""

    def add_items(self, model, objs):
        by_config = {}
        for obj in objs:
            locale_id = getattr(obj, "locale_id", None)
            config = self.backend.config
            if locale_id is not None:
                config = text_search_config(code_of_locale_id(locale_id))
            by_config.setdefault(config, []).append(obj)
        for config, items in by_config.items():
            # modelsearch's ObjectIndexer reads one configuration, its backend's.
            PostgresIndex(self.backend.in_config(config)).add_items(model, items)


class BoundedPostgresSearchBackend(PostgresSearchBackend):
    query_compiler_class = BoundedSearchQueryCompiler
    index_class = LanguageIndex

    def __init__(self, params):
        super().__init__(params)
        self.ranked_candidates = params["RANKED_CANDIDATES"]

    def in_config(self, config):
        """This backend, reading words with another text search configuration."""
        other = copy.copy(self)
        other.config = config
        return other


def search_in_language(queryset, query, language_code):
    """`queryset.search(query)`, its words stemmed as the language's (a Django code) are
    where the database can (PostgreSQL), as they were indexed."""
    backend = get_search_backend()
    if isinstance(backend, BoundedPostgresSearchBackend):
        backend = backend.in_config(text_search_config(language_code))
    return backend.search(query, queryset)


def text_search_config(language_code):
    """PostgreSQL's text search configuration for a language (a Django code): the one
    named as the language is in English (`spanish`, `portuguese`, `arabic`), if the
    database has it, else `simple` (no stemming, no stop words)."""
    language = LANG_INFO.get(language_code.split("-")[0], {})
    name = language.get("name", "").lower()
    return name if name in text_search_configs() else "simple"


@cached_function(maxsize=1)
def text_search_configs():
    """The text search configurations the database has (pg_ts_config): a process keeps
    the list, which changes only with an extension or a CREATE TEXT SEARCH CONFIGURATION."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT cfgname FROM pg_ts_config")
        return frozenset(name for (name,) in cursor.fetchall())


WORD = re.compile(r"\w+")


def search_words(text):
    """The words of a search text: runs of letters and digits, whatever lies between.

    The database backends build their own query syntax from the text (SQLite FTS5 quotes
    each term, PostgreSQL writes a tsquery), and a character that syntax does not escape
    fails the query: a double quote on SQLite (an OperationalError, which looks like an
    outage), a NUL on PostgreSQL. Quotes, operators (AND OR NOT NEAR * -), brackets and
    colons are searched as the plain words around them. NFC first, so that a letter
    typed as a base and a combining accent stays one word.
    """
    return WORD.findall(unicodedata.normalize("NFC", text))
