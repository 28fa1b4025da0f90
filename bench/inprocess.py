"""The parts of the benchmark that run inside Django, against the benchmark's database.

Run by bench/run.py with the same environment as the server it measures:

    python bench/inprocess.py prepare PAGES
        migrates, loads the Southwark content, tops the demo news up to PAGES, translates
        every other one of the newest 100 news pages into Spanish (copied, as the
        translation workflow starts a translation: half the news list in Spanish falls
        back), takes PostgreSQL's planner statistics, and prints how many demo news pages
        there are
    python bench/inprocess.py query-counts SCENARIOS.json
        prints {scenario: SQL queries} for one request of each scenario, measured with
        CaptureQueriesContext after a first request of the same kind has warmed up
    python bench/inprocess.py field-costs
        prints {selection: milliseconds} for the news list of 100 items with each group
        of the documented query's fields added to the plain one (the best of 3 rounds of
        15 requests, each with new variables so that no response comes from the cache)
    python bench/inprocess.py read-times
        prints {read: milliseconds} for each documented read (the news list, one of its
        tags and one of its years, a news item, the home page, the principles, search for
        a common and a rare word, the REST news list), uncached: the best of 5 rounds of
        10 requests, after one that warms up. run.py compares them across the datasets.
    python bench/inprocess.py list-costs
        prints {list: {"nothing kept": ms, "memos warm": ms}} for the plain and the
        all-fields news list of 100: the CPU time this process spent on a request (less
        swayed by other processes than a clock), the best of 3 rounds of 20 requests,
        with every memo of content emptied before each (as a0 and b0) or kept (a and b)
    python bench/inprocess.py locale-costs
        prints {scenario: ms} for the documented news list in a locale (news-items-in-
        locale.graphql, 100 items) in Spanish, half falling back, and in English, memos
        warm, the response cache missed (l, l-en) or hit (lc, lc-en), and the ratios: the
        median CPU time this process spent on a request, over 100 requests of each, the
        four taken in turn
    python bench/inprocess.py graphql-core-floor
        prints {selection: milliseconds} for the plain and the all-fields news list run
        by graphql-core alone: the same selections over 100 items held in memory, every
        resolver a dictionary lookup. What the extra fields cost there, no data read and
        no Django, Wagtail or grapple code run, is the floor under their cost in the app.
"""

import json
import os
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NONCE = "__BENCH_NONCE__"


def demo_count():
    from wagtail.models import Locale

    from news.models import NewsPage

    # The source language's: a translation keeps its source's slug.
    return NewsPage.objects.filter(slug__startswith="demo-", locale=Locale.get_default()).count()


def prepare(pages):
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("load_southwark_content", stdout=quiet)
    have = demo_count()
    if have < pages:
        print(f"adding {pages - have} demo news pages ({have} there already)", flush=True)
        call_command("generate_demo_news", count=pages - have, seed=have)
    translate_every_other_of_the_newest(100, "es")
    if connection.vendor == "postgresql":
        # Fresh rows have no planner statistics, and their pages are not marked all-visible
        # (no index-only scans), until autovacuum comes round: do its work now, as a
        # long-running production database would have it done.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return demo_count()


def query_counts(scenarios):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    counts = {}
    for scenario in scenarios:
        statuses = []
        for _ in range(2):  # the second request is measured
            body = scenario.get("body")
            if body is not None:
                body = body.replace(NONCE, f"inprocess-{uuid.uuid4().hex}")
            with CaptureQueriesContext(connection) as queries:
                if body is None:
                    response = client.get(scenario["path"])
                else:
                    response = client.post(scenario["path"], body, content_type="application/json")
            statuses.append(response.status_code)
        counts[scenario["name"]] = len(queries) if statuses[-1] == 200 else None
    return counts


def translate_every_other_of_the_newest(count, language_code):
    """Every other one of the newest `count` news pages translated into the language (a
    copy, published), those not yet."""
    from wagtail.models import Locale

    from news.models import NewsPage

    locale, _ = Locale.objects.get_or_create(language_code=language_code)
    newest = NewsPage.objects.filter(locale=Locale.get_default()).order_by("-date", "-pk")[:count]
    translated = set(
        NewsPage.objects.filter(locale=locale).values_list("translation_key", flat=True)
    )
    for page in list(newest)[::2]:
        if page.translation_key not in translated:
            translation = page.copy_for_translation(locale, copy_parents=True)
            translation.save_revision().publish()


