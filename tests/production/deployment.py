"""The reference deployment (deploy/, the Procfile) started on this machine for the tests.

nginx (TLS, a self-signed certificate made here) in front of two gunicorn app servers
under production settings, a task worker, a database of its own on the local
PostgreSQL, a Redis server of its own, and S3 media in a moto server: everything on
free loopback ports, every file under one run directory (`logs/` for every process's
output, copied to test-artifacts/production/ at the end, for reading when something
fails; runs side by side in one checkout write none of the same files meanwhile).

nginx also listens on a port for each app server alone (deploy/nginx/app-server.conf),
so a test can edit through one and read through the other, and on one for the media
(MEDIA_SERVER: the stand-in for the CDN in front of the bucket, which media URLs name
in AWS_S3_CUSTOM_DOMAIN). Browsers "at" other addresses reach nginx through
`SourceRelay`s, which connect to it from 127.0.0.2, ...

Varnish (deploy/varnish/cms.vcl) stands in for a CDN in front of it all, at `cdn_url`
(plain HTTP: TLS would end before it), reaching nginx on its origin listener
(deploy/nginx/origin.conf); every process purges it as content changes.

`OneServerDeployment` is the smaller variant a first deployment often is: one app server
with its media on its disk, served by nginx from there (test_media.py starts it).
"""

import contextlib
import json
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import redis
import requests

from deploy import local, nginx, varnish

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "production"
VENV_BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
# Who may still connect to the deployment's Redis when its default user (every process's)
# is refused: the tests' own connection.
REDIS_ADMIN = "e2e-admin"
BUCKET, REGION = "cms-media", "eu-west-2"
EDITOR, EDITOR_PASSWORD = "editor", "a-long-editor-passphrase"
FRONTEND_NAME = "e2e-front-end"
# A browser's GraphQL budget in the test deployment: small, so a test can spend it.
RATE_LIMIT_REQUESTS = 20
RATE_LIMIT_WINDOW_SECONDS = 60  # GRAPHQL_RATE_LIMIT_WINDOW_SECONDS (not an env variable)
# The address of a stand-in CDN in front of nginx, which nginx trusts to say who its
# client was (set_real_ip_from).
CDN_ADDRESS = "127.0.0.6"
START_SECONDS = 120  # an app server's start on a busy machine (make test runs 3 suites)
# What a CDN in front of the bucket does: public HTTPS reads of its objects.
MEDIA_SERVER = """
server {{
    listen {listen} ssl;
    ssl_certificate {certificate};
    ssl_certificate_key {certificate_key};
    access_log {access_log} cms_json;
    location / {{
        proxy_pass {bucket_url}/;
        proxy_set_header Host {bucket_host};
    }}
}}
"""


class DeploymentError(Exception):
    pass


# The deployment's ports are chosen when it starts and bound a minute or more later
# (after the release step): a port the system hands out (port 0, from the ephemeral range,
# 32768-60999 on Linux) could meanwhile go to any of the other passes' servers. These come
# from below that range, which nothing else here binds, and are checked free when chosen.
PORT_RANGE = range(20_000, 32_000)
_chosen_ports = set()


def free_port():
    while True:
        port = secrets.choice(PORT_RANGE)
        if port in _chosen_ports:
            continue
        with socket.socket() as sock:
            try:
                sock.bind((HOST, port))
            except OSError:
                continue
        _chosen_ports.add(port)
        return port


def wait_until(check, what, timeout, alive=None):
    """Poll `check` until it returns something true (returned); DeploymentError after
    `timeout` seconds, or at once when the process `alive` has ended."""
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(OSError, requests.RequestException):
            result = check()
            if result:
                return result
        if alive is not None and alive.poll() is not None:
            raise DeploymentError(f"{what}: the process exited ({alive.returncode}).")
        if time.monotonic() > deadline:
            raise DeploymentError(f"{what}: not within {timeout} s.")
        time.sleep(0.1)


def answers_ok(url, **kwargs):
    return requests.get(url, timeout=5, **kwargs).status_code == 200


def tail(path, lines=40):
    if not path.exists():
        return f"({path.name}: nothing written)"
    return f"--- {path.name} ---\n" + "\n".join(path.read_text().splitlines()[-lines:])


