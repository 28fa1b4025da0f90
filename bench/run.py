"""`make bench`: load-test a production-like server and print one table.

1. Tools: wrk (apt-get) and gunicorn (pip, the pin in pyproject.toml) if missing.
2. Datasets, cached between runs (`make bench-clean` drops them): a PostgreSQL database
   of their own when PostgreSQL answers, else SQLite files under bench/.data/. Each is
   migrated, loaded with the Southwark content and topped up with generate_demo_news:
   `cms_bench` to --small demo news pages, `cms_bench_10k` to --large.
3. gunicorn with cms.settings.production (--workers, on a free port on 127.0.0.1),
   driven by wrk (bench/wrk.lua) for --duration seconds a scenario. GraphQL requests
   marked "uncached" carry a variable the query never declares, different on every
   request (graphql-core ignores it; the response cache keys on it). SQL queries per
   request are counted in-process (bench/inprocess.py) against the same database.
4. The table, the workers' memory after --rss-requests requests, and the ratios.

Every number is from this one run, on this machine: compare runs on the same machine.
"""

import argparse
import json
import os
import signal
import sys
import uuid
from pathlib import Path

# Run as `python bench/run.py`: the project's root, above this file, holds the package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import scenarios
from bench.common import (
    DATA_DIR,
    ROOT,
    BenchError,
    say,
)
from bench.datasets import DATABASES, build_dataset, clean, database_urls
from bench.scenarios import NONCE, QUERY_FILES  # noqa: F401 (tests/test_demo_news.py reads them)
from bench.servers import Server, redis_answers, server_env
from bench.tools import ensure_tools


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="Seconds per scenario.")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads.")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections.")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers.")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class.")
    parser.add_argument("--small", type=int, default=200, help="Demo pages, main dataset.")
    parser.add_argument("--large", type=int, default=10_000, help="Demo pages, deep dataset.")
    parser.add_argument(
        "--rss-requests", type=int, default=1000, help="Requests before reading worker RSS."
    )
    parser.add_argument("--skip-large", action="store_true", help="No 10,000-page scenarios.")
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
        help="Shared cache for the server if it answers ('none': local memory).",
    )
    parser.add_argument("--clean", action="store_true", help="Drop the datasets and exit.")
    return parser.parse_args(argv)


# The report ---------------------------------------------------------------------------


