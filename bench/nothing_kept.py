"""The WSGI application of `make bench`'s server that keeps nothing (scenarios a0, b0), on
every kind of app server (bench/servers.py): before each request, the memos of content
(core/memo.py clear_content) are emptied, so each read costs what the first read after a
publish that retired everything would. What is not content stays, as it does across a
publish: parsed documents, and the SQL the reads compile to (core/compiled_queries.py,
kept for what each is built from, the pages hidden among it, and the number of objects
it reads).

A threaded worker answers several requests at once in one process: emptied for one
request, the memos would hold parts another request made meanwhile, and the reads would
look cheaper than they are. So here each thread has memos of its own: a request finds
only what it made itself, as in a sync worker.
"""

import threading

from cachetools import LRUCache

from cms.wsgi import application as cms_application
from core import memo


class ThreadsOwn:
    """Mixed into a memo's class: its values (and content version) are each thread's own."""

    def _mine(self):
        threads = self.__dict__.setdefault("threads_own", threading.local())
        if not hasattr(threads, "values"):
            # As core/memo.py Memo.clear makes them (not called here: the store's lock is held).
            threads.values = LRUCache(maxsize=self.max_size, getsizeof=self.size_of)
            threads.version = None
        return threads

    values = property(lambda self: self._mine().values)
    version = property(lambda self: self._mine().version)

    @values.setter
    def values(self, values):
        self._mine().values = values

    @version.setter
    def version(self, version):
        self._mine().version = version


swapping = threading.Lock()


def make_content_memos_threads_own():
    """Each memo of content made each thread's own. Memos are declared as their modules
    are imported, some on the first request: so, before each."""
    with swapping:
        for store in memo._stores:
            kind = type(store)
            if issubclass(kind, memo.VersionedMemo | memo.KeyedMemo) and not issubclass(
                kind, ThreadsOwn
            ):
                store.__class__ = type(f"ThreadsOwn{kind.__name__}", (ThreadsOwn, kind), {})


def application(environ, start_response):
    make_content_memos_threads_own()
    memo.clear_content()  # this thread's memos
    return cms_application(environ, start_response)
