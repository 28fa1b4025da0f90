"""What one process keeps in memory: each store declared by the module that owns it, with
its bound, through this module, so that every one can be listed and emptied
(`clear_all`: the test suite does before each test; a process never needs to).

- `Memo`: values by key, the least recently used dropped past `max_size` (counted by
  `size_of`, or one a value). Keys come from requests, the Host header among them, so
  every store is bounded.
- `VersionedMemo`: values kept for one content version (core/content_version.py),
  dropped together when it changes; never used without a version (the cache is down).
- `cached_function`: functools.lru_cache, registered here; its own lock makes it safe in
  threads.

Each store is locked: the development server and threaded workers answer in threads.
"""

import functools
import threading

from cachetools import LRUCache

_stores = []


def clear_all():
    """Empty every store this process keeps."""
    for store in _stores:
        store.clear()


def cached_function(maxsize):
    def decorate(function):
        cached = functools.lru_cache(maxsize=maxsize)(function)
        cached.clear = cached.cache_clear
        _stores.append(cached)
        return cached

    return decorate


class Memo:
    def __init__(self, max_size, size_of=None):
        """`max_size`: a number, or a callable giving one (read whenever the store is
        emptied: a setting, say)."""
        self.bound = max_size
        self.size_of = size_of
        self.lock = threading.Lock()
        self.clear()
        _stores.append(self)

    @property
    def max_size(self):
        return self.bound() if callable(self.bound) else self.bound

    def clear(self):
        with self.lock:
            self.values = LRUCache(maxsize=self.max_size, getsizeof=self.size_of)

    def get(self, key):
        with self.lock:
            return self.values.get(key)

    def set(self, key, value):
        """Keep `value`, unless it alone is larger than the bound."""
        with self.lock:
            if self.values.getsizeof(value) <= self.values.maxsize:
                self.values[key] = value

    def pop(self, key):
        with self.lock:
            self.values.pop(key, None)


class VersionedMemo(Memo):
    """Values kept for one content version, dropped when it changes."""

    def clear(self):
        super().clear()
        self.version = None

    def get(self, version, key, compute):
        value = self.find(version, key)
        if value is None:
            value = compute()
            self.keep(version, key, value)
        return value

    def find(self, version, key):
        if version is None:
            return None
        with self.lock:
            return self.values.get(key) if self.version == version else None

    def keep(self, version, key, value):
        if version is None or value is None:
            return
        with self.lock:
            if self.version != version:
                self.values.clear()
                self.version = version
            if self.values.getsizeof(value) <= self.values.maxsize:
                self.values[key] = value
