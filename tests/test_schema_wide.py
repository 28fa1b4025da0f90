"""Every field of the schema answers: queries generated from the served schema ask every
field of every object type reachable from a root field, over the Southwark content and
over a demo dataset with images, tags and a body of every block kind. Each answer is
data or null, never an error.

How the queries are made:
- from each root field, the types it reaches are walked breadth first; each type is
  asked in full where that walk first reaches it, through inline fragments where a
  field returns an interface or a union. So each type is asked under each root field
  that reaches it: `pages`, `newsItems`, `principles` ... each see other content;
- a type in full is its scalar fields, and `{ __typename }` under each of its other
  fields (whose types are asked in full where the walk first reaches them);
- arguments keep their defaults; a required one, or one whose default is refused by
  design (a rendition with no filter), takes a sensible value from the data;
- the types are merged into as few queries as the limits allow (depth, aliases, cost,
  characters, tokens), checked by the server's own limit rules.
"""

import json
import time
from dataclasses import dataclass
from dataclasses import field as dataclass_field

import pytest
from django.conf import settings
from django.db import transaction
from graphene_django.settings import graphene_settings
from graphql import (
    GraphQLError,
    TypeNameMetaFieldDef,
    Undefined,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
    parse,
    validate,
)
from wagtail.contrib.redirects.models import Redirect
from wagtail.rich_text import RichText

from api.graphql.limits import LIMIT_RULES
from home.models import InspectionHighlight
from news.models import NewsPage
from tests.support.factories import (
    CollectionFactory,
    DocumentFactory,
    ImageFactory,
    InspectionFactory,
    NewsPageFactory,
    PrinciplePageFactory,
    TestimonialFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("southwark")]


def sensible_arguments():
    """(type, field) -> the arguments to give it, from the data where that matters."""
    newest = NewsPage.objects.live().public().order_by("-date", "-pk").first()
    return {
        ("Query", "newsItem"): {"slug": newest.slug},
        ("Query", "search"): {"query": newest.title},
        ("ImageObjectType", "rendition"): {"width": 320},
    }


def arguments_of(type_name, field_name, field, sensible):
    given = sensible.get((type_name, field_name), {})
    for name, argument in field.args.items():
        required = is_non_null_type(argument.type) and argument.default_value is Undefined
        if required and name not in given:
            raise LookupError(
                f"{type_name}.{field_name}({name}:) is required: give it a value in "
                "sensible_arguments()."
            )
    if not given:
        return ""
    return "(" + ", ".join(f"{name}: {json.dumps(value)}" for name, value in given.items()) + ")"


@dataclass(frozen=True)
class Step:
    """One field on the way down from a root field, and the type asked of it when it
    returns an interface or a union (None: its own type)."""

    field: str
    on: str | None = None


@dataclass
class SelectionSet:
    """Fields by response name (their text, and the selection set below them if any),
    and inline fragments by type.

    GraphQL wants the fields of one response name in a selection set, its fragments'
    among them, to have one shape (`value` is a String on most blocks, an Int on
    IntegerBlock), and their selections to merge likewise. So `shapes` (response name
    -> shape, and the `shapes` of the selections below) is shared with the fragments,
    and a field of another shape is asked under an alias.
    """

    fields: dict = dataclass_field(default_factory=dict)
    fragments: dict = dataclass_field(default_factory=dict)
    shapes: dict = dataclass_field(default_factory=dict)

    def field(self, owner, name, field, arguments):
        """The selection set under `owner.name` (None for a scalar), added if new."""
        named = get_named_type(field.type)
        leaf = is_leaf_type(named)
        shape = str(field.type) if leaf else str(field.type).replace(named.name, "*")
        key = name if self.shapes.get(name, (shape,))[0] == shape else f"{owner.name}_{name}"
        _shape, shapes_below = self.shapes.setdefault(key, (shape, {}))
        if key not in self.fields:
            text = name + arguments if key == name else f"{key}: {name}{arguments}"
            self.fields[key] = (text, None if leaf else SelectionSet(shapes=shapes_below))
        return self.fields[key][1]

    def fragment(self, type_name):
        if type_name not in self.fragments:
            self.fragments[type_name] = SelectionSet(shapes=self.shapes)
        return self.fragments[type_name]

    def aliases(self):
        below = [child for _text, child in self.fields.values() if child]
        own = sum(": " in text for text, _child in self.fields.values())
        return own + sum(selection.aliases() for selection in [*below, *self.fragments.values()])

    def __str__(self):
        parts = [
            text if not child else f"{text} {{ {child} }}" for text, child in self.fields.values()
        ]
        parts += [f"... on {name} {{ {selection} }}" for name, selection in self.fragments.items()]
        return " ".join(parts)


