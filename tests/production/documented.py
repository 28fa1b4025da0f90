"""The documented queries (docs/queries/), as the production suite's clients send them and
compare what comes back."""

import json
import re
from pathlib import PurePosixPath
from urllib.parse import urlparse

from .deployment import ROOT

QUERIES_DIR = ROOT / "docs" / "queries"
QUERY_FILES = sorted(QUERIES_DIR.glob("*.graphql"))
CLIENTS_DIR = ROOT / "tests" / "production" / "clients"
URL = re.compile(r"https?://[^\s\"]+")
# Django's storage adds "_" and 7 characters to a file name that is taken.
TAKEN_NAME_SUFFIX = re.compile(r"_[A-Za-z0-9]{7}(?=\.)")


def media_path(match):
    """A media URL as the part of its path from `images/` or `original_images/` on,
    without the storage's suffix or a signature: the same file, wherever it is served."""
    parts = PurePosixPath(urlparse(match[0]).path).parts
    for index, part in enumerate(parts):
        if part in ("images", "original_images", "documents"):
            return "<media>/" + TAKEN_NAME_SUFFIX.sub("", "/".join(parts[index:]))
    return match[0]


def comparable(value):
    """An answer as documented and as a client got it compare equal: without the
    `__typename` clients add, ids (primary keys) and media addresses (S3's here, the
    app's in the docs) by shape, as in tests/test_graphql_contract.py."""
    if isinstance(value, dict):
        return {
            key: "<id>" if key == "id" else comparable(item)
            for key, item in value.items()
            if key != "__typename"
        }
    if isinstance(value, list):
        return [comparable(item) for item in value]
    if isinstance(value, str):
        return URL.sub(media_path, value)
    return value


def documented(name):
    """(query, variables) of docs/queries/NAME."""
    variables = QUERIES_DIR / f"{name}.variables.json"
    return (
        (QUERIES_DIR / f"{name}.graphql").read_text(),
        json.loads(variables.read_text()) if variables.exists() else {},
    )
