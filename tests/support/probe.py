"""Answer requests in this process through Django's test client, and report.

    python -m tests.support.probe REQUESTS SETTINGS OUT

run from the project directory under the environment an app server would have
(tests/support/app_process.py's `probe` does). REQUESTS is a JSON list of requests, each a
dict with "path" and optionally "method", "data", "content_type", "headers" and "secure"
(default true: over HTTPS, as the proxy would send them); SETTINGS is a JSON list of
setting names. The settings' values and each response (status, headers with lower-cased
names, body, seconds taken) are written as JSON to the file OUT.
"""

import json
import sys
import time


def answer(requests):
    from django.test import Client

    client = Client()
    responses = []
    for request in requests:
        started = time.monotonic()
        response = client.generic(
            request.get("method", "GET"),
            request["path"],
            request.get("data", ""),
            content_type=request.get("content_type", "application/octet-stream"),
            secure=request.get("secure", True),
            headers=request.get("headers"),
        )
        responses.append(
            {
                "status": response.status_code,
                "headers": {name.lower(): value for name, value in response.items()},
                "body": response.content.decode(),
                "seconds": time.monotonic() - started,
            }
        )
    return responses


def main(requests_json, settings_json, out_path):
    import django

    django.setup()
    from django.conf import settings

    responses = answer(json.loads(requests_json))
    report = {
        "settings": {name: getattr(settings, name) for name in json.loads(settings_json)},
        "responses": responses,
    }
    with open(out_path, "w") as out:
        json.dump(report, out)


if __name__ == "__main__":
    main(*sys.argv[1:])
