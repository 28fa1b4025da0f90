"""The schema is built by one function, api.graphql.schema.build_schema, in the order of
its CHANGES, guard last; importing the module changes nothing; the view, GraphiQL and
`manage.py graphql_schema` serve the one schema it built, built once per process."""

import inspect
import io
import json
import re
import subprocess
import sys
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db.models import QuerySet
from django.test import RequestFactory
from django.urls import resolve
from graphene_django.management.commands import graphql_schema as graphql_schema_command
from graphql import get_named_type, is_leaf_type
from grapple.urls import graphiql

from api.graphql import object_types
from api.graphql import schema as schema_module
from api.graphql.guard import guard_schema
from api.graphql.media import resolve_documents, resolve_images
from api.graphql.view import CMSGraphQLView
from news.models import NewsIndexPage
from tests.support.app_process import BASE_DIR, app_env
from tests.support.factories import NewsPageFactory

THREADS = 8

# Run in a process of its own: this one has long built the schema. It imports the
# module, then asks for the schema from several threads at once, the way graphene-django's
# view does (through GRAPHENE["SCHEMA"]), with each build slowed so that they overlap.
FRESH_PROCESS = f"""
import json, threading, time
import django
django.setup()
from graphql import print_schema
from grapple.schema import create_schema, schema as grapple_schema
import api.graphql.schema as schema_module
from api.graphql.view import CMSGraphQLView

fields = [field for graphql_type in grapple_schema.graphql_schema.type_map.values()
          for field in getattr(graphql_type, "fields", {{}}).values()]
imported = {{
    "unchanged": print_schema(grapple_schema.graphql_schema)
                 == print_schema(create_schema().graphql_schema),
    "guarded": any(hasattr(field.resolve, "guards") for field in fields),
}}

builds = []
build_schema = schema_module.build_schema
def counted_build():
    builds.append(threading.get_ident())
    time.sleep(0.2)
    return build_schema()
schema_module.build_schema = counted_build

served = []
ready = threading.Barrier({THREADS})
def serve():
    ready.wait()
    served.append(CMSGraphQLView().schema)
threads = [threading.Thread(target=serve) for _ in range({THREADS})]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()

print(json.dumps({{
    "imported": imported,
    "builds": len(builds),
    "served": len({{id(schema) for schema in served}}),
    "served_built": all(schema is schema_module.schema for schema in served)
                    and hasattr(served[0].graphql_schema.query_type.fields["page"].resolve,
                                "guards"),
}}))
"""


