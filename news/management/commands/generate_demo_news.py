"""Add demo news pages under the news index, for load tests and front-end demos.

Every page is clearly demo content: tagged "Demo", its slug starts "demo-", and its
body ends by saying so. Titles, summaries and bodies are composed from a small
vocabulary about children's services in Southwark; a few hero images drawn with
Pillow are shared by all the pages.

It scales to tens of thousands of pages (10,000 in a few minutes on SQLite). Each page
ends up as publishing leaves a new page: live, in a valid tree (the paths, depths and
numchild treebeard's add_child gives), with one revision that is both its latest and
its live one. But the per-page work of add_child and publish() is done per batch of
pages, in one transaction: one read and update of the parent, revisions created in
bulk, and the search index (unless --no-index) and the reference index updated
directly rather than through a background task per page. No publish signals are
sent: nothing is announced to webhooks for demo content.
"""

import io
import random
import re
import sys
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import F
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.text import slugify
from modelsearch.signal_handlers import post_save_signal_handler
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont
from taggit.models import Tag
from tqdm import tqdm
from wagtail.images import get_image_model
from wagtail.models import Collection, Page, ReferenceIndex, Revision, Site
from wagtail.search.backends import get_search_backends
from wagtail.signal_handlers import disable_reference_index_auto_update

from news.models import NewsIndexPage, NewsPage, NewsPageTag

DEMO_TAG = "Demo"
SLUG_PREFIX = "demo-"
IMAGE_COLLECTION = "Demo content"
IMAGE_SIZE = (640, 360)
IMAGE_COLOURS = ["#1d3a6e", "#5a2a82", "#00746b", "#b5381f", "#2f5f8a", "#6b4e16"]
YEARS_BACK = 8
DEMO_NOTICE = "<p><em>Demo content, generated for testing: not a real announcement.</em></p>"

AREAS = [
    "Peckham",
    "Camberwell",
    "Bermondsey",
    "Walworth",
    "Dulwich",
    "Rotherhithe",
    "Elephant and Castle",
    "Nunhead",
    "Borough",
    "Bankside",
]
AUDIENCES = [
    "children and families",
    "care leavers",
    "young carers",
    "foster carers",
    "new parents",
    "teenagers",
    "children with special educational needs",
    "adoptive families",
]
SERVICES = [
    "early help",
    "fostering",
    "adoption",
    "youth justice",
    "short breaks",
    "family support",
    "children's mental health",
    "virtual school",
]
EVENTS = [
    "a summer festival",
    "the Local Offer fair",
    "Foster Care Fortnight",
    "a careers day",
    "Care Leavers' Week",
    "a youth takeover day",
]
INITIATIVES = [
    "a recruitment campaign for children's social workers",
    "a network of family hubs",
    "a free holiday activities programme",
    "a participation strategy written with young people",
    "a mentoring scheme for care leavers",
]
TITLES = [
    "{Area} family hub opens its doors to {audience}",
    "Foster carers in {area} recognised at {event}",
    "New {service} support for {audience} across Southwark",
    "Young people lead {event} in {area}",
    "Southwark's {service} team shortlisted for a national award",
    "Council invests in {service} for {audience}",
    "Social workers in {area} share what makes the borough different",
    "{Event} brings {audience} together in {area}",
    "Southwark launches {initiative}",
]
SUMMARIES = [
    "Southwark Council's children's services have announced new {service} support for "
    "{audience} in {area}.",
    "{Audience} in {area} will benefit from {initiative}, the council said today.",
    "More than {number} {audience} took part in {event} in {area} this year.",
]
PARAGRAPHS = [
    "The council's {service} team worked with {audience} in {area} to shape the plans, "
    "which put children at the heart of every decision.",
    "Our systemic, family-minded approach means social workers spend more time with the "
    "families they support and less time on paperwork.",
    "Partners from health, schools, the police and the voluntary sector will work together "
    "so that {audience} get the right help at the right time.",
    "Anyone who would like to find out more can contact the {service} team, or visit a "
    "family hub in {area}.",
    "Over the last year more than {number} {audience} were supported by {service} services "
    "across the borough.",
]
HEADINGS = ["What happens next", "How to get involved", "Why it matters", "Working together"]
QUOTES = [
    (
        "We want every child in Southwark to grow up safe, healthy and happy.",
        "A council spokesperson",
    ),
    (
        "It made a real difference to our family to have someone who listened.",
        "A parent from {area}",
    ),
    ("Young people told us what they needed, and we built this with them.", "A youth worker"),
    ("I'm proud of the work our social workers do every day.", "A team manager in {service}"),
]
LIST_ITEMS = [
    "drop-in sessions at family hubs",
    "one-to-one support from a named worker",
    "activities during the school holidays",
    "advice on money, housing and health",
    "training for foster carers and adopters",
    "a say in how services are run",
]
TOPIC_TAGS = [
    "Fostering",
    "Adoption",
    "Early help",
    "Family hubs",
    "Youth services",
    "Social work",
    "SEND",
    "Care leavers",
    "Schools",
    "Recruitment",
    "Participation",
]