@dataclass
class Process:
    """A command (a Procfile line, or nginx) in a process group of its own, its output
    (stdout and stderr) appended to `log`."""

    name: str
    command: str
    env: dict
    log: Path
    popen: subprocess.Popen = None

    def start(self):
        with self.log.open("ab") as out:
            self.popen = local.start(self.command, self.env, stdout=out, stderr=subprocess.STDOUT)
        return self

    def kill(self):
        """SIGKILL to the whole group at once, as when a machine dies."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait()


@dataclass
class AppServer:
    """An app server: the Procfile's `web` on its own port (beside another, with its own
    MEDIA_ROOT, as on a machine of its own: media must come from S3)."""

    name: str
    port: int
    process: Process

    @property
    def address(self):
        return f"{HOST}:{self.port}"

    def ready(self, timeout=START_SECONDS):
        # /readyz is exempt from the HTTPS redirect; the Host must be an allowed one.
        wait_until(
            lambda: answers_ok(f"http://{self.address}/readyz"),
            f"app server {self.name} answering /readyz",
            timeout,
            alive=self.process.popen,
        )

    def restart(self):
        self.process.start()
        self.ready()

    @contextlib.contextmanager
    def running_with(self, **variables):
        """This app server stopped and started again with `variables` added to its
        environment until the `with` block ends, then again as it was."""
        original = self.process.env
        local.stop([self.process.popen])
        self.process.env = {**original, **variables}
        try:
            self.restart()
            yield
        finally:
            local.stop([self.process.popen])
            self.process.env = original
            self.restart()


@dataclass
class Worker:
    """The task worker: the Procfile's `worker`, with the environment it was deployed with."""

    process: Process
    env: dict

    def restart(self, **variables):
        """SIGKILL to it (if it runs), then start it again with `variables` added to its
        environment (none: as deployed)."""
        self.process.kill()
        self.process.env = {**self.env, **variables}
        self.process.start()


