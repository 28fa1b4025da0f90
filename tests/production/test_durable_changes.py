"""What a change retires is retired, whatever fails on the way (core/retirements.py).

- A publish made while Redis refuses the publishing process (its default user refused
  new connections, as when its clients run out: the app servers' open ones go on) is
  read by every reader, each app server and Varnish, within seconds of Redis's return,
  though each had kept the answer from before.
- A purge the CDN does not take (a receiver here holds it unanswered, as a CDN that
  hangs) is sent once the CDN takes it again, though the process holding it was killed
  (SIGKILL) between the commit and the purge: the task worker; or the process that made
  the change, then the worker.

Each test waits for what a reader or the CDN sees, until a deadline.
"""

import contextlib
import json
import shlex
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import redis

from .deployment import HOST, START_SECONDS, tail, wait_until
from .documented import documented

NEWS_TITLE = "query DurableNewsTitle($slug: String!) { newsItem(slug: $slug) { title } }"
# Of Redis's return: the retirement's next try is a few seconds away at most.
SEEN_WITHIN_SECONDS = 15
# A step held by a process that was killed is taken again once its claim lapses
# (core/retirements.py's CLAIM_SECONDS, 15 s), by a worker started meanwhile (on a busy
# machine, its start may take as long as an app server's).
PURGED_WITHIN_SECONDS = 15 + START_SECONDS


def change_command(*args):
    """A change made by a process of its own (tests/support/programs/change_content.py)."""
    return shlex.join(["exec", "python", "-m", "tests.support.programs.change_content", *args])


def publish(deployment, slug, *title, **env):
    """Publish the news page (retitled if a title is given), in a process run to its end."""
    published = deployment.run(change_command("publish", slug, *title), "change", env=env)
    assert published.returncode == 0, tail(deployment.logs / "change.log")


@pytest.fixture
def news_page(deployment, graphql):
    """The documented news item: its slug, title and surrogate key."""
    _, variables = documented("news-item")
    query = "query($slug: String!) { newsItem(slug: $slug) { id title } }"
    item = graphql(deployment.url, query, variables).json()["data"]["newsItem"]
    return {"slug": variables["slug"], "title": item["title"], "key": f"page:{item['id']}"}


def title_in(response):
    assert response.status_code == 200, response.text
    return response.json()["data"]["newsItem"]["title"]


def test_a_publish_made_while_redis_refuses_the_publisher_is_read_once_redis_returns(
    deployment, graphql, http, news_page
):
    variables = {"slug": news_page["slug"]}
    reads = {
        "A": lambda: graphql(deployment.url_a, NEWS_TITLE, variables),
        "B": lambda: graphql(deployment.url_b, NEWS_TITLE, variables),
        "Varnish": lambda: http.get(
            f"{deployment.cdn_url}/graphql/",
            params={"query": NEWS_TITLE, "variables": json.dumps(variables)},
            headers={"X-Frontend-Key": deployment.frontend_key},
            timeout=15,
        ),
    }

    def titles():
        return {where: title_in(read()) for where, read in reads.items()}

    # Read twice, and kept: by the app servers in the shared cache, and by Varnish.
    titles()
    assert titles() == dict.fromkeys(reads, news_page["title"])
    assert reads["Varnish"]().headers["X-Cache"] == "HIT"
    body = reads["A"]().content
    admin = deployment.redis_admin()
    kept = [admin.get(key) for key in admin.scan_iter(match="*graphql:response:*")]
    assert any(body in entry for entry in kept if entry)

    retitled = f"{news_page['title']} (published while Redis refused)"
    try:
        with deployment.redis_refusing_new_clients():
            with pytest.raises(redis.AuthenticationError):
                redis.Redis(HOST, deployment.ports["redis"], socket_timeout=5).ping()
            publish(deployment, news_page["slug"], retitled)
        deadline = time.monotonic() + SEEN_WITHIN_SECONDS
        while (seen := titles()) != dict.fromkeys(reads, retitled):
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert seen == dict.fromkeys(reads, retitled)
    finally:
        publish(deployment, news_page["slug"], news_page["title"])


