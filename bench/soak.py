"""`make soak`: a minute of concurrent readers on gunicorn while editors publish.

The read mix: readers (threads, one keep-alive connection each) send, in turn, every
documented query in docs/queries/ (with its .variables.json) and then a read of every
live page of the site by its URL path, as a front end renders its pages: the documented
`page-by-url` query for each page in the site's language (`page(urlPath:)`), and the
documented `page-in-locale` query (the source page's path and the page's locale) for
each live translation; a page read that would repeat a documented one is sent once.
On the soak's dataset (the Southwark content, 50 demo news pages): 25 documented
queries and 93 page reads. A publisher publishes the home page (with a numbered title)
and the newest news page in the site's language every --publish-every seconds through
the ORM, as the admin would. It passes when no request fails (non-200 or GraphQL
errors) and no read of the home page's title that started more than a second after a
publish returned content older than that publish.

Beside them, one reader in this process sends the same reads in turn, each with a
variable no query declares (a new value every time: the response cache's key holds it,
so every answer is made), never while a publishing round is under way (so each answer
is wholly before or after a round), and notes each page part (api/graphql/fragments.py)
its answer found kept or made afresh, with the surrogate keys the part holds. It reports
the share of answers made with every page part kept and, over the first answer to each
read after a publish, the share of page parts reused: overall, and among the parts that
hold no page a round published (no key the round retired: neither the page's `page:` key
nor, unless the round retitled it or made a major change, its `translation:` key: the
page in every language, which a part listing its `translations` holds). It lists the
parts made afresh, each with the published page it holds, and also fails if a part
holding no published page was made afresh (needlessly) or one holding one was found kept.

It uses the benchmark's server and dataset code (bench/servers.py, bench/datasets.py):
a database of its own (--database, `cms_soak`, on PostgreSQL when it answers, else
SQLite under bench/.data/) and Redis when it answers.
"""

import argparse
import http.client
import json
import os
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path

# The project's root, above this file: the bench package and, for the publisher, the ORM.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import DATA_DIR, QUERIES_DIR, BenchError, say
from bench.datasets import build_dataset, postgres_answers
from bench.servers import Server, empty_shared_cache, redis_answers, server_env
from bench.tools import ensure_tools

TITLE = "Southwark Children’s Services (soak {})"
# The reads whose answer is the home page's title, which each round numbers anew.
HOME_TITLE_READS = {"home-page", "page-by-url /"}


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--publish-every", type=float, default=2.0)
    parser.add_argument("--demo-pages", type=int, default=50)
    parser.add_argument(
        "--database", default="cms_soak", help="the soak's own database (made afresh each run)"
    )
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/3")
    parser.add_argument(
        "--sqlite", action="store_true", help="use SQLite even if PostgreSQL answers"
    )
    return parser.parse_args(argv)


def documented_reads():
    """(name, body) for each documented query, with its variables."""
    reads = []
    for path in sorted(QUERIES_DIR.glob("*.graphql")):
        variables_file = path.with_suffix(".variables.json")
        variables = json.loads(variables_file.read_text()) if variables_file.exists() else {}
        reads.append((path.stem, query_body(path.stem, variables)))
    return reads


def query_body(stem, variables):
    query = (QUERIES_DIR / f"{stem}.graphql").read_text()
    return json.dumps({"query": query, "variables": variables})


def page_reads():
    """(name, body) reading each live page of the default site: `page-by-url` by its URL
    path in the site's language, `page-in-locale` by its source page's path and its
    locale for a translation (the documented queries' shapes)."""
    from wagtail.models import Page, Site

    from core.locales import tag_of

    root = Site.objects.get(is_default_site=True).root_page
    source_paths = {
        page.translation_key: "/" + page.url_path[len(root.url_path) :]
        for page in Page.objects.live().descendant_of(root, inclusive=True)
    }
    reads = []
    for page in Page.objects.live().exclude(depth=1).select_related("locale").order_by("path"):
        path = source_paths.get(page.translation_key)
        if path is None:
            continue  # not a page of the site, nor a translation of one
        if page.locale_id == root.locale_id:
            reads.append((f"page-by-url {path}", query_body("page-by-url", {"urlPath": path})))
        else:
            locale = tag_of(page.locale.language_code)
            variables = {"urlPath": path, "locale": locale}
            reads.append(
                (f"page-in-locale {locale} {path}", query_body("page-in-locale", variables))
            )
    return reads


