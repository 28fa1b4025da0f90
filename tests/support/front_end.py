"""A stand-in headless front end on a free local port, for the webhook and browser tests.

It does the two things a real headless front end does with this CMS:

- `POST /api/revalidate`: the webhook receiver, recording every delivery in
  `deliveries`; it answers with the statuses queued in `statuses` in turn, then 200.
  `GET /webhooks/` lists the deliveries, to screenshot.
- `GET /preview/?content_type=...&token=...`: the preview route the admin's "Front end"
  preview mode frames, once a test has given it the CMS's `graphql_url`. Its script
  fetches the draft with `page(token:)` from the CMS's GraphQL API, from the browser (so
  across origins, through CORS), and shows it.
"""

import html
import json
import threading
from http.server import BaseHTTPRequestHandler

from tests.support.webhook_receiving import Delivery, LocalServer

PREVIEW_QUERY = """
query Preview($token: String!) {
  page(token: $token) {
    title
    ... on PrinciplePage { summary }
    ... on NewsPage { summary }
  }
}
"""

PREVIEW_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Front-end preview</title>
  <style>
    body { font-family: sans-serif; margin: 1.5rem; }
    .banner { background: #ffdd00; padding: 0.5rem; font-weight: bold; }
  </style>
</head>
<body>
  <p class="banner">Front-end preview: draft content</p>
  <main id="preview" data-state="loading">Loading the draft&hellip;</main>
  <script>
    const main = document.getElementById("preview");
    const token = new URLSearchParams(location.search).get("token");
    fetch(GRAPHQL_URL, {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify({query: PREVIEW_QUERY, variables: {token}}),
    })
      .then((response) => response.json())
      .then(({data, errors}) => {
        if (errors) throw new Error(errors[0].message);
        const title = document.createElement("h1");
        title.textContent = data.page.title;
        const summary = document.createElement("p");
        summary.id = "summary";
        summary.textContent = data.page.summary;
        main.replaceChildren(title, summary);
        main.dataset.state = "ready";
      })
      .catch((error) => {
        main.textContent = "Preview failed: " + error.message;
        main.dataset.state = "failed";
      });
  </script>
</body>
</html>
"""


class FrontEnd(LocalServer):
    """Receives webhooks signed with `webhook_secret` and serves the preview route, until
    the `with` block ends."""

    def __init__(self, webhook_secret):
        self.deliveries = []
        self.statuses = []
        self.graphql_url = None
        self.lock = threading.Lock()
        front_end = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path.startswith("/preview/") and front_end.graphql_url:
                    self.answer(200, front_end.preview_page())
                elif self.path == "/webhooks/":
                    self.answer(200, front_end.deliveries_page(webhook_secret))
                else:
                    self.answer(404, b"Not found")

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with front_end.lock:
                    front_end.deliveries.append(Delivery(self.path, self.headers, body))
                    status = front_end.statuses.pop(0) if front_end.statuses else 200
                self.answer(status, b"")

            def answer(self, status, content):
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def log_message(self, format, *args):
                pass

        self.serve(Handler)
        self.preview_url = f"{self.origin}/preview/"
        self.webhook_url = f"{self.origin}/api/revalidate"

    def preview_page(self):
        return (
            PREVIEW_PAGE.replace("GRAPHQL_URL", json.dumps(self.graphql_url))
            .replace("PREVIEW_QUERY", json.dumps(PREVIEW_QUERY))
            .encode()
        )

    def deliveries_page(self, secret):
        with self.lock:
            rows = "".join(
                "<tr>"
                + "".join(
                    f"<td>{html.escape(str(cell))}</td>"
                    for cell in (
                        d.event,
                        d.payload["type"],
                        d.payload["id"],
                        d.payload["urlPath"],
                        "valid" if d.signed_with(secret) else "INVALID",
                    )
                )
                + "</tr>"
                for d in self.deliveries
            )
        return (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            "<title>Webhooks received</title><style>body { font-family: sans-serif; }"
            " td, th { border: 1px solid #999; padding: 0.3rem 0.6rem; }</style></head>"
            "<body><h1>Webhooks received by the front end</h1><table><tr><th>event</th>"
            "<th>type</th><th>id</th><th>urlPath</th><th>signature</th></tr>"
            f"{rows}</table></body></html>"
        ).encode()
