"""Each page's part of an answer, kept with the versions of the surrogate keys its fields
recorded: a list of 100 news items asked for again (with other variables, another page
of the list, or as part of another query) completes each item it answered before with
one lookup instead of some fifteen fields' resolvers, and after a publish it completes
afresh only the parts holding what the publish retired.

A page's part is kept by what determines it: the site (the Host header), the query as
printed, the operation, its declared variables (graphql-core drops undeclared ones),
the path to it with the type of each object on the way, its type and its id. It is
kept with its own surrogate key and those its fields recorded, and used while none of
them has been retired since (core/memo.py's KeyedMemo); a request answered from it
records those keys in turn, so the response cache and a CDN still know what the answer
holds. The parts a request made are kept together once it has run, the versions of
their keys read in one look-up (and found meanwhile by the request that made them).
It is kept only when nothing can make it differ for another request with that key:
- outside a transaction, with the shared cache up (`content_version.key_versions_for`);
- for an anonymous reader, as the response cache is (nothing a page answers depends on
  who is asking, but a signed-in editor's reads are few and never worth the doubt);
- not for a draft a preview token opened (it shares its page's id);
- when completing it raised no error (an error is reported afresh every time).

It also notes the pages of each list it completes, so that their `translations` are read
together (api/graphql/pages.py `versions_of`), not one query a page.

A page is completed field by field from a copy whose StreamFields are unread: pages are
kept across requests (news list items, parents), and a StreamField keeps the objects
its blocks chose once read, which no kept page's keys cover (a request reading them
records their keys).
"""

import copy
import json

from wagtail.fields import StreamField
from wagtail.models import Page

from core import surrogate_keys
from core.caching import is_anonymous
from core.content_version import key_versions_for
from core.memo import KeyedMemo, cached_function
from core.request_context import context_of

from .leaves import PlannedFieldsExecutionContext

# Pages' parts, with the surrogate keys each recorded and its size as text: at most 4 MiB
# of them (some three times that in memory; a news item of the documented list: 600 bytes).
fragments = KeyedMemo(max_size=4 * 2**20, size_of=lambda kept: kept[2])


class PageFragmentsExecutionContext(PlannedFieldsExecutionContext):
    """graphql-core's execution, completing pages from `fragments` and fields as
    planned once per selection (leaves.py)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context_value
        printed_query = context_of(request).printed_query
        # The key versions pages' parts are found and kept by (None: not at all).
        self.key_versions = None
        if printed_query is not None and is_anonymous(request):
            self.key_versions = key_versions_for(request)
        self.query_key = (
            request.get_host(),
            printed_query,
            self.operation.name.value if self.operation.name else None,
            json.dumps(self.variable_values, sort_keys=True, default=str),
        )
        # The parts completed here, by key, found here first: kept together once run.
        self.made = {}

    def execute_operation(self, operation, root_value):
        data = super().execute_operation(operation, root_value)
        fragments.keep(self.key_versions, [(key, part, part[1]) for key, part in self.made.items()])
        return data

    def complete_list_value(self, return_type, field_nodes, info, path, result):
        # The pages of a list, for their `translations` to be read at once (pages.py).
        if isinstance(result, list):
            context_of(self.context_value).listed_translation_keys.update(
                item.translation_key for item in result if isinstance(item, Page)
            )
        return super().complete_list_value(return_type, field_nodes, info, path, result)

    def complete_object_value(self, return_type, field_nodes, info, path, result):
        if not isinstance(result, Page):
            return super().complete_object_value(return_type, field_nodes, info, path, result)
        if self.key_versions is None or getattr(result, "_opened_by_preview_token", False):
            return self.complete_page(return_type, field_nodes, info, path, result)
        key = (self.query_key, _typed_path(path), return_type.name, result.pk)
        request = self.context_value
        found = self.made.get(key) or fragments.find(self.key_versions, key)
        if found is not None:
            answer, keys, _ = found
            surrogate_keys.record(request, *keys)
            return answer

        errors_before = len(self.collected_errors.errors)
        with surrogate_keys.recording_scope(request) as keys:  # this page's fields' keys
            # and its own (the field that returned it recorded that for the answer).
            surrogate_keys.record(request, surrogate_keys.key_for(result))
            answer = self.complete_page(return_type, field_nodes, info, path, result)
        if len(self.collected_errors.errors) == errors_before:
            # Its length as text: near enough its JSON's, for half the cost of dumping it.
            size = len(repr(answer)) + sum(map(len, keys))
            self.made[key] = (answer, frozenset(keys), size)
        return answer

    def complete_page(self, return_type, field_nodes, info, path, page):
        """The page's fields, completed from a copy whose StreamFields are as read from
        the database, not yet turned into blocks (see above)."""
        read = [name for name in stream_field_names(type(page)) if name in page.__dict__]
        if read:  # a deferred one is read when asked for
            page = copy.copy(page)
            for name in read:
                setattr(page, name, list(page.__dict__[name].raw_data))
        return super().complete_object_value(return_type, field_nodes, info, path, page)


@cached_function(maxsize=64)
def stream_field_names(model):
    """The names of a page type's StreamFields (looked up once, not for each page)."""
    return tuple(f.name for f in model._meta.concrete_fields if isinstance(f, StreamField))


def _typed_path(path):
    """The response path's names with the type of the object each is a field of; list
    indices left out, so every item of a list shares the selection it was asked with."""
    steps = []
    while path is not None:
        if isinstance(path.key, str):
            steps.append((path.key, path.typename))
        path = path.prev
    return tuple(steps)
