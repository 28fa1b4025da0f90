"""Varnish (Debian's, with varnish-modules' xkey) in front of a test's app server, with
the VCL of deploy/varnish/: started on a free port, stopped with the test."""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from deploy import varnish

STARTUP_SECONDS = 30


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def varnish_in_front_of(backend_host, backend_port):
    """Yield Varnish's origin (http://127.0.0.1:PORT) once it accepts connections."""
    work = Path(tempfile.mkdtemp(prefix="cms-varnish-"))
    work.chmod(0o755)  # varnishd reads the VCL as its own unprivileged user
    vcl_file = work / "cms.vcl"
    vcl_file.write_text(varnish.vcl(backend_host, backend_port))
    vcl_file.chmod(0o644)
    port = free_port()
    command = varnish.command(vcl_file, f"127.0.0.1:{port}", work / "instance")
    process = subprocess.Popen(  # noqa: S603
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_for(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


def _wait_for(port, process):
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("varnishd stopped: " + process.stdout.read().decode()[-2000:])
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"varnishd did not listen on {port} within {STARTUP_SECONDS} s")
