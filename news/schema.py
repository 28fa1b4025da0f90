"""GraphQL entry points for news: a paginated, filterable list and one item by slug."""

import graphene
from django.core.paginator import Paginator
from django.db.models import Q
from grapple.registry import registry
from grapple.types.structures import PaginationType, PositiveInt
from taggit.models import Tag

from cms.graphql.errors import bad_input
from cms.graphql.media import hold_renditions, requested_rendition_specs
from cms.graphql.selections import selected_fields
from cms.visibility import visibility_for

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
    if "heroImage" in fields:
        specs = requested_rendition_specs(info, *path, "heroImage")
        hold_renditions(info.context, [page.hero_image for page in pages], specs)
    if "tags" in fields:
        prime_tag_lists(pages)
    return pages


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


class NewsQuery:
    news_items = graphene.Field(
        NewsItems,
        required=True,
        page=PositiveInt(default_value=1, description="1 for the newest items."),
        per_page=PositiveInt(default_value=DEFAULT_PER_PAGE, description="1 to 100."),
        tag=graphene.String(description="Only items with this tag (its slug or name)."),
        year=graphene.Int(description="Only items dated in this year."),
        description="Live news, newest first.",
    )
    news_item = graphene.Field(
        news_page_type,
        slug=graphene.String(required=True, description="Its slug, as in /news/<slug>/."),
        description="One live news item by its slug, or null.",
    )

    def resolve_news_items(self, info, page, per_page, tag=None, year=None):
        if page < 1:
            raise bad_input("page must be 1 or more.")
        items = live_news(info)
        if tag:
            items = items.filter(Q(tags__slug=tag) | Q(tags__name__iexact=tag)).distinct()
        if year is not None:
            items = items.filter(date__year=year)

        # Page through ids, then fetch the page's rows: a deep page then sorts and skips
        # narrow rows, not whole pages with their bodies.
        paginator = Paginator(items.values_list("pk", flat=True), per_page)
        if page > paginator.num_pages:
            raise bad_input(f"page {page} is past the last page, {paginator.num_pages}.")
        current = paginator.page(page)
        ids = list(current.object_list)
        rows = fetch_with_requested_relations(NewsPage.objects.filter(pk__in=ids), info, "items")
        by_id = {row.pk: row for row in rows}
        return NewsItems(
            items=[by_id[pk] for pk in ids],
            pagination=PaginationType(
                total=paginator.count,
                count=len(current.object_list),
                per_page=per_page,
                current_page=page,
                prev_page=current.previous_page_number() if current.has_previous() else None,
                next_page=current.next_page_number() if current.has_next() else None,
                total_pages=paginator.num_pages,
            ),
        )

    def resolve_news_item(self, info, slug):
        found = fetch_with_requested_relations(live_news(info).filter(slug=slug)[:1], info)
        return found[0] if found else None
