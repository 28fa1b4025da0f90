"""The scenarios, one row of the table each: a-f and h on the main dataset, g1, g400 and
h10k on the 10,000-page one; a0 and b0, the news lists again on a server that keeps
nothing between requests (bench/nothing_kept.py), each read as the first after a publish;
l and lc, the documented news list in a locale (Spanish, half its items falling back to
English: bench/inprocess.py translates every other one), uncached and cached, each beside
the same list in English (l-en, lc-en).
Each is checked by hand (a 200 with data and no errors, or it is skipped), then driven by
wrk (bench/wrk.lua) for --duration seconds. GraphQL requests marked "uncached" carry a
variable the query never declares, different on every request (graphql-core ignores it;
the response cache keys on it). SQL queries per request, and where the news list's time
goes, are measured in-process (bench/inprocess.py) against the same database.
"""

import json
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from bench.common import BENCH_DIR, DATA_DIR, PYTHON, QUERIES_DIR, BenchError, capture, say
from bench.servers import fetch, settle

LUA_SCRIPT = BENCH_DIR / "wrk.lua"
NONCE = "__BENCH_NONCE__"
QUERY_FILES = ("news-items.graphql", "home-page.graphql", "news-items-in-locale.graphql")
SEARCH_TERM = "fostering"

PLAIN_NEWS_QUERY = """query NewsItemsPlain($page: PositiveInt, $perPage: PositiveInt) {
  newsItems(page: $page, perPage: $perPage) {
    items { title url date }
    pagination { total count perPage currentPage prevPage nextPage totalPages }
  }
}"""
SEARCH_QUERY = """query Search($query: String!) {
  search(query: $query, limit: 20) { title url ... on NewsPage { date summary } }
}"""


@dataclass
class Scenario:
    key: str
    label: str
    path: str
    query: str = None
    variables: dict = None
    vary: bool = False
    count_queries: bool = False
    nothing_kept: bool = False  # on the server whose memos keep nothing (bench/nothing_kept.py)
    result: dict = None
    queries: int = None
    problem: str = None

    def body(self):
        if self.query is None:
            return None
        variables = dict(self.variables or {})
        if self.vary:
            variables["benchNonce"] = NONCE
        return json.dumps({"query": self.query, "variables": variables})


def table(search_engine):
    """The scenarios of the main dataset, and of the 10,000-page one."""
    news, home, in_locale = ((QUERIES_DIR / name).read_text() for name in QUERY_FILES)
    search = {"query": SEARCH_TERM}
    english, spanish = {"page": 1, "perPage": 100}, {"page": 1, "perPage": 100, "locale": "es"}
    small = [
        Scenario("a", "GraphQL news list, all fields, 100 items, uncached", "/graphql/",
                 news, {"page": 1, "perPage": 100}, vary=True, count_queries=True),
        Scenario("b", "GraphQL news list, title/url/date, 100 items, uncached", "/graphql/",
                 PLAIN_NEWS_QUERY, {"page": 1, "perPage": 100}, vary=True, count_queries=True),
        Scenario("c", "GraphQL home page, uncached", "/graphql/", home, vary=True,
                 count_queries=True),
        Scenario("d", "REST v2 news list, 100 items",
                 "/api/v2/pages/?type=news.NewsPage&fields=date,summary,tags,hero_image&limit=100",
                 count_queries=True),
        Scenario("e", "GraphQL news list (a), cached", "/graphql/", news,
                 {"page": 1, "perPage": 100}),
        Scenario("f", "trivial response: GET /healthz", "/healthz"),
        Scenario("h", f"GraphQL search, {search_engine}, uncached", "/graphql/", SEARCH_QUERY,
                 search, vary=True),
        Scenario("a0", "GraphQL news list (a), nothing kept", "/graphql/",
                 news, {"page": 1, "perPage": 100}, vary=True, nothing_kept=True),
        Scenario("b0", "GraphQL news list (b), nothing kept", "/graphql/",
                 PLAIN_NEWS_QUERY, {"page": 1, "perPage": 100}, vary=True, nothing_kept=True),
        Scenario("l", "GraphQL news list in a locale, es, half falling back, 100 items, "
                 "uncached", "/graphql/", in_locale, spanish, vary=True, count_queries=True),
        Scenario("l-en", "GraphQL news list in a locale (l), in English, uncached", "/graphql/",
                 in_locale, english, vary=True, count_queries=True),
        Scenario("lc", "GraphQL news list in a locale (l), cached", "/graphql/", in_locale,
                 spanish),
        Scenario("lc-en", "GraphQL news list in a locale (l), in English, cached", "/graphql/",
                 in_locale, english),
    ]  # fmt: skip
    large = [
        Scenario("g1", "GraphQL news list, 10k pages, page 1 of 25", "/graphql/", news,
                 {"page": 1, "perPage": 25}, vary=True, count_queries=True),
        Scenario("g400", "GraphQL news list, 10k pages, page 400 of 25", "/graphql/", news,
                 {"page": 400, "perPage": 25}, vary=True, count_queries=True),
        Scenario("h10k", f"GraphQL search, {search_engine}, 10k pages, uncached", "/graphql/",
                 SEARCH_QUERY, search, vary=True),
    ]  # fmt: skip
    return small, large