class Command(BaseCommand):
    help = (
        "Add COUNT demo news pages (tagged Demo, slugs demo-...) under the news index. "
        "Each run adds more; delete them in the admin by the Demo tag."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--count", type=positive_int, required=True, help="How many pages to add."
        )
        parser.add_argument(
            "--seed", type=int, default=None, help="Random seed, for the same content again."
        )
        parser.add_argument(
            "--no-index",
            action="store_true",
            help="Do not add the pages to the search index (faster; run update_index later).",
        )
        parser.add_argument(
            "--batch-size", type=positive_int, default=500, help="Pages per transaction."
        )

    def handle(self, *args, count, seed, no_index, batch_size, **options):
        index_page = news_index()
        rng = random.Random(seed)  # noqa: S311 (demo content, not cryptography)
        with transaction.atomic():
            images = demo_images()
            tags = {
                name: Tag.objects.get_or_create(name=name)[0] for name in [DEMO_TAG, *TOPIC_TAGS]
            }
        first_number = next_demo_number(index_page)
        content_types = (
            ContentType.objects.get_for_model(NewsPage),
            ContentType.objects.get_for_model(Page),
        )

        progress = tqdm(total=count, desc="Demo news", unit="page", file=sys.stderr, disable=None)
        with progress, indexing_paused(NewsPage):
            for start in range(0, count, batch_size):
                numbers = range(first_number + start, first_number + min(start + batch_size, count))
                with transaction.atomic():
                    pages = [
                        compose_page(rng, number, images, tags, index_page) for number in numbers
                    ]
                    add_children(index_page, pages)
                    add_revisions(pages, content_types)
                    for page in pages:
                        ReferenceIndex.create_or_update_for_object(page)
                    if not no_index:
                        for backend in get_search_backends(with_auto_update=True):
                            backend.add_bulk(NewsPage, pages)
                progress.update(len(pages))

        last = first_number + count - 1
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {count} demo news pages under {index_page.get_url()} "
                f"({slug_for(first_number, '')}... to {slug_for(last, '')}...)"
                + (", not in the search index." if no_index else ".")
            )
        )


def positive_int(value):
    number = int(value)
    if number < 1:
        raise ValueError(f"{value} is not a positive whole number")
    return number


def news_index():
    site = Site.objects.filter(is_default_site=True).first()
    pages = NewsIndexPage.objects.all()
    if site is not None:
        pages = pages.descendant_of(site.root_page)
    index_page = pages.first()
    if index_page is None:
        raise CommandError("There is no news index: run load_southwark_content first.")
    return index_page


def next_demo_number(index_page):
    slugs = NewsPage.objects.child_of(index_page).filter(slug__startswith=SLUG_PREFIX)
    pattern = re.compile(rf"^{SLUG_PREFIX}(\d+)-")
    numbers = [
        int(match.group(1))
        for slug in slugs.values_list("slug", flat=True)
        if (match := pattern.match(slug))
    ]
    return max(numbers, default=0) + 1


def slug_for(number, title):
    return f"{SLUG_PREFIX}{number:05d}-{slugify(title)}"[:80].rstrip("-")


@contextmanager
def indexing_paused(model):
    """No search or reference-index task per save: the command indexes each batch itself."""
    disconnected = post_save.disconnect(post_save_signal_handler, sender=model)
    try:
        with disable_reference_index_auto_update():
            yield
    finally:
        if disconnected:
            post_save.connect(post_save_signal_handler, sender=model)


def demo_images():
    """The shared hero images, drawn once and found again on later runs."""
    root = Collection.get_first_root_node()
    collection = root.get_children().filter(name=IMAGE_COLLECTION).first()
    if collection is None:
        collection = root.add_child(name=IMAGE_COLLECTION)
    image_model = get_image_model()
    images = []
    for number, colour in enumerate(IMAGE_COLOURS, start=1):
        title = f"Demo news image {number}"
        image = image_model.objects.filter(collection=collection, title=title).first()
        if image is None:
            image = image_model(
                title=title,
                description=f"A plain coloured banner with the words Demo news {number}",
                collection=collection,
                file=ImageFile(
                    draw_banner(colour, f"Demo news {number}"), name=f"demo-{number}.png"
                ),
            )
            image.save()
        images.append(image)
    return images