def report(rows, context, rss, ratios, costs):
    header = ("", "scenario", "req/s", "p50 ms", "p99 ms", "SQL/req", "failed")
    lines = [header]
    for s in rows:
        if s.result is None:
            lines.append((s.key, s.label, "-", "-", "-", "-", s.problem or "not run"))
            continue
        r = s.result
        lines.append((
            s.key,
            s.label,
            f"{r['rps']:.1f}",
            f"{r['p50_us'] / 1000:.1f}",
            f"{r['p99_us'] / 1000:.1f}",
            "-" if s.queries is None else str(s.queries),
            f"{r['failed']}/{r['requests']}",
        ))  # fmt: skip
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]

    def row(cells):
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    print()
    print(context)
    print(row(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for line in lines[1:]:
        print(row(line))
    print()
    print(rss)
    print(costs)
    for label, value in ratios:
        print(f"{label}: {value}")


def ratio(numerator, denominator, fmt="{:.2f}"):
    if numerator is None or denominator in (None, 0):
        return "n/a"
    return fmt.format(numerator / denominator)


def compute_ratios(by_key):
    def rps(key):
        s = by_key.get(key)
        return s.result["rps"] if s and s.result else None

    def p50(key):
        s = by_key.get(key)
        return s.result["p50_us"] if s and s.result else None

    return [
        (
            "all-fields list / plain list, time per request (1/throughput)",
            ratio(rps("b"), rps("a")),
        ),
        ("GraphQL uncached / REST v2, throughput", ratio(rps("a"), rps("d"))),
        ("GraphQL cached / trivial response, throughput", ratio(rps("e"), rps("f"))),
        ("page 400 / page 1, p50 latency", ratio(p50("g400"), p50("g1"))),
    ]


# Helpers ------------------------------------------------------------------------------


def mib(sizes):
    return ", ".join(f"{size:.0f}" for size in sizes)


def main(argv=None):
    options = parse_args(argv)
    if options.clean:
        clean(options)
        return 0

    servers = []

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    # Ctrl-C and kill both end in the `finally` below, which stops gunicorn.
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        ensure_tools()
        urls, engine = database_urls(options)
        redis_url = options.redis_url if redis_answers(options.redis_url) else None
        search_engine = "PostgreSQL" if engine == "PostgreSQL" else "SQLite"
        small, large = scenarios.table(search_engine)
        if options.only:
            wanted = set(options.only.split(","))
            small = [s for s in small if s.key in wanted]
            large = [s for s in large if s.key in wanted]
            if not large:
                options.skip_large = True
        targets = {"small": options.small, "large": options.large}
        datasets = ["small"] if options.skip_large else ["small", "large"]
        held = {}
        for dataset in datasets:
            say(f"dataset {DATABASES[dataset]} on {engine}: {targets[dataset]} demo news pages")
            env = server_env(urls[dataset], redis_url)
            held[dataset] = build_dataset(env, targets[dataset])

        run_id = uuid.uuid4().hex[:12]
        load_before = os.getloadavg()[0]
        rss = "worker RSS: not measured"
        costs = "news list field costs: not measured"
        for dataset, scenario_list in (("small", small), ("large", large)):
            if dataset not in datasets:
                continue
            env = server_env(urls[dataset], redis_url)
            server = Server(dataset, env, options.workers, options.worker_class)
            servers.append(server)
            say(f"starting gunicorn on {server.base_url} ({DATABASES[dataset]})")
            server.start()
            if dataset == "small":
                before, after = scenarios.warm_up_and_read_rss(
                    server, scenario_list, options.rss_requests, run_id
                )
                if after:
                    rss = (
                        f"gunicorn worker RSS (MiB): at start {mib(before)}; "
                        f"after {options.rss_requests} requests {mib(after)}"
                    )
            scenarios.measure(server, scenario_list, options, run_id)
            if dataset == "small" and after:
                rss += f"; after every scenario above {mib(server.worker_rss_mib())}"
            server.stop()
            scenarios.count_queries(env, scenario_list)
            if dataset == "small":
                costs = scenarios.field_costs(env)

        context = (
            f"{engine}, cache {'Redis' if redis_url else 'local memory'}; "
            f"{held['small']} demo + 2 news pages (a-f, h)"
            + (f", {held['large']} demo + 2 (g, h10k)" if "large" in held else "")
            + f"; gunicorn {options.workers} {options.worker_class} workers; "
            f"wrk {options.threads} threads, {options.connections} connections, "
            f"{options.duration}s each; {os.cpu_count()} CPUs, load average "
            f"{load_before:.1f} at start, {os.getloadavg()[0]:.1f} at the end"
        )
        rows = small + (large if "large" in datasets else [])
        ratios = compute_ratios({s.key: s for s in rows})
        report(rows, context, rss, ratios, costs)
        results = {
            "context": context,
            "rss": rss,
            "field_costs": costs,
            "ratios": dict(ratios),
            "scenarios": [
                {"key": s.key, "label": s.label, "result": s.result, "sql_queries": s.queries,
                 "problem": s.problem}
                for s in rows
            ],
        }  # fmt: skip
        (DATA_DIR / "last-run.json").write_text(json.dumps(results, indent=2))
        say(f"results also in {(DATA_DIR / 'last-run.json').relative_to(ROOT)}")
        return 1 if any(s.problem and s.key != "f" for s in rows) else 0
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130
    finally:
        for server in servers:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
