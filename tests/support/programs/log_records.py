"""Write production log records to stdout: a refused request's and an exception's.

    python -m tests.support.programs.log_records

No arguments. Under the settings of the environment (tests/test_logging.py gives it
production's), it POSTs to /healthz, which answers only reads (Django logs the 405),
with the request id "request-1", then logs a KeyError's traceback with extra fields
outside any request.
"""

import logging


def main():
    import django

    django.setup()
    from django.test import Client

    Client().post("/healthz", headers={"X-Request-ID": "request-1"}, secure=True)
    try:
        {}["hero_image"]
    except KeyError:
        logging.getLogger("cms.example").exception(
            "Rendition failed", extra={"page_id": 42, "filter_spec": "width-320"}
        )


if __name__ == "__main__":
    main()
