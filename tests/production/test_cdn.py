"""Varnish in front of the reference deployment, as a CDN: it answers most reads itself,
a publish purges exactly what changed, and front ends send queries by hash over GET.

The soak: for a minute, readers send documented queries (and the REST API) as GETs
through Varnish while a publisher retitles and publishes a news page every two seconds.
Every read must succeed; at least 95 % must be Varnish hits; and no read begun more than
a second after a publish may show the page as it was before it. The answers no publish
touches (the principles) stay hits all along.
"""

import json
import re
import shutil
import subprocess
import threading
import time
from http.client import HTTPConnection, HTTPException
from urllib.parse import urlencode, urlsplit

import pytest

from .deployment import ARTIFACTS, ROOT, VENV_BIN
from .documented import CLIENTS_DIR, QUERIES_DIR, comparable, documented

SOAK_SECONDS = 60
PUBLISH_EVERY_SECONDS = 2
READERS = 4
# Each reader's pace: enough to see every publish many times over, not so much as to
# starve the suites running beside this one.
READ_EVERY_SECONDS = 0.02
FRESH_WITHIN_SECONDS = 1.0
HIT_SHARE = 0.95
UNTOUCHED_READS = ("principles", "home-page")  # no key of theirs is purged by a news publish
PUBLISH_NUMBER = re.compile(r" \(publish (\d+)\)$")


def publish_number(title):
    """Which publish of the soak a title is from: 0 for the page's own title."""
    found = PUBLISH_NUMBER.search(title)
    return int(found[1]) if found else 0


class Reader(threading.Thread):
    """Reads through Varnish in turn until `stop` is set, as a front-end server would
    (with its key): one record a read, with when it began and what title it saw."""

    def __init__(self, deployment, reads, stop, offset):
        super().__init__(daemon=True)
        self.deployment, self.reads, self.stop, self.offset = deployment, reads, stop, offset
        self.records = []

    def run(self):
        # http.client rather than requests: a third of the work a read, so that a busy
        # machine still reads often enough to see each publish many times.
        cdn = urlsplit(self.deployment.cdn_url)
        connection = HTTPConnection(cdn.hostname, cdn.port, timeout=30)
        headers = {"X-Frontend-Key": self.deployment.frontend_key}
        turn = self.offset
        while not self.stop.wait(READ_EVERY_SECONDS):
            name, url, title_of = self.reads[turn % len(self.reads)]
            turn += 1
            record = {"read": name, "began": time.time()}
            try:
                connection.request("GET", url, headers=headers)
                response = connection.getresponse()
                body = json.loads(response.read())
                record["status"] = response.status
                record["cache"] = response.getheader("X-Cache")
                record["errors"] = body.get("errors") if isinstance(body, dict) else None
                record["title"] = title_of(body) if response.status == 200 else None
            except (OSError, HTTPException, ValueError, LookupError, TypeError) as error:
                record["error"] = repr(error)
                connection.close()
            self.records.append(record)
        connection.close()


@pytest.fixture
def watched_news(deployment, graphql):
    """The documented news item: its slug and id, and its title as the soak begins."""
    query, variables = documented("news-item")
    response = graphql(
        deployment.url, "query($slug: String!) { newsItem(slug: $slug) { id title } }", variables
    )
    item = response.json()["data"]["newsItem"]
    return {"slug": variables["slug"], "id": item["id"], "title": item["title"]}


def soak_reads(watched):
    """(name, URL path and query, the watched page's title in the answer or None)."""

    def graphql_get(name, title_of, **variables):
        query, documented_variables = documented(name)
        variables = json.dumps({**documented_variables, **variables})
        return name, "/graphql/?" + urlencode({"query": query, "variables": variables}), title_of

    def listed_title(body):
        items = body["data"]["newsItems"]["items"]
        return next((item["title"] for item in items if item["slug"] == watched["slug"]), None)

    return [
        graphql_get("news-item", lambda body: body["data"]["newsItem"]["title"]),
        graphql_get("news-items", listed_title, perPage=100),
        graphql_get("principles", lambda body: None),
        graphql_get("home-page", lambda body: None),
        ("rest-page", f"/api/v2/pages/{watched['id']}/", lambda body: body["title"]),
    ]


