"""Page-tree rules for every page type, and the server-rendered templates that show them."""

import datetime
from html.parser import HTMLParser

from django.template.loader import render_to_string
from django.urls import reverse
from wagtail import blocks
from wagtail.models import Page, Site
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import (
    nested_form_data,
    querydict_from_html,
    rich_text,
    streamfield,
)

from home.models import HomePage, OrganisationSettings, StandardPage, Stat
from news.models import NewsIndexPage, NewsPage
from principles.models import (
    Benefit,
    BenefitsPage,
    CouncilPlanAction,
    MissionStatement,
    PrinciplePage,
    PrinciplesIndexPage,
    Priority,
    VisionPage,
)
from tests.support.factories import (
    BenefitsPageFactory,
    FeaturedTestimonialFactory,
    ImageFactory,
    NewsIndexPageFactory,
    NewsPageFactory,
    PrinciplePageFactory,
    PrinciplesIndexPageFactory,
    StandardPageFactory,
    VisionPageFactory,
)

PAGE_TYPES = [
    HomePage,
    StandardPage,
    VisionPage,
    PrinciplesIndexPage,
    PrinciplePage,
    BenefitsPage,
    NewsIndexPage,
    NewsPage,
]

# (parent, child): every pair not listed here must be refused.
ALLOWED_PLACEMENTS = {
    (Page, HomePage),
    (HomePage, StandardPage),
    (HomePage, VisionPage),
    (HomePage, PrinciplesIndexPage),
    (HomePage, BenefitsPage),
    (HomePage, NewsIndexPage),
    (StandardPage, StandardPage),
    (PrinciplesIndexPage, PrinciplePage),
    (NewsIndexPage, NewsPage),
}

SINGLE_INSTANCE_TYPES = [VisionPage, PrinciplesIndexPage, BenefitsPage, NewsIndexPage]

VOID_ELEMENTS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class DocumentOutline(HTMLParser):
    """Collects what the templates promise: balanced tags, the document language, one h1."""

    def __init__(self):
        super().__init__()
        self.open_elements = []
        self.errors = []
        self.h1_count = 0
        self.html_lang = None

    def handle_starttag(self, tag, attrs):
        if tag == "html":
            self.html_lang = dict(attrs).get("lang")
        if tag == "h1":
            self.h1_count += 1
        if tag not in VOID_ELEMENTS:
            self.open_elements.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID_ELEMENTS:
            return
        if self.open_elements and self.open_elements[-1] == tag:
            self.open_elements.pop()
        else:
            innermost = self.open_elements[-1] if self.open_elements else None
            self.errors.append(f"</{tag}> closes <{innermost}> at line {self.getpos()[0]}")


def block_form_data(block, value):
    """The form data the admin's JavaScript would post for a block's value."""
    if isinstance(block, blocks.StreamBlock):
        return streamfield(
            [(child.block_type, block_form_data(child.block, child.value)) for child in value]
        )
    if isinstance(block, blocks.ListBlock):
        items = {
            str(index): {
                "value": block_form_data(block.child_block, item),
                "deleted": "",
                "order": str(index),
            }
            for index, item in enumerate(value)
        }
        return {**items, "count": str(len(items))}
    if isinstance(block, blocks.StructBlock):
        return {
            name: block_form_data(child_block, value[name])
            for name, child_block in block.child_blocks.items()
        }
    if isinstance(block, blocks.RichTextBlock):
        return rich_text(value.source, features=block.features)
    if isinstance(block, blocks.BooleanBlock):
        return "on" if value else ""
    if isinstance(block, blocks.ChooserBlock):
        return str(value.pk) if value else ""
    return value or ""


def outline_of(html):
    outline = DocumentOutline()
    outline.feed(html)
    outline.close()
    return outline


