"""Fields are completed without graphql-core's per-field machinery
(api/graphql/leaves.py), and every answer is byte for byte the one graphql-core's own
completion gives: each documented query, errors in leaves, objects and lists (their
message, path and locations, and the null they leave behind), arguments from variables,
@skip and @include, aliases, __typename, a leaf asked twice, fragments and
introspection."""

import json
from pathlib import Path

import pytest
from django.core.cache import cache
from graphene_django.settings import graphene_settings
from graphql import ExecutionContext, get_introspection_query

from api.graphql.errors import bad_input
from api.graphql.fragments import PageFragmentsExecutionContext
from api.graphql.view import CMSGraphQLView
from core import memo

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("southwark")]

QUERIES_DIR = Path(__file__).resolve().parents[1] / "docs" / "queries"
QUERY_FILES = sorted(QUERIES_DIR.glob("*.graphql"))

LIST = """query($withUrlPath: Boolean!, $withoutSlug: Boolean!) {
  newsItems(perPage: 5) {
    __typename
    items {
      __typename
      title
      heading: title
      title
      slug @skip(if: $withoutSlug)
      urlPath @include(if: $withUrlPath)
      summary
      ...Dated
      ... on NewsPage { sourceUrl searchDescription numchild }
      parent { __typename pageTitle: title }
    }
    pagination { total perPage nextPage }
  }
}
fragment Dated on NewsPage { date firstPublishedAt title }"""

OBJECTS = """query($width: Int) {
  newsItems(perPage: 5) {
    items {
      title
      tags { name }
      heroImage { alt: description rendition(width: $width) { width height } }
      parent { __typename searchDescription title }
    }
    pagination { total perPage nextPage }
  }
}"""


@pytest.fixture
def both_ways(client, settings, monkeypatch):
    """Run a query through /graphql/ as it runs and with graphql-core completing every
    field itself; each answer: (the response body, the errors as graphql-core formatted
    them, before the endpoint hides a server fault's message)."""
    settings.GRAPHQL_RESPONSE_CACHE_SECONDS = 0  # every answer made afresh
    formatted_errors = []
    execute = CMSGraphQLView.execute

    def recording(self, *args, **kwargs):
        result = execute(self, *args, **kwargs)
        formatted_errors.append([error.formatted for error in result.errors or []])
        return result

    monkeypatch.setattr(CMSGraphQLView, "execute", recording)

    def answer(query, variables):
        cache.clear()
        memo.clear_all()
        response = client.post(
            "/graphql/",
            {"query": query, "variables": variables},
            content_type="application/json",
            HTTP_X_REQUEST_ID="leaf-fields",  # the same in both answers' errors
        )
        assert response.status_code == 200, response.content
        return response.content, formatted_errors.pop()

    def run(query, variables=None):
        ours = answer(query, variables or {})
        with monkeypatch.context() as graphql_core:
            graphql_core.setattr(
                PageFragmentsExecutionContext, "execute_fields", ExecutionContext.execute_fields
            )
            graphql_cores = answer(query, variables or {})
        return ours, graphql_cores

    return run


def schema_type(name):
    return graphene_settings.SCHEMA.graphql_schema.get_type(name)


@pytest.mark.parametrize("query_file", QUERY_FILES, ids=lambda path: path.stem)
def test_every_documented_query_answers_as_graphql_core_does(both_ways, query_file):
    variables_file = query_file.with_suffix(".variables.json")
    variables = json.loads(variables_file.read_text()) if variables_file.exists() else {}
    ours, graphql_cores = both_ways(query_file.read_text(), variables)
    assert ours == graphql_cores


@pytest.mark.parametrize("with_url_path", [True, False])
@pytest.mark.parametrize("without_slug", [True, False])
def test_directives_aliases_typenames_and_fragments_answer_as_graphql_core_does(
    both_ways, with_url_path, without_slug
):
    variables = {"withUrlPath": with_url_path, "withoutSlug": without_slug}
    ours, graphql_cores = both_ways(LIST, variables)
    assert ours == graphql_cores
    items = json.loads(ours[0])["data"]["newsItems"]["items"]
    assert items and all(("slug" in item) is not without_slug for item in items)
    assert all(("urlPath" in item) is with_url_path for item in items)
    assert all(item["heading"] == item["title"] for item in items)


def test_introspection_answers_as_graphql_core_does(both_ways):
    ours, graphql_cores = both_ways(get_introspection_query(descriptions=True))
    assert ours == graphql_cores
    assert b'"__schema"' in ours[0]


def raising(error):
    def resolve(source, info, **arguments):
        raise error

    return resolve


