"""schema.graphql is the reviewed contract: current, and carrying DESIGN.md's names."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from graphene_django.settings import graphene_settings

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schema.graphql"


def test_schema_graphql_is_current(tmp_path):
    exported = tmp_path / "schema.graphql"
    call_command("graphql_schema", out=str(exported), stdout=io.StringIO())
    assert exported.read_text() == SCHEMA_FILE.read_text(), (
        "schema.graphql is stale: run `make schema` and review the diff."
    )


# Every type and field DESIGN.md promises front-end teams.
CONTRACT = {
    "HomePage": ["heroHeading", "heroIntro", "stats", "body", "featuredTestimonials"],
    "Stat": ["value", "label"],
    "VisionPage": [
        "visionStatement",
        "missionStatements",
        "councilPlanActions",
        "priorities",
        "currentFocus",
        "body",
    ],
    "MissionStatement": ["title", "description"],
    "CouncilPlanAction": ["text"],
    "Priority": ["title", "description"],
    "PrinciplesIndexPage": ["intro", "principles"],
    "PrinciplePage": ["summary", "body", "icon"],
    "BenefitsPage": ["intro", "benefits", "body"],
    "Benefit": ["title", "description", "category"],
    "StandardPage": ["intro", "body"],
    "NewsIndexPage": ["intro"],
    "NewsPage": ["date", "summary", "body", "heroImage", "tags", "sourceUrl"],
    "Testimonial": ["quote", "attribution", "role", "source", "year"],
    "Inspection": [
        "inspectorate",
        "publishedOn",
        "overallRating",
        "summary",
        "reportUrl",
        "highlights",
    ],
    "OrganisationSettings": [
        "organisationName",
        "recruitmentEmail",
        "principalSocialWorkerName",
        "principalSocialWorkerEmail",
        "micrositeUrl",
    ],
    "QuoteBlock": ["quote", "attribution", "role"],
    "ImageObjectType": ["rendition", "srcSet"],
    "NewsItems": ["items", "pagination"],
    "PaginationType": [
        "total",
        "count",
        "perPage",
        "currentPage",
        "prevPage",
        "nextPage",
        "totalPages",
    ],
    "Query": [
        "page",
        "pages",
        "search",
        "images",
        "setting",
        "snippets",
        "redirects",
        "newsItems",
        "newsItem",
        "principles",
        "testimonials",
        "inspections",
        "latestInspection",
    ],
}

NON_NULL = {
    ("HomePage", "heroHeading"),
    ("VisionPage", "visionStatement"),
    ("PrinciplePage", "summary"),
    ("NewsPage", "date"),
    ("NewsPage", "summary"),
}


@pytest.mark.parametrize(("type_name", "fields"), CONTRACT.items())
def test_design_names_resolve_in_the_schema(type_name, fields):
    schema = graphene_settings.SCHEMA.graphql_schema
    graphql_type = schema.get_type(type_name)
    assert graphql_type is not None, f"{type_name} is missing"
    missing = [name for name in fields if name not in graphql_type.fields]
    assert not missing, f"{type_name} lacks {missing}"


def test_required_fields_are_non_null():
    schema = graphene_settings.SCHEMA.graphql_schema
    for type_name, field in NON_NULL:
        field_type = str(schema.get_type(type_name).fields[field].type)
        assert field_type.endswith("!"), f"{type_name}.{field} is {field_type}"
    assert str(schema.get_type("NewsPage").fields["date"].type) == "Date!"


def test_news_items_takes_the_documented_arguments():
    field = graphene_settings.SCHEMA.graphql_schema.query_type.fields["newsItems"]
    assert {"page", "perPage", "tag", "year"} <= set(field.args)
    assert "newsItem" in graphene_settings.SCHEMA.graphql_schema.query_type.fields


def test_there_are_no_mutations():
    assert graphene_settings.SCHEMA.graphql_schema.mutation_type is None
