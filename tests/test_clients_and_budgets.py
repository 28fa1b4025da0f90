"""Who is asking, and how much they may ask: each browser has a budget of requests a
window, keyed on its address behind the proxies; a front-end server with a key has its
own; cached answers cost nothing. Every response says which request it answers."""

import json

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

# Budgets are counted in fixed windows: a day's, so that no test's requests fall in two.
WINDOW_SECONDS = 24 * 60 * 60
BROWSER_BUDGET = override_settings(
    GRAPHQL_RATE_LIMIT_REQUESTS=3,
    GRAPHQL_RATE_LIMIT_WINDOW_SECONDS=WINDOW_SECONDS,
    TRUSTED_PROXY_COUNT=1,
    FRONTEND_API_KEYS={"next-site": "s3cret-key-of-the-renderer"},
)


def ask(client, number, **headers):
    """A query of its own (an alias numbered), so that no answer comes from the cache."""
    query = {"query": f"{{ q{number}: principles {{ title }} }}"}
    return client.post(
        "/graphql/", json.dumps(query), content_type="application/json", headers=headers
    )


def codes(response):
    return [error["extensions"]["code"] for error in response.json()["errors"]]


@pytest.mark.usefixtures("shared_cache")
@override_settings(GRAPHQL_RATE_LIMIT_REQUESTS=3, GRAPHQL_RATE_LIMIT_WINDOW_SECONDS=WINDOW_SECONDS)
def test_clients_over_the_rate_limit_get_a_429_with_retry_after(client):
    def from_client(address, number):
        query = {"query": f"{{ q{number}: principles {{ title }} }}"}
        return client.post(
            "/graphql/", json.dumps(query), content_type="application/json", REMOTE_ADDR=address
        )

    assert [from_client("203.0.113.9", n).status_code for n in range(3)] == [200, 200, 200]
    refused = from_client("203.0.113.9", 3)
    assert refused.status_code == 429
    assert codes(refused) == ["RATE_LIMITED"]
    assert 1 <= int(refused["Retry-After"]) <= WINDOW_SECONDS
    assert from_client("203.0.113.10", 4).status_code == 200


@pytest.mark.usefixtures("shared_cache")
@BROWSER_BUDGET
def test_cached_answers_use_up_no_budget(client):
    same = {"X-Forwarded-For": "198.51.100.7"}
    assert [ask(client, 1, **same).status_code for _ in range(10)] == [200] * 10
    assert [ask(client, n, **same).status_code for n in (2, 3)] == [200, 200]
    assert ask(client, 4, **same).status_code == 429


@BROWSER_BUDGET
def test_browsers_behind_the_proxy_have_budgets_of_their_own(client):
    first = {"X-Forwarded-For": "198.51.100.1"}
    # What a client puts in X-Forwarded-For itself stands left of what the proxy adds.
    second = {"X-Forwarded-For": "198.51.100.1, 198.51.100.2"}
    assert [ask(client, n, **first).status_code for n in range(3)] == [200] * 3
    assert ask(client, 3, **first).status_code == 429
    assert [ask(client, n, **second).status_code for n in range(4, 7)] == [200] * 3
    assert ask(client, 7, **second).status_code == 429


@BROWSER_BUDGET
def test_a_keyed_front_end_server_is_not_held_to_a_browser_budget(client):
    keyed = {"X-Forwarded-For": "198.51.100.9", "X-Frontend-Key": "s3cret-key-of-the-renderer"}
    assert [ask(client, n, **keyed).status_code for n in range(10)] == [200] * 10
    assert ask(client, 10, **{"X-Forwarded-For": "198.51.100.9"}).status_code == 200


@BROWSER_BUDGET
def test_a_wrong_front_end_key_is_a_401_with_a_clear_message(client):
    for path in ("/graphql/?query={principles{title}}", "/api/v2/pages/"):
        response = client.get(path, headers={"X-Frontend-Key": "guessed"})
        assert response.status_code == 401, path
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] == "UNAUTHENTICATED"
        assert "X-Frontend-Key" in error["message"]


@BROWSER_BUDGET
def test_the_rest_api_counts_against_the_same_budget(client):
    browser = {"X-Forwarded-For": "198.51.100.20"}
    statuses = [client.get("/api/v2/pages/", headers=browser).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


@override_settings(TRUSTED_PROXY_COUNT=1, AXES_FAILURE_LIMIT=2)
def test_sign_in_lockouts_key_on_the_client_behind_the_proxy(client, django_user_model):
    django_user_model.objects.create_user("editor", password="right-password-123")

    def sign_in(address, password):
        return client.post(
            "/admin/login/",
            {"username": "editor", "password": password},
            headers={"X-Forwarded-For": address},
        )

    for _ in range(2):
        sign_in("198.51.100.30", "wrong")
    assert sign_in("198.51.100.30", "right-password-123").status_code == 429
    assert sign_in("198.51.100.31", "right-password-123").status_code == 302
