"""Every fact the seeds give comes back through GraphQL, in the council's words."""

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("southwark")]

PRINCIPLES = [
    ("child-centred", "Child Centred"),
    ("family-minded", "Family Minded"),
    ("relationship-based", "Relationship Based"),
    ("outcome-focused", "Outcome Focused"),
    ("strengths-based", "Strength Based"),
    ("evidence-informed", "Evidence Informed"),
    ("fair", "Fair"),
    ("reflective", "Reflective"),
]


def assert_in_seeds(text, seed_text):
    """Each paragraph of `text` stands word for word in the seeds."""
    for paragraph in text.split("\n\n"):
        folded = " ".join(paragraph.split())
        assert folded in seed_text, f"Not the council's wording: {folded!r}"


def data_of(response):
    assert "errors" not in response, response["errors"]
    return response["data"]


def test_home_page_has_the_borough_figures_in_order(graphql):
    page = data_of(
        graphql(
            '{ page(urlPath: "/") { ... on HomePage { heroHeading heroIntro '
            "stats { value label } featuredTestimonials { quote attribution } } } }"
        )
    )["page"]
    assert page["heroHeading"] == "Southwark Children’s Services"
    assert "doing our vital job differently" in page["heroIntro"]
    assert page["stats"] == [
        {"value": "320,000+", "label": "people"},
        {"value": "120+", "label": "languages spoken"},
        {"value": "55,000", "label": "council homes"},
        {"value": "18,300+", "label": "businesses"},
    ]
    assert len(page["featuredTestimonials"]) == 4
    assert page["featuredTestimonials"][0]["quote"].startswith("Children are at the heart")


def test_vision_page_has_vision_mission_plan_priorities_and_focus(graphql, seed_text):
    page = data_of(
        graphql(
            '{ page(urlPath: "/vision/") { ... on VisionPage { visionStatement '
            "missionStatements { title description } councilPlanActions { text } "
            "priorities { title description } currentFocus } } }"
        )
    )["page"]
    assert page["visionStatement"] == (
        "We want all children and young people in Southwark to grow up in a safe, healthy and "
        "happy environment where they have the opportunity to reach their potential."
    )
    assert [m["title"] for m in page["missionStatements"]] == [
        "Putting Children First",
        "Keeping Families Strong",
    ]
    for mission in page["missionStatements"]:
        assert_in_seeds(mission["description"][1:], seed_text)
    assert [a["text"] for a in page["councilPlanActions"]] == [
        "create a fairer and more just society",
        "deliver new quality, affordable homes",
        "tackle the climate emergency",
        "rebuild the local economy",
        "give young people in our borough the best opportunities in life",
    ]
    assert [p["title"] for p in page["priorities"]] == [
        "Best Start",
        "Safety and stability",
        "Choice and control",
    ]
    for priority in page["priorities"]:
        assert_in_seeds(priority["description"], seed_text)
    assert "The safety of children is our highest context" in page["currentFocus"]


def test_eight_principles_in_seed_order_with_seed_descriptions(graphql, seed_text):
    data = data_of(
        graphql(
            "{ principles { slug title summary url icon { description } } "
            'page(urlPath: "/principles/") { ... on PrinciplesIndexPage { intro '
            "principles { slug } } } }"
        )
    )
    assert [(p["slug"], p["title"]) for p in data["principles"]] == PRINCIPLES
    for principle in data["principles"]:
        assert_in_seeds(principle["summary"], seed_text)
        assert principle["url"] == f"/principles/{principle['slug']}/"
        assert principle["icon"]["description"], "every icon carries alt text"
    assert [p["slug"] for p in data["page"]["principles"]] == [slug for slug, _ in PRINCIPLES]
    assert "golden thread" in data["page"]["intro"]


def test_offer_to_staff_has_all_thirteen_items_with_categories(graphql, seed_text):
    page = data_of(
        graphql(
            '{ page(urlPath: "/working-here/") { ... on BenefitsPage { intro '
            "benefits { title description category } } } }"
        )
    )["page"]
    benefits = page["benefits"]
    assert len(benefits) == 13
    assert benefits[0]["description"] == "competitive remuneration packages"
    assert benefits[-1]["description"].startswith("wellbeing programme")
    for benefit in benefits:
        assert benefit["title"] and benefit["category"]
        assert_in_seeds(benefit["description"], seed_text)
    assert "great place to grow and develop as a social worker" in page["intro"]


def test_both_inspections_newest_first_with_their_quotes(graphql, seed_text):
    data = data_of(
        graphql(
            "{ inspections { inspectorate publishedOn overallRating summary highlights } "
            "latestInspection { publishedOn } }"
        )
    )
    november_2022, june_2017 = data["inspections"]
    assert november_2022["publishedOn"].startswith("2022-11")
    assert november_2022["overallRating"] == "Good"
    assert "across all service areas" in november_2022["summary"]
    assert len(november_2022["highlights"]) == 3
    assert june_2017["publishedOn"] == "2017-06-14"
    assert june_2017["overallRating"] == "Good"
    assert "“outstanding”" in june_2017["summary"] and "adoption" in june_2017["summary"]
    for highlight in november_2022["highlights"] + june_2017["highlights"]:
        assert_in_seeds(highlight, seed_text)
    assert data["latestInspection"]["publishedOn"] == november_2022["publishedOn"]


def test_testimonials_are_quoted_word_for_word(graphql, seed_text):
    testimonials = data_of(graphql("{ testimonials { quote attribution role source year } }"))[
        "testimonials"
    ]
    assert len(testimonials) == 6
    assert {t["attribution"] for t in testimonials} == {"Social Worker", "Ofsted"}
    assert sorted(t["year"] for t in testimonials if t["year"]) == [2017, 2017, 2022, 2022, 2022]
    for testimonial in testimonials:
        assert_in_seeds(testimonial["quote"], seed_text)