class SourceRelay:
    """Listens on a loopback port and relays each connection to `target` from the address
    `source` (127.0.0.2, ...), so that nginx sees a client at `source`: how two browsers
    on one machine look like two clients to the proxy."""

    def __init__(self, source, target):
        self.source, self.target = source, target
        self.listener = socket.create_server((HOST, 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:  # closed
                return
            try:
                upstream = socket.create_connection(self.target, source_address=(self.source, 0))
            except OSError:
                client.close()
                continue
            for reader, writer in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(reader, writer), daemon=True).start()

    @staticmethod
    def _pipe(reader, writer):
        try:
            while data := reader.recv(65536):
                writer.sendall(data)
        except OSError:
            pass
        finally:  # either side closing ends the connection both ways
            for sock in (reader, writer):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def close(self):
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()


@dataclass
class LogWatch:
    """Reads what the processes logged since the last look, whole lines only."""

    paths: list
    offsets: dict = field(default_factory=dict)

    def new_lines(self):
        lines = []
        for path in self.paths:
            if not path.exists():
                continue
            with path.open("rb") as log:
                log.seek(self.offsets.get(path, 0))
                data = log.read()
            complete = data[: data.rfind(b"\n") + 1]
            self.offsets[path] = self.offsets.get(path, 0) + len(complete)
            lines += [(path.name, line) for line in complete.decode().splitlines()]
        return lines

    def lines_not_json(self):
        """(log name, line) for each new line that is not a JSON object."""
        bad = []
        for name, line in self.new_lines():
            try:
                ok = isinstance(json.loads(line), dict)
            except ValueError:
                ok = False
            if not ok:
                bad.append((name, line))
        return bad


class Deployment:
    """Starts with `start()`, stops (everything, whatever failed) with `stop()`."""

    artifacts = ARTIFACTS  # where the logs are kept after the run

    def __init__(self):
        self.token = secrets.token_hex(4)
        self.run_dir = Path(tempfile.mkdtemp(prefix="cms-e2e-"))
        # nginx's workers run as nobody when it is started by root: they must be able to
        # reach its temporary directories under here.
        self.run_dir.chmod(0o755)
        self.logs = self.run_dir / "logs"
        self.logs.mkdir()
        self.frontend_key = secrets.token_urlsafe(24)
        self.secret_key = secrets.token_urlsafe(50)
        self.database = f"cms_e2e_{self.token}"
        self.redis_password = secrets.token_urlsafe(16)
        self.processes = []
        self.relays = {}
        self.ports = {
            name: free_port()
            for name in (
                *("nginx", "nginx_a", "nginx_b", "nginx_origin"),
                *("media", "moto", "varnish", "redis"),
            )
        }
        self.url = f"https://{HOST}:{self.ports['nginx']}"
        self.url_a = f"https://{HOST}:{self.ports['nginx_a']}"  # app server A alone
        self.url_b = f"https://{HOST}:{self.ports['nginx_b']}"  # app server B alone
        self.cdn_url = f"http://{HOST}:{self.ports['varnish']}"  # Varnish, in front of nginx
        self.s3_endpoint = f"http://{HOST}:{self.ports['moto']}"
        self.media_domain = f"{HOST}:{self.ports['media']}"
        self.certificate = self.run_dir / "tls.crt"
        self.certificate_key = self.run_dir / "tls.key"
        self.app_servers = {}
        self.json_logs = LogWatch(
            [self.logs / f"{name}.log" for name in ("web-a", "web-b", "worker", "nginx-access")]
        )
        self.responses_without_request_id = []

    # The pieces, in the order they start ------------------------------------------------

    def start(self):
        self.make_certificate()
        self.create_database()
        self.start_redis()
        self.start_moto()
        self.release()
        self.manage("load_southwark_content", log="content")
        self.create_editor()
        commands = local.procfile()
        for name in ("a", "b"):
            port = free_port()
            env = self.env(PORT=str(port), MEDIA_ROOT=str(self.run_dir / f"media-{name}"))
            process = self.spawn(f"web-{name}", commands["web"], env)
            self.app_servers[name] = AppServer(name.upper(), port, process)
        worker_env = self.env(MEDIA_ROOT=str(self.run_dir / "media-worker"))
        self.worker = Worker(self.spawn("worker", commands["worker"], worker_env), worker_env)
        for server in self.app_servers.values():
            server.ready()
        self.start_nginx()
        self.start_varnish()
        return self

    def make_certificate(self):
        """A self-signed certificate for 127.0.0.1 and localhost, good for two days."""
        subprocess.run(
            [
                shutil.which("openssl"),
                *["req", "-x509", "-nodes", "-newkey", "ec"],
                *["-pkeyopt", "ec_paramgen_curve:prime256v1"],
                *["-days", "2", "-subj", "/CN=localhost"],
                *["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                *["-keyout", str(self.certificate_key), "-out", str(self.certificate)],
            ],
            check=True,
            capture_output=True,
        )

    def create_database(self):
        with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{self.database}"')
        base = POSTGRES_URL.rsplit("/", 1)[0]
        self.database_url = f"{base}/{self.database}"

    def start_redis(self):
        """A Redis server of its own (nothing kept on disk), so that a test may refuse its
        clients (`redis_refusing_new_clients`) without touching anyone else's."""
        port = self.ports["redis"]
        work = self.run_dir / "redis"
        work.mkdir()
        command = shlex.join(
            ["exec", "redis-server", "--bind", HOST, "--port", str(port), "--dir", str(work)]
            + ["--save", "", "--appendonly", "no"]
        )
        process = self.spawn("redis", command, self.env())
        client = redis.Redis(HOST, port, socket_timeout=5)
        wait_until(client.ping, "Redis", 30, alive=process.popen)
        client.execute_command(
            "ACL", "SETUSER", REDIS_ADMIN, "on", f">{self.redis_password}", "~*", "&*", "+@all"
        )
        self.redis_url = f"redis://{HOST}:{port}/0"

    def start_moto(self):
        port = self.ports["moto"]
        command = f"exec {VENV_BIN / 'moto_server'} -H {HOST} -p {port}"
        moto = self.spawn("moto", command, self.env())
        wait_until(
            lambda: answers_ok(f"{self.s3_endpoint}/moto-api/"), "moto", 60, alive=moto.popen
        )
        s3 = self.s3()
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        # Media are public (their URLs are never signed): anyone may read the objects.
        public_read = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{BUCKET}/*",
                }
            ],
        }
        s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(public_read))

    def s3(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.s3_endpoint,
            region_name=REGION,
            aws_access_key_id="e2e",
            aws_secret_access_key="e2e",  # noqa: S106 (moto accepts anything)
        )

    def release(self):
        """The Procfile's release step: collectstatic, migrate, check --deploy."""
        released = self.run(local.procfile()["release"], "release")
        if released.returncode != 0:
            raise DeploymentError(f"The release step failed.\n{tail(self.logs / 'release.log')}")

    def create_editor(self):
        self.manage(
            "createsuperuser",
            "--noinput",
            f"--username={EDITOR}",
            "--email=editor@example.org",
            log="content",
            env={"DJANGO_SUPERUSER_PASSWORD": EDITOR_PASSWORD},
        )

    def nginx_server(self):
        """What each of nginx's TLS servers here is: its name, certificate and log."""
        return {
            "server_name": "localhost",
            "certificate": self.certificate,
            "certificate_key": self.certificate_key,
            "access_log": self.logs / "nginx-access.log",
        }

    def start_nginx(self):
        common = self.nginx_server()
        a, b = self.app_servers["a"], self.app_servers["b"]
        self.run_nginx(
            nginx.site(
                listen=f"{HOST}:{self.ports['nginx']}",
                app_servers=[a.address, b.address],
                trusted_proxies=[CDN_ADDRESS],
                **common,
            ),
            [
                nginx.app_server_route(
                    listen=f"{HOST}:{self.ports[f'nginx_{name}']}",
                    app_server=server.address,
                    **common,
                )
                for name, server in (("a", a), ("b", b))
            ]
            + [
                nginx.origin(
                    listen=f"{HOST}:{self.ports['nginx_origin']}",
                    server_name="localhost",
                    access_log=self.logs / "nginx-access.log",
                    trusted_proxies=[HOST],  # Varnish
                ),
                MEDIA_SERVER.format(
                    listen=self.media_domain,
                    bucket_url=f"{self.s3_endpoint}/{BUCKET}",
                    bucket_host=f"{HOST}:{self.ports['moto']}",
                    **common,
                ),
            ],
            urls=(self.url, self.url_a, self.url_b),
        )

    def run_nginx(self, site_conf, extra_confs, urls):
        """nginx with `site_conf` (cms.conf) and `extra_confs`, its config checked first;
        started once it answers at each of `urls`."""
        conf = nginx.standalone(self.run_dir / "nginx", site_conf, extra_confs)
        prefix = conf.parent
        checked = subprocess.run(
            [shutil.which("nginx"), "-t", "-p", str(prefix), "-c", str(conf)],
            capture_output=True,
            text=True,
        )
        if checked.returncode != 0:
            raise DeploymentError(f"nginx refuses its configuration:\n{checked.stderr}")
        command = f"exec nginx -p {prefix} -c {conf} -g 'daemon off;'"
        process = self.spawn("nginx", command, self.env())
        for url in urls:
            wait_until(
                lambda url=url: answers_ok(f"{url}/readyz", verify=self.certificate),
                f"nginx at {url}",
                30,
                alive=process.popen,
            )

    def start_varnish(self):
        work = self.run_dir / "varnish"
        vcl_file = varnish.write_vcl(work, HOST, self.ports["nginx_origin"])
        command = varnish.command(vcl_file, f"{HOST}:{self.ports['varnish']}", work / "instance")
        process = self.spawn("varnish", "exec " + shlex.join(command), self.env())
        wait_until(lambda: answers_ok(f"{self.cdn_url}/readyz"), "Varnish", 60, alive=process.popen)

    def redis_admin(self):
        """A client of the deployment's Redis as the tests' own user."""
        return redis.Redis(
            HOST,
            self.ports["redis"],
            username=REDIS_ADMIN,
            password=self.redis_password,
            socket_timeout=5,
        )

    @contextlib.contextmanager
    def redis_refusing_new_clients(self):
        """Redis refuses every new connection of its default user, the one every process
        connects as; connections already open go on (as when a Redis's clients run out)."""
        admin = self.redis_admin()
        admin.execute_command("ACL", "SETUSER", "default", "off")
        try:
            yield
        finally:
            admin.execute_command("ACL", "SETUSER", "default", "on")

    def query(self, sql, *params):
        """The rows `sql` finds in the deployment's database."""
        with psycopg.connect(self.database_url, autocommit=True, connect_timeout=5) as conn:
            return conn.execute(sql, params).fetchall()

    def app_ports(self):
        """The ports on which nginx (or Varnish) answers with the app (not the media's)."""
        ports = {self.ports[name] for name in ("nginx", "nginx_a", "nginx_b", "varnish")}
        return ports | {relay.port for relay in self.relays.values()}

    def relay_from(self, source):
        """The URL at which a client reaches nginx as if it were at `source` (127.0.0.N)."""
        if source not in self.relays:
            self.relays[source] = SourceRelay(source, (HOST, self.ports["nginx"]))
        return f"https://{HOST}:{self.relays[source].port}"

    # Running things ------------------------------------------------------------------------

    def env(self, **variables):
        """What the platform gives every process: nothing of this machine's own settings
        variables, production settings, and this deployment's services."""
        return {
            "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
            "HOME": os.environ.get("HOME", "/root"),
            "LANG": "C.UTF-8",
            "DJANGO_SETTINGS_MODULE": "cms.settings.production",
            "SECRET_KEY": self.secret_key,
            "ALLOWED_HOSTS": f"{HOST},localhost",
            "WAGTAILADMIN_BASE_URL": self.url,
            "DATABASE_URL": getattr(self, "database_url", ""),
            "REDIS_URL": getattr(self, "redis_url", ""),
            "STATIC_ROOT": str(self.run_dir / "static"),
            "TRUSTED_PROXY_COUNT": "1",
            "GRAPHQL_RATE_LIMIT_REQUESTS": str(RATE_LIMIT_REQUESTS),
            "FRONTEND_API_KEYS": f"{FRONTEND_NAME}:{self.frontend_key}",
            # The editing tests' superuser signs in with its password alone (a test
            # deployment's exemption; tests/production/test_signin.py walks the second factor).
            "SIGNIN_SECOND_FACTOR_EXEMPT": EDITOR,
            "LOG_LEVEL": "INFO",
            "WEB_CONCURRENCY": "2",
            "HOST": HOST,
            **self.media_and_cdn_env(),
            **variables,
        }

    def media_and_cdn_env(self):
        """Media in the bucket (moto's), answers purged from Varnish."""
        return {
            "AWS_STORAGE_BUCKET_NAME": BUCKET,
            "AWS_S3_ENDPOINT_URL": self.s3_endpoint,
            "AWS_S3_REGION_NAME": REGION,
            "AWS_ACCESS_KEY_ID": "e2e",
            "AWS_SECRET_ACCESS_KEY": "e2e",
            "AWS_S3_CUSTOM_DOMAIN": self.media_domain,
            "CDN_PURGE_BACKEND": "varnish",
            "VARNISH_PURGE_URLS": self.cdn_url + "/",
        }

    def spawn(self, name, command, env):
        process = Process(name, command, env, self.logs / f"{name}.log").start()
        self.processes.append(process)
        return process

    def run(self, command, log, env=None, timeout=600):
        """A command to its end (bash, in the project directory), its output to `log`."""
        with (self.logs / f"{log}.log").open("ab") as out:
            return subprocess.run(
                ["/bin/bash", "-c", command],
                cwd=ROOT,
                env={**self.env(), **(env or {})},
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=timeout,
            )

    def manage(self, *args, log="manage", env=None):
        """manage.py with `args` under the deployment's environment; fails on an error."""
        command = shlex.join(["exec", "python", "manage.py", *args])
        done = self.run(command, log, env)
        if done.returncode != 0:
            raise DeploymentError(f"manage.py {args[0]} failed.\n{tail(self.logs / f'{log}.log')}")

    def logs_tail(self):
        return "\n".join(tail(self.logs / f"{p.name}.log") for p in self.processes)

    # Stopping --------------------------------------------------------------------------------

    def stop(self):
        """Everything this run started, whatever happened; each step on its own."""
        for relay in self.relays.values():
            relay.close()
        with contextlib.suppress(Exception):
            local.stop([process.popen for process in self.processes])
        with contextlib.suppress(OSError):  # the logs, kept for reading after the run
            error_log = self.run_dir / "nginx" / "error.log"
            if error_log.exists():
                shutil.copy(error_log, self.logs / "nginx-error.log")
            self.artifacts.mkdir(parents=True, exist_ok=True)
            for old in self.artifacts.glob("*.log"):
                old.unlink()
            for log in self.logs.glob("*.log"):
                shutil.copy(log, self.artifacts)
        with (
            contextlib.suppress(Exception),
            psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5) as conn,
        ):
            conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        shutil.rmtree(self.run_dir, ignore_errors=True)


class OneServerDeployment(Deployment):
    """A council's first deployment (README, "Running in production"): the release step,
    then one app server (the Procfile's `web`) with its media on its own disk (MEDIA_ROOT;
    no bucket, no AWS_* variables), and nginx in front, serving the images from there.
    No task worker, CDN or bucket."""

    artifacts = ARTIFACTS / "one-server"

    def __init__(self):
        super().__init__()
        self.media_root = self.run_dir / "media"
        self.json_logs = LogWatch([self.logs / f"{name}.log" for name in ("web", "nginx-access")])

    def start(self):
        self.make_certificate()
        self.create_database()
        self.start_redis()
        self.release()
        self.create_editor()
        port = free_port()
        process = self.spawn("web", local.procfile()["web"], self.env(PORT=str(port)))
        server = self.app_servers["web"] = AppServer("web", port, process)
        server.ready()
        site = nginx.site(
            listen=f"{HOST}:{self.ports['nginx']}",
            app_servers=[server.address],
            media_root=self.media_root,
            **self.nginx_server(),
        )
        self.run_nginx(site, [], urls=[self.url])
        return self

    def media_and_cdn_env(self):
        """Media on this machine's disk, the same folder for every process; no CDN."""
        return {"MEDIA_ROOT": str(self.media_root)}