def add_in_full(root, schema, path, graphql_type, sensible):
    """Add to the query `root` every field of `graphql_type` at the end of `path`:
    scalars as they are, the others by their __typename (as every object on the way)."""
    selection, owner = root, schema.query_type
    for step in path:
        field = owner.fields[step.field]
        arguments = arguments_of(owner.name, step.field, field, sensible)
        selection = selection.field(owner, step.field, field, arguments)
        selection.field(owner, "__typename", TypeNameMetaFieldDef, "")  # each object says
        owner = get_named_type(field.type)
        if step.on:
            selection, owner = selection.fragment(step.on), schema.get_type(step.on)
    for name, field in graphql_type.fields.items():
        below = selection.field(owner, name, field, arguments_of(owner.name, name, field, sensible))
        if below is not None:
            below.field(owner, "__typename", TypeNameMetaFieldDef, "")


def object_types_of(schema, graphql_type):
    """(type, fragment's type or None) for the object types a field of this type returns."""
    if is_abstract_type(graphql_type):
        return [(possible, possible.name) for possible in schema.get_possible_types(graphql_type)]
    if is_object_type(graphql_type):
        return [(graphql_type, None)]
    return []


def types_to_ask(schema):
    """(path, type): every type, once for each root field that reaches it, where it first
    does; first the root type itself (each root field, by its __typename)."""
    found = [([], schema.query_type)]
    deepest = settings.GRAPHQL_MAX_DEPTH - 1  # the scalars asked lie one level below
    for root_name, root_field in schema.query_type.fields.items():
        queue = [
            ([Step(root_name, on)], graphql_type)
            for graphql_type, on in object_types_of(schema, get_named_type(root_field.type))
        ]
        seen = {graphql_type.name for _path, graphql_type in queue}
        while queue:
            path, graphql_type = queue.pop(0)
            found.append((path, graphql_type))
            if len(path) == deepest:
                continue
            for name, field in graphql_type.fields.items():
                for target, on in object_types_of(schema, get_named_type(field.type)):
                    if target.name not in seen:
                        seen.add(target.name)
                        queue.append(([*path, Step(name, on)], target))
    return found


def within_limits(schema, root):
    """Whether the query passes the server's limits (the server validates it again, with
    the rest of GraphQL's rules, when it is sent)."""
    query = f"{{ {root} }}"
    if len(query) > settings.GRAPHQL_MAX_QUERY_CHARS:
        return False
    try:
        document = parse(query, max_tokens=settings.GRAPHQL_MAX_QUERY_TOKENS)
    except GraphQLError:
        return False
    return not validate(schema, document, LIMIT_RULES)


def query_asking(schema, asked, sensible):
    root = SelectionSet()
    for path, graphql_type in asked:
        add_in_full(root, schema, path, graphql_type, sensible)
    return root


def queries_asking(schema, asked, sensible):
    """(queries, left out): queries asking every (path, type) of `asked`, in order, each
    the longest run of them that passes the limits (found by halving, as checking a
    query is not cheap); left out, those that break a limit alone."""
    queries, left_out = [], []
    while asked:
        if not within_limits(schema, query_asking(schema, asked[:1], sensible)):
            left_out.append(asked.pop(0))
            continue
        fits, too_many = 1, len(asked) + 1
        while too_many - fits > 1:
            middle = (fits + too_many) // 2
            if within_limits(schema, query_asking(schema, asked[:middle], sensible)):
                fits = middle
            else:
                too_many = middle
        queries.append(f"{{ {query_asking(schema, asked[:fits], sensible)} }}")
        asked = asked[fits:]
    return queries, left_out


def objects_in(value):
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [found for item in value for found in objects_in(item)]
    return []


def note_types(schema, graphql_type, value, path, answered, seen_at, lists=0):
    """Walk an answer: the types answered in full (more than their __typename), and where
    each type was seen, in full or by its __typename: the path through the fewest lists
    (each multiplies the cost of what it selects), then the shortest, with room below
    it for the scalars."""
    for key, item in value.items():
        name = key if key in graphql_type.fields else key.removeprefix(f"{graphql_type.name}_")
        if name == "__typename" or is_leaf_type(get_named_type(graphql_type.fields[name].type)):
            continue
        field_type = graphql_type.fields[name].type
        abstract = is_abstract_type(get_named_type(field_type))
        found_lists = lists + is_list_type(get_nullable_type(field_type))
        for found in objects_in(item):
            found_type = schema.get_type(found["__typename"])
            found_path = [*path, Step(name, found_type.name if abstract else None)]
            if len(found) > 1:
                answered.add(found_type.name)
            best = seen_at.get(found_type.name, (found_lists, settings.GRAPHQL_MAX_DEPTH))
            if (found_lists, len(found_path)) < best[:2]:
                seen_at[found_type.name] = (found_lists, len(found_path), found_path)
            note_types(schema, found_type, found, found_path, answered, seen_at, found_lists)


