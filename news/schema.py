"""GraphQL entry points for news: a paginated, filterable list and one item by slug."""

from math import ceil
from typing import NamedTuple

import graphene
from django.db.models import Count, Exists, OuterRef, Q, Window
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from grapple.registry import registry
from grapple.types.structures import PaginationType, PositiveInt
from taggit.models import Tag
from wagtail.images import get_image_model
from wagtail.models import Page

from api.graphql.errors import bad_input
from api.graphql.locales import chain_of, locale_arguments
from api.graphql.media import hold_renditions, requested_rendition_specs
from api.graphql.selections import selected_fields
from core import compiled_queries, content_version, surrogate_keys
from core.locales import chosen_ids, in_locale, marked
from core.memo import KeyedMemo
from core.visibility import visibility_for

from .models import NewsPage, NewsPageTag

DEFAULT_PER_PAGE = 10


def news_page_type():
    return registry.pages[NewsPage]


class NewsItems(graphene.ObjectType):
    """A page of news items, newest first, and where it lies among them."""

    items = graphene.List(
        graphene.NonNull(news_page_type), required=True, description="The items, newest first."
    )
    pagination = graphene.Field(
        PaginationType, required=True, description="This page's place among all the items."
    )


def live_news(info):
    """News pages an anonymous reader of the requested site may see, newest first."""
    pages = visibility_for(info.context).visible_pages(NewsPage.objects.all())
    return pages.order_by("-date", "-pk")


def fetch_with_requested_relations(pages, info, *path):
    """The pages, with what the query asks of each at `path` fetched in bulk: one query
    for each relation whatever the number of pages, none for one it does not ask for."""
    fields = selected_fields(info, *path)
    if "body" not in fields:
        pages = pages.defer("body")  # the largest column by far, and JSON to decode
    if "heroImage" in fields:
        pages = pages.select_related("hero_image")
    pages = list(pages)
    hold_hero_renditions(info, pages, *path)
    if "tags" in fields:
        prime_tag_lists(pages)
    return pages


# News pages as a list reads them (the columns, hero image and tags its selection needs:
# `RowShape`), each kept with the versions of its own key, and of its image's and its
# tags' where it holds them: at most 500 (a news page read whole: about 10 KiB).
news_items = KeyedMemo(max_size=500)

# The columns every news page a list answers is read with: its id, what the visibility
# rule checks (core/visibility.py `page_is_visible`), its URL (`url_of`), its parent
# (api/graphql/pages.py) and its language (core/locales.py).
ROW_COLUMNS = (
    "id",
    "live",
    "expired",
    "depth",
    "path",
    "url_path",
    "locale_id",
    "content_type_id",
    "translation_key",
)
# The columns each field of a list's items reads, for the fields a list can answer from
# its rows: any other field selected (`children`, `pageType`, ...) reads its items whole.
FIELD_COLUMNS = {
    "__typename": (),
    "id": (),
    "url": (),
    "parent": (),
    "locale": (),
    "requestedLocale": (),
    "translations": (),
    "tags": (),  # fetched for all the items in one query (prime_tag_lists)
    "heroImage": ("hero_image_id",),  # fetched for all the items in one query
    "title": ("title",),
    "seoTitle": ("seo_title", "title"),
    "slug": ("slug",),
    "live": (),
    "urlPath": (),
    "depth": (),
    "searchDescription": ("search_description",),
    "showInMenus": ("show_in_menus",),
    "locked": ("locked",),
    "firstPublishedAt": ("first_published_at",),
    "lastPublishedAt": ("last_published_at",),
    "lastUpdated": ("change_history", "first_published_at"),
    "changeHistory": ("change_history",),
    "date": ("date",),
    "summary": ("summary",),
    "body": ("body",),
    "notesToEditors": ("notes_to_editors",),
    "sourceUrl": ("source_url",),
}


class RowShape(NamedTuple):
    """What a list reads of each news page for its selection: `columns` (None: the whole
    row), and whether with its tags and its hero image."""

    columns: tuple | None
    tags: bool
    hero_image: bool

    @classmethod
    def of(cls, info, *path):
        fields = selected_fields(info, *path)
        if not fields <= FIELD_COLUMNS.keys():
            return cls(None, tags=True, hero_image=True)
        columns = {column for name in fields for column in FIELD_COLUMNS[name]}
        columns = ROW_COLUMNS + tuple(sorted(columns - set(ROW_COLUMNS)))
        return cls(columns, tags="tags" in fields, hero_image="heroImage" in fields)

    @property
    def reads_rows(self):
        """Whether pages are made from rows of `columns` (`page_from_row`), not read whole."""
        return self.columns is not None and not listened_to_as_made(NewsPage)


