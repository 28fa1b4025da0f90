"""The GraphQL-over-HTTP specification through the reference deployment:

- graphql-http's audits (tests/graphql_http/) through nginx to an app server under
  production settings, restarted with introspection on for them alone (several audits
  ask `__type`): every MUST, SHOULD and MAY passes;
- Varnish in front keeps the two media types apart, and the Accept headers Apollo
  Client, urql and `fetch` send share the answers it keeps.
"""

import pytest

from api.graphql.media_types import GRAPHQL_RESPONSE, JSON
from tests.support import graphql_http

APOLLO = "application/graphql-response+json,application/json;q=0.9"
URQL = (
    "application/graphql-response+json, application/graphql+json, application/json, "
    "text/event-stream, multipart/mixed"
)


@pytest.fixture(scope="module")
def audited(deployment):
    with deployment.app_servers["b"].running_with(GRAPHQL_INTROSPECTION_ENABLED="true"):
        return graphql_http.audit(
            f"{deployment.url_b}/graphql/",
            FRONTEND_KEY=deployment.frontend_key,
            NODE_EXTRA_CA_CERTS=str(deployment.certificate),
        )


@pytest.mark.parametrize("level", ["MUST", "SHOULD", "MAY"])
def test_every_audit_passes_through_nginx_under_production_settings(audited, level):
    assert graphql_http.failed(audited, level) == {}


def test_varnish_serves_each_media_type_its_own_kept_answer(deployment, http):
    # A query of this test's own, so that nothing kept before decides a hit.
    query = "query MediaTypesThroughVarnish { principles { slug } }"
    asked = [
        (JSON, JSON, "MISS"),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE, "MISS"),
        (None, JSON, "HIT"),
        ("*/*", JSON, "HIT"),  # what `fetch` sends unless told
        (APOLLO, GRAPHQL_RESPONSE, "HIT"),
        (URQL, GRAPHQL_RESPONSE, "HIT"),
    ]
    bodies = set()
    for accept, media_type, cache in asked:
        # requests sends no Accept for None (else its own, */*).
        headers = {"X-Frontend-Key": deployment.frontend_key, "Accept": accept}
        response = http.get(
            f"{deployment.cdn_url}/graphql/", params={"query": query}, headers=headers, timeout=15
        )
        assert response.status_code == 200, response.text
        assert (response.headers["Content-Type"], response.headers["X-Cache"]) == (
            f"{media_type}; charset=utf-8",
            cache,
        ), accept
        bodies.add(response.content)
    assert len(bodies) == 1  # one answer, in two media types
