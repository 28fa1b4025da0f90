// Runs graphql-http's audits of the GraphQL-over-HTTP specification against a GraphQL
// endpoint, one after another, and prints one JSON array: for each audit its id, name
// (which begins with MUST, SHOULD or MAY), status ("ok", or for a failure "error" for a
// MUST, "warn" for a SHOULD, "notice" for a MAY) and, for a failure, the reason and the
// response's status and body.
//
//   node audit.mjs GRAPHQL_URL
//
// FRONTEND_KEY (environment), if set, is sent as X-Frontend-Key on every request, as a
// keyed front-end server sends it: its budget is not a browser's (60-odd requests would
// spend a test deployment's). NODE_EXTRA_CA_CERTS names a test deployment's certificate.

import { serverAudits } from "graphql-http";

const [url] = process.argv.slice(2);
const key = process.env.FRONTEND_KEY;

function fetchWithKey(input, init = {}) {
  const headers = new Headers(init.headers);
  if (key) headers.set("X-Frontend-Key", key);
  return fetch(input, { ...init, headers });
}

const results = [];
// One at a time: a response is read by the audit that asked for it, and the server sees
// the audits in a repeatable order.
for (const { fn } of serverAudits({ url, fetchFn: fetchWithKey })) {
  const { id, name, status, reason, response } = await fn();
  const result = { id, name, status };
  if (status !== "ok") {
    result.reason = reason;
    result.response = { status: response.status, type: response.headers.get("content-type") };
  }
  results.push(result);
}
console.log(JSON.stringify(results));
