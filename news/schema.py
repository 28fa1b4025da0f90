"""GraphQL entry points for news: a paginated, filterable list and one item by slug."""

from math import ceil
from typing import NamedTuple

import graphene
from django.db.models import Exists, OuterRef, Q
from grapple.registry import registry
from grapple.types.structures import PaginationType, PositiveInt
from taggit.models import Tag
from wagtail.models import Page

from api.graphql.errors import bad_input
from api.graphql.locales import chain_of, locale_arguments
from api.graphql.media import hold_renditions, requested_rendition_specs
from api.graphql.selections import selected_fields
from core import content_version, surrogate_keys
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


# News pages as a list reads them (with hero image and tags), each kept with the versions
# of its own key, its image's and its tags': at most 500 (a news page: about 10 KiB).
news_items = KeyedMemo(max_size=500)


def kept_news_pages(info, ids):
    """The news pages with these ids, in their order, each with its hero image and tags,
    and the renditions of those images the query asks for (`info` is the list's).

    A page is read with its image and tags, then kept (`news_items`) until a change
    retires one of them: a publish reads again only the pages it changed. Which pages,
    in what order, is still read each time, and each is still checked against the
    visibility rule as it is answered. Inside a transaction nothing is kept: it may hold
    changes no version describes yet."""
    key_versions = content_version.key_versions_for(info.context)
    found = {
        pk: page for pk in ids if (page := news_items.find(key_versions, ("news", pk))) is not None
    }
    missing = [pk for pk in ids if pk not in found]
    if missing:
        fetched = list(NewsPage.objects.filter(pk__in=missing).select_related("hero_image"))
        prime_tag_lists(fetched)
        news_items.keep(
            key_versions, [(("news", page.pk), page, keys_held(page)) for page in fetched]
        )
        found.update((page.pk, page) for page in fetched)
    pages = [found[pk] for pk in ids if pk in found]  # one deleted since is left out
    hold_hero_renditions(info, pages, "items")
    return pages


def keys_held(page):
    """The surrogate keys of what a kept news page holds: itself, its image and its tags."""
    held = [page, *page.tag_list] + ([page.hero_image] if page.hero_image else [])
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
    taggings = NewsPageTag.objects.filter(content_object_id__in=by_id).order_by("pk")
    for page_id, tag_id, name, slug in taggings.values_list(
        "content_object_id", "tag_id", "tag__name", "tag__slug"
    ):
        if tag_id not in tags:
            tags[tag_id] = Tag(id=tag_id, name=name, slug=slug)
        by_id[page_id].tag_list.append(tags[tag_id])


def ids_between(items, total, start, stop, *also):
    """The ids of `items[start:stop]`, the page's ids only: its rows are fetched after
    (with `also`, field names: rows of the id and those fields).

    Read from the nearer end of the list: an OFFSET walks past every row before it, so
    a page past the middle is read with the order reversed (the same index, backwards)
    and turned round."""
    ids = items.values_list("pk", *also) if also else items.values_list("pk", flat=True)
    if start <= total - stop:
        return list(ids[start:stop])
    return list(reversed(ids.reverse()[total - stop : total - start]))


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
        items = live_news(info)
        if tag:
            # EXISTS rather than a join: no DISTINCT, so the date index still orders it.
            tagged = NewsPageTag.objects.filter(content_object=OuterRef("pk")).filter(
                Q(tag__slug=tag) | Q(tag__name__iexact=tag)
            )
            items = items.filter(Exists(tagged))
        if year is not None:
            items = items.filter(date__year=year)

        total = visibility_for(info.context).count(items, "newsItems", tag, year)
        total_pages = max(1, ceil(total / per_page))
        if page > total_pages:
            raise bad_input(f"page {page} is past the last page, {total_pages}.")
        start = (page - 1) * per_page
        stop = min(start + per_page, total)
        if chain is None:
            ids = ids_between(items, total, start, stop)
            found = kept_news_pages(info, ids)
        else:
            rows = ids_between(items, total, start, stop, "translation_key", "locale_id")
            ids = [row[0] for row in rows]
            found = news_in_locale(info, [ItemRow(*row) for row in rows], chain)
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


def news_in_locale(info, sources, chain):
    """The news pages of these rows (the source language's), each in the language the
    chain answers it in, read as a list reads them (`kept_news_pages`)."""
    chosen = chosen_ids(info.context, sources, chain, Page)
    return [marked(page, chain) for page in kept_news_pages(info, chosen)]
