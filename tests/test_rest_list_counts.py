"""The REST API's page lists are counted once per content version (api/rest.py): a COUNT
reads every page of a list, and its number changes only with content. Another part of
the same list is counted from what was kept, a list filtered otherwise is counted on its
own, and a publish shows in the total at once.

(An empty site, committed for real: counts are kept only outside a transaction.)"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.support.factories import NewsIndexPageFactory, NewsPageFactory, publish

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NEWS = "/api/v2/pages/?type=news.NewsPage"


def listed(client, url):
    """The list's total, the slugs shown, and the COUNT queries run for them."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    body = response.json()
    slugs = [item["meta"]["slug"] for item in body["items"]]
    counts = sum("COUNT(" in query["sql"].upper() for query in queries)
    return body["meta"]["total_count"], slugs, counts


def test_a_lists_total_is_counted_once_per_content_version(client):
    news = NewsIndexPageFactory(title="News", slug="news")
    for number in range(3):
        NewsPageFactory(parent=news, slug=f"item-{number}")

    total, first_part, counts = listed(client, f"{NEWS}&limit=2")
    assert (total, len(first_part), counts) == (3, 2, 1)
    total, last_part, counts = listed(client, f"{NEWS}&limit=2&offset=2")
    assert (total, len(last_part), counts) == (3, 1, 0)
    assert {*first_part, *last_part} == {"item-0", "item-1", "item-2"}
    assert listed(client, f"{NEWS}&slug=item-1") == (1, ["item-1"], 1)

    publish(NewsPageFactory(parent=news, slug="item-3", live=False))
    total, _, counts = listed(client, f"{NEWS}&limit=2")
    assert (total, counts) == (4, 1)
