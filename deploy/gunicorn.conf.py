"""gunicorn's settings for an app server (the Procfile's `web`, which binds it to $PORT).

Workers: WEB_CONCURRENCY (default 2; about two for each core). Logs: gunicorn's own
records (start, workers booting and exiting, errors) go to stdout as JSON lines, like the
app's (cms/settings/production.py), so the platform's log collector reads one format.
There is no access log here: the proxy in front logs every request (deploy/nginx/), with
the request id the app logs too.
"""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# A request the app has not answered in 30 s is stuck: its worker is restarted.
timeout = 30
# On SIGTERM, workers finish what they are answering for up to 20 s.
graceful_timeout = 20
# No control socket (gunicornc): nothing uses it, and app servers sharing a machine (make
# production beside another, the tests' two) would share its one default path.
control_socket_disable = True

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