def start_publisher(deployment, slug, log):
    publisher = subprocess.Popen(
        [
            str(VENV_BIN / "python"),
            "-m",
            "tests.support.programs.publish_on_a_beat",
            slug,
            str(SOAK_SECONDS),
            str(PUBLISH_EVERY_SECONDS),
        ],
        cwd=ROOT,
        env=deployment.env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    assert next(said_by(publisher, log)) == "ready", "the publisher did not start"
    return publisher


def said_by(publisher, log):
    """What the publisher says, line by line: its log records (JSON lines on stdout, as
    every process's under production settings) go to `log` instead."""
    for line in publisher.stdout:
        if line.startswith('{"level"'):
            log.write(line)
        else:
            yield line.strip()


def stale_reads(records, publishes):
    """The reads of the watched page begun over FRESH_WITHIN_SECONDS after a publish that
    showed a title from before it."""
    stale = []
    for record in records:
        if record.get("title") is None:
            continue
        due = [p["n"] for p in publishes if p["at"] <= record["began"] - FRESH_WITHIN_SECONDS]
        if due and publish_number(record["title"]) < max(due):
            stale.append({**record, "expected_publish": max(due)})
    return stale


def test_a_minute_of_publishing_behind_varnish(deployment, watched_news):
    reads = soak_reads(watched_news)
    with (deployment.logs / "publisher.log").open("a") as log:
        publisher = start_publisher(deployment, watched_news["slug"], log)
        stop = threading.Event()
        readers = [Reader(deployment, reads, stop, offset) for offset in range(READERS)]
        for reader in readers:
            reader.start()
        publisher.stdin.write("go\n")
        publisher.stdin.flush()
        said = said_by(publisher, log)
        publishes = [json.loads(next(said)) for _ in range(SOAK_SECONDS // PUBLISH_EVERY_SECONDS)]
        stop.set()
        for reader in readers:
            reader.join(timeout=60)
        publisher.stdin.write("put the title back\n")
        publisher.stdin.flush()
        assert next(said) == "done"
        assert publisher.wait(timeout=60) == 0, "the publisher failed: see publisher.log"

    records = [record for reader in readers for record in reader.records]
    failed = [r for r in records if r.get("status") != 200 or r.get("errors") or "error" in r]
    # Every read but the principles' and the home page's holds the page being published.
    failed += [r for r in records if r["read"] not in UNTOUCHED_READS and r.get("title") is None]
    hits = [r for r in records if r.get("cache") == "HIT"]
    untouched_misses = [
        r for r in records if r["read"] in UNTOUCHED_READS and r.get("cache") != "HIT"
    ]
    stale = stale_reads(records, publishes)
    summary = {
        "reads": len(records),
        "publishes": len(publishes),
        "hit_share": round(len(hits) / len(records), 4),
        "failed": failed[:10],
        "stale": stale[:10],
        "untouched_misses": len(untouched_misses),
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "cdn-soak.json").write_text(json.dumps(summary, indent=2))

    assert failed == []
    assert stale == [], summary
    assert len(hits) >= HIT_SHARE * len(records), summary
    # Kept all along: only the first read of each went to the CMS.
    assert len(untouched_misses) <= len(UNTOUCHED_READS), summary


def test_apollo_sends_persisted_queries_as_gets_varnish_keeps(deployment):
    """Apollo Client's persisted-query link (useGETForHashedQueries), anonymous, through
    Varnish: the hash alone is unknown at first (Apollo adds __typename, so the text is
    not the registered one), the link then sends the query, and from then on the GET
    of the hash alone is answered, by the CMS once and by Varnish after."""
    query_file = QUERIES_DIR / "principles.graphql"
    ran = subprocess.run(
        [
            shutil.which("node"),
            str(CLIENTS_DIR / "persisted-get.mjs"),
            f"{deployment.cdn_url}/graphql/",
            str(query_file),
        ],
        cwd=CLIENTS_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr
    outcome = json.loads(ran.stdout)
    expected = json.loads(query_file.with_suffix(".json").read_text())["data"]
    for result in outcome["results"]:
        assert result["errors"] == []
        assert comparable(result["data"]) == comparable(expected)
    assert [(r["method"], r["hashOnly"], r["status"], r["cache"]) for r in outcome["requests"]] == [
        # PERSISTED_QUERY_NOT_FOUND, not kept by Varnish: a 404 in the specification's
        # media type, which Apollo Client asks for first, and reads whatever the status.
        ("GET", True, 404, "MISS"),
        ("POST", False, 200, "MISS"),  # the query with its hash: registered
        ("GET", True, 200, "MISS"),
        ("GET", True, 200, "HIT"),
    ]
