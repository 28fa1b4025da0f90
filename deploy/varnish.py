"""Fill in deploy/varnish/cms.vcl, and run Varnish with it (Debian's `varnish` and
`varnish-modules`).

    python -m deploy.varnish --backend 127.0.0.1:8443 --purger 10.0.0.11 > /etc/varnish/cms.vcl

Set CDN_PURGE_BACKEND=varnish and VARNISH_PURGE_URLS to Varnish's address on the app
servers and task workers (README.md, "Running in production").
"""

import argparse
from pathlib import Path

VCL = Path(__file__).resolve().parent / "varnish" / "cms.vcl"


def vcl(backend_host, backend_port, purgers=()):
    """The VCL for a backend (the CMS behind Varnish) and the addresses that may purge
    besides this machine's."""
    text = VCL.read_text()
    for name, value in {
        "@BACKEND_HOST@": backend_host,
        "@BACKEND_PORT@": str(backend_port),
        "@PURGERS@": "\n".join(f'    "{address}";' for address in purgers),
    }.items():
        text = text.replace(name, value)
    return text


def write_vcl(directory, backend_host, backend_port):
    """The VCL for this backend as a file in `directory` (made), which varnishd, running
    as its own unprivileged user, can read; its path."""
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o755)
    vcl_file = directory / "cms.vcl"
    vcl_file.write_text(vcl(backend_host, backend_port))
    vcl_file.chmod(0o644)
    return vcl_file


def command(vcl_file, listen, work_dir, memory="64m"):
    """varnishd in the foreground with its files in `work_dir`, cache in memory."""
    return [
        "varnishd",
        "-F",
        "-f", str(vcl_file),
        "-a", listen,
        "-n", str(work_dir),
        "-s", f"malloc,{memory}",
        "-T", "none",  # no management port: it is stopped with a signal
    ]  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description="Print deploy/varnish/cms.vcl filled in.")
    parser.add_argument("--backend", required=True, help="host:port of nginx or an app server")
    parser.add_argument(
        "--purger", action="append", default=[], help="an app server's or worker's address"
    )
    options = parser.parse_args()
    host, _, port = options.backend.rpartition(":")
    print(vcl(host, port, options.purger), end="")


if __name__ == "__main__":
    main()
