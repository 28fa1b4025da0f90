"""List each pinned package with a newer patch release: `make audit`'s fallback where
pip-audit cannot reach PyPI's vulnerability data.

A newer patch is a newer release in the pin's own series (the same major.minor), not a
pre-release. Django and Wagtail publish their security fixes as patch releases, as most
libraries do, so a newer patch may be a fix the locks are missing.

    python tools/patch_releases.py [--production requirements.lock] [--dev requirements-dev.lock]

Each package is asked of the index the install uses: this interpreter's `pip index
versions`, under pip's own configuration (pip.conf, PIP_INDEX_URL, PIP_EXTRA_INDEX_URL...).
A package the index does not answer for within the time limit is listed as unknown.

Under CI (the CI variable set), a newer patch of a package in the production lock fails
(exit status 1): that lock is what serves requests, Django and Wagtail among it. The dev
lock's own packages (tests, lint) are listed only. Unknown packages fail nothing here;
AUDIT_REQUIRED=1 makes `make audit` fail whenever pip-audit did not run.

A script, not a manage.py command: it reads the locks and asks pip, and needs no Django
settings.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
# A lock's pin: `name==version \` followed by its hashes.
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")
# Each lookup is a pip process: about 0.4 s of CPU to start, then a wait on the index.
LOOKUPS_AT_ONCE = 8
# On a busy two-core machine the ~150 lookups take a minute or two.
TIME_LIMIT = 300


def pins(lock):
    """{canonical name: pinned Version} of the lock file `lock`."""
    return {
        canonicalize_name(match[1]): Version(match[2])
        for line in lock.read_text().splitlines()
        if (match := PIN.match(line))
    }


def series(version):
    """The major.minor `version` is a release of (with its epoch): "4.0" and "4" are (0, 4, 0)."""
    return (version.epoch, *(version.release + (0,))[:2])


def newest_patch(pinned, versions):
    """The newest of `versions` after `pinned` in its series, not a pre-release; else None."""
    newer = (
        version
        for version in versions
        if version > pinned and not version.is_prerelease and series(version) == series(pinned)
    )
    return max(newer, default=None)


def released_versions(name, seconds):
    """The versions the index offers for `name`, pre-releases too (they are left out above,
    not by pip, so that the rule is in one place), or the reason it could not tell."""
    if seconds <= 0:
        return "not asked: the time limit was spent"
    command = [sys.executable, "-m", "pip", "index", "versions", "--pre", "--json", name]
    try:
        result = subprocess.run(  # noqa: S603 (this interpreter's pip, a lock's package name)
            command, capture_output=True, text=True, timeout=seconds, check=False
        )
    except subprocess.TimeoutExpired:
        return f"no answer within {seconds:.0f} s"
    if result.returncode != 0:
        errors = result.stderr.strip().splitlines()
        return errors[-1] if errors else f"pip exited with status {result.returncode}"
    try:
        return [Version(version) for version in json.loads(result.stdout)["versions"]]
    except (ValueError, KeyError) as error:
        return f"unreadable answer from pip: {error}"


def look_up(packages, time_limit):
    """{name: newest patch Version, None if there is none, or the reason it is unknown},
    asked of the index LOOKUPS_AT_ONCE packages at a time, all within `time_limit` seconds."""
    deadline = time.monotonic() + time_limit

    def newest(name):
        versions = released_versions(name, deadline - time.monotonic())
        return versions if isinstance(versions, str) else newest_patch(packages[name], versions)

    with ThreadPoolExecutor(LOOKUPS_AT_ONCE) as pool:
        return dict(zip(packages, pool.map(newest, packages), strict=True))


def table(rows):
    """`rows` (tuples of strings) as left-aligned columns."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--production", type=Path, default=ROOT / "requirements.lock")
    parser.add_argument("--dev", type=Path, default=ROOT / "requirements-dev.lock")
    parser.add_argument(
        "--time-limit",
        type=float,
        default=TIME_LIMIT,
        help=f"seconds for all the lookups together (default {TIME_LIMIT})",
    )
    args = parser.parse_args(argv)

    production = pins(args.production)
    # The dev lock is resolved within the production lock's pins: where both pin a package,
    # it is the same release.
    packages = {**pins(args.dev), **production}
    found = look_up(packages, args.time_limit)

    newer = {name: patch for name, patch in found.items() if isinstance(patch, Version)}
    unknown = {name: reason for name, reason in found.items() if isinstance(reason, str)}

    def row(name, newest):
        lock = "production" if name in production else "dev"
        return (name, str(packages[name]), newest, lock)

    rows = [("package", "pinned", "newest patch", "lock")]
    rows += [row(name, str(patch)) for name, patch in sorted(newer.items())]
    rows += [row(name, f"unknown ({reason})") for name, reason in sorted(unknown.items())]
    print(f"Patch releases newer than the pins of {args.production.name} and {args.dev.name}:")
    if len(rows) > 1:
        print(table(rows))
    print(
        f"{len(packages)} pinned packages asked of pip's index: {len(newer)} with a newer patch,"
        f" {len(unknown)} unknown."
    )
    if newer:
        # pip-compile keeps a lock's pins unless told to move them (-P, which UPGRADE feeds).
        upgrade = " ".join(f"{name}=={patch}" for name, patch in sorted(newer.items()))
        print(
            "To move them: a direct dependency's pin in pyproject.toml first, then"
            f' make lock UPGRADE="{upgrade}"'
        )

    behind = sorted(name for name in newer if name in production)
    if behind and os.environ.get("CI"):
        print(
            f"Under CI a newer patch of a production package fails: {', '.join(behind)}.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
