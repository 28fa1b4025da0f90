"""Fill in the nginx templates of deploy/nginx/ (their placeholders between @ signs).

For Debian's nginx, print the site config and enable it:

    python -m deploy.nginx --listen 443 --server-name cms.example.org \\
        --certificate /etc/ssl/certs/cms.pem --certificate-key /etc/ssl/private/cms.key \\
        --app-server 10.0.0.11:8000 --app-server 10.0.0.12:8000 \\
        > /etc/nginx/sites-available/cms.conf

with the app's environment: media on this machine's disk (MEDIA_ROOT, no bucket) are served
by nginx, their images only.

`standalone()` writes a whole nginx directory instead, to run without the service
(`nginx -p DIR -c DIR/nginx.conf -g 'daemon off;'`), as tests/production/ does.
"""

import argparse
import re
from pathlib import Path

from cms.settings import base as app_settings

NGINX_DIR = Path(__file__).resolve().parent / "nginx"
PLACEHOLDER = re.compile(r"@([A-Z_]+)@")
# Passive health checks: one failed attempt takes an app server out for 10 s, after which
# nginx tries it with one request again (a restarted server is back within 10 s).
APP_SERVER_OPTIONS = "max_fails=1 fail_timeout=10s"
# The largest body each location passes on (locations.conf), in bytes, from the app's
# own limits: nginx refuses a bigger one before an app server is sent any of it.
BODY_LIMITS = {
    "graphql_body_bytes": app_settings.GRAPHQL_MAX_BODY_BYTES,
    # The REST API only reads: a body there is a mistake.
    "api_body_bytes": 1024,
    # An upload as big as the admin takes, with room for the rest of its form, so that
    # a file just too big gets Wagtail's own message in the form rather than nginx's.
    "admin_body_bytes": max(
        app_settings.WAGTAILDOCS_MAX_UPLOAD_SIZE, app_settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE
    )
    + 2**20,
    # Forms without files (Django's admin, page passwords).
    "body_bytes": app_settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
}
# The app's media folder when its media are on this machine's disk (no bucket): nginx
# serves their images from there (media.conf). In a bucket, they are served from its own
# domain (AWS_S3_CUSTOM_DOMAIN), not here.
MEDIA_ROOT = None if app_settings.MEDIA_BUCKET else app_settings.MEDIA_ROOT


def render(template, **values):
    """The template (a file in deploy/nginx/) with each placeholder @X@ replaced by values["x"];
    a placeholder without a value is a KeyError."""
    values = {"nginx_dir": NGINX_DIR, **values}
    return PLACEHOLDER.sub(
        lambda match: str(values[match[1].lower()]), (NGINX_DIR / template).read_text()
    )


def locations(upstream, media_root=None):
    """locations.conf: the server block's locations, proxying to `upstream` (an upstream's
    name or an app server's host:port), and with a `media_root` (a directory) serving its
    images and renditions, never its documents (media.conf)."""
    media = "\n" + render("media.conf", media_root=media_root) if media_root else ""
    return render("locations.conf", upstream=upstream, media=media, **BODY_LIMITS)


def site(
    *,
    listen,
    server_name,
    certificate,
    certificate_key,
    app_servers,
    access_log,
    trusted_proxies=(),
    media_root=None,
):
    """cms.conf: the load-balanced TLS server in front of `app_servers` (host:port),
    believing X-Forwarded-For from `trusted_proxies` (addresses or CIDR ranges) only, and
    serving the images in `media_root`, if given (one app server, media on its disk)."""
    servers = "\n    ".join(f"server {address} {APP_SERVER_OPTIONS};" for address in app_servers)
    return render(
        "cms.conf",
        trusted_proxies=_real_ip_from(trusted_proxies),
        listen=listen,
        server_name=server_name,
        certificate=certificate,
        certificate_key=certificate_key,
        app_servers=servers,
        access_log=access_log,
        locations=locations("cms_app_servers", media_root),
    )


def app_server_route(*, listen, server_name, certificate, certificate_key, app_server, access_log):
    """app-server.conf: a TLS server that sends everything to the one `app_server`."""
    return render(
        "app-server.conf",
        listen=listen,
        server_name=server_name,
        certificate=certificate,
        certificate_key=certificate_key,
        access_log=access_log,
        locations=locations(app_server),
    )


def origin(*, listen, server_name, access_log, trusted_proxies, media_root=None):
    """origin.conf: a plain-HTTP server for Varnish (or a CDN) in front, on a private
    address, believing X-Forwarded-For from `trusted_proxies` only; goes with cms.conf,
    and serves the images in `media_root` as it does."""
    return render(
        "origin.conf",
        listen=listen,
        server_name=server_name,
        access_log=access_log,
        trusted_proxies=_real_ip_from(trusted_proxies),
        locations=locations("cms_app_servers", media_root),
    )


def _real_ip_from(proxies):
    return "\n    ".join(f"set_real_ip_from {proxy};" for proxy in proxies)


def standalone(prefix, site_conf, extra_confs=()):
    """Write an nginx directory at `prefix` (nginx.conf, cms.conf = `site_conf`, and each
    of `extra_confs` in conf.d/); return the path of its nginx.conf."""
    prefix = Path(prefix)
    (prefix / "conf.d").mkdir(parents=True, exist_ok=True)
    (prefix / "cms.conf").write_text(site_conf)
    for number, conf in enumerate(extra_confs):
        (prefix / "conf.d" / f"{number}.conf").write_text(conf)
    main = prefix / "nginx.conf"
    main.write_text(render("standalone.conf", prefix=prefix))
    return main


def main():
    parser = argparse.ArgumentParser(description="Print deploy/nginx/cms.conf filled in.")
    parser.add_argument("--listen", default="443", help="address:port or port (443)")
    parser.add_argument("--server-name", required=True, help="e.g. cms.example.org")
    parser.add_argument("--certificate", required=True, help="PEM certificate (chain) file")
    parser.add_argument("--certificate-key", required=True, help="its private key file")
    parser.add_argument(
        "--app-server", action="append", required=True, help="host:port, once for each"
    )
    parser.add_argument("--access-log", default="/var/log/nginx/cms.access.log")
    parser.add_argument(
        "--trusted-proxy",
        action="append",
        default=[],
        help="a CDN's or Varnish's address or range whose X-Forwarded-For is believed",
    )
    parser.add_argument(
        "--origin-listen",
        help="also a plain-HTTP listener (private address:port) for Varnish in front, "
        "which must then be a --trusted-proxy",
    )
    options = parser.parse_args()
    common = {
        "server_name": options.server_name,
        "access_log": options.access_log,
        "trusted_proxies": options.trusted_proxy,
        "media_root": MEDIA_ROOT,
    }
    conf = site(
        listen=options.listen,
        certificate=options.certificate,
        certificate_key=options.certificate_key,
        app_servers=options.app_server,
        **common,
    )
    if options.origin_listen:
        conf += origin(listen=options.origin_listen, **common)
    print(conf, end="")


if __name__ == "__main__":
    main()
