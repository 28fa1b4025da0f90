// Apollo Client reading one query over GET (as a front-end server behind a CDN would,
// with its key) again and again until the answer differs from the first, then once more;
// prints one JSON object,
//   {"reads": [{began, data, errors, status, cache}, ...]}
// where `began` is when each read began (ms since the epoch) and `cache` Varnish's
// X-Cache; "read once" goes to stderr after the first read. tests/production/
// test_releases.py runs it against Varnish while a release goes live, and judges every read.
//
//   node poll-until-changed.mjs GRAPHQL_URL QUERY TIMEOUT_MS
//
// FRONTEND_KEY (environment) is sent as X-Frontend-Key.

import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";

const [url, text, timeoutMs] = process.argv.slice(2);
const PAUSE_MS = 50;
let last = {};

async function recordingFetch(input, init) {
  const response = await fetch(input, init);
  last = { status: response.status, cache: response.headers.get("x-cache") };
  return response;
}

const client = new ApolloClient({
  link: new HttpLink({
    uri: url,
    useGETForQueries: true,
    headers: { "X-Frontend-Key": process.env.FRONTEND_KEY ?? "" },
    fetch: recordingFetch,
  }),
  cache: new InMemoryCache(),
});
const query = gql(text);

async function read() {
  const began = Date.now();
  const { data, error } = await client.query({ query, fetchPolicy: "no-cache", errorPolicy: "all" });
  return { began, data: data ?? null, errors: error ? [String(error)] : [], ...last };
}

const reads = [await read()];
process.stderr.write("read once\n"); // the test waits for it before the change is made
const first = JSON.stringify(reads[0].data);
const deadline = Date.now() + Number(timeoutMs);
while (Date.now() < deadline) {
  const each = await read();
  reads.push(each);
  if (JSON.stringify(each.data) !== first) {
    reads.push(await read()); // and once more: it stays changed
    break;
  }
  await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
}
process.stdout.write(JSON.stringify({ reads }));
