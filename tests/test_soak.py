"""`make soak` (bench/soak.py): its readers read every live page of the site by its URL
path beside the documented queries, and its report tells the page parts reused across a
publish from those made afresh, by the published page each holds."""

import json
from collections import Counter

import pytest
from wagtail.models import Page, Site

from bench import soak
from bench.inprocess import translate_every_other_of_the_newest


@pytest.mark.django_db
def test_the_soak_reads_every_live_page_of_the_site_beside_the_documented_queries(
    southwark, client
):
    # A news page translated into Spanish, as the soak's dataset has them (with the home
    # page and the news index, its parents): each read in its locale.
    translate_every_other_of_the_newest(1, "es")
    reads = dict(soak.site_reads())
    documented = dict(soak.documented_reads())
    assert documented.items() <= reads.items()

    answered = Counter()
    for name, body in reads.items():
        if name in documented and not name.startswith("page-by-url"):
            continue
        response = client.post("/graphql/", json.loads(body), content_type="application/json")
        answer = response.json()
        assert "errors" not in answer, (name, answer)
        answered[answer["data"]["page"]["url"]] += 1

    site = Site.objects.get(is_default_site=True)
    live = Page.objects.live().exclude(depth=1)
    urls = Counter(page.get_url(current_site=site) for page in live)
    assert answered == urls  # every live page, once
    assert sum(urls.values()) == live.count() > 16  # the site's pages and a Spanish news page


def test_the_soak_reports_each_part_made_afresh_after_a_publish_with_the_page_it_holds():
    published = {"page:3": "HomePage 3", "translation:t3": "HomePage 3 in every language"}
    home, other = ("q1", (), "HomePage", 3), ("q1", (), "NewsPage", 40)
    home_in_spanish, item = ("q2", (), "HomePage", 69), ("q3", (), "NewsPage", 41)
    reads = [
        # (read, publishing rounds done before it, [(part, its keys, found kept)])
        ("home-page", 0, [(home, {"page:3"}, False), (other, {"page:40"}, False)]),
        ("page-in-locale es /", 0, [(home_in_spanish, {"page:69", "translation:t3"}, False)]),
        ("news-items", 0, [(item, {"page:41"}, False)]),
        # A publish of the home page: its parts are made again, and one part that holds
        # neither it nor its translations.
        ("home-page", 1, [(home, {"page:3"}, False), (other, {"page:40"}, True)]),
        ("page-in-locale es /", 1, [(home_in_spanish, {"page:69", "translation:t3"}, False)]),
        ("news-items", 1, [(item, {"page:41"}, False)]),
        ("home-page", 1, [(home, {"page:3"}, True), (other, {"page:40"}, True)]),
    ]

    report = soak.parts_report(reads, published)

    assert report == {
        "answers": 4,
        "all kept": 0.25,
        "parts": 4,
        "reused": 0.25,
        "unrelated parts": 2,
        "unrelated reused": 0.5,
        "made afresh": Counter(
            {
                ("home-page", "HomePage 3", ("HomePage 3",)): 1,
                ("page-in-locale es /", "HomePage 69", ("HomePage 3 in every language",)): 1,
                ("news-items", "NewsPage 41", ()): 1,  # needlessly
            }
        ),
        "kept stale": Counter(),
    }
