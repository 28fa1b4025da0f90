"""gunicorn's settings for an app server (the Procfile's `web`, which binds it to $PORT).

Workers: WEB_CONCURRENCY (default 2; about two for each core), sync ones: a request stuck
past `timeout` is cut off, which threaded workers do not do (benoitc/gunicorn#2086; the
README's "The app server" has the measurements). Logs: gunicorn's own
records (start, workers booting and exiting, errors) go to stdout as JSON lines, like the
app's (cms/settings/production.py), so the platform's log collector reads one format.
There is no access log here: the proxy in front logs every request (deploy/nginx/), with
the request id the app logs too.
"""

import contextlib
import os
import time

from gunicorn.http.errors import ParseException

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# A request the app has not answered in 30 s is stuck: its worker is restarted.
timeout = 30
# On SIGTERM, workers finish what they are answering for up to 20 s.
graceful_timeout = 20
# No control socket (gunicornc): nothing uses it, and app servers sharing a machine (make
# production beside another, the tests' two) would share its one default path.
control_socket_disable = True
# How long a worker goes on reading a body the app answered without reading (below).
DRAIN_SECONDS = 5


def post_request(worker, req, environ, resp):
    """Read what the app left unread of the request's body before the connection closes.

    The app answers some requests without reading their body (a refusal: no CSRF token,
    a wrong key, a body it will not take). Closed with data unread, the connection is
    reset, and the proxy, still sending the body, gets an error instead of the answer
    (nginx answers 502 and takes this server out). nginx bounds how big the body is
    (deploy/nginx/locations.conf); this, how long reading it may take.
    """
    deadline = time.monotonic() + DRAIN_SECONDS
    # Past the deadline, the client gone, or a malformed chunk: the connection closes as
    # it is.
    with contextlib.suppress(OSError, ParseException):
        while (remaining := deadline - time.monotonic()) > 0:
            req.unreader.sock.settimeout(remaining)
            if not req.body.read(2**16):
                break


logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(process)d %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": True,
        },
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
        },
    },
    "root": {"handlers": ["stdout"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        # No access log (see above): gunicorn writes one whenever logging is configured.
        "gunicorn.access": {"handlers": [], "propagate": False},
    },
}