def documented_reads():
    """{read: (GraphQL query file or REST path, variables)}: the reads docs/queries/ and
    the README document, each at a size that is the same whatever the content's."""
    from datetime import date

    from bench.scenarios import SEARCH_TERM

    news = "news-items.graphql"
    last_year = date.today().year - 1
    return {
        "news list, page 1 of 25": (news, {"page": 1, "perPage": 25}),
        "news list, tag Fostering": (news, {"page": 1, "perPage": 25, "tag": "fostering"}),
        f"news list, year {last_year}": (news, {"page": 1, "perPage": 25, "year": last_year}),
        "news item": ("news-item.graphql", None),
        "home page": ("home-page.graphql", None),
        "principles": ("principles.graphql", None),
        f"search, common word ({SEARCH_TERM})": ("search.graphql", {"query": SEARCH_TERM}),
        "search, rare word (search.variables.json)": ("search.graphql", None),
        "REST v2 news list, 100 items": (
            "/api/v2/pages/?type=news.NewsPage&fields=date,summary,tags,hero_image&limit=100",
            None,
        ),
    }


def read_times():
    import time

    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    queries = ROOT / "docs" / "queries"
    times = {}
    for name, (source, variables) in documented_reads().items():
        if source.startswith("/"):

            def read(source=source):
                return client.get(source)
        else:
            query = (queries / source).read_text()
            given = queries / source.replace(".graphql", ".variables.json")
            variables = variables or (json.loads(given.read_text()) if given.exists() else {})

            def read(query=query, variables=variables):
                body = {"query": query, "variables": {**variables, "nonce": uuid.uuid4().hex}}
                return client.post("/graphql/", body, content_type="application/json")

        rounds = []
        for _ in range(6):  # the first round warms up (renditions, memos), unmeasured
            started = time.perf_counter()
            for _ in range(10):
                answered(name, read())
            rounds.append((time.perf_counter() - started) / 10 * 1000)
        times[name] = round(min(rounds[1:]), 2)
    return times


ITEM_SELECTIONS = {
    "plain": "title url date",
    "+ slug, summary": "title url date slug summary",
    "+ tags": "title url date tags { name }",
    "+ heroImage": "title url date heroImage { alt: description }",
    "+ heroImage rendition": (
        "title url date heroImage { alt: description rendition(width: 480) { width height } }"
    ),
    "+ parent": "title url date parent { title }",
    "all (news-items.graphql)": (
        "title slug url date summary tags { name } heroImage { alt: description "
        "rendition(width: 480) { width height } } parent { title }"
    ),
}


NEWS_LIST = (
    "{ newsItems(perPage: 100) { items { ITEM_FIELDS } "
    "pagination { total count perPage currentPage prevPage nextPage totalPages } } }"
)


def field_costs():
    import time

    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    costs = {}
    for name, selection in ITEM_SELECTIONS.items():
        query = NEWS_LIST.replace("ITEM_FIELDS", selection)
        rounds = []
        for _ in range(3):
            started = time.perf_counter()
            for _ in range(15):
                body = {"query": query, "variables": {"nonce": uuid.uuid4().hex}}
                answered(name, client.post("/graphql/", body, content_type="application/json"))
            rounds.append((time.perf_counter() - started) / 15 * 1000)
        costs[name] = round(min(rounds), 1)
    return costs


def list_costs():
    import time

    from django.test import Client

    from core import memo

    client = Client(HTTP_HOST="127.0.0.1")
    costs = {}
    for name in ("plain", "all (news-items.graphql)"):
        query = NEWS_LIST.replace("ITEM_FIELDS", ITEM_SELECTIONS[name])
        costs[name] = {}
        for kept, empty_first in (("nothing kept", True), ("memos warm", False)):
            rounds = []
            for _ in range(4):  # the first round warms up, unmeasured
                started = time.process_time()
                for _ in range(20):
                    if empty_first:
                        memo.clear_content()
                    body = {"query": query, "variables": {"nonce": uuid.uuid4().hex}}
                    response = client.post("/graphql/", body, content_type="application/json")
                    answered(name, response)
                rounds.append((time.process_time() - started) / 20 * 1000)
            costs[name][kept] = round(min(rounds[1:]), 1)
    return costs


