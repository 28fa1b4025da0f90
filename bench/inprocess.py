"""The parts of the benchmark that run inside Django, against the benchmark's database.

Run by bench/run.py with the same environment as the server it measures:

    python bench/inprocess.py prepare PAGES
        migrates, loads the Southwark content, tops the demo news up to PAGES, takes
        PostgreSQL's planner statistics, and prints how many demo news pages there are
    python bench/inprocess.py query-counts SCENARIOS.json
        prints {scenario: SQL queries} for one request of each scenario, measured with
        CaptureQueriesContext after a first request of the same kind has warmed up
    python bench/inprocess.py field-costs
        prints {selection: milliseconds} for the news list of 100 items with each group
        of the documented query's fields added to the plain one (the best of 3 rounds of
        15 requests, each with new variables so that no response comes from the cache)
"""

import json
import os
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NONCE = "__BENCH_NONCE__"


def demo_count():
    from news.models import NewsPage

    return NewsPage.objects.filter(slug__startswith="demo-").count()


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
    if connection.vendor == "postgresql":
        # Fresh rows have no planner statistics until autovacuum comes round: take them
        # now, as a long-running production database would have them.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
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
                response = client.post("/graphql/", body, content_type="application/json")
                if response.status_code != 200 or b'"errors"' in response.content:
                    return {"error": f"{name}: {response.content[:200]!r}"}
            rounds.append((time.perf_counter() - started) / 15 * 1000)
        costs[name] = round(min(rounds), 1)
    return costs


def main(argv):
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    import django

    django.setup()
    if argv[:1] == ["prepare"] and len(argv) == 2:
        print(prepare(int(argv[1])))
    elif argv == ["field-costs"]:
        print(json.dumps(field_costs()))
    elif argv[:1] == ["query-counts"] and len(argv) == 2:
        scenarios = json.loads(Path(argv[1]).read_text())
        print(json.dumps(query_counts(scenarios)))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