def kept_news_pages(info, ids, shape, rows=None):
    """The news pages with these ids, in their order, read as the list's selection needs
    them (`shape`, its `RowShape`), and the renditions of their hero images the query
    asks for (`info` is the list's). `rows`: their rows as the shape reads them, where
    the list read them already (with its count).

    A page is read, then kept (`news_items`) until a change retires it, its image or
    one of its tags: a publish reads again only the pages it changed. Which pages, in
    what order, is still read each time, and each is still checked against the
    visibility rule as it is answered. Inside a transaction nothing is kept: it may hold
    changes no version describes yet."""
    key_versions = content_version.key_versions_for(info.context)
    kept = news_items.find_many(key_versions, [("news", shape, pk) for pk in ids])
    found = {key[2]: page for key, page in kept.items()}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        fetched = read_news_pages(missing, shape, rows)
        news_items.keep(
            key_versions,
            [(("news", shape, page.pk), page, keys_held(page, shape)) for page in fetched],
        )
        found.update((page.pk, page) for page in fetched)
    pages = [found[pk] for pk in ids if pk in found]  # one deleted since is left out
    hold_hero_renditions(info, pages, "items")
    return pages


def read_news_pages(ids, shape, rows=None):
    """The news pages with these ids as `shape` says, in one query (none where their
    `rows` were read already), and their tags and hero images in one query each."""
    if not shape.reads_rows:
        pages = list(NewsPage.objects.filter(pk__in=ids).select_related("hero_image"))
    else:
        if rows is None:
            rows = NewsPage.objects.filter(pk__in=ids).values_list(*shape.columns)
        else:
            wanted = set(ids)
            rows = [row for row in rows if row[0] in wanted]
        db = NewsPage.objects.db
        pages = [page_from_row(NewsPage, shape.columns, row, db) for row in rows]
        if shape.hero_image:
            prime_hero_images(pages)
    if shape.tags:
        prime_tag_lists(pages)
    return pages


def listened_to_as_made(model):
    """Whether anything listens to the model's instances being made (`page_from_row`
    would not tell it)."""
    return pre_init.has_listeners(model) or post_init.has_listeners(model)


def page_from_row(model, columns, row, db):
    """A page of `model` from a row of `columns`, its other columns deferred (read if
    asked for), as Django's Model.from_db makes one but without running __init__:
    modelcluster's walks every field of the model for each page it makes
    (ClusterableModel.__init__), a third of reading a list of 100. Not for a model
    whose pre_init or post_init is listened to (`listened_to_as_made`)."""
    page = model.__new__(model)
    page._state = ModelState()
    page._state.adding = False
    page._state.db = db
    page.__dict__.update(zip(columns, row, strict=True))
    page.__dict__[model._meta.pk.attname] = page.id  # page_ptr_id, the page's own id
    return page


def prime_hero_images(pages):
    """Each page's hero image, from one query of the images they use (a few images are
    shared by many pages: each is made once)."""
    field = NewsPage._meta.get_field("hero_image")
    wanted = sorted({page.hero_image_id for page in pages} - {None})
    image_model = get_image_model()
    found = compiled_queries.instances(
        image_model, ("by id",), lambda ids: image_model.objects.filter(pk__in=ids), [wanted]
    )
    images = {image.pk: image for image in found}
    for page in pages:
        field.set_cached_value(page, images.get(page.hero_image_id))


def keys_held(page, shape):
    """The surrogate keys of what a kept news page holds: itself, and its image and its
    tags where it was read with them."""
    held = [page]
    if shape.tags:
        held += page.tag_list
    if shape.hero_image and page.hero_image is not None:
        held.append(page.hero_image)
    return {surrogate_keys.key_for(each) for each in held}


def hold_hero_renditions(info, pages, *path):
    """The renditions the query asks of the pages' hero images at `path`, if it asks for
    any, fetched in one query (api/graphql/media.py)."""
    if "heroImage" in selected_fields(info, *path):
        specs = requested_rendition_specs(info, *path, "heroImage")
        hold_renditions(info.context, [page.hero_image for page in pages], specs)


def prime_tag_lists(pages):
    """Fill each page's `tag_list` from one query of plain values (cheaper than a
    prefetch of tagged_items, which builds and links an object for each tagging), with
    one Tag object for each tag however many pages share it."""
    by_id = {page.pk: page for page in pages}
    for page in pages:
        page.__dict__["tag_list"] = []
    tags = {}

    def taggings(ids):
        taggings = NewsPageTag.objects.filter(content_object_id__in=ids).order_by("pk")
        return taggings.values_list("content_object_id", "tag_id", "tag__name", "tag__slug")

    for page_id, tag_id, name, slug in compiled_queries.rows(
        "news pages' tags", taggings, [list(by_id)]
    ):
        if tag_id not in tags:
            tags[tag_id] = Tag(id=tag_id, name=name, slug=slug)
        by_id[page_id].tag_list.append(tags[tag_id])


def ids_between(items, built_from, total, start, stop, *also):
    """The rows of `items()[start:stop]`: each page's id, then its `also` fields; its
    other columns are fetched after. `built_from`: all `items()` is built from, to
    compile the query once for (core/compiled_queries.py).

    Read from the nearer end of the list: an OFFSET walks past every row before it, so
    a page past the middle is read with the order reversed (the same index, backwards)
    and turned round."""
    if start <= total - stop:
        return compiled_queries.rows(
            (*built_from, "ids", also, start, stop),
            lambda: items().values_list("pk", *also)[start:stop],
        )
    backwards = compiled_queries.rows(
        (*built_from, "ids backwards", also, total - stop, total - start),
        lambda: items().values_list("pk", *also).reverse()[total - stop : total - start],
    )
    return backwards[::-1]