def run_fresh_process():
    result = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS],
        cwd=BASE_DIR,
        env=app_env(DJANGO_SETTINGS_MODULE="cms.settings.test"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_importing_changes_nothing_and_the_schema_is_built_once_for_all_threads():
    found = run_fresh_process()
    assert found["imported"] == {"unchanged": True, "guarded": False}, (
        "importing api.graphql.schema changed grapple's schema"
    )
    assert found["builds"] == 1, f"{THREADS} threads asking at once built it {found['builds']}x"
    assert found["served"] == 1
    assert found["served_built"], "the view served a schema build_schema did not build"


def test_build_schema_makes_the_changes_in_order_on_grapples_schema(monkeypatch):
    from grapple.schema import schema as grapple_schema

    assert schema_module.CHANGES[-1] is guard_schema
    made = []
    changes = [lambda graphql_schema, n=n: made.append((n, graphql_schema)) for n in range(3)]
    monkeypatch.setattr(schema_module, "CHANGES", tuple(changes))

    assert schema_module.build_schema() is grapple_schema
    assert made == [(n, grapple_schema.graphql_schema) for n in range(3)]


def test_the_guard_wraps_every_final_resolver_once():
    """The guard came last: each field it guards (one returning objects or taking
    arguments) resolves through its wrapper, around the resolver the other changes left,
    which is no guard's."""
    graphql_schema = schema_module.schema.graphql_schema
    unguarded, guarded_twice = [], []
    for graphql_type in object_types(graphql_schema):
        for name, field in graphql_type.fields.items():
            if field.args or not is_leaf_type(get_named_type(field.type)):
                if not hasattr(field.resolve, "guards"):
                    unguarded.append(f"{graphql_type.name}.{name}")
                elif hasattr(field.resolve.guards, "guards"):
                    guarded_twice.append(f"{graphql_type.name}.{name}")
    assert not unguarded, f"resolvers the guard does not wrap: {unguarded}"
    assert not guarded_twice, f"resolvers the guard wraps twice: {guarded_twice}"


def test_search_by_words_wraps_the_media_lists_resolvers():
    """Searching by words came after the media change that replaced these resolvers."""
    query_fields = schema_module.schema.graphql_schema.query_type.fields
    for name, resolver in (("images", resolve_images), ("documents", resolve_documents)):
        searching = query_fields[name].resolve.guards
        assert searching.__qualname__ == "searching_words.<locals>.resolve", name
        assert inspect.getclosurevars(searching).nonlocals["resolver"] is resolver, name


def test_the_view_serves_the_built_schema():
    view = resolve("/graphql/").func
    assert view.view_class is CMSGraphQLView
    assert view.view_class(**view.view_initkwargs).schema is schema_module.schema


def test_graphiql_queries_the_view_serving_the_built_schema():
    page = graphiql(RequestFactory().get("/graphiql/")).content.decode()
    endpoint = re.search(r"locationQuery\(otherParams, '([^']+)'\)", page)[1]
    view = resolve(endpoint).func
    assert view.view_class(**view.view_initkwargs).schema is schema_module.schema


def test_the_graphql_schema_command_exports_the_built_schema(monkeypatch):
    exported = []
    monkeypatch.setattr(
        graphql_schema_command, "print_schema", lambda schema: exported.append(schema) or ""
    )
    call_command("graphql_schema", out="-.graphql", stdout=io.StringIO())
    [graphql_schema] = exported
    assert graphql_schema is schema_module.schema.graphql_schema


@pytest.mark.django_db
def test_attributes_read_directly_answer_as_grapples_resolvers(southwark):
    """Each field read as its source's attribute answers what grapple's resolver it
    replaced answers, for every page, snippet and setting of the Southwark content; and
    the news item's columns are among them."""
    # Rich text that grapple renders (a link to a page), beside the content's.
    index = NewsIndexPage.objects.get()
    NewsPageFactory(
        parent=index, notes_to_editors=f'<p><a linktype="page" id="{index.pk}">News</a></p>'
    )
    graphql_schema = schema_module.schema.graphql_schema
    compared, replaced = 0, set()
    for model, node in schema_module.registered_models():
        graphql_type = graphql_schema.get_type(node._meta.name)
        resolvers = {
            name: getattr(field.resolve, "guards", field.resolve)
            for name, field in graphql_type.fields.items()
        }
        fields = {name: read for name, read in resolvers.items() if hasattr(read, "replaces")}
        replaced.update(f"{graphql_type.name}.{name}" for name in fields)
        for instance in model._default_manager.all() if fields else ():
            for name, read in fields.items():
                answer, grapples = read(instance, None), read.replaces(instance, None)
                if isinstance(answer, QuerySet):  # a property's, made anew each time
                    answer, grapples = list(answer), list(grapples)
                assert answer is grapples or answer == grapples, (model, instance.pk, name)
                compared += 1
    assert {"NewsPage.date", "NewsPage.summary", "NewsPage.heroImage", "NewsPage.tags"} <= replaced
    assert compared > 100


def test_a_property_answering_a_manager_or_a_method_is_left_to_grapple():
    """grapple calls a method and reads a manager's items: a property answering either
    is resolved by grapple's resolver."""

    def grapples(instance, info, **kwargs):
        return ("grapple's answer", instance.value)

    read = schema_module.attribute_reader("value", grapples)
    for value in (NewsIndexPage.objects, len):
        assert read(SimpleNamespace(value=value), None) == ("grapple's answer", value)
    assert read(SimpleNamespace(value=["a tag"]), None) == ["a tag"]
