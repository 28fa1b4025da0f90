"""What the benchmark prints at the end, and keeps in bench/.data/last-run.json: the run's
context, the table (one row a scenario), the workers' memory, where the news list's time
goes, and the ratios."""

import json
import os

from bench import servers
from bench.common import DATA_DIR, ROOT, say


def context_line(options, engine, redis_url, held, load_before):
    """The conditions of the run, above the table; `held`: demo pages in each dataset."""
    return (
        f"{engine}, cache {'Redis' if redis_url else 'local memory'}; "
        f"{held['small']} demo + 2 news pages (a-f, h)"
        + (f", {held['large']} demo + 2 (g, h10k)" if "large" in held else "")
        + (f", {held['huge']} demo + 2 (reads only)" if "huge" in held else "")
        + f"; {servers.label(options.app_server, options.workers, options.app_threads)}; "
        f"wrk {options.threads} threads, {options.connections} connections"
        f"{' (a connection a request)' if options.connection_close else ''}, "
        f"{options.duration}s each; {os.cpu_count()} CPUs, load average "
        f"{load_before:.1f} at start, {os.getloadavg()[0]:.1f} at the end"
    )


def mib(sizes):
    return ", ".join(f"{size:.0f}" for size in sizes)


def rss_line(sizes, requests, nothing_kept=None):
    """`sizes`: each worker's MiB at start, after `requests` requests, after every scenario;
    `nothing_kept`: the workers' of the server that keeps nothing, after its scenarios."""
    if sizes is None:
        return "worker RSS: not measured"
    start, warm, end = sizes
    return (
        f"worker RSS (MiB): at start {mib(start)}; "
        f"after {requests} requests {mib(warm)}; after every scenario above {mib(end)}"
        + (
            f"; the server keeping nothing, after a0 and b0: {mib(nothing_kept)}"
            if nothing_kept
            else ""
        )
    )


def field_cost_lines(costs, floor):
    """The in-process costs of the news list's fields, beside graphql-core's own."""
    if "error" in costs:
        return f"news list field costs: not measured ({costs['error']})"
    plain = costs["plain"]
    parts = ", ".join(
        f"{name} {ms:.1f} ({ms / plain:.2f}x)" for name, ms in costs.items() if name != "plain"
    )
    lines = [f"news list of 100, ms a request in-process: plain {plain:.1f}; {parts}"]
    if "error" in floor:
        lines.append(f"graphql-core alone: not measured ({floor['error']})")
    else:
        all_fields = floor["all (news-items.graphql)"]
        extra = all_fields - floor["plain"]
        lines.append(
            f"the same two lists run by graphql-core alone (data in memory, trivial "
            f"resolvers), ms: plain {floor['plain']:.1f}, all {all_fields:.1f}; "
            f"the extra fields' executor cost alone, {extra:.1f} ms, is "
            f"{extra / plain:.2f} of the in-process plain list; the all-fields list "
            f"in-process is {costs['all (news-items.graphql)'] / all_fields:.2f}x graphql-core's "
            f"own time for it"
        )
    return "\n".join(lines)


def read_time_lines(read_ms, held):
    """Each documented read's in-process time on every dataset, and its ratio to the time
    on the main one (flat in content size: 1.0)."""
    if len(read_ms) < 2:
        return ""
    failed = [f"{name}: {times['error']}" for name, times in read_ms.items() if "error" in times]
    if failed:
        return "documented reads: not measured (" + "; ".join(failed) + ")"
    others = [name for name in read_ms if name != "small"]
    header = ["documented read, uncached, in-process", f"ms, {held['small']} pages"]
    for name in others:
        header += [f"ms, {held[name]}", f"/ {held['small']}"]
    lines = [header]
    for read, small_ms in read_ms["small"].items():
        cells = [read, f"{small_ms:.1f}"]
        for name in others:
            cells += [f"{read_ms[name][read]:.1f}", ratio(read_ms[name][read], small_ms)]
        lines.append(cells)
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join(table_row(line, widths) for line in lines)


def ratio(numerator, denominator):
    if numerator is None or denominator in (None, 0):
        return "n/a"
    return f"{numerator / denominator:.2f}"


def compute_ratios(by_key):
    """[(label, ratio)] of the scenarios' results, by scenario key; "n/a" where one is missing."""

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
        (
            "REST v2 list / GraphQL all-fields list with nothing kept, time per request",
            ratio(rps("a0"), rps("d")),
        ),
        (
            "all-fields list with nothing kept / with memos warm, time per request",
            ratio(rps("a"), rps("a0")),
        ),
        (
            "plain list with nothing kept / with memos warm, time per request",
            ratio(rps("b"), rps("b0")),
        ),
        ("GraphQL cached / trivial response, throughput", ratio(rps("e"), rps("f"))),
        ("page 400 / page 1, p50 latency", ratio(p50("g400"), p50("g1"))),
        ("search at 10k pages / at the main dataset's, p50 latency", ratio(p50("h10k"), p50("h"))),
        (
            "news list in es, half falling back / in English, time per request, uncached",
            ratio(rps("l-en"), rps("l")),
        ),
        (
            "news list in es, half falling back / in English, time per request, cached",
            ratio(rps("lc-en"), rps("lc")),
        ),
    ]


def table_row(cells, widths):
    return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"


def show(rows, context, rss, ratios, costs, growth):
    """The context, the table, the workers' memory, the field costs, the ratios, and the
    documented reads on every dataset."""
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
    print()
    print(context)
    print(table_row(header, widths))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for line in lines[1:]:
        print(table_row(line, widths))
    print()
    print(rss)
    print(costs)
    for label, value in ratios:
        print(f"{label}: {value}")
    if growth:
        print()
        print(growth)


def save(rows, context, rss, ratios, costs, growth, read_ms):
    """The same as printed, and each scenario's full wrk result, in bench/.data/last-run.json."""
    results = {
        "context": context,
        "rss": rss,
        "field_costs": costs,
        "ratios": dict(ratios),
        "read_times": {"table": growth, "ms": read_ms},
        "scenarios": [
            {"key": s.key, "label": s.label, "result": s.result, "sql_queries": s.queries,
             "problem": s.problem}
            for s in rows
        ],
    }  # fmt: skip
    (DATA_DIR / "last-run.json").write_text(json.dumps(results, indent=2))
    say(f"results also in {(DATA_DIR / 'last-run.json').relative_to(ROOT)}")
