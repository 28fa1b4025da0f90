"""An app server dies and comes back while readers keep reading through nginx.

For 30 s, readers send what front ends and browsers send (GraphQL POSTs, REST and static
GETs) through nginx. Meanwhile app server A is killed (SIGKILL to its whole process
group, as when its machine dies) and started again. nginx passes over the dead server
and sends what it had sent there to B: no reader sees a failure. Once A answers its
readiness probe again, nginx sends it requests again.
"""

import json
import threading
import time

import requests

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
    done, failures, counts = threading.Event(), [], []
    lock = threading.Lock()

    def read(number):
        session = requests.Session()
        session.trust_env, session.verify = False, http.verify
        count = 0
        while not done.is_set():
            method, path, options = reads[count % len(reads)]
            try:
                response = session.request(method, deployment.url + path, timeout=30, **options)
                if response.status_code != 200:
                    failures.append((method, path, response.status_code, response.text[:200]))
            except requests.RequestException as error:
                failures.append((method, path, repr(error)))
            count += 1
            with lock:
                counts.append(number)

    def reads_so_far():
        with lock:
            return len(counts)

    access_log = deployment.logs / "nginx-access.log"
    started = time.monotonic()
    readers = [threading.Thread(target=read, args=(n,)) for n in range(READERS)]
    for reader in readers:
        reader.start()
    try:
        while reads_so_far() < 30:  # the readers are under way, through both servers
            time.sleep(0.05)
        server = deployment.app_servers["a"]
        server.process.kill()
        killed_at = reads_so_far()
        while reads_so_far() < killed_at + 30:  # reads go on while A is down
            time.sleep(0.05)
        server.restart()  # returns when A answers /readyz directly
        restarted_at = access_log.stat().st_size
        done.wait(max(0, READ_SECONDS - (time.monotonic() - started)))
    finally:
        done.set()
        for reader in readers:
            reader.join(timeout=60)

    assert failures == []
    assert reads_so_far() > 200, "the readers hardly read"
    with access_log.open() as log:
        logged = [(log.tell(), json.loads(line)["upstream"]) for line in iter(log.readline, "")]
    # What reached dead A went on to B (nginx logs both: "A, B")...
    assert any(upstream.startswith(f"{server.address}, ") for _, upstream in logged)
    # ...and after the restart, nginx sent A requests again (its fail_timeout is 10 s).
    assert any(server.address in upstream for end, upstream in logged if end > restarted_at)