class PageTreeRulesTests(WagtailPageTestCase):
    def test_allowed_parent_page_types(self):
        expected = {
            HomePage: {Page},
            StandardPage: {HomePage, StandardPage},
            VisionPage: {HomePage},
            PrinciplesIndexPage: {HomePage},
            PrinciplePage: {PrinciplesIndexPage},
            BenefitsPage: {HomePage},
            NewsIndexPage: {HomePage},
            NewsPage: {NewsIndexPage},
        }
        for page_type, parents in expected.items():
            with self.subTest(page_type=page_type.__name__):
                self.assertAllowedParentPageTypes(page_type, parents)

    def test_allowed_subpage_types(self):
        expected = {
            HomePage: {StandardPage, VisionPage, PrinciplesIndexPage, BenefitsPage, NewsIndexPage},
            StandardPage: {StandardPage},
            VisionPage: set(),
            PrinciplesIndexPage: {PrinciplePage},
            PrinciplePage: set(),
            BenefitsPage: set(),
            NewsIndexPage: {NewsPage},
            NewsPage: set(),
        }
        for page_type, children in expected.items():
            with self.subTest(page_type=page_type.__name__):
                self.assertAllowedSubpageTypes(page_type, children)

    def test_each_page_type_can_be_created_only_where_the_tree_allows(self):
        for parent in [Page, *PAGE_TYPES]:
            for child in PAGE_TYPES:
                with self.subTest(parent=parent.__name__, child=child.__name__):
                    if (parent, child) in ALLOWED_PLACEMENTS:
                        self.assertCanCreateAt(parent, child)
                    else:
                        self.assertCanNotCreateAt(parent, child)


class SiteTreeTestCase(WagtailPageTestCase):
    """The site as DESIGN.md lays it out, one page of each type, with content in every field."""

    @classmethod
    def setUpTestData(cls):
        OrganisationSettings.objects.create(
            site=Site.objects.get(is_default_site=True),
            organisation_name="Southwark Council",
            recruitment_email="recruitment@example.com",
            principal_social_worker_name="Sam Example",
            principal_social_worker_email="psw@example.com",
        )
        cls.icon = ImageFactory(
            title="icon.png",
            description="A child holding an adult's hand",
            file__width=32,
            file__height=32,
        )
        cls.photo = ImageFactory(
            title="photo.png",
            description="Social workers talking in a bright office",
            file__width=48,
            file__height=32,
        )

        # The home page comes with the site (home/migrations/0002): it is filled in.
        cls.home = HomePage.objects.get(slug="home")
        cls.home.hero_heading = "Make a difference to children in Southwark"
        cls.home.hero_intro = "<p>A borough of <b>opportunity</b> and challenge.</p>"
        cls.home.stats = [
            Stat(value="320,000+", label="people"),
            Stat(value="120+", label="languages"),
        ]
        cls.home.save()
        FeaturedTestimonialFactory(
            testimonial__quote="Leaders know their services well.",
            testimonial__attribution="Ofsted",
            testimonial__source="Inspection report",
            testimonial__year=2022,
        )
        FeaturedTestimonialFactory(
            testimonial__quote="A testimonial still in draft.",
            testimonial__attribution="Nobody yet",
            testimonial__live=False,
        )

        cls.vision = VisionPageFactory(
            title="Our vision",
            slug="vision",
            vision_statement="Every child and family in Southwark thrives.",
            mission_statements=[
                MissionStatement(
                    title="Putting Children First",
                    description="We listen to children and act on what they say.",
                )
            ],
            council_plan_actions=[CouncilPlanAction(text="Guarantee a place at nursery")],
            priorities=[
                Priority(title="Best Start", description="Every child gets the best start.")
            ],
            current_focus="<p>Recruiting and keeping permanent social workers.</p>",
            body=[
                {"type": "heading", "value": {"text": "Earlier plans", "level": "h2"}},
                {"type": "paragraph", "value": "<p>The 2013-18 plan came first.</p>"},
            ],
        )
        cls.principles = PrinciplesIndexPageFactory(
            title="Our principles",
            slug="principles",
            intro="<p>A golden thread runs through our practice.</p>",
        )
        cls.principle = PrinciplePageFactory(
            title="Child-centred",
            summary="We see the child first and keep them at the centre of our work.",
            icon=cls.icon,
            body=[{"type": "paragraph", "value": "<p>What this looks like day to day.</p>"}],
        )
        cls.draft_principle = PrinciplePageFactory(
            title="Unfinished principle", slug="unfinished", summary="Not ready.", live=False
        )
        cls.benefits = BenefitsPageFactory(
            title="Working here",
            intro="<p>Why social workers choose Southwark.</p>",
            benefits=[
                Benefit(
                    title="Protected caseloads",
                    description="Newly qualified social workers have protected caseloads.",
                    category=Benefit.Category.DEVELOPMENT,
                )
            ],
            body=[{"type": "paragraph", "value": "<p>Team spirit matters here.</p>"}],
        )
        cls.about = StandardPageFactory(
            title="About us",
            slug="about",
            intro="<p>A welcome from our director.</p>",
            body=[
                {"type": "paragraph", "value": "<p>Southwark is a place on the rise.</p>"},
                {"type": "heading", "value": {"text": "Our teams", "level": "h2"}},
                {
                    "type": "quote",
                    "value": {
                        "quote": "Our social workers are ambitious for children.",
                        "attribution": "Cllr Victoria Mills",
                        "role": "Cabinet Member for Children and Schools",
                    },
                },
                {
                    "type": "list",
                    "value": {"items": ["Assessment", "Family support"], "ordered": True},
                },
                {
                    "type": "image",
                    "value": {"image": cls.photo.pk, "caption": "Our Tooley Street office"},
                },
                {
                    "type": "call_to_action",
                    "value": {"text": "Read our vision", "page": cls.vision.pk, "url": ""},
                },
                {
                    "type": "call_to_action",
                    "value": {
                        "text": "See our jobs",
                        "page": None,
                        "url": "https://jobs.example.com/",
                    },
                },
            ],
        )
        cls.news_index = NewsIndexPageFactory(
            title="News", intro="<p>Press releases from the council.</p>"
        )
        cls.news = NewsPageFactory(
            title="Children's services rated good by Ofsted",
            slug="ofsted-good-2017",
            date=datetime.date(2017, 6, 14),
            summary="Ofsted found services for children and families good.",
            hero_image=cls.photo,
            source_url="https://www.southwark.gov.uk/news/ofsted-2017",
            body=[
                {"type": "paragraph", "value": "<p>Adoption services are outstanding.</p>"},
                {"type": "heading", "value": {"text": "What Ofsted found", "level": "h2"}},
                {
                    "type": "quote",
                    "value": {
                        "quote": "I am delighted to see this recognition.",
                        "attribution": "Cllr Victoria Mills",
                        "role": "",
                    },
                },
                {
                    "type": "list",
                    "value": {"items": ["Strong leadership", "Stable staff"], "ordered": False},
                },
            ],
            tags=["ofsted", "adoption"],
        )
        cls.draft_news = NewsPageFactory(
            title="An embargoed release",
            slug="embargoed",
            date=datetime.date(2030, 1, 1),
            summary="Not yet public.",
            live=False,
        )

    @property
    def live_pages(self):
        return [
            self.home,
            self.vision,
            self.principles,
            self.principle,
            self.benefits,
            self.about,
            self.news_index,
            self.news,
        ]

    def assertWellFormedPage(self, html):
        """One document in British English with exactly one h1 and no mis-nested tags."""
        self.assertTrue(html.lstrip().lower().startswith("<!doctype html>"), html[:80])
        outline = outline_of(html)
        self.assertEqual(outline.html_lang, "en-GB")
        self.assertEqual(outline.h1_count, 1)
        self.assertEqual(outline.errors, [])
        self.assertEqual(outline.open_elements, [])

    def get_html(self, page, template_name):
        response = self.client.get(page.url)
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, template_name)
        html = response.content.decode()
        self.assertWellFormedPage(html)
        return html


