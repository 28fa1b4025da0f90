"""`make bench`'s server that keeps nothing (bench/nothing_kept.py) on a threaded app server
(gunicorn's gthread, granian): a request finds no part another request made while it was
being answered, and still finds the parts it made itself, as in a sync worker."""

import threading

from bench import nothing_kept
from core import memo


def test_a_request_finds_no_part_another_thread_made_meanwhile_and_its_own_still(monkeypatch):
    monkeypatch.setattr(memo, "_stores", [])  # the stores below only
    parts = memo.VersionedMemo(max_size=10)
    b_began, a_kept, b_looked = threading.Event(), threading.Event(), threading.Event()
    found = {}

    def app(environ, start_response):
        """A's request makes the part after B's has begun; B's looks for it after."""
        reader = environ["reader"]
        if reader == "A":
            b_began.wait(10)
        else:
            b_began.set()
            a_kept.wait(10)
        found[reader] = parts.find("v1", "part")
        if found[reader] is None:
            parts.keep("v1", "part", f"made for {reader}")
        if reader == "A":
            a_kept.set()
            b_looked.wait(10)
            found["A again"] = parts.find("v1", "part")
        else:
            b_looked.set()
        return []

    monkeypatch.setattr(nothing_kept, "cms_application", app)
    readers = [
        threading.Thread(target=nothing_kept.application, args=({"reader": reader}, None))
        for reader in "AB"
    ]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(timeout=30)

    assert found == {"A": None, "B": None, "A again": "made for A"}
