"""Languages in the production profile: Apollo Client (persisted queries over GET, as a
front end behind a CDN sends them) reads a page in a language through Varnish and through
nginx, as a fallback before its translation exists and translated once it is published:
the answer Varnish kept of the fallback is purged with the translation's publish.

(A Portuguese translation of a principle: no documented query asks for it, so the other
tests' documented answers stand whatever order they run in.)
"""

import json
import os
import shutil
import subprocess
import time

from .deployment import ROOT, VENV_BIN
from .documented import CLIENTS_DIR, QUERIES_DIR, comparable

QUERY_FILE = QUERIES_DIR / "page-in-locale.graphql"
REFLECTIVE = {"urlPath": "/principles/reflective/", "locale": "pt"}
FAIR = {"urlPath": "/principles/fair/", "locale": "pt", "fallbackLocales": ["es"]}
# How long the translation may take to be read through Varnish before the test gives up:
# a purge is sent as the publish commits, and again once every app server has seen it.
GIVE_UP_SECONDS = 30


def apollo_reads(deployment, base_url, variables):
    """Apollo Client's three reads of the documented page-in-locale query (persisted,
    over GET), with these variables: the last answer's page, and the requests made."""
    ran = subprocess.run(
        [
            shutil.which("node"),
            str(CLIENTS_DIR / "persisted-get.mjs"),
            f"{base_url}/graphql/",
            str(QUERY_FILE),
            json.dumps(variables),
        ],
        cwd=CLIENTS_DIR,
        env={**os.environ, "NODE_EXTRA_CA_CERTS": str(deployment.certificate)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr
    outcome = json.loads(ran.stdout)
    assert [result["errors"] for result in outcome["results"]] == [[], [], []]
    pages = [result["data"]["page"] for result in outcome["results"]]
    assert pages[0] == pages[1] == pages[2]
    return pages[-1], outcome["requests"]


def translate(deployment, variables, title):
    """The page translated into the language asked for, by another process (an editor's
    publish), committed."""
    done = subprocess.run(
        [
            str(VENV_BIN / "python"),
            "-m",
            "tests.support.programs.translate_a_page",
            variables["urlPath"],
            variables["locale"],
            title,
        ],
        cwd=ROOT,
        env=deployment.env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def described(page):
    return page["title"], page["url"], page["locale"], page["requestedLocale"]


def test_apollo_reads_a_fallback_then_its_translation_through_varnish_and_nginx(deployment):
    fallback, requests = apollo_reads(deployment, deployment.cdn_url, REFLECTIVE)
    assert described(fallback) == ("Reflective", "/principles/reflective/", "en-GB", "pt")
    assert [translation["locale"] for translation in fallback["translations"]] == ["en-GB"]
    assert requests[-1]["cache"] == "HIT"  # Varnish keeps the fallback

    translate(deployment, REFLECTIVE, "Reflexivo")
    started = time.monotonic()
    while True:  # until a reader sees it: the fallback Varnish kept has been purged
        translated, requests = apollo_reads(deployment, deployment.cdn_url, REFLECTIVE)
        if translated["locale"] == "pt":
            break
        assert time.monotonic() - started < GIVE_UP_SECONDS, "still the fallback"
    assert described(translated) == ("Reflexivo", "/pt/principles/reflective/", "pt", None)
    assert comparable(translated["translations"]) == [
        {"locale": "en-GB", "title": "Reflective", "url": "/principles/reflective/"},
        {"locale": "pt", "title": "Reflexivo", "url": "/pt/principles/reflective/"},
    ]
    assert requests[-1]["cache"] == "HIT"  # and keeps the translation

    # Through nginx (HTTPS, either app server): the translation, and a page with none in
    # the language asked for nor in its fallback, answered in English.
    through_nginx, _ = apollo_reads(deployment, deployment.url, REFLECTIVE)
    assert through_nginx == translated
    fair, _ = apollo_reads(deployment, deployment.url, FAIR)
    assert described(fair) == ("Fair", "/principles/fair/", "en-GB", "pt")
    assert comparable(fair["translations"]) == [
        {"locale": "en-GB", "title": "Fair", "url": "/principles/fair/"}
    ]