def locale_costs(rounds=100):
    import statistics
    import time

    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    query = (ROOT / "docs" / "queries" / "news-items-in-locale.graphql").read_text()
    lists = {
        "l": ({"locale": "es"}, True),
        "l-en": ({}, True),
        "lc": ({"locale": "es"}, False),
        "lc-en": ({}, False),
    }
    times = {name: [] for name in lists}
    # Request by request in turn, the first 10 rounds unmeasured (warming up): a change
    # in the machine's load then weighs on each list alike, and the median shrugs off
    # the requests another process interrupted.
    for round_number in range(10 + rounds):
        for name, (variables, uncached) in lists.items():
            # An undeclared variable, new each time, misses the response cache.
            nonce = {"nonce": uuid.uuid4().hex} if uncached else {}
            body = {"query": query, "variables": {"page": 1, "perPage": 100, **variables, **nonce}}
            started = time.process_time()
            response = client.post("/graphql/", body, content_type="application/json")
            spent = time.process_time() - started
            answered(name, response)
            if round_number >= 10:
                times[name].append(spent * 1000)
    costs = {name: round(statistics.median(spent), 2) for name, spent in times.items()}
    costs["l / l-en"] = round(costs["l"] / costs["l-en"], 2)
    costs["lc / lc-en"] = round(costs["lc"] / costs["lc-en"], 2)
    return costs


FLOOR_SCHEMA = """
type Query { newsItems(perPage: Int): NewsItems! }
type NewsItems { items: [NewsPage!]! pagination: Pagination! }
type Pagination {
  total: Int! count: Int! perPage: Int! currentPage: Int! prevPage: Int nextPage: Int
  totalPages: Int!
}
interface PageInterface { title: String! }
type NewsPage implements PageInterface {
  title: String! slug: String! url: String date: String! summary: String! tags: [Tag!]!
  heroImage: Image parent: PageInterface
}
type NewsIndexPage implements PageInterface { title: String! }
type Tag { name: String! }
type Image { description: String! rendition(width: Int): Rendition }
type Rendition { width: Int! height: Int! }
"""


def graphql_core_floor(repeat=40):
    import time

    from graphql import build_schema, execute, parse, validate

    schema = build_schema(FLOOR_SCHEMA)
    schema.get_type("PageInterface").resolve_type = lambda page, info, _: page["type"]
    index = {"type": "NewsIndexPage", "title": "News"}
    rendition = {"width": 480, "height": 320}
    items = [
        {
            "type": "NewsPage",
            "title": f"News {n}",
            "slug": f"news-{n}",
            "url": f"/news/news-{n}/",
            "date": "2026-11-24",
            "summary": "What happened.",
            "tags": [{"name": "fostering"}, {"name": "adoption"}, {"name": "schools"}],
            "heroImage": {"description": "A photo.", "rendition": lambda info, width: rendition},
            "parent": index,
        }
        for n in range(100)
    ]
    pagination = {"total": 200, "count": 100, "perPage": 100, "currentPage": 1}
    pagination |= {"prevPage": None, "nextPage": 2, "totalPages": 2}
    data = {"newsItems": {"items": items, "pagination": pagination}}
    costs = {}
    for name in ("plain", "all (news-items.graphql)"):
        document = parse(NEWS_LIST.replace("ITEM_FIELDS", ITEM_SELECTIONS[name]))
        if validate(schema, document) or execute(schema, document, data).errors:
            return {"error": f"{name} does not run on the floor schema"}
        rounds = []
        for _ in range(5):
            started = time.perf_counter()
            for _ in range(repeat):
                execute(schema, document, data)
            rounds.append((time.perf_counter() - started) / repeat * 1000)
        costs[name] = round(min(rounds), 2)
    return costs


class ReadFailed(Exception):
    """A read answered with other than a 200 and data: its measure is reported as failed."""


def answered(name, response):
    """Raise ReadFailed, naming the read, unless `response` is a 200 without errors."""
    if response.status_code != 200 or b'"errors"' in response.content:
        raise ReadFailed(f"{name}: {response.content[:200]!r}")


def measured(measure):
    """`measure()`'s figures, or {"error": ...} if one of its reads failed (bench/report.py)."""
    try:
        return measure()
    except ReadFailed as failure:
        return {"error": str(failure)}


def main(argv):
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    import django

    django.setup()
    if argv[:1] == ["prepare"] and len(argv) == 2:
        print(prepare(int(argv[1])))
    elif argv == ["field-costs"]:
        print(json.dumps(measured(field_costs)))
    elif argv == ["read-times"]:
        print(json.dumps(measured(read_times)))
    elif argv == ["list-costs"]:
        print(json.dumps(measured(list_costs)))
    elif argv == ["locale-costs"]:
        print(json.dumps(measured(locale_costs)))
    elif argv == ["graphql-core-floor"]:
        print(json.dumps(graphql_core_floor()))
    elif argv[:1] == ["query-counts"] and len(argv) == 2:
        scenarios = json.loads(Path(argv[1]).read_text())
        print(json.dumps(query_counts(scenarios)))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