class PageTreeTests(SiteTreeTestCase):
    def test_the_tree_has_one_live_page_of_each_type_at_its_contract_path(self):
        self.assertEqual(
            {type(page): page.url for page in self.live_pages},
            {
                HomePage: "/",
                VisionPage: "/vision/",
                PrinciplesIndexPage: "/principles/",
                PrinciplePage: "/principles/child-centred/",
                BenefitsPage: "/working-here/",
                StandardPage: "/about/",
                NewsIndexPage: "/news/",
                NewsPage: "/news/ofsted-good-2017/",
            },
        )

    def test_single_instance_types_cannot_be_created_a_second_time(self):
        root = Page.get_first_root_node()
        for page_type, parent in [
            (HomePage, root),
            *((page_type, self.home) for page_type in SINGLE_INSTANCE_TYPES),
        ]:
            with self.subTest(page_type=page_type.__name__):
                # Still a permitted parent, so only max_count can be what refuses it.
                self.assertTrue(page_type.can_exist_under(parent))
                self.assertFalse(page_type.can_create_at(parent))

    def test_repeatable_types_can_still_be_created(self):
        self.assertTrue(StandardPage.can_create_at(self.home))
        self.assertTrue(StandardPage.can_create_at(self.about))
        self.assertTrue(PrinciplePage.can_create_at(self.principles))
        self.assertTrue(NewsPage.can_create_at(self.news_index))

    def test_every_page_is_renderable(self):
        for page in self.live_pages:
            with self.subTest(page=page.url):
                self.assertPageIsRenderable(page)

    def test_every_page_is_previewable(self):
        editor = self.create_superuser("editor")
        for page in self.live_pages:
            with self.subTest(page=page.url):
                self.assertPageIsPreviewable(
                    page, post_data=self.edit_form_data(page, editor), user=editor
                )

    def edit_form_data(self, page, user):
        """The edit form's data, with the StreamField the form only renders in JavaScript."""
        self.client.force_login(user)
        response = self.client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
        self.client.logout()
        data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
        if hasattr(page, "body"):
            stream_block = page.body.stream_block
            body_data = nested_form_data({"body": block_form_data(stream_block, page.body)})
            for key, value in body_data.items():
                data[key] = value
        return data


