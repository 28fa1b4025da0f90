"""Factories for the content tests make, built on wagtail-factories and factory_boy.

Pages are added as editors add them, with `add_child`, under `parent`: by default the
page the tree rules put them under (the home page, the news index, the principles
index), so on the Southwark content or on the empty site a migration leaves. As with
`Page(...)`, a page is live (`live=False` makes a draft) and has no revision:
`publish` saves one and publishes it, as an editor's Publish does.

Images and documents go to the root collection unless given another, and images carry
alt text, which the admin requires.
"""

import datetime

import factory
import wagtail_factories
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory
from wagtail.models import Collection, CollectionViewRestriction, Locale, Page, PageViewRestriction
from wagtail.rich_text import RichText

from home.models import HomePage, HomePageTestimonial, Inspection, StandardPage, Testimonial
from news.models import NewsIndexPage, NewsPage
from principles.models import BenefitsPage, PrinciplePage, PrinciplesIndexPage, VisionPage


def publish(item):
    """Save a revision of a page or snippet and publish it, as an editor's Publish does;
    return the item as published, read again from the database."""
    item.save_revision().publish()
    item.refresh_from_db()
    return item


def source_page(model):
    """A function finding the one page of a type in the source language (the site's
    tree; a translation makes one more in another language)."""
    return lambda: model.objects.get(locale=Locale.get_default())


def translate(item, locale, **fields):
    """A page's or snippet's translation into `locale`, published with any ancestor
    translated for it (as an editor would publish them): `fields` changed first."""
    if not isinstance(item, Page):
        translation = item.copy_for_translation(locale)
    else:
        translation = item.copy_for_translation(locale, copy_parents=True)
        for ancestor in translation.get_ancestors().filter(depth__gt=1, live=False).specific():
            publish(ancestor)
    for name, value in fields.items():
        setattr(translation, name, value)
    translation.save()
    return publish(translation)


# Media ---------------------------------------------------------------------------------------


class CollectionFactory(wagtail_factories.CollectionFactory):
    """A collection, under the root collection unless given a `parent`.

    `password="..."` makes it private as the admin's privacy setting does: its images and
    documents are then for those who give the password, never for the APIs.
    """

    parent = factory.LazyFunction(Collection.get_first_root_node)
    name = factory.Sequence(lambda n: f"Collection {n}")

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def password(collection, create, extracted, **kwargs):
        if create and extracted:
            CollectionViewRestriction.objects.create(
                collection=collection,
                restriction_type=CollectionViewRestriction.PASSWORD,
                password=extracted,
            )


class ImageFactory(wagtail_factories.ImageFactory):
    """A 640 x 360 PNG with alt text (`description`); `file__width=...` and
    `file__height=...` give it other dimensions."""

    title = factory.Sequence(lambda n: f"Image {n}")
    description = factory.LazyAttribute(lambda image: f"Alt text for {image.title}")
    collection = factory.LazyFunction(Collection.get_first_root_node)
    file = factory.django.ImageField(
        width=640, height=360, color="navy", format="PNG", filename="image.png"
    )


class DocumentFactory(wagtail_factories.DocumentFactory):
    title = factory.Sequence(lambda n: f"Document {n}")
    collection = factory.LazyFunction(Collection.get_first_root_node)
    file = factory.django.FileField(data=b"A document.", filename="document.txt")


# Pages ---------------------------------------------------------------------------------------


class HomeChildPageFactory(wagtail_factories.PageFactory):
    """A page of a type the tree puts under the home page, which the site comes with."""

    parent = factory.LazyFunction(source_page(HomePage))

    class Meta:
        abstract = True


class StandardPageFactory(HomeChildPageFactory):
    title = factory.Sequence(lambda n: f"Standard page {n}")

    class Meta:
        model = StandardPage


class VisionPageFactory(HomeChildPageFactory):
    title = "Our vision"
    vision_statement = "Every child and family in Southwark thrives."

    class Meta:
        model = VisionPage


class PrinciplesIndexPageFactory(HomeChildPageFactory):
    title = "Our principles"

    class Meta:
        model = PrinciplesIndexPage


class PrinciplePageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Principle {n}")
    parent = factory.LazyFunction(source_page(PrinciplesIndexPage))
    summary = factory.LazyAttribute(lambda page: f"What {page.title} means in our practice.")

    class Meta:
        model = PrinciplePage


class BenefitsPageFactory(HomeChildPageFactory):
    title = "Working here"

    class Meta:
        model = BenefitsPage