def site_reads():
    """The documented queries, then every page's read that does not repeat one of them."""
    documented = documented_reads()
    sent = {body for _, body in documented}
    return documented + [(name, body) for name, body in page_reads() if body not in sent]


class PartsLog:
    """Each page part `memo` (api/graphql/fragments.py's) is asked for and finds kept, or
    keeps once made afresh, with the surrogate keys it holds: `parts` holds (the part's
    key, its keys, whether it was found kept) since it was last emptied."""

    def __init__(self, memo):
        self.parts = []
        find, keep = memo.find, memo.keep

        def logged_find(key_versions, key):
            found = find(key_versions, key)  # (its answer, its keys, its size) or None
            if found is not None:
                _, keys, _ = found
                self.parts.append((key, keys, True))
            return found

        def logged_keep(key_versions, made):
            keep(key_versions, made)
            self.parts.extend((key, keys, False) for key, _, keys in made)

        memo.find, memo.keep = logged_find, logged_keep


class PartsReader(threading.Thread):
    """The reads in this process, each answer made afresh, none while a publishing round
    is under way (`round_lock`): `reads` holds (read, publishing rounds done before it,
    its page parts as PartsLog notes them) for each answer."""

    def __init__(self, reads, stop_at, rounds, round_lock):
        super().__init__(daemon=True)
        self.site_reads, self.stop_at = reads, stop_at
        self.rounds, self.round_lock = rounds, round_lock
        self.reads, self.errors = [], []

    def run(self):
        from django.db import connection
        from django.test import Client

        from api.graphql.fragments import fragments

        log = PartsLog(fragments)
        client = Client(HTTP_HOST="127.0.0.1")
        turn = 0
        try:
            while time.monotonic() < self.stop_at:
                name, body = self.site_reads[turn % len(self.site_reads)]
                sent = json.loads(body)
                sent["variables"]["soakRead"] = turn  # declared by no query
                turn += 1
                with self.round_lock:
                    published = len(self.rounds)
                    log.parts = []
                    response = client.post("/graphql/", sent, content_type="application/json")
                if response.status_code != 200 or "errors" in response.json():
                    self.errors.append(f"{name} (in process): {response.content[:200]!r}")
                    continue
                self.reads.append((name, published, log.parts))
        finally:
            connection.close()


def published_keys(pages):
    """{surrogate key: what it names} by which a page part holds each of `pages`: the
    page's own key, and its translation key (the page in every language, which a part
    listing its `translations` holds)."""
    from core.surrogate_keys import key_for, translation_key_of

    keys = {}
    for page in pages:
        keys[key_for(page)] = f"{type(page).__name__} {page.pk}"
        keys[translation_key_of(page)] = f"{type(page).__name__} {page.pk} in every language"
    return keys


def parts_report(reads, published_page_keys):
    """What the in-process reads' page parts say, each read's first answer (nothing kept
    yet) left out: a dict of the answers with page parts, the share made with every part
    kept; over the first answers to each read after a publish, the page parts, the share
    reused, the parts holding no published page (`published_page_keys`) and the share of
    those reused; Counters of the parts made afresh and of those found kept though they
    hold a published page, by (read, the part's type and id, published pages it holds)."""
    with_parts, all_kept = 0, 0
    after_publish, reused, unrelated, unrelated_reused = 0, 0, 0, 0
    made_afresh, kept_stale = Counter(), Counter()
    last_seen = {}  # read -> publishing rounds done before its last answer
    for name, published, parts in reads:
        if name in last_seen and parts:
            with_parts += 1
            all_kept += all(kept for _, _, kept in parts)
            if published > last_seen[name]:
                for key, keys, kept in parts:
                    holds = tuple(
                        sorted(published_page_keys[k] for k in keys & published_page_keys.keys())
                    )
                    part = (name, f"{key[2]} {key[3]}", holds)
                    after_publish += 1
                    reused += kept
                    if not holds:
                        unrelated += 1
                        unrelated_reused += kept
                    if not kept:
                        made_afresh[part] += 1
                    elif holds:
                        kept_stale[part] += 1
        last_seen[name] = published
    return {
        "answers": with_parts,
        "all kept": all_kept / with_parts if with_parts else 0.0,
        "parts": after_publish,
        "reused": reused / after_publish if after_publish else 0.0,
        "unrelated parts": unrelated,
        "unrelated reused": unrelated_reused / unrelated if unrelated else 0.0,
        "made afresh": made_afresh,
        "kept stale": kept_stale,
    }


