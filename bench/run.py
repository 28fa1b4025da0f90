"""`make bench`: load-test a production-like server and print one table.

Its steps, top to bottom in main() below, each in a module of its own under bench/:
1. tools.py: wrk (apt-get) and the app server (pip, the pin in pyproject.toml) if missing.
2. datasets.py: cached between runs (`make bench-clean` drops them): a PostgreSQL
   database each when PostgreSQL answers, else SQLite files under bench/.data/. Each is
   migrated, loaded with the Southwark content and topped up with generate_demo_news:
   `cms_bench` to --small demo news pages, `cms_bench_10k` to --large, and with --huge
   `cms_bench_50k` to --huge-pages (minutes to build, once, with a progress bar).
3. servers.py: the app server with cms.settings.production (--app-server: gunicorn's
   sync workers, as in production, its gthread ones, or granian; --workers, on a free
   port on 127.0.0.1), one a dataset, and one that keeps nothing (bench/nothing_kept.py).
4. scenarios.py: each driven by wrk (bench/wrk.lua) for --duration seconds. GraphQL
   requests marked "uncached" carry a variable the query never declares, different on
   every request (graphql-core ignores it; the response cache keys on it). SQL queries
   per request are counted in-process (bench/inprocess.py) against the same database.
   Each documented read is also timed in-process on every dataset (bench/inprocess.py
   read-times), to show how its cost grows with the content.
5. report.py: the table, the workers' memory after --rss-requests requests, the ratios,
   and each documented read's time on every dataset beside its time on the main one.
common.py holds what they all use: paths, BenchError, say() and running commands.

Every number is from this one run, on this machine: compare runs on the same machine.
"""

import argparse
import os
import signal
import sys
import uuid
from pathlib import Path

# Run as `python bench/run.py`: the project's root, above this file, holds the package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import datasets, report, scenarios, servers
from bench.common import BenchError, say
from bench.scenarios import NONCE, QUERY_FILES  # noqa: F401 (tests/test_demo_news.py reads them)
from bench.tools import ensure_tools


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="Seconds per scenario.")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads.")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections.")
    parser.add_argument(
        "--connection-close",
        action="store_true",
        help="A connection a request, as nginx reaches the app servers (deploy/nginx/).",
    )
    parser.add_argument("--workers", type=int, default=2, help="App server worker processes.")
    parser.add_argument(
        "--app-server",
        choices=servers.APP_SERVERS,
        default="sync",
        help="gunicorn's sync or threaded (gthread) workers, or granian in WSGI mode.",
    )
    parser.add_argument(
        "--app-threads", type=int, default=4, help="Threads a worker, gthread and granian."
    )
    parser.add_argument("--small", type=int, default=200, help="Demo pages, main dataset.")
    parser.add_argument("--large", type=int, default=10_000, help="Demo pages, deep dataset.")
    parser.add_argument(
        "--rss-requests", type=int, default=1000, help="Requests before reading worker RSS."
    )
    parser.add_argument("--skip-large", action="store_true", help="No 10,000-page scenarios.")
    parser.add_argument(
        "--huge",
        action="store_true",
        help="Also time the documented reads on a dataset of --huge-pages demo news pages.",
    )
    parser.add_argument("--huge-pages", type=int, default=50_000, help="Demo pages, --huge.")
    parser.add_argument(
        "--only", help="Comma-separated scenario keys to run (e.g. a,b,e,f); default all."
    )
    parser.add_argument("--sqlite", action="store_true", help="SQLite even if PostgreSQL answers.")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"),
        help="Server for the benchmark's own databases (no database name).",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"),
        help="Shared cache for the server if it answers, emptied before each server starts "
        "('none': local memory).",
    )
    parser.add_argument("--clean", action="store_true", help="Drop the datasets and exit.")
    return parser.parse_args(argv)


def main(argv=None):
    options = parse_args(argv)
    if options.clean:
        datasets.clean(options)
        return 0

    started = []

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    # Ctrl-C and kill both end in the `finally` below, which stops the app servers.
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        ensure_tools(options.app_server)
        urls, engine = datasets.database_urls(options)
        redis_url = options.redis_url if servers.redis_answers(options.redis_url) else None
        small, large = scenarios.table(search_engine=engine)
        if options.only:
            wanted = set(options.only.split(","))
            small = [s for s in small if s.key in wanted]
            large = [s for s in large if s.key in wanted]
            if not large:
                options.skip_large = True
        pages = {"small": options.small, "large": options.large, "huge": options.huge_pages}
        names = ["small"] if options.skip_large else ["small", "large"]
        names += ["huge"] if options.huge else []
        held = {}
        for name in names:
            say(f"dataset {datasets.DATABASES[name]} on {engine}: {pages[name]} demo news pages")
            env = servers.server_env(urls[name], redis_url)
            held[name] = datasets.build_dataset(env, pages[name])

        run_id = uuid.uuid4().hex[:12]
        load_before = os.getloadavg()[0]
        worker_mib = None  # the main dataset's: at start, warmed up, after the scenarios
        nothing_kept_mib = None  # its server's that keeps nothing, after its scenarios
        for name, scenario_list in (("small", small), ("large", large), ("huge", [])):
            if name not in names:
                continue
            env = servers.server_env(urls[name], redis_url)
            kept = [s for s in scenario_list if not s.nothing_kept]
            if kept:
                server = servers.Server(
                    name, env, options.workers, options.app_server, options.app_threads
                )
                started.append(server)
                say(f"starting {server.label} on {server.base_url} ({datasets.DATABASES[name]})")
                servers.empty_shared_cache(redis_url)
                server.start()
                if name == "small":
                    before, after = scenarios.warm_up_and_read_rss(
                        server, kept, options.rss_requests, run_id
                    )
                scenarios.measure(server, kept, options, run_id)
                if name == "small" and after:
                    worker_mib = (before, after, server.worker_rss_mib())
                server.stop()
                scenarios.count_queries(env, kept)
            nothing_kept = [s for s in scenario_list if s.nothing_kept]
            if nothing_kept:
                server = servers.Server(
                    f"{name}-nothing-kept", env, options.workers, options.app_server,
                    options.app_threads, app="bench.nothing_kept:application",
                )  # fmt: skip
                started.append(server)
                say(f"starting {server.label}, keeping nothing, on {server.base_url}")
                servers.empty_shared_cache(redis_url)
                server.start()
                scenarios.measure(server, nothing_kept, options, run_id)
                nothing_kept_mib = server.worker_rss_mib()
                server.stop()
            if name == "small":
                field_ms, floor_ms = scenarios.field_costs(env)
        read_ms = {}  # {dataset: {read: ms}}, when there is more than the main one
        if len(names) > 1:
            envs = {
                name: (servers.server_env(urls[name], redis_url), datasets.DATABASES[name])
                for name in names
            }
            read_ms = scenarios.read_times(envs)

        rows = small + (large if "large" in names else [])
        context = report.context_line(options, engine, redis_url, held, load_before)
        rss = report.rss_line(worker_mib, options.rss_requests, nothing_kept_mib)
        costs = report.field_cost_lines(field_ms, floor_ms)
        ratios = report.compute_ratios({s.key: s for s in rows})
        growth = report.read_time_lines(read_ms, held)
        report.show(rows, context, rss, ratios, costs, growth)
        report.save(rows, context, rss, ratios, costs, growth, read_ms)
        return 1 if any(s.problem and s.key != "f" for s in rows) else 0
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130
    finally:
        for server in started:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