class NewsIndexPageFactory(HomeChildPageFactory):
    title = "News"

    class Meta:
        model = NewsIndexPage


class NewsPageFactory(wagtail_factories.PageFactory):
    """A news page under the site's news index, released today.

    `tags=[...]` tags it, in that order; `password="..."` makes it private as the admin's
    privacy setting does (a PageViewRestriction: for those who give the password, never
    for the APIs, feeds or sitemap). `hero_image` and `body` are empty unless given.
    """

    title = factory.Sequence(lambda n: f"News item {n}")
    parent = factory.LazyFunction(source_page(NewsIndexPage))
    date = factory.LazyFunction(datetime.date.today)
    summary = factory.LazyAttribute(lambda page: f"What happened: {page.title}.")

    class Meta:
        model = NewsPage
        skip_postgeneration_save = True

    @factory.post_generation
    def tags(page, create, extracted, **kwargs):
        if create and extracted:
            page.tags.add(*extracted)
            page.save()

    @factory.post_generation
    def password(page, create, extracted, **kwargs):
        if create and extracted:
            PageViewRestriction.objects.create(
                page=page, restriction_type=PageViewRestriction.PASSWORD, password=extracted
            )


# Snippets ------------------------------------------------------------------------------------


class TestimonialFactory(DjangoModelFactory):
    __test__ = False  # a factory, not a test class, whatever its name says to pytest

    quote = factory.Sequence(lambda n: f"They listened to me ({n}).")
    attribution = "A young person"

    class Meta:
        model = Testimonial


class FeaturedTestimonialFactory(DjangoModelFactory):
    """A testimonial featured on the home page (a new one unless given `testimonial`)."""

    page = factory.LazyFunction(source_page(HomePage))
    testimonial = factory.SubFactory(TestimonialFactory)
    sort_order = factory.Sequence(int)

    class Meta:
        model = HomePageTestimonial


class InspectionFactory(DjangoModelFactory):
    inspectorate = "Ofsted"
    published_on = factory.Sequence(
        lambda n: datetime.date(2000, 1, 1) + datetime.timedelta(days=n)
    )
    overall_rating = "Good"
    summary = factory.LazyAttribute(
        lambda inspection: (
            f"{inspection.inspectorate} found services for children "
            f"{inspection.overall_rating.lower()}."
        )
    )

    class Meta:
        model = Inspection


# A body of every block kind ------------------------------------------------------------------


def every_block_kind():
    """A body with every kind of block a page's body offers (home/blocks.py BodyBlock), as
    an editor may build it: headings in order (h2, h3, h4), both kinds of list, an image
    with its caption, a table with header cells, a call to action to a page here and one
    to an address elsewhere."""
    return [
        (
            "paragraph",
            RichText('<p>Some <b>bold</b>, <i>italic</i> and <a href="/">linked</a> words.</p>'),
        ),
        ("heading", {"text": "A section", "level": "h2"}),
        (
            "quote",
            {
                "quote": "They listened to me.",
                "attribution": "A young person",
                "role": "Care leaver",
            },
        ),
        ("heading", {"text": "A part of it", "level": "h3"}),
        ("list", {"items": ["First", "Second"], "ordered": False}),
        ("heading", {"text": "A part of that", "level": "h4"}),
        ("list", {"items": ["One", "Two"], "ordered": True}),
        ("image", {"image": ImageFactory(), "caption": "A caption under the image"}),
        (
            "table",
            {
                "caption": "Placements by year",
                "first_row_is_header": True,
                "first_column_is_header": True,
                "rows": [["Year", "Fostering", "Adoption"], ["2016", "310", "21"]],
            },
        ),
        (
            "call_to_action",
            {"text": "Go to the home page", "page": source_page(HomePage)(), "url": ""},
        ),
        (
            "call_to_action",
            {"text": "Visit example.org", "page": None, "url": "https://example.org/"},
        ),
    ]


class EveryBlockPageFactory(StandardPageFactory):
    """A standard page whose body holds every block kind (every_block_kind)."""

    title = "Every block kind"
    body = factory.LazyFunction(every_block_kind)


# People and their roles ----------------------------------------------------------------------


class UserFactory(DjangoModelFactory):
    """A person who signs in to the admin, in the role `role` if given: "Editors",
    "Moderators" or "Administrators" (the groups governance's migration sets up)."""

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("a-long-test-passphrase")

    class Meta:
        model = "auth.User"
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    @factory.post_generation
    def role(user, create, extracted, **kwargs):
        if create and extracted:
            user.groups.add(Group.objects.get(name=extracted))