def test_about_page_has_the_directors_welcome(graphql, seed_text):
    page = data_of(
        graphql(
            '{ page(urlPath: "/about/") { title ... on StandardPage { intro body { blockType '
            "... on RichTextBlock { value } ... on QuoteBlock { quote attribution role } } } } }"
        )
    )["page"]
    paragraphs = " ".join(b["value"] for b in page["body"] if b["blockType"] == "RichTextBlock")
    assert "I am so proud of this." in paragraphs
    assert "Alasdair Smith, Director of Children &amp; Families" in paragraphs
    assert "A place of cultural vibrancy" in paragraphs
    quotes = [b for b in page["body"] if b["blockType"] == "QuoteBlock"]
    assert [q["role"] for q in quotes] == ["Ofsted 2017", "Ofsted 2017"]
    for quote in quotes:
        assert_in_seeds(quote["quote"], seed_text)


NEWS_QUERY = """
query ($slug: String!) {
  newsItem(slug: $slug) {
    title date summary url tags { name }
    heroImage { description }
    body {
      blockType
      ... on RichTextBlock { value }
      ... on QuoteBlock { quote attribution role }
      ... on BulletListBlock { items }
    }
  }
}
"""


def test_ofsted_press_release_with_its_quote_and_list(graphql, seed_text):
    item = data_of(graphql(NEWS_QUERY, {"slug": "ofsted-rates-childrens-services-good"}))[
        "newsItem"
    ]
    assert item["date"] == "2017-06-14"
    assert item["url"] == "/news/ofsted-rates-childrens-services-good/"
    assert item["title"].startswith("Southwark Council’s children’s services are 'good'")
    assert "top 28% of the 146 local authorities" in item["summary"]
    assert item["heroImage"]["description"]
    [quote] = [b for b in item["body"] if b["blockType"] == "QuoteBlock"]
    assert (quote["attribution"], quote["role"]) == (
        "Cllr Victoria Mills",
        "Cabinet Member for Children and Schools",
    )
    assert_in_seeds(quote["quote"], seed_text)
    [risks] = [b for b in item["body"] if b["blockType"] == "BulletListBlock"]
    assert risks["items"] == [
        "female genital mutilation",
        "honour-based violence",
        "child sexual exploitation",
        "involvement with gangs and knife crime",
        "homelessness",
    ]
    text = " ".join(b["value"] for b in item["body"] if b["blockType"] == "RichTextBlock")
    assert "a real strength in the local authority" in text
    assert "looked after children does still require improvements" in text


def test_london_social_work_press_release_with_both_quotes(graphql, seed_text):
    item = data_of(graphql(NEWS_QUERY, {"slug": "london-social-work-for-children"}))["newsItem"]
    assert "London Social Work for Children" in " ".join(b.get("value", "") for b in item["body"])
    quotes = [b for b in item["body"] if b["blockType"] == "QuoteBlock"]
    assert [(q["attribution"], q["role"]) for q in quotes] == [
        ("Cllr Ian Edwards", "London Councils’ Executive Member for Children & Young People"),
        (
            "Nigel Chapman",
            "Workforce Policy Lead for the Association of London Directors of Children’s Services",
        ),
    ]
    for quote in quotes:
        assert_in_seeds(quote["quote"], seed_text)
    assert {t["name"] for t in item["tags"]} >= {"Recruitment"}


def test_news_list_is_newest_first_and_filters_by_tag_and_year(graphql):
    data = data_of(
        graphql(
            "{ all: newsItems { items { slug date } pagination { total totalPages } } "
            'ofsted: newsItems(tag: "ofsted") { items { slug } } '
            "y2017: newsItems(year: 2017) { items { slug } } "
            "y2001: newsItems(year: 2001) { items { slug } pagination { total } } }"
        )
    )
    assert [i["slug"] for i in data["all"]["items"]] == [
        "london-social-work-for-children",
        "ofsted-rates-childrens-services-good",
    ]
    assert data["all"]["pagination"] == {"total": 2, "totalPages": 1}
    assert [i["slug"] for i in data["ofsted"]["items"]] == ["ofsted-rates-childrens-services-good"]
    assert [i["slug"] for i in data["y2017"]["items"]] == ["ofsted-rates-childrens-services-good"]
    assert data["y2001"] == {"items": [], "pagination": {"total": 0}}


def test_organisation_settings_carry_the_contact_emails(graphql):
    setting = data_of(
        graphql(
            '{ setting(name: "OrganisationSettings") { ... on OrganisationSettings { '
            "organisationName recruitmentEmail principalSocialWorkerName "
            "principalSocialWorkerEmail } } }"
        )
    )["setting"]
    assert setting == {
        "organisationName": "Southwark Children’s Services",
        "recruitmentEmail": "socialworkjobs@southwark.gov.uk",
        "principalSocialWorkerName": "Dan Comach",
        "principalSocialWorkerEmail": "daniel.comach@southwark.gov.uk",
    }


def test_page_tree_has_every_slug_of_the_design(graphql):
    urls = {page["url"] for page in data_of(graphql("{ pages(limit: 100) { url } }"))["pages"]}
    assert urls == {
        "/",
        "/vision/",
        "/principles/",
        *(f"/principles/{slug}/" for slug, _ in PRINCIPLES),
        "/working-here/",
        "/about/",
        "/news/",
        "/news/ofsted-rates-childrens-services-good/",
        "/news/london-social-work-for-children/",
    }