class PurgeReceiver:
    """A purge endpoint under the test's control, listed after Varnish in a process's
    VARNISH_PURGE_URLS under a path naming the process. It records each PURGE and answers
    it at once; but one naming the key it holds (`holding`) goes unanswered, as a CDN
    that hangs, until `release`, then is refused (503)."""

    def __init__(self):
        self.purges = []  # (sender, keys, accepted)
        self.holding = None
        self.released = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_PURGE(self):
                keys = set(self.headers.get("xkey-purge", "").split())
                accepted = receiver.holding not in keys
                receiver.purges.append((self.path.strip("/"), keys, accepted))
                if not accepted:
                    receiver.released.wait(PURGED_WITHIN_SECONDS)
                with contextlib.suppress(OSError):  # a sender killed meanwhile
                    self.send_response(200 if accepted else 503)
                    self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((HOST, 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://{HOST}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def purge_urls(self, deployment, sender):
        return f"{deployment.cdn_url}/,{self.url}/{sender}/"

    def held(self, sender, key):
        """Whether a purge of `key` from `sender` has been held."""
        return any(key in keys and not ok for by, keys, ok in self.purges if by == sender)

    def accepted(self, sender, key):
        return any(key in keys and ok for by, keys, ok in self.purges if by == sender)

    def release(self):
        self.holding = None
        self.released.set()

    def close(self):
        self.release()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def purge_receiver(deployment):
    """A PurgeReceiver; the worker is started again as deployed afterwards."""
    receiver = PurgeReceiver()
    try:
        yield receiver
    finally:
        receiver.close()
        deployment.worker.restart()


def purged_and_done(deployment, receiver, sender, key):
    """Wait until `sender` has had a purge of `key` accepted, then until no retirement of
    `key` is left in the database (its purge again taken too)."""
    wait_until(
        lambda: receiver.accepted(sender, key),
        f"a purge of {key} accepted from {sender}",
        PURGED_WITHIN_SECONDS,
    )
    left = "SELECT count(*) FROM core_retirement WHERE keys @> %s::jsonb"
    wait_until(
        lambda: deployment.query(left, json.dumps([key])) == [(0,)],
        f"no retirement of {key} left",
        30,
    )


def test_a_purge_held_by_the_worker_when_it_is_killed_is_sent_by_the_next(
    deployment, news_page, purge_receiver
):
    receiver, worker, key = purge_receiver, deployment.worker, news_page["key"]
    receiver.holding = key
    worker.restart(VARNISH_PURGE_URLS=receiver.purge_urls(deployment, "worker"))
    # The publisher's purge of the page is held until it gives up; the worker tries again.
    publish(
        deployment,
        news_page["slug"],
        VARNISH_PURGE_URLS=receiver.purge_urls(deployment, "publisher"),
    )
    assert receiver.held("publisher", key)
    wait_until(lambda: receiver.held("worker", key), "the worker sending the purge", START_SECONDS)
    worker.process.kill()  # as it holds the purge

    receiver.release()
    worker.restart(VARNISH_PURGE_URLS=receiver.purge_urls(deployment, "new-worker"))
    purged_and_done(deployment, receiver, "new-worker", key)


def test_a_purge_held_by_the_changing_process_then_the_worker_both_killed_is_sent_after_all(
    deployment, purge_receiver
):
    # An image saved: a change with one retirement (a publish has several, each with a
    # task of its own), made once no task is queued: only what it queues takes its steps.
    (image,) = deployment.query("SELECT min(id) FROM wagtailimages_image")[0]
    receiver, worker, key = purge_receiver, deployment.worker, f"wagtailimages.image:{image}"
    receiver.holding = key
    queued = (
        "SELECT count(*) FROM django_tasks_database_dbtaskresult"
        " WHERE task_path = 'core.retirements.apply_due' AND status = 'READY'"
    )
    wait_until(lambda: deployment.query(queued) == [(0,)], "no step queued", 120)
    worker.restart(VARNISH_PURGE_URLS=receiver.purge_urls(deployment, "worker"))
    changing = deployment.spawn(
        "change",
        change_command("save-image", str(image)),
        deployment.env(VARNISH_PURGE_URLS=receiver.purge_urls(deployment, "changer")),
    )
    wait_until(lambda: receiver.held("changer", key), "the change's purge", START_SECONDS)
    changing.kill()  # committed, and holding the purge
    # Once its claim has lapsed, the worker takes the step: killed as it holds it too.
    wait_until(
        lambda: receiver.held("worker", key), "the worker sending the purge", PURGED_WITHIN_SECONDS
    )
    worker.process.kill()

    receiver.release()
    worker.restart(VARNISH_PURGE_URLS=receiver.purge_urls(deployment, "new-worker"))
    purged_and_done(deployment, receiver, "new-worker", key)
