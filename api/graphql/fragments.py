"""Each page's part of an answer, kept for the content version: a list of 100 news items
asked for again (with other variables, another page of the list, or as part of another
query) completes each item it answered before with one lookup instead of some fifteen
fields' resolvers.

A page's part is kept by what determines it: the site (the Host header), the query as
printed, the operation, its declared variables (graphql-core drops undeclared ones),
the path to it with the type of each object on the way, its type and its id. It is
kept with the surrogate keys its fields recorded, which a request answered from it
records in turn, so the response cache and a CDN still know what the answer holds.
It is kept only when nothing can make it differ for another request with that key:
- at a content version, outside a transaction (`content_version.version_for`); any
  change to content replaces the version, and with it every part kept (the response
  cache keeps entries past unrelated changes; these go sooner);
- for an anonymous reader, as the response cache is (nothing a page answers depends on
  who is asking, but a signed-in editor's reads are few and never worth the doubt);
- not for a draft a preview token opened (it shares its page's id);
- when completing it raised no error (an error is reported afresh every time).
"""

import json

from graphql import ExecutionContext
from wagtail.models import Page

from core import surrogate_keys
from core.caching import is_anonymous
from core.content_version import version_for
from core.memo import VersionedMemo
from core.request_context import context_of

# Pages' parts, with the surrogate keys each recorded and its size as JSON: at most 4 MiB
# of them (some three times that in memory; a news item of the documented list: 600 bytes).
fragments = VersionedMemo(max_size=4 * 2**20, size_of=lambda kept: kept[2])


class PageFragmentsExecutionContext(ExecutionContext):
    """graphql-core's execution, completing pages from `fragments`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context_value
        printed_query = context_of(request).printed_query
        # The content version pages' parts may be kept for (None: not at all).
        self.version = None
        if printed_query is not None and is_anonymous(request):
            self.version = version_for(request)
        self.query_key = (
            request.get_host(),
            printed_query,
            self.operation.name.value if self.operation.name else None,
            json.dumps(self.variable_values, sort_keys=True, default=str),
        )

    def complete_object_value(self, return_type, field_nodes, info, path, result):
        if (
            self.version is None
            or not isinstance(result, Page)
            or getattr(result, "_opened_by_preview_token", False)
        ):
            return super().complete_object_value(return_type, field_nodes, info, path, result)
        key = (self.query_key, _typed_path(path), return_type.name, result.pk)
        request = self.context_value
        found = fragments.find(self.version, key)
        if found is not None:
            answer, keys, _ = found
            surrogate_keys.record(request, *keys)
            return answer

        errors_before = len(self.collected_errors.errors)
        with surrogate_keys.recording_scope(request) as keys:  # this page's fields' keys
            answer = super().complete_object_value(return_type, field_nodes, info, path, result)
        if len(self.collected_errors.errors) == errors_before:
            size = len(json.dumps(answer, default=str)) + sum(map(len, keys))
            fragments.keep(self.version, key, (answer, frozenset(keys), size))
        return answer


def _typed_path(path):
    """The response path's names with the type of the object each is a field of; list
    indices left out, so every item of a list shares the selection it was asked with."""
    steps = []
    while path is not None:
        if isinstance(path.key, str):
            steps.append((path.key, path.typename))
        path = path.prev
    return tuple(steps)
