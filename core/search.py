"""The search backend: Wagtail's database backend, ranking a bounded set on PostgreSQL.

Wagtail's PostgreSQL backend ranks every matching row before it keeps the first few.
A word in most pages ("fostering") then costs a ts_rank over each of them, which grows
with the content: 100+ ms at 10,000 news pages. Here a search ranks by relevance at
most RANKED_CANDIDATES of the matching pages, those most recently added to the index
(found by walking the index entries' primary key backwards, which stops once it has
them); a search matching fewer ranks them all, as before. A word in thousands of pages
thus finds the most relevant of its most recent matches.

On other databases (SQLite in development and tests) it is Wagtail's backend unchanged.
Configured in WAGTAILSEARCH_BACKENDS: `{"BACKEND": "core.search", "RANKED_CANDIDATES": n}`.
"""

import re
import unicodedata

from django.db import connection
from django.db.models import F
from modelsearch.backends.database import SearchBackend as DatabaseSearchBackend
from modelsearch.backends.database.postgres.postgres import (
    IndexEntry,
    PostgresSearchBackend,
    PostgresSearchQueryCompiler,
)
from modelsearch.query import Phrase, PlainText
from modelsearch.utils import get_descendants_content_types_pks


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


class BoundedPostgresSearchBackend(PostgresSearchBackend):
    query_compiler_class = BoundedSearchQueryCompiler

    def __init__(self, params):
        super().__init__(params)
        self.ranked_candidates = params["RANKED_CANDIDATES"]


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