@pytest.mark.parametrize(
    "field, resolve",
    [
        # A non-null leaf: its null propagates (here to `data`, all non-null above it).
        ("summary", lambda source, info: None),
        ("summary", raising(bad_input("No summary."))),
        # Returned, not raised: String would serialize it as its message.
        ("summary", lambda source, info: bad_input("No summary.")),
        # A nullable leaf: null where it failed, the item kept.
        ("searchDescription", raising(RuntimeError("broken"))),
        ("searchDescription", lambda source, info: ["not", "a", "string"]),
        ("numchild", lambda source, info: "many"),  # Int! cannot represent it
    ],
)
def test_an_error_in_a_leaf_is_reported_as_graphql_core_reports_it(
    both_ways, monkeypatch, field, resolve
):
    monkeypatch.setattr(schema_type("NewsPage").fields[field], "resolve", resolve)
    assert_reported_as_graphql_core_reports_it(both_ways)


def test_a_leaf_its_type_serializes_to_null_is_reported_as_graphql_core_reports_it(
    both_ways, monkeypatch
):
    monkeypatch.setattr(schema_type("Date"), "serialize", lambda value: None)
    assert_reported_as_graphql_core_reports_it(both_ways)


def assert_reported_as_graphql_core_reports_it(both_ways):
    ours, graphql_cores = both_ways(LIST, {"withUrlPath": True, "withoutSlug": False})
    assert ours == graphql_cores
    body, errors = ours
    assert errors and all(error["path"][:2] == ["newsItems", "items"] for error in errors)
    assert json.loads(body)["errors"]


def returning(value):
    def resolve(source, info, **arguments):
        return value

    return resolve


@pytest.mark.parametrize(
    "patches",
    [
        # A nullable object: null where it failed, the item kept.
        [("NewsPage", "parent", raising(RuntimeError("broken")))],
        [("NewsPage", "parent", returning(bad_input("No parent.")))],
        [("NewsPage", "parent", returning("not a page"))],  # no type resolves it
        [("NewsPage", "heroImage", raising(RuntimeError("broken")))],
        [("NewsPage", "heroImage", returning(bad_input("No image.")))],
        [("NewsPage", "heroImage", returning("not an image"))],
        [("ImageObjectType", "rendition", raising(bad_input("No rendition.")))],
        [("ImageObjectType", "rendition", returning(bad_input("No rendition.")))],
        [("ImageObjectType", "rendition", returning("not a rendition"))],
        # A nullable list, and its nullable items.
        [("NewsPage", "tags", raising(RuntimeError("broken")))],
        [("NewsPage", "tags", returning(bad_input("No tags.")))],
        [("NewsPage", "tags", returning(42))],  # not a list
        [("NewsPage", "tags", returning([None, "not a tag"]))],
        # Null where the type forbids it: it propagates (here to `data`).
        [("NewsItems", "pagination", returning(None))],
        [("NewsItems", "items", returning([None]))],
        [("NewsItems", "items", returning(None))],
        # A non-null leaf under an object or a list's item nulls that object or item.
        [("TagObjectType", "name", returning(None))],
        [("ImageRenditionObjectType", "width", returning(None))],
        [("NewsIndexPage", "title", returning(None))],
        # An error in a nullable leaf under an object, kept as the object completes...
        [("NewsIndexPage", "searchDescription", raising(RuntimeError("broken")))],
        # ... and also when a non-null leaf then nulls the object: both are reported.
        [
            ("NewsIndexPage", "searchDescription", raising(RuntimeError("broken"))),
            ("NewsIndexPage", "title", returning(None)),
        ],
    ],
    ids=lambda patches: "+".join(f"{type_name}.{field}" for type_name, field, _ in patches),
)
def test_an_error_in_an_object_or_a_list_is_reported_as_graphql_core_reports_it(
    both_ways, monkeypatch, patches
):
    for type_name, field, resolve in patches:
        monkeypatch.setattr(schema_type(type_name).fields[field], "resolve", resolve)
    ours, graphql_cores = both_ways(OBJECTS, {"width": 480})
    assert ours == graphql_cores
    body, errors = ours
    assert errors and all(error["path"][0] == "newsItems" for error in errors)
    assert json.loads(body)["errors"]
    # Each error once, however many times its field was tried, and none withheld.
    assert len({tuple(error["path"]) for error in errors}) == len(errors)
    assert all(any(field in error["path"] for error in errors) for _, field, _ in patches)


