"""What one process keeps in memory: each store declared by the module that owns it, with
its bound, through this module, so that every one can be listed and emptied
(`clear_all`: the test suite does before each test; a process never needs to;
`clear_content`: only what a change retires from, as `make bench`'s "nothing kept" does).

- `Memo`: values by key, the least recently used dropped past `max_size` (counted by
  `size_of`, or one a value). Keys come from requests, the Host header among them, so
  every store is bounded.
- `VersionedMemo`: values kept for one content version (core/content_version.py),
  dropped together when it changes; never used without a version (the cache is down).
  The response cache's copies of answers (api/graphql/response_cache.py): a hit there
  costs no look-up but the content version's.
- `KeyedMemo`: each value kept with the versions of the surrogate keys it depends on
  (core/surrogate_keys.py), and used while those are the current ones: a change leaves
  what depends on nothing it retired. The versions come from the request's
  `KeyVersions` (core/content_version.py: `key_versions_for`); without one (the cache is
  down, a transaction) nothing is kept or used. It counts what it was asked for and
  found (`hits`) or not (`misses`: each one computed afresh).
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


def clear_content():
    """Empty every store of content (those a change retires from), keeping what no change
    touches (parsed documents, media types, the key versions known): how `make bench`'s
    server that keeps nothing (bench/nothing_kept.py) reads each request as the first
    after a publish that retired everything."""
    for store in _stores:
        if isinstance(store, VersionedMemo | KeyedMemo):
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

    def find(self, version, key):
        if version is None:
            return None
        with self.lock:
            return self.values.get(key) if self.version == version else None

    def keep(self, version, key, value):
        with self.lock:
            if self.version != version:
                self.values.clear()
                self.version = version
            if self.values.getsizeof(value) <= self.values.maxsize:
                self.values[key] = value


class KeyedMemo(Memo):
    """Values kept with the versions of the surrogate keys they depend on, each used while
    every one of those is current."""

    def __init__(self, max_size, size_of=None):
        # Each value is held with its keys' versions; `size_of` measures the value.
        held_size = None if size_of is None else (lambda held: size_of(held[0]))
        super().__init__(max_size, held_size)

    def clear(self):
        super().clear()
        self.hits = self.misses = 0

    def get(self, key_versions, key, compute, keys_of):
        """The value kept for `key`, or `compute()`'s, kept with the versions of
        `keys_of(value)` unless it is None (nothing found: asked again each time)."""
        value = self.find(key_versions, key)
        if value is None:
            value = compute()
            if value is not None:
                self.keep(key_versions, [(key, value, keys_of(value))])
        return value

    def find(self, key_versions, key):
        return self.find_many(key_versions, [key]).get(key)

    def find_many(self, key_versions, keys):
        """{key: value} for those of `keys` whose values are kept and current."""
        if key_versions is None:
            return {}
        found = {}
        with self.lock:  # once for all of them
            for key in keys:
                kept = self.values.get(key)
                if kept is not None and key_versions.hold(kept[1]):
                    found[key] = kept[0]
            self.hits += len(found)
            self.misses += len(keys) - len(found)
        return found

    def keep(self, key_versions, made):
        """Keep each (key, value, the surrogate keys it depends on) of `made`, with those
        keys' versions, read in one look-up for all of them."""
        if key_versions is None or not made:
            return
        versions = key_versions.of([keys for _, _, keys in made])
        if versions is None:
            return
        with self.lock:
            for (key, value, _), depends_on in zip(made, versions, strict=True):
                if self.values.getsizeof((value, depends_on)) <= self.values.maxsize:
                    self.values[key] = (value, depends_on)
