"""The front end's own check: graphql-codegen's client preset (pinned in
tests/codegen/package-lock.json) generates TypeScript from schema.graphql and every
query in docs/queries/, and `tsc --noEmit --strict` compiles it with tests/codegen/check.ts,
which uses the typed fields a front end leans on.

It needs no database, so it runs in the SQLite pass of `make test` only. Without node
and npm it is skipped, except under CI, where it fails.
"""

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

CODEGEN = Path(__file__).resolve().parent / "codegen"
LOCK = CODEGEN / "package-lock.json"
# Written after `npm ci` succeeds: the lock it installed, so an unchanged one is not
# installed again (npm ci empties node_modules first: some 300 packages each time).
INSTALLED = CODEGEN / "node_modules" / ".installed-lock-sha256"

pytestmark = pytest.mark.sqlite_pass_only


def tool(name):
    found = shutil.which(name)
    if found is None:
        message = f"{name} is missing: install Node.js 20 and npm to run the codegen check."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def run(*command):
    result = subprocess.run(  # noqa: S603 (the tools found above, fixed arguments)
        command, cwd=CODEGEN, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}"


def install(npm):
    lock = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    if INSTALLED.exists() and INSTALLED.read_text() == lock:
        return
    run(npm, "ci", "--no-audit", "--no-fund", "--loglevel=error")
    INSTALLED.write_text(lock)


def test_the_documented_queries_compile_as_strict_typescript():
    tool("node")
    install(tool("npm"))
    run(str(CODEGEN / "node_modules" / ".bin" / "graphql-codegen"), "--config", "codegen.yml")
    run(
        str(CODEGEN / "node_modules" / ".bin" / "tsc"),
        "--noEmit",
        "--strict",
        "-p",
        "tsconfig.json",
    )
