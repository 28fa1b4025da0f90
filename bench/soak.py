"""`make soak`: a minute of concurrent readers on gunicorn while editors publish.

Readers (threads, one keep-alive connection each) send the documented queries in
docs/queries/ in turn; a publisher publishes the home page (with a numbered title)
and a news page every --publish-every seconds through the ORM, as the admin would.
It passes when no request fails (non-200 or GraphQL errors) and no read that started
more than a second after a publish returned content older than that publish.

Beside them, one reader in this process sends the same queries, each with a variable no
query declares (a new value every time: the response cache's key holds it, so every
answer is made), and counts the pages' parts each answer found kept
(api/graphql/fragments.py) or made afresh. It reports the share of answers made with
every page part kept, and the share of page parts reused across a publish: of those the
first answer to each query after a publish holds.

It uses the benchmark's server and dataset code (bench/servers.py, bench/datasets.py):
a database of its own (`cms_soak` on PostgreSQL when it answers, else SQLite under
bench/.data/) and Redis when it answers.
"""

import argparse
import http.client
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

# The project's root, above this file: the bench package and, for the publisher, the ORM.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import DATA_DIR, QUERIES_DIR, BenchError, say
from bench.datasets import build_dataset, postgres_answers
from bench.servers import Server, redis_answers, server_env
from bench.tools import ensure_tools

TITLE = "Southwark Children’s Services (soak {})"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--publish-every", type=float, default=2.0)
    parser.add_argument("--demo-pages", type=int, default=50)
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/3")
    parser.add_argument(
        "--sqlite", action="store_true", help="use SQLite even if PostgreSQL answers"
    )
    return parser.parse_args(argv)


def documented_queries():
    bodies = []
    for path in sorted(QUERIES_DIR.glob("*.graphql")):
        variables_file = path.with_suffix(".variables.json")
        variables = json.loads(variables_file.read_text()) if variables_file.exists() else {}
        body = json.dumps({"query": path.read_text(), "variables": variables})
        bodies.append((path.stem, body))
    return bodies


class PartsReader(threading.Thread):
    """The documented queries in this process, each answer made afresh, counting its
    pages' parts found kept and made: `reads` holds (query, publishing rounds done before
    it, kept, made) for each answer."""

    def __init__(self, bodies, stop_at, rounds):
        super().__init__(daemon=True)
        self.bodies, self.stop_at, self.rounds = bodies, stop_at, rounds
        self.reads, self.errors = [], []

    def run(self):
        from django.db import connection
        from django.test import Client

        from api.graphql.fragments import fragments

        client = Client(HTTP_HOST="127.0.0.1")
        turn = 0
        try:
            while time.monotonic() < self.stop_at:
                name, body = self.bodies[turn % len(self.bodies)]
                sent = json.loads(body)
                sent["variables"]["soakRead"] = turn  # declared by no query
                turn += 1
                published, kept, made = len(self.rounds), fragments.hits, fragments.misses
                response = client.post("/graphql/", sent, content_type="application/json")
                if response.status_code != 200 or "errors" in response.json():
                    self.errors.append(f"{name} (in process): {response.content[:200]!r}")
                    continue
                kept, made = fragments.hits - kept, fragments.misses - made
                self.reads.append((name, published, kept, made))
        finally:
            connection.close()

    def report(self):
        """(answers with page parts, the share made with every part kept, page parts in
        the first answers after a publish, the share of those reused), each query's first
        answer (nothing kept yet) left out."""
        with_parts, after_publish = [], []
        last_seen = {}  # query -> publishes before its last answer
        for name, published, kept, made in self.reads:
            if name in last_seen and kept + made:
                with_parts.append(made == 0)
                if published > last_seen[name]:
                    after_publish.append((kept, made))
            last_seen[name] = published
        all_kept = sum(with_parts) / len(with_parts) if with_parts else 0.0
        parts = sum(kept + made for kept, made in after_publish)
        reused = sum(kept for kept, _ in after_publish) / parts if parts else 0.0
        return len(with_parts), all_kept, parts, reused


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
            elif name == "home-page":
                self.home_reads.append((started, data["data"]["page"]["title"]))


def publisher(stop_at, every, publishes, rounds):
    """Publish the home page (numbered title) and a news page, every `every` seconds:
    `publishes` holds when each home page was, `rounds` when each round was done."""
    from home.models import HomePage
    from news.models import NewsPage

    number = 0
    news = NewsPage.objects.live().order_by("-date").first()
    while time.monotonic() + every < stop_at:
        time.sleep(every)
        number += 1
        home = HomePage.objects.get()
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
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS cms_soak WITH (FORCE)"))
            conn.execute(sql.SQL("CREATE DATABASE cms_soak"))
        database_url, engine = f"{options.postgres_url}/cms_soak", "PostgreSQL"
    else:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        database = DATA_DIR / "cms_soak.sqlite3"
        database.unlink(missing_ok=True)
        database_url, engine = f"sqlite:///{database}", "SQLite"
    redis_url = options.redis_url if redis_answers(options.redis_url) else None
    env = server_env(database_url, redis_url)
    env["CACHE_DIR"] = str(DATA_DIR / "soak-cache")
    say(f"soak dataset on {engine}, cache: {'Redis' if redis_url else 'files'}")
    build_dataset(env, options.demo_pages)

    if redis_url:
        import redis

        redis.Redis.from_url(redis_url).flushdb()
    server = Server("soak", env, options.workers, "sync")
    server.start()
    try:
        os.environ.update(env)
        import django

        django.setup()
        bodies = documented_queries()
        stop_at = time.monotonic() + options.seconds
        readers = [
            Reader(server.port, bodies, stop_at, offset) for offset in range(options.clients)
        ]
        publishes, rounds = [], []
        parts_reader = PartsReader(bodies, stop_at, rounds)
        say(
            f"soaking for {options.seconds:.0f}s: {options.clients} readers, "
            f"{options.workers} gunicorn workers, a publish every {options.publish_every}s"
        )
        for reader in [*readers, parts_reader]:
            reader.start()
        publisher(stop_at, options.publish_every, publishes, rounds)
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
    answers, all_kept, parts, reused = parts_reader.report()
    print(f"  all parts kept  {all_kept:.1%} of {answers} answers made with page parts")
    print(
        f"  parts reused    {reused:.1%} of {parts} page parts in the first answers after a publish"
    )
    if latencies:
        p50 = statistics.median(latencies) * 1000
        p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
        print(f"  latency         p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    for error in errors[:5]:
        print(f"  error: {error}")
    for number, lag, title in stale[:5]:
        print(f"  stale: publish {number} not seen {lag}s later ({title})")
    return 0 if not errors and not stale and publishes else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        print(f"soak: {error}", file=sys.stderr)
        sys.exit(2)