class Reader(threading.Thread):
    def __init__(self, port, bodies, stop_at, offset):
        super().__init__(daemon=True)
        self.port, self.bodies, self.stop_at, self.offset = port, bodies, stop_at, offset
        self.latencies, self.errors, self.home_reads = [], [], []

    def run(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        turn = self.offset
        while time.monotonic() < self.stop_at:
            name, body = self.bodies[turn % len(self.bodies)]
            turn += 1
            started = time.monotonic()
            try:
                connection.request("POST", "/graphql/", body, {"Content-Type": "application/json"})
                response = connection.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException) as error:
                self.errors.append(f"{name}: {error!r}")
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                continue
            self.latencies.append(time.monotonic() - started)
            if response.status != 200:
                self.errors.append(f"{name}: HTTP {response.status} {payload[:200]!r}")
                continue
            data = json.loads(payload)
            if "errors" in data:
                self.errors.append(f"{name}: {data['errors'][:1]}")
            elif name in HOME_TITLE_READS:
                self.home_reads.append((started, data["data"]["page"]["title"]))


def pages_published():
    """What each round publishes: the default site's home page, and its newest news page
    in the site's language (the last made of those of that date)."""
    from wagtail.models import Site

    from news.models import NewsPage

    home = Site.objects.get(is_default_site=True).root_page.specific
    news = NewsPage.objects.live().filter(locale=home.locale).order_by("-date", "-pk").first()
    return home, news


def publisher(stop_at, every, home, news, publishes, rounds, round_lock):
    """Publish the home page (numbered title) and the news page, every `every` seconds:
    `publishes` holds when each home page was, `rounds` when each round was done."""
    from home.models import HomePage

    number = 0
    while time.monotonic() + every < stop_at:
        time.sleep(every)
        number += 1
        with round_lock:
            home = HomePage.objects.get(pk=home.pk)
            home.title = TITLE.format(number)
            home.save_revision().publish()
            publishes.append((time.monotonic(), number))  # after commit: the cache is retired
            if news is not None:
                news.summary = f"{news.summary.split(' [soak')[0]} [soak {number}]"
                news.save_revision().publish()
            rounds.append(time.monotonic())


def title_number(title):
    return int(title.rsplit(" ", 1)[1].rstrip(")")) if "(soak " in title else 0


def stale_reads(home_reads, publishes):
    """Reads begun more than 1 s after a publish that still showed older content."""
    stale, worst_lag = [], 0.0
    for published_at, number in publishes:
        for started, title in home_reads:
            if started > published_at and title_number(title) < number:
                worst_lag = max(worst_lag, started - published_at)
                if started > published_at + 1.0:
                    stale.append((number, round(started - published_at, 3), title))
    return stale, worst_lag