def answers(client, queries):
    for query in queries:
        response = client.post("/graphql/", {"query": query}, content_type="application/json")
        assert response.status_code == 200, (query, response.content[:1000])
        body = response.json()
        assert "errors" not in body, (query, body["errors"])
        yield body["data"]


def ask_every_field(client, capsys, dataset):
    """Ask every type as `types_to_ask` does; then, while the answers show a type that was
    not answered in full (a block in a struct's `blocks`, a page among `children`), ask it
    in full where it was seen, unless that breaks a limit. Returns the types answered in
    full."""
    schema = graphene_settings.SCHEMA.graphql_schema
    sensible = sensible_arguments()
    started = time.monotonic()
    queries, left_out = queries_asking(schema, list(types_to_ask(schema)), sensible)
    assert not left_out, f"these types alone break a limit where first reached: {left_out}"
    answered, seen_at, tried, sent, too_costly = set(), {}, set(), 0, 0
    while queries:
        sent += len(queries)
        for data in answers(client, queries):
            note_types(schema, schema.query_type, data, [], answered, seen_at)
        again = [
            (path, schema.get_type(name))
            for name, (_lists, _length, path) in seen_at.items()
            if name not in answered and (name, tuple(path)) not in tried
        ]
        tried.update((graphql_type.name, tuple(path)) for path, graphql_type in again)
        queries, left_out = queries_asking(schema, again, sensible)
        too_costly += len(left_out)
    with capsys.disabled():
        print(
            f"\nschema-wide over {dataset}: {sent} queries, {len(answered)} types answered "
            f"with data ({too_costly} more seen only where asking breaks a limit), "
            f"{time.monotonic() - started:.1f} s"
        )
    return answered


def test_every_field_answers_over_the_southwark_content(client, capsys):
    answered = ask_every_field(client, capsys, "the Southwark content")
    assert {"HomePage", "NewsPage", "PrinciplePage", "HeadingBlock", "Inspection"} <= answered


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, southwark):
    """Added to the Southwark content: the newest news, with a hero image, tags and a body
    of every news block kind; a principle with an icon and a body of every block kind
    (calls to action to a page and to an address); a document, snippets and a redirect.
    One image of the bodies is in a private collection: its block answers nulls."""
    with django_db_blocker.unblock(), transaction.atomic():
        private = ImageFactory(collection=CollectionFactory(password="secret"))
        news_body = [
            (
                "paragraph",
                RichText('<p>Demo <b>news</b>, <a href="https://example.org">linked</a>.</p>'),
            ),
            ("heading", {"text": "A demo heading", "level": "h3"}),
            ("quote", {"quote": "Demo words.", "attribution": "A demo person", "role": "Demo"}),
            ("list", {"items": ["One", "Two"], "ordered": True}),
            ("image", {"image": ImageFactory(), "caption": "A demo image"}),
            ("image", {"image": private, "caption": "A private image"}),
        ]
        news = NewsPageFactory(hero_image=ImageFactory(), tags=["Adoption", "Demo"], body=news_body)
        PrinciplePageFactory(
            icon=ImageFactory(),
            body=[
                *news_body,
                ("call_to_action", {"text": "Read the news", "page": news, "url": ""}),
                (
                    "call_to_action",
                    {"text": "Elsewhere", "page": None, "url": "https://example.org/"},
                ),
            ],
        )
        DocumentFactory()
        TestimonialFactory(year=2024, role="Demo role", source="Demo source")
        InspectionHighlight.objects.create(inspection=InspectionFactory(), text="A demo finding.")
        Redirect.objects.create(old_path="/demo-old-news", redirect_page=news)
        yield
        transaction.set_rollback(True)


def test_every_field_answers_over_a_demo_dataset(client, capsys, demo):
    answered = ask_every_field(client, capsys, "a demo dataset")
    assert {
        "RichTextBlock",
        "HeadingBlock",
        "QuoteBlock",
        "BulletListBlock",
        "ImageBlock",
        "CallToActionBlock",
        "ImageObjectType",
        "ImageRenditionObjectType",
        "TagObjectType",
        "DocumentObjectType",
        "Redirect",
    } <= answered


def test_a_required_argument_without_a_sensible_value_is_named():
    schema = graphene_settings.SCHEMA.graphql_schema
    with pytest.raises(LookupError, match=r"Query.newsItem\(slug:\) is required"):
        arguments_of("Query", "newsItem", schema.query_type.fields["newsItem"], {})
