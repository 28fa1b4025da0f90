"""An app server dies and comes back while readers keep reading through nginx.

For 30 s, readers send what front ends and browsers send (GraphQL POSTs, REST and static
GETs) through nginx. Meanwhile app server A is killed (SIGKILL to its whole process
group, as when its machine dies) and started again. nginx passes over the dead server
and sends what it had sent there to B: no reader sees a failure, but for an answer A had
begun to send when it was killed (its headers already passed on: no proxy can take them
back, and the reader sees the body cut short; at most one a reader). Once A answers its
readiness probe again, nginx sends it requests again (within its fail_timeout, 10 s).
"""

import json
import threading
import time

import requests

from .deployment import wait_until

READ_SECONDS = 30
READERS = 2  # enough to keep both app servers busy; the machine runs two more suites
HOME_QUERY = '{ page(urlPath: "/") { title ... on HomePage { heroHeading } } }'


def test_reads_through_nginx_never_fail_while_an_app_server_is_killed_and_restarted(
    deployment, http
):
    static_path = "/static/wagtailadmin/images/favicon.ico"
    key = {"X-Frontend-Key": deployment.frontend_key}
    reads = [
        ("POST", "/graphql/", {"json": {"query": HOME_QUERY}, "headers": key}),
        ("GET", "/api/v2/pages/?limit=5", {"headers": key}),
        ("GET", static_path, {}),
    ]
    done, failures, counts, cut_short = threading.Event(), [], [], []
    lock = threading.Lock()

    def read(number):
        session = requests.Session()
        session.trust_env, session.verify = False, http.verify
        count = 0
        while not done.is_set():
            method, path, options = reads[count % len(reads)]
            began = time.monotonic()
            try:
                response = session.request(method, deployment.url + path, timeout=30, **options)
                if response.status_code != 200:
                    failures.append((method, path, response.status_code, response.text[:200]))
            except requests.exceptions.ChunkedEncodingError as error:
                cut_short.append((began, method, path, repr(error)))
            except requests.RequestException as error:
                failures.append((method, path, repr(error)))
            count += 1
            with lock:
                counts.append(number)

    def reads_so_far():
        with lock:
            return len(counts)

    access_log = deployment.logs / "nginx-access.log"
    server = deployment.app_servers["a"]

    def upstreams_since(offset):
        """The app servers nginx's access log names for each request logged after `offset`."""
        with access_log.open() as log:
            log.seek(offset)
            return [json.loads(line)["upstream"] for line in log if line.endswith("\n")]

    started = time.monotonic()
    readers = [threading.Thread(target=read, args=(n,)) for n in range(READERS)]
    for reader in readers:
        reader.start()
    try:
        # Under way through both servers; A killed; reads go on while it is down.
        wait_until(lambda: reads_so_far() >= 30, "the first reads", 60)
        killed_at = access_log.stat().st_size
        kill_began = time.monotonic()
        server.process.kill()
        reads_at_kill = reads_so_far()
        wait_until(lambda: reads_so_far() >= reads_at_kill + 30, "reads while A is down", 60)
        server.restart()  # returns when A answers /readyz directly
        restarted_at = access_log.stat().st_size
        # nginx tries A again within its fail_timeout (10 s) of A's last failure.
        wait_until(
            lambda: any(server.address in up for up in upstreams_since(restarted_at)),
            "nginx sending A requests again",
            30,
        )
        done.wait(max(0, READ_SECONDS - (time.monotonic() - started)))
    finally:
        done.set()
        for reader in readers:
            reader.join(timeout=60)

    assert failures == []
    # Only answers under way from A as it was killed are cut short, one a reader at most.
    assert len(cut_short) <= READERS, cut_short
    assert all(began < kill_began for began, *_ in cut_short), cut_short
    assert reads_so_far() > 200, "the readers hardly read"
    # What nginx sent to dead A went on to B (it logs both: "A, B").
    assert any(up.startswith(f"{server.address}, ") for up in upstreams_since(killed_at))