def main(argv=None):
    options = parse_args(argv)
    ensure_tools()
    if not options.sqlite and postgres_answers(options.postgres_url):
        import psycopg
        from psycopg import sql

        with psycopg.connect(f"{options.postgres_url}/postgres", autocommit=True) as conn:
            database = sql.Identifier(options.database)
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(database))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(database))
        database_url, engine = f"{options.postgres_url}/{options.database}", "PostgreSQL"
    else:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        database = DATA_DIR / f"{options.database}.sqlite3"
        database.unlink(missing_ok=True)
        database_url, engine = f"sqlite:///{database}", "SQLite"
    redis_url = options.redis_url if redis_answers(options.redis_url) else None
    env = server_env(database_url, redis_url)
    env["CACHE_DIR"] = str(DATA_DIR / "soak-cache")
    say(f"soak dataset on {engine}, cache: {'Redis' if redis_url else 'files'}")
    build_dataset(env, options.demo_pages)

    empty_shared_cache(redis_url)
    server = Server("soak", env, options.workers, "sync")
    server.start()
    try:
        os.environ.update(env)
        import django

        django.setup()
        reads = site_reads()
        home, news = pages_published()
        from core.changes import subscribe

        retired = set()  # the keys the rounds' publishing retired (core/changes.py)
        subscribe("retirement", lambda change: retired.update(change.keys))
        stop_at = time.monotonic() + options.seconds
        readers = [Reader(server.port, reads, stop_at, offset) for offset in range(options.clients)]
        publishes, rounds, round_lock = [], [], threading.Lock()
        parts_reader = PartsReader(reads, stop_at, rounds, round_lock)
        documented = len(documented_reads())
        say(
            f"soaking for {options.seconds:.0f}s: {options.clients} readers sending "
            f"{documented} documented queries and {len(reads) - documented} page reads in "
            f"turn, {options.workers} gunicorn workers, a publish every {options.publish_every}s"
        )
        for reader in [*readers, parts_reader]:
            reader.start()
        publisher(stop_at, options.publish_every, home, news, publishes, rounds, round_lock)
        for reader in [*readers, parts_reader]:
            reader.join()
    finally:
        server.stop()

    latencies = sorted(latency for reader in readers for latency in reader.latencies)
    errors = [error for reader in [*readers, parts_reader] for error in reader.errors]
    home_reads = sorted(read for reader in readers for read in reader.home_reads)
    stale, worst_lag = stale_reads(home_reads, publishes)
    requests = len(latencies) + sum(1 for e in errors if "HTTP" not in e)
    print()
    print(f"soak on {engine} ({'Redis' if redis_url else 'file'} cache), {options.seconds:.0f}s")
    print(f"  requests        {requests} ({requests / options.seconds:.0f}/s)")
    print(f"  errors          {len(errors)}")
    print(f"  publishes       {len(publishes)} (home page and a news page each time)")
    print(f"  home reads      {len(home_reads)}")
    print(f"  stale > 1s      {len(stale)}")
    print(f"  worst lag seen  {worst_lag * 1000:.0f} ms (a read begun after a publish, older)")
    # A part holds what a round published if it holds a key the round retired: its page's,
    # or its translation key (which a part listing the page's `translations` holds; a
    # minor change with its title kept retires none).
    names = published_keys(page for page in (home, news) if page is not None)
    published_page_keys = {key: name for key, name in names.items() if key in retired}
    parts = parts_report(parts_reader.reads, published_page_keys)
    published = " nor ".join(
        name for key, name in sorted(published_page_keys.items()) if key.startswith("page:")
    )
    print(
        f"  all parts kept  {parts['all kept']:.1%} of {parts['answers']} answers with page parts"
    )
    print(
        f"  parts reused    {parts['reused']:.1%} of {parts['parts']} page parts in the first "
        "answers after a publish"
    )
    print(
        f"    unrelated     {parts['unrelated reused']:.1%} of the {parts['unrelated parts']} "
        f"holding no published page ({published}, in any language)"
    )
    if latencies:
        p50 = statistics.median(latencies) * 1000
        p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
        print(f"  latency         p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    for error in errors[:5]:
        print(f"  error: {error}")
    for number, lag, title in stale[:5]:
        print(f"  stale: publish {number} not seen {lag}s later ({title})")
    for (name, part, holds), times in sorted(parts["made afresh"].items()):
        held = f"holds {', '.join(holds)}" if holds else "NEEDLESSLY: holds no published page"
        print(f"  made afresh: {name}: {part} ({held}), {times}x")
    for (name, part, holds), times in sorted(parts["kept stale"].items()):
        print(f"  kept stale: {name}: {part} (holds {', '.join(holds)}), {times}x")
    needless = sum(times for (_, _, holds), times in parts["made afresh"].items() if not holds)
    passed = not errors and not stale and not needless and not parts["kept stale"]
    return 0 if passed and publishes else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        print(f"soak: {error}", file=sys.stderr)
        sys.exit(2)