def draw_banner(colour, text):
    picture = PILImage.new("RGB", IMAGE_SIZE, colour)
    font = ImageFont.load_default(size=40)
    ImageDraw.Draw(picture).text(
        (IMAGE_SIZE[0] // 2, IMAGE_SIZE[1] // 2), text, fill="white", font=font, anchor="mm"
    )
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer


def compose_page(rng, number, images, tags, index_page):
    words = {
        "area": rng.choice(AREAS),
        "audience": rng.choice(AUDIENCES),
        "service": rng.choice(SERVICES),
        "event": rng.choice(EVENTS),
        "initiative": rng.choice(INITIATIVES),
        "number": rng.choice([40, 75, 120, 200, 350, 500]),
    }
    # "{Area}" is the word with a capital letter, for the start of a sentence.
    words.update({key.capitalize(): capitalise(str(value)) for key, value in list(words.items())})
    title = rng.choice(TITLES).format(**words)

    end = timezone.localdate()
    day = end - timedelta(days=rng.randrange((end - date(end.year - YEARS_BACK, 1, 1)).days))
    published = timezone.make_aware(datetime.combine(day, time(10, rng.randrange(60))))

    page = NewsPage(
        title=title,
        draft_title=title,
        slug=slug_for(number, title),
        date=day,
        summary=rng.choice(SUMMARIES).format(**words),
        body=compose_body(rng, words, images),
        hero_image=rng.choice(images),
        live=True,
        has_unpublished_changes=False,
        first_published_at=published,
        last_published_at=published,
    )
    topics = rng.sample(TOPIC_TAGS, rng.randint(1, 3))
    page.tagged_items = [NewsPageTag(tag=tags[name]) for name in [DEMO_TAG, *topics]]
    return page


def compose_body(rng, words, images):
    paragraphs = rng.sample(PARAGRAPHS, 3)
    quote, attribution = rng.choice(QUOTES)
    blocks = [
        ("paragraph", f"<p>{paragraphs[0].format(**words)}</p>"),
        ("heading", {"text": rng.choice(HEADINGS), "level": "h2"}),
        ("paragraph", f"<p>{paragraphs[1].format(**words)}</p>"),
        ("quote", {"quote": quote, "attribution": attribution.format(**words), "role": ""}),
        ("list", {"items": rng.sample(LIST_ITEMS, rng.randint(2, 4)), "ordered": False}),
        ("paragraph", f"<p>{paragraphs[2].format(**words)}</p>"),
    ]
    if rng.random() < 0.25:
        blocks.insert(3, ("image", {"image": rng.choice(images), "caption": ""}))
    return [*blocks, ("paragraph", DEMO_NOTICE)]


def capitalise(text):
    return text[:1].upper() + text[1:]


def add_children(parent, pages):
    """What treebeard's `parent.add_child(instance=page)` does, for many pages at once.

    The same paths, depths and numchild as one add_child after another, but one read and
    one update of the parent instead of one each per page. Pages are saved without
    `full_clean()`: the first one is checked, and the rest are built the same way.
    """
    locked = Page.objects.select_for_update().get(pk=parent.pk)
    last_child = locked.get_last_child()
    step = last_child._get_lastpos_in_path() if last_child else 0
    depth = locked.depth + 1
    pages[0].full_clean(exclude=["path", "depth"])
    for page in pages:
        step += 1
        page.depth = depth
        page.path = Page._get_path(locked.path, depth, step)
        page.numchild = 0
        page._cached_parent_obj = parent
        page.save(clean=False)
    Page.objects.filter(pk=parent.pk).update(numchild=F("numchild") + len(pages))
    parent.numchild = locked.numchild + len(pages)


def add_revisions(pages, content_types):
    """One revision per page, live and latest, as publishing leaves a new page."""
    news_type, page_type = content_types
    revisions = Revision.objects.bulk_create(
        Revision(
            content_type=news_type,
            base_content_type=page_type,
            object_id=str(page.pk),
            content=page.serializable_data(),
            object_str=str(page),
            created_at=page.last_published_at,
        )
        for page in pages
    )
    for page, revision in zip(pages, revisions, strict=True):
        page.latest_revision = revision
        page.live_revision = revision
        page.latest_revision_created_at = revision.created_at
    Page.objects.bulk_update(
        pages, ["latest_revision", "live_revision", "latest_revision_created_at"]
    )
