"""Publish a page again and again, once told to start: one of several racing workers.

    python -m tests.support.programs.publish_repeatedly PAGE_ID WORKER TIMES

Prints "ready" once Django is loaded, then waits for a line on stdin, so that the test
can start every worker at the same moment. It then publishes page PAGE_ID TIMES times,
each from a fresh copy of the page, titled "worker WORKER publish N" (N from 0), and
prints "done".
"""

import sys


def main(page_id, worker, times):
    import django

    django.setup()
    from wagtail.models import Page

    print("ready", flush=True)
    sys.stdin.readline()
    for n in range(int(times)):
        page = Page.objects.get(pk=int(page_id)).specific
        page.title = f"worker {worker} publish {n}"
        page.save_revision().publish()
    print("done", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
