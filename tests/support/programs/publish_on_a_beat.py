"""Publish a news page on a beat, as an editor would, for the CDN soak
(tests/production/test_cdn.py).

    python -m tests.support.programs.publish_on_a_beat SLUG SECONDS INTERVAL

Prints "ready" once Django is loaded, then waits for a line on stdin. Then, every
INTERVAL seconds for SECONDS, titles the page "<its title> (publish N)" (N from 1) and
publishes it, printing {"n": N, "at": <the time once published>} as a JSON line: by
then the change has committed and the CDN has been sent its purge. Then, on another
line on stdin, it publishes the page under its own title again and prints "done".
"""

import json
import sys
import time


def main(slug, seconds, interval):
    import django

    django.setup()
    from news.models import NewsPage

    def publish(title):
        page = NewsPage.objects.get(slug=slug)
        page.title = title
        page.save_revision().publish()

    title = NewsPage.objects.get(slug=slug).title
    print("ready", flush=True)
    sys.stdin.readline()
    start = time.monotonic()
    for n in range(1, int(float(seconds) / float(interval)) + 1):
        time.sleep(max(0.0, start + n * float(interval) - time.monotonic()))
        publish(f"{title} (publish {n})")
        print(json.dumps({"n": n, "at": time.time()}), flush=True)
    sys.stdin.readline()
    publish(title)
    print("done", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
