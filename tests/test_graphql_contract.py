"""Every example query in docs/queries/ runs against the Southwark content and returns
exactly the JSON beside it. Regenerate the expected files with `make expected` and
review the diff: it is the change front-end teams will see."""

import json
import os
import re
from pathlib import Path

import pytest

QUERIES_DIR = Path(__file__).resolve().parents[1] / "docs" / "queries"
QUERY_FILES = sorted(QUERIES_DIR.glob("*.graphql"))

# Django's storage adds a random suffix to a file name that is taken, and the loader
# runs once per test module: strip the suffix so media URLs compare equal.
MEDIA_SUFFIX = re.compile(r"(/media/[\w/-]+?)_[A-Za-z0-9]{7}(?=\.)")


def normalise(value):
    if isinstance(value, dict):
        return {k: "<id>" if k == "id" else normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, str):
        return MEDIA_SUFFIX.sub(r"\1", value)
    return value


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("southwark")]


def test_there_is_an_example_query_for_every_page_type_and_entry_point():
    names = {path.stem for path in QUERY_FILES}
    assert names >= {
        "home-page",
        "vision-page",
        "principles-index-page",
        "principle-page",
        "benefits-page",
        "standard-page",
        "news-index-page",
        "news-page",
        "news-items",
        "news-item",
        "principles",
        "testimonials",
        "inspections",
        "organisation-settings",
        "pages",
        "search",
        "snippets",
        "redirects",
        "images",
    }


@pytest.mark.parametrize("query_file", QUERY_FILES, ids=lambda path: path.stem)
def test_example_query_returns_the_expected_response(graphql, query_file):
    variables_file = query_file.with_suffix(".variables.json")
    variables = json.loads(variables_file.read_text()) if variables_file.exists() else {}
    response = normalise(graphql(query_file.read_text(), variables))

    expected_file = query_file.with_suffix(".json")
    if os.environ.get("UPDATE_EXPECTED"):
        expected_file.write_text(json.dumps(response, indent=2, ensure_ascii=False) + "\n")
    assert "errors" not in response, response["errors"]
    assert response == json.loads(expected_file.read_text())


FRONTEND_DOC = QUERIES_DIR.parent / "frontend.md"
CODE_BLOCK = re.compile(r"^```\w*\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def test_frontend_doc_opens_with_the_documented_starter_queries_verbatim():
    """The blocks under "Start here" are the files the suite runs, so they cannot drift."""
    starter = FRONTEND_DOC.read_text().split("## Start here", 1)[1].split("\n## ", 1)[0]
    assert CODE_BLOCK.findall(starter) == [
        (QUERIES_DIR / name).read_text()
        for name in (
            "latest-news.graphql",
            "latest-news.variables.json",
            "page-by-url.graphql",
            "page-by-url.variables.json",
        )
    ]
