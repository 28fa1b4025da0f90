"""Log an error, send Sentry what it has, and say whether Sentry is active.

    python -m tests.support.programs.log_an_error

No arguments. Under the settings of the environment (tests/test_sentry.py gives it
production's, with or without SENTRY_DSN), it logs an error, waits up to 5 seconds for
sentry-sdk to send it, and prints {"sentry_active": true|false} as the last line.
"""

import json
import logging


def main():
    import django

    django.setup()
    import sentry_sdk

    logging.getLogger("cms.example").error("The rendition service failed")
    sentry_sdk.flush(timeout=5)
    print(json.dumps({"sentry_active": sentry_sdk.get_client().is_active()}))


if __name__ == "__main__":
    main()