def check(server, scenario, run_id):
    """One request by hand: a 200 with data and no errors, or the scenario is skipped."""
    body = scenario.body()
    if body is not None:
        body = body.replace(NONCE, f"{run_id}-check")
    status, content = fetch(server.base_url + scenario.path, body)
    if status == 404 and scenario.key == "f":
        return "GET /healthz is not routed (404)"
    if status != 200:
        return f"HTTP {status}: {content[:200]!r}"
    try:
        payload = json.loads(content)
    except ValueError:
        return f"not JSON: {content[:200]!r}"
    if isinstance(payload, dict) and payload.get("errors"):
        return f"GraphQL errors: {json.dumps(payload['errors'])[:200]}"
    return None


def run_wrk(server, scenario, options, run_id):
    env = {**os.environ, "BENCH_RUN_ID": run_id, "BENCH_NONCE": "1" if scenario.vary else "0"}
    body = scenario.body()
    if body is not None:
        body_file = DATA_DIR / f"body-{scenario.key}.json"
        body_file.write_text(body)
        env["BENCH_BODY_FILE"] = str(body_file)
    command = [
        "wrk",
        f"-t{options.threads}",
        f"-c{options.connections}",
        f"-d{options.duration}s",
        "--timeout", "10s",
        *(["-H", "Connection: close"] if options.connection_close else []),
        "-s", str(LUA_SCRIPT),
        server.base_url + scenario.path,
    ]  # fmt: skip
    output = capture(command, env=env)
    match = re.search(r"^BENCH_RESULT (\{.*\})$", output, re.MULTILINE)
    if not match:
        raise BenchError(f"wrk printed no result for {scenario.key}:\n{output}")
    result = json.loads(match[1])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["failed"] = sum(
        result[key]
        for key in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")
    )
    return result


def measure(server, scenario_list, options, run_id):
    for scenario in scenario_list:
        settle(server)
        scenario.problem = check(server, scenario, run_id)
        if scenario.problem:
            say(f"({scenario.key}) skipped: {scenario.problem}")
            continue
        say(f"({scenario.key}) {scenario.label}: {options.duration}s of wrk")
        scenario.result = run_wrk(server, scenario, options, run_id)


def warm_up_and_read_rss(server, scenario_list, requests, run_id):
    """`requests` requests, round-robin over the scenarios, then each worker's RSS."""
    usable = [s for s in scenario_list if not check(server, s, run_id)]
    if not usable:
        return None, None
    before = server.worker_rss_mib()

    def one(number):
        scenario = usable[number % len(usable)]
        body = scenario.body()
        if body is not None:
            body = body.replace(NONCE, f"{run_id}-rss-{number}")
        return fetch(server.base_url + scenario.path, body)[0]

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(one, range(requests)))
    if any(status != 200 for status in statuses):
        say(f"note: {sum(s != 200 for s in statuses)} warm-up requests were not 200")
    return before, server.worker_rss_mib()


def in_process(env, *command):
    """bench/inprocess.py's answer to `command`, run in the server's environment."""
    output = capture([str(PYTHON), "bench/inprocess.py", *command], env=env)
    return json.loads(output.strip().splitlines()[-1])


def count_queries(env, scenario_list):
    wanted = [
        {"name": s.key, "path": s.path, "body": s.body()}
        for s in scenario_list
        if s.count_queries and not s.problem
    ]
    if not wanted:
        return
    spec = DATA_DIR / "query-count-scenarios.json"
    spec.write_text(json.dumps(wanted))
    counts = in_process(env, "query-counts", str(spec))
    for scenario in scenario_list:
        scenario.queries = counts.get(scenario.key)


def read_times(envs):
    """{dataset: {read: ms}}: each documented read, uncached, in-process on each dataset
    (bench/inprocess.py), `envs` {dataset: (its server's environment, database name)}.
    The datasets are taken in turn, twice, each read's faster time kept: a change in the
    machine's load midway then does not tilt the comparison."""
    best = {}
    for turn in (1, 2):
        for name, (env, database) in envs.items():
            say(f"documented reads on {database}, in-process ({turn} of 2)")
            times = in_process(env, "read-times")
            if "error" in times:
                return {name: times}
            kept = best.setdefault(name, times)
            for read, ms in times.items():
                kept[read] = min(kept[read], ms)
    return best


def field_costs(env):
    """Where the all-fields list's time goes, in-process, and the part of it that is
    graphql-core's own, {selection: ms} each (see bench/inprocess.py); the second is not
    measured (None) when the first failed."""
    say("field costs of the news list, in-process")
    costs = in_process(env, "field-costs")
    if "error" in costs:
        return costs, None
    return costs, in_process(env, "graphql-core-floor")
