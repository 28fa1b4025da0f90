"""What every part of the benchmark uses: where things are, its one error, its progress
lines, and running commands from the project's root."""

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "bench"
DATA_DIR = BENCH_DIR / ".data"
QUERIES_DIR = ROOT / "docs" / "queries"
PYTHON = Path(sys.executable)


class BenchError(Exception):
    """Something that stops the benchmark, said plainly."""


STARTED = time.monotonic()


def say(message):
    print(f"bench [{time.monotonic() - STARTED:5.0f}s]: {message}", flush=True)


def run(command, env=None):
    subprocess.run(command, cwd=ROOT, env=env, check=True)  # noqa: S603 (our own command lines)


def run_and_show(command, env=None):
    """Run, letting stderr (progress bars) through; return stdout."""
    result = subprocess.run(  # noqa: S603 (our own command lines)
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    if result.returncode != 0:
        raise BenchError(f"{' '.join(command)} failed:\n{result.stdout}")
    return result.stdout


def capture(command, env=None):
    result = subprocess.run(  # noqa: S603 (our own command lines)
        command, cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise BenchError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout
