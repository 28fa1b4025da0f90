"""Debian's Chromium, as Playwright drives it in the browser tests (Playwright's own
browser download is not used)."""

import importlib.util
import os
import shutil

import pytest

# Without the background-networking switches Chromium calls outside hosts, which a
# closed network refuses; none of them is needed to drive the admin.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_executable():
    """The path of the system's Chromium. Without it, or without Playwright, the test
    asking is skipped; under CI it fails."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    missing = []
    if executable is None:
        missing.append("Chromium (`apt-get install chromium`; `make install` does it as root)")
    if importlib.util.find_spec("playwright") is None:
        missing.append("Playwright (`make install`)")
    if missing:
        message = "The browser tests need " + " and ".join(missing) + "."
        if os.environ.get("CI"):
            pytest.fail(message + " Under CI that is a failure.")
        pytest.skip(message)
    return executable
