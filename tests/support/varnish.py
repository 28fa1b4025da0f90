"""Varnish (Debian's, with varnish-modules' xkey) in front of a test's app server, with
the VCL of deploy/varnish/: started on a free port, stopped with the test."""

import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from deploy import varnish
from tests.support.app_server import free_port, running


@contextmanager
def varnish_in_front_of(backend_host, backend_port):
    """Yield Varnish's origin (http://127.0.0.1:PORT) once it answers."""
    work = Path(tempfile.mkdtemp(prefix="cms-varnish-"))
    vcl_file = varnish.write_vcl(work, backend_host, backend_port)
    origin = f"http://127.0.0.1:{free_port()}"
    command = varnish.command(vcl_file, origin.removeprefix("http://"), work / "instance")
    try:
        with running(command, f"{origin}/healthz", work / "varnishd.log"):
            yield origin
    finally:
        shutil.rmtree(work, ignore_errors=True)