def test_an_object_answered_when_run_again_reports_no_error_from_its_failed_run(
    graphql, monkeypatch
):
    # The parent's nullable field fails, then its non-null title nulls it: the parent is
    # run again and answers (each field failed twice: directly, then through graphql-core).
    def failing_twice(failure, value):
        runs = []

        def resolve(source, info):
            runs.append(source)
            return failure() if len(runs) <= 2 else value

        return resolve

    def broken():
        raise RuntimeError("broken")

    patches = {
        "searchDescription": failing_twice(broken, "Read."),
        "title": failing_twice(lambda: None, "News"),
    }
    for field, resolve in patches.items():
        monkeypatch.setattr(schema_type("NewsIndexPage").fields[field], "resolve", resolve)
    answer = graphql(OBJECTS, {"width": 480})
    items = answer["data"]["newsItems"]["items"]
    assert items and all(
        item["parent"]["searchDescription"] == "Read." and item["parent"]["title"] == "News"
        for item in items
    )
    assert "errors" not in answer


def test_an_error_deep_down_is_run_again_once_for_each_field_above_it(graphql, monkeypatch):
    # A news item's title (non-null) fails: the item, its list (`items`, non-null) and
    # `newsItems` (non-null) go null in turn. graphql-core runs the title once; here it is
    # tried directly, then by graphql-core, then once again as each of the two fields
    # above it is run again by graphql-core, below it too: not twice more at each level.
    runs = []

    def failing(source, info):
        runs.append(source)
        raise RuntimeError("broken")

    monkeypatch.setattr(schema_type("NewsPage").fields["title"], "resolve", failing)
    answer = graphql(OBJECTS, {"width": 480})
    assert answer["data"] is None
    assert [error["path"] for error in answer["errors"]] == [["newsItems", "items", 0, "title"]]
    assert len(runs) == 4


def test_an_argument_is_read_from_each_requests_variables(both_ways, graphql):
    for width in (320, 480):
        ours, graphql_cores = both_ways(OBJECTS, {"width": width})
        assert ours == graphql_cores
    # The same document again, nothing emptied in between: its arguments are not kept.
    for width in (320, 480, 320):
        items = graphql(OBJECTS, {"width": width})["data"]["newsItems"]["items"]
        renditions = [item["heroImage"]["rendition"] for item in items if item["heroImage"]]
        assert renditions and all(rendition["width"] == width for rendition in renditions)


def test_an_argument_a_resolver_refuses_is_reported_as_graphql_core_reports_it(both_ways):
    ours, graphql_cores = both_ways(OBJECTS, {"width": 100})  # not an allowed width
    assert ours == graphql_cores
    errors = ours[1]
    assert errors and all(error["path"][-2:] == ["heroImage", "rendition"] for error in errors)


def test_an_argument_that_cannot_be_read_is_reported_as_graphql_core_reports_it(both_ways):
    # A null for a non-null argument, through a variable with a default: only reading
    # the arguments finds it.
    query = 'query($slug: String = "none") { newsItem(slug: $slug) { title } }'
    ours, graphql_cores = both_ways(query, {"slug": None})
    assert ours == graphql_cores
    body, errors = ours
    assert json.loads(body)["data"] == {"newsItem": None}
    assert [error["path"] for error in errors] == [["newsItem"]]


@pytest.fixture
def executed_fields(monkeypatch):
    """The (parent type, field) of each field run through graphql-core's execute_field."""
    executed = []
    execute_field = ExecutionContext.execute_field

    def recording(self, parent_type, source, field_nodes, path):
        executed.append((parent_type.name, field_nodes[0].name.value))
        return execute_field(self, parent_type, source, field_nodes, path)

    monkeypatch.setattr(ExecutionContext, "execute_field", recording)
    return executed


def test_a_lists_fields_are_completed_without_graphql_cores_execute_field(graphql, executed_fields):
    answer = graphql(OBJECTS, {"width": 480})
    assert "errors" not in answer and answer["data"]["newsItems"]["items"]
    # Leaves, objects, lists and a field with arguments alike.
    assert executed_fields == []
    answer = graphql(LIST, {"withUrlPath": True, "withoutSlug": False})
    assert "errors" not in answer and answer["data"]["newsItems"]["items"]
    # Only fields carrying a directive go through graphql-core.
    assert {field for _, field in executed_fields} == {"slug", "urlPath"}


def test_a_field_that_raised_goes_through_graphql_cores_execute_field(
    graphql, monkeypatch, executed_fields
):
    monkeypatch.setattr(
        schema_type("NewsPage").fields["heroImage"], "resolve", raising(RuntimeError("broken"))
    )
    answer = graphql(OBJECTS, {"width": 480})
    items = answer["data"]["newsItems"]["items"]
    assert items and all(item["heroImage"] is None for item in items)
    assert len(answer["errors"]) == len(items)
    assert executed_fields == [("NewsPage", "heroImage")] * len(items)
