"""Request budgets behind the proxy: each browser has its own, by the address nginx saw.

The test deployment gives a browser RATE_LIMIT_REQUESTS GraphQL requests a minute
(GRAPHQL_RATE_LIMIT_REQUESTS) and trusts one proxy (TRUSTED_PROXY_COUNT=1). Clients
reach nginx from addresses of their own (127.0.0.2, ... through `SourceRelay`s): nginx
sets X-Forwarded-For to that address, overwriting whatever the client sent, unless the
client is the CDN it trusts (CDN_ADDRESS), which names its own client there. A front-end
server sending its key (X-Frontend-Key) has a budget of its own, unlimited here; a key
the CMS does not know is refused with 401.

Every request asks for something not asked before (a news slug of its own), as answers
from the response cache cost nothing from a budget.
"""

import time

from .deployment import CDN_ADDRESS, RATE_LIMIT_REQUESTS, RATE_LIMIT_WINDOW_SECONDS

NEWS_ITEM = "query Probe($slug: String!) { newsItem(slug: $slug) { title } }"
# A browser's requests, each asking for something new: the statuses, in order.
BROWSER_READS = """
async ([count, query, prefix]) => {
  const statuses = [];
  for (let n = 0; n < count; n++) {
    const response = await fetch("/graphql/", {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify({query, variables: {slug: `${prefix}-${n}`}}),
    });
    statuses.push(response.status);
  }
  return statuses;
}
"""


def start_of_a_window(seconds_needed=15):
    """Budgets are counted in fixed windows of a minute: start a test that spends one
    where it will all be counted in one window."""
    into = time.time() % RATE_LIMIT_WINDOW_SECONDS
    if RATE_LIMIT_WINDOW_SECONDS - into < seconds_needed:
        time.sleep(RATE_LIMIT_WINDOW_SECONDS - into)


def browser_at(address, deployment, browser_context):
    """A browser tab at `address`, on a page of the CMS (so its fetches are same-origin)."""
    page = browser_context(deployment.relay_from(address)).new_page()
    page.goto("/robots.txt")
    return page


def test_two_browsers_behind_the_proxy_have_budgets_of_their_own(deployment, browser_context):
    start_of_a_window()
    first = browser_at("127.0.0.2", deployment, browser_context)
    second = browser_at("127.0.0.3", deployment, browser_context)
    count = RATE_LIMIT_REQUESTS + 1

    spent = first.evaluate(BROWSER_READS, [count, NEWS_ITEM, f"first-{deployment.token}"])
    assert spent == [200] * RATE_LIMIT_REQUESTS + [429]
    # The other browser's budget is whole.
    other = second.evaluate(BROWSER_READS, [count, NEWS_ITEM, f"second-{deployment.token}"])
    assert other == [200] * RATE_LIMIT_REQUESTS + [429]


def post(session, url, slug, **headers):
    return session.post(
        f"{url}/graphql/",
        json={"query": NEWS_ITEM, "variables": {"slug": slug}},
        headers=headers,
        timeout=15,
    )


def test_what_a_client_sends_as_x_forwarded_for_is_not_believed(deployment, http):
    start_of_a_window()
    url = deployment.relay_from("127.0.0.4")
    statuses = [
        post(http, url, f"spoof-{deployment.token}-{n}").status_code
        for n in range(RATE_LIMIT_REQUESTS)
    ]
    assert statuses == [200] * RATE_LIMIT_REQUESTS
    # Claiming to be someone else gets no new budget: nginx says who connected.
    for claimed in ("10.1.2.3", "127.0.0.9, 10.1.2.3"):
        spoofed = post(
            http, url, f"spoof-{deployment.token}-{claimed}", **{"X-Forwarded-For": claimed}
        )
        assert spoofed.status_code == 429


def test_behind_a_trusted_cdn_each_of_its_clients_has_a_budget_of_its_own(deployment, http):
    # nginx believes the CDN's X-Forwarded-For (and only the CDN's): the client it names.
    start_of_a_window()
    url = deployment.relay_from(CDN_ADDRESS)
    statuses = [
        post(http, url, f"cdn-{deployment.token}-{n}", **{"X-Forwarded-For": "203.0.113.7"})
        for n in range(RATE_LIMIT_REQUESTS + 1)
    ]
    assert [response.status_code for response in statuses] == [200] * RATE_LIMIT_REQUESTS + [429]
    other = post(http, url, f"cdn-{deployment.token}-other", **{"X-Forwarded-For": "203.0.113.8"})
    assert other.status_code == 200


def test_a_front_end_server_with_its_key_is_not_held_to_a_browser_budget(deployment, http):
    start_of_a_window()
    url = deployment.relay_from("127.0.0.5")
    key = {"X-Frontend-Key": deployment.frontend_key}
    statuses = [
        post(http, url, f"keyed-{deployment.token}-{n}", **key).status_code
        for n in range(3 * RATE_LIMIT_REQUESTS)
    ]
    assert statuses == [200] * (3 * RATE_LIMIT_REQUESTS)
    # Its requests were not charged to the address it calls from.
    assert post(http, url, f"keyed-{deployment.token}-browser").status_code == 200


def test_a_wrong_front_end_key_is_refused_with_401_and_a_clear_message(deployment, http):
    refused = post(
        http, deployment.url, f"wrong-key-{deployment.token}", **{"X-Frontend-Key": "not-a-key"}
    )
    assert refused.status_code == 401
    assert refused.headers["Content-Type"].startswith("application/json")
    [error] = refused.json()["errors"]
    assert "X-Frontend-Key" in error["message"], error
    # The same for the REST API.
    rest = http.get(
        f"{deployment.url}/api/v2/pages/", headers={"X-Frontend-Key": "not-a-key"}, timeout=15
    )
    assert rest.status_code == 401
    assert rest.headers["Content-Type"].startswith("application/json")