class TemplateTests(SiteTreeTestCase):
    def test_home_page(self):
        html = self.get_html(self.home, "home/home_page.html")
        self.assertInHTML("<h1>Make a difference to children in Southwark</h1>", html)
        self.assertInHTML("<p>A borough of <b>opportunity</b> and challenge.</p>", html)
        self.assertInHTML("<li><strong>320,000+</strong> people</li>", html)
        self.assertInHTML("<li><strong>120+</strong> languages</li>", html)
        self.assertInHTML(
            "<figure class='quote'><blockquote><p>Leaders know their services well.</p>"
            "</blockquote><figcaption>Ofsted (<cite>Inspection report</cite>, 2022)"
            "</figcaption></figure>",
            html,
        )
        self.assertNotIn("A testimonial still in draft.", html)

    def test_layout_names_the_site_links_the_sections_and_gives_contacts(self):
        html = self.get_html(self.home, "base.html")
        self.assertInHTML("<title>Home | Southwark Children's Services</title>", html)
        self.assertInHTML('<a class="skip-link" href="#main">Skip to main content</a>', html)
        self.assertIn('<main id="main"', html)
        self.assertInHTML('<a href="/" aria-current="page">Home</a>', html)
        for href, text in [
            ("/vision/", "Our vision"),
            ("/principles/", "Our principles"),
            ("/working-here/", "Working here"),
            ("/about/", "About us"),
            ("/news/", "News"),
        ]:
            self.assertInHTML(f'<a href="{href}">{text}</a>', html)
        self.assertInHTML(
            '<a href="mailto:recruitment@example.com">recruitment@example.com</a>', html
        )
        self.assertInHTML('<a href="mailto:psw@example.com">psw@example.com</a>', html)
        self.assertIn("Sam Example", html)

    def test_vision_page(self):
        html = self.get_html(self.vision, "principles/vision_page.html")
        self.assertInHTML("<h1>Our vision</h1>", html)
        self.assertInHTML("<p>Every child and family in Southwark thrives.</p>", html)
        self.assertInHTML("<h3>Putting Children First</h3>", html)
        self.assertInHTML("<p>We listen to children and act on what they say.</p>", html)
        self.assertInHTML("<li>Guarantee a place at nursery</li>", html)
        self.assertInHTML("<h3>Best Start</h3>", html)
        self.assertInHTML("<p>Every child gets the best start.</p>", html)
        self.assertInHTML("<p>Recruiting and keeping permanent social workers.</p>", html)
        self.assertInHTML("<h2>Earlier plans</h2>", html)
        self.assertInHTML("<p>The 2013-18 plan came first.</p>", html)
        self.assertInHTML('<a href="/vision/" aria-current="page">Our vision</a>', html)

    def test_principles_index_lists_live_principles_only(self):
        html = self.get_html(self.principles, "principles/principles_index_page.html")
        self.assertInHTML("<h1>Our principles</h1>", html)
        self.assertInHTML("<p>A golden thread runs through our practice.</p>", html)
        self.assertInHTML('<h2><a href="/principles/child-centred/">Child-centred</a></h2>', html)
        self.assertInHTML(
            "<p>We see the child first and keep them at the centre of our work.</p>", html
        )
        self.assertNotIn("Unfinished principle", html)

    def test_principle_page(self):
        html = self.get_html(self.principle, "principles/principle_page.html")
        self.assertInHTML("<h1>Child-centred</h1>", html)
        self.assertInHTML(
            "<p>We see the child first and keep them at the centre of our work.</p>", html
        )
        self.assertInHTML("<p>What this looks like day to day.</p>", html)
        self.assertIn('alt="A child holding an adult&#x27;s hand"', html)
        self.assertInHTML('<a href="/principles/">All our principles</a>', html)

    def test_benefits_page(self):
        html = self.get_html(self.benefits, "principles/benefits_page.html")
        self.assertInHTML("<h1>Working here</h1>", html)
        self.assertInHTML("<p>Why social workers choose Southwark.</p>", html)
        self.assertInHTML("<h3>Protected caseloads</h3>", html)
        self.assertInHTML('<p class="category">Learning and development</p>', html)
        self.assertInHTML("<p>Newly qualified social workers have protected caseloads.</p>", html)
        self.assertInHTML("<p>Team spirit matters here.</p>", html)

    def test_standard_page_renders_every_body_block(self):
        html = self.get_html(self.about, "home/standard_page.html")
        self.assertInHTML("<h1>About us</h1>", html)
        self.assertInHTML("<p>A welcome from our director.</p>", html)
        self.assertInHTML("<p>Southwark is a place on the rise.</p>", html)
        self.assertInHTML("<h2>Our teams</h2>", html)
        self.assertInHTML(
            "<figure class='quote'><blockquote>"
            "<p>Our social workers are ambitious for children.</p></blockquote>"
            "<figcaption>Cllr Victoria Mills, Cabinet Member for Children and Schools"
            "</figcaption></figure>",
            html,
        )
        self.assertInHTML("<ol><li>Assessment</li><li>Family support</li></ol>", html)
        self.assertIn('alt="Social workers talking in a bright office"', html)
        self.assertInHTML("<figcaption>Our Tooley Street office</figcaption>", html)
        self.assertInHTML(
            '<p><a class="call-to-action" href="/vision/">Read our vision</a></p>', html
        )
        self.assertInHTML(
            '<p><a class="call-to-action" href="https://jobs.example.com/">See our jobs</a></p>',
            html,
        )

    def test_news_index_lists_live_news_with_dates(self):
        html = self.get_html(self.news_index, "news/news_index_page.html")
        self.assertInHTML("<h1>News</h1>", html)
        self.assertInHTML("<p>Press releases from the council.</p>", html)
        self.assertInHTML(
            '<h2><a href="/news/ofsted-good-2017/">'
            "Children's services rated good by Ofsted</a></h2>",
            html,
        )
        self.assertInHTML('<time datetime="2017-06-14">14 June 2017</time>', html)
        self.assertInHTML("<p>Ofsted found services for children and families good.</p>", html)
        self.assertNotIn("An embargoed release", html)

    def test_news_page(self):
        html = self.get_html(self.news, "news/news_page.html")
        self.assertInHTML("<h1>Children's services rated good by Ofsted</h1>", html)
        self.assertInHTML('<time datetime="2017-06-14">14 June 2017</time>', html)
        self.assertInHTML("<p>Ofsted found services for children and families good.</p>", html)
        self.assertIn('alt="Social workers talking in a bright office"', html)
        self.assertInHTML("<p>Adoption services are outstanding.</p>", html)
        self.assertInHTML("<h2>What Ofsted found</h2>", html)
        self.assertInHTML(
            "<figure class='quote'><blockquote><p>I am delighted to see this recognition.</p>"
            "</blockquote><figcaption>Cllr Victoria Mills</figcaption></figure>",
            html,
        )
        self.assertInHTML("<ul><li>Strong leadership</li><li>Stable staff</li></ul>", html)
        self.assertInHTML("<li>ofsted</li>", html)
        self.assertInHTML("<li>adoption</li>", html)
        self.assertInHTML(
            '<a href="https://www.southwark.gov.uk/news/ofsted-2017">Read the original release</a>',
            html,
        )

    def test_unknown_path_renders_the_404_template(self):
        response = self.client.get("/no-such-page/")
        self.assertEqual(response.status_code, 404)
        self.assertTemplateUsed(response, "404.html")
        html = response.content.decode()
        self.assertWellFormedPage(html)
        self.assertInHTML("<h1>Page not found</h1>", html)

    def test_500_template_renders_without_a_request_or_context(self):
        html = render_to_string("500.html")
        self.assertWellFormedPage(html)
        self.assertInHTML("<h1>Sorry, there is a problem with the service</h1>", html)
