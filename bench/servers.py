"""The app server, as in production: its environment (cms.settings.production), starting it
on a free port on 127.0.0.1 and waiting until it answers, letting it settle between
scenarios, its workers' memory, and stopping it.

Its kinds (`make bench` --app-server), each with --workers processes:
- `sync`: gunicorn's sync workers, one request at a time each (production's);
- `gthread`: gunicorn's threaded workers, --app-threads threads each;
- `granian`: granian (a Rust HTTP server) in WSGI mode, --app-threads blocking threads
  each running the app.
"""

import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import DATA_DIR, PYTHON, ROOT, BenchError


def server_env(database_url, redis_url):
    """The server's environment; bench/inprocess.py runs in it too, on the same database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "SECRET_KEY": uuid.uuid4().hex * 2,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        # Production requires it (media URLs in the APIs start with it): the address the
        # settings fell back to before, so that responses are the same size as they were.
        "WAGTAILADMIN_BASE_URL": "http://127.0.0.1:8000",
        "MEDIA_ROOT": str(DATA_DIR / "media"),
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        # One client (wrk) sends everything: the per-client limit would measure itself.
        "GRAPHQL_RATE_LIMIT_REQUESTS": str(10**9),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def redis_answers(url):
    if not url or url == "none":
        return False
    match = re.match(r"redis://([^:/]+)(?::(\d+))?", url)
    if not match:
        return False
    try:
        with socket.create_connection((match[1], int(match[2] or 6379)), timeout=2) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def empty_shared_cache(redis_url):
    """Empty the benchmark's Redis database, as a newly deployed server finds it: answers
    are kept a day, and what earlier servers and runs left there (4 GB after a few runs)
    slowed Redis's writes, which every uncached answer makes (a0: 46.6 req/s with them,
    54.8 without)."""
    if redis_url:
        import redis

        redis.Redis.from_url(redis_url).flushdb()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url, body=None, timeout=30):
    data = body.encode() if body is not None else None
    headers = {"Content-Type": "application/json"} if body is not None else {}
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


APP_SERVERS = ("sync", "gthread", "granian")


def label(kind, workers, threads):
    """What an app server is, for the progress lines and the report."""
    if kind == "sync":
        return f"gunicorn, {workers} sync workers"
    if kind == "gthread":
        return f"gunicorn, {workers} gthread workers x {threads} threads"
    return f"granian (WSGI), {workers} workers x {threads} blocking threads"


@dataclass
class Server:
    name: str
    env: dict
    workers: int
    kind: str = "sync"  # one of APP_SERVERS
    threads: int = 4  # each worker's, but for sync ones
    app: str = "cms.wsgi:application"
    port: int = field(default_factory=free_port)
    process: subprocess.Popen = None

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self):
        return DATA_DIR / f"{self.kind}-{self.name}.log"

    @property
    def label(self):
        return label(self.kind, self.workers, self.threads)

    def command(self):
        if self.kind == "granian":
            return [
                str(PYTHON.parent / "granian"),
                "--interface", "wsgi",
                "--host", "127.0.0.1",
                "--port", str(self.port),
                "--workers", str(self.workers),
                "--blocking-threads", str(self.threads),
                "--runtime-threads", "1",
                "--log-level", "warning",
                self.app,
            ]  # fmt: skip
        return [
            str(PYTHON.parent / "gunicorn"),
            self.app,
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(self.workers),
            "--worker-class", self.kind,
            *(["--threads", str(self.threads)] if self.kind == "gthread" else []),
            "--log-level", "warning",
            "--error-logfile", str(self.log_path),
        ]  # fmt: skip

    def start(self, timeout=90):
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        command = self.command()
        self.log_path.unlink(missing_ok=True)
        # The app logs to stdout in production: into the same file as the server's errors.
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 (our own command line)
                command, cwd=ROOT, env=self.env, start_new_session=True, stdout=log, stderr=log
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(
                    f"{self.kind} exited ({self.process.returncode}).\n{self.log_tail()}"
                )
            try:
                status, _ = fetch(f"{self.base_url}/healthz")
                if status == 404:
                    status, _ = fetch(f"{self.base_url}/api/v2/pages/?limit=1")
                if status == 200:
                    return
                if status in (301, 302, 308):
                    raise BenchError(
                        "The production settings redirect plain HTTP even with "
                        "SECURE_SSL_REDIRECT=0: the benchmark cannot reach the app."
                    )
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        raise BenchError(f"{self.kind} did not answer within {timeout}s.\n{self.log_tail()}")

    def worker_rss_mib(self):
        """VmRSS of each worker (the master's children), in MiB."""
        sizes = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) != self.process.pid:
                    continue
                status = (stat.parent / "status").read_text()
            except (OSError, IndexError, ValueError):
                continue
            match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
            if match:
                sizes.append(int(match[1]) / 1024)
        return sorted(sizes)

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # the main process stops its workers on SIGTERM
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def log_tail(self, lines=30):
        if not self.log_path.exists():
            return f"(no {self.kind} log)"
        return "\n".join(self.log_path.read_text().splitlines()[-lines:])


def settle(server, timeout=30):
    """Wait until the workers have finished what the last scenario left queued (wrk stops
    with requests still in the listen backlog), so it is not billed to the next one."""
    deadline = time.monotonic() + timeout
    quick = 0
    while quick < 3 and time.monotonic() < deadline:
        started = time.monotonic()
        fetch(f"{server.base_url}/healthz")
        quick = quick + 1 if time.monotonic() - started < 0.02 else 0