def counted_rows_between(items, built_from, start, stop, columns):
    """The rows of `columns` (the id first) of `items()[start:stop]` and how many items
    there are, in one query (a window count over the list): for a list whose count is
    not kept, as after a publish. The count is None where the slice is empty (past the
    end). `built_from`: as for `ids_between`."""

    def counted():
        counted = items().annotate(listed=Window(Count("pk")))
        return counted.values_list(*columns, "listed")[start:stop]

    rows = compiled_queries.rows((*built_from, "counted", columns, start, stop), counted)
    return [row[:-1] for row in rows], rows[0][-1] if rows else None


class NewsQuery:
    news_items = graphene.Field(
        NewsItems,
        required=True,
        page=PositiveInt(default_value=1, description="1 for the newest items."),
        per_page=PositiveInt(default_value=DEFAULT_PER_PAGE, description="1 to 100."),
        tag=graphene.String(description="Only items with this tag (its slug or name)."),
        year=graphene.Int(description="Only items dated in this year."),
        description="Live news, newest first: the same items and totals in every locale.",
        **locale_arguments(),
    )
    news_item = graphene.Field(
        news_page_type,
        slug=graphene.String(
            required=True, description="Its slug, as in /news/<slug>/ (the source language's)."
        ),
        description="One live news item by its slug, or null.",
        **locale_arguments(),
    )

    def resolve_news_items(
        self, info, page, per_page, tag=None, year=None, locale=None, fallback_locales=None
    ):
        chain = chain_of(locale, fallback_locales)
        if page < 1:
            raise bad_input("page must be 1 or more.")

        def items():
            items = live_news(info)
            if tag:
                # EXISTS rather than a join: no DISTINCT, so the date index still orders it.
                tagged = NewsPageTag.objects.filter(content_object=OuterRef("pk")).filter(
                    Q(tag__slug=tag) | Q(tag__name__iexact=tag)
                )
                items = items.filter(Exists(tagged))
            if year is not None:
                items = items.filter(date__year=year)
            return items

        rules = visibility_for(info.context)
        # All `items` is built from: its queries are compiled once for these
        # (core/compiled_queries.py), and built only then. The answer holds the list,
        # built or not (as `visible_pages` records it).
        built_from = ("newsItems", rules.site_root_path, rules.hidden_page_paths, tag, year)
        surrogate_keys.record(info.context, surrogate_keys.list_key(NewsPage))
        described_by = ("newsItems", tag, year)
        shape = RowShape.of(info, "items")
        # Each row read: the item's id, then its languages (for a list in a language);
        # read with the count, the columns its page is made of, where the shape allows.
        also = () if chain is None else ("translation_key", "locale_id")
        rows_make_items = chain is None and shape.reads_rows
        with_count = shape.columns if rows_make_items else ("pk", *also)
        start = (page - 1) * per_page
        rows = item_rows = None
        total = rules.kept_count(*described_by)
        if total is None:  # the list's membership may have changed: counted with its rows
            rows, total = counted_rows_between(
                items, built_from, start, start + per_page, with_count
            )
            if total is None:
                total = rules.count(items(), *described_by)
            else:
                rules.keep_count(total, *described_by)
            item_rows = rows if rows_make_items else None
        total_pages = max(1, ceil(total / per_page))
        if page > total_pages:
            raise bad_input(f"page {page} is past the last page, {total_pages}.")
        if rows is None:
            rows = ids_between(items, built_from, total, start, min(start + per_page, total), *also)
        ids = [row[0] for row in rows]
        if chain is None:
            found = kept_news_pages(info, ids, shape, item_rows)
        else:
            found = news_in_locale(info, [ItemRow(*row) for row in rows], chain, shape)
        return NewsItems(
            items=found,
            pagination=PaginationType(
                total=total,
                count=len(ids),
                per_page=per_page,
                current_page=page,
                prev_page=page - 1 if page > 1 else None,
                next_page=page + 1 if page < total_pages else None,
                total_pages=total_pages,
            ),
        )

    def resolve_news_item(self, info, slug, locale=None, fallback_locales=None):
        chain = chain_of(locale, fallback_locales)
        found = fetch_with_requested_relations(live_news(info).filter(slug=slug)[:1], info)

        def fetch(model, ids):
            return fetch_with_requested_relations(NewsPage.objects.filter(pk__in=ids), info)

        return in_locale(info.context, found, chain, fetch)[0] if found else None


class ItemRow(NamedTuple):
    """A list item's id and languages, as core/locales.py reads them."""

    pk: int
    translation_key: object
    locale_id: int


def news_in_locale(info, sources, chain, shape):
    """The news pages of these rows (the source language's), each in the language the
    chain answers it in, read as a list reads them (`kept_news_pages`)."""
    chosen = chosen_ids(info.context, sources, chain, Page)
    return marked(kept_news_pages(info, chosen, shape), chain)
