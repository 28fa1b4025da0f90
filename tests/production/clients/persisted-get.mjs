// Apollo Client with its persisted-query link sending hashed queries as GET
// (useGETForHashedQueries), anonymous, as a browser behind a CDN would: asks one query
// three times (with the variables given, a JSON object, if any) and prints one JSON object,
//   {"results": [{data, errors}, ...], "requests": [{method, hashOnly, status, cache}, ...]}
// where "requests" lists every HTTP request the link made, with Varnish's X-Cache.
// tests/production/test_cdn.py runs it against Varnish.
//
//   node persisted-get.mjs GRAPHQL_URL QUERY_FILE [VARIABLES_JSON]

import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";

import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";

const [url, queryFile, variablesJson] = process.argv.slice(2);
const variables = variablesJson ? JSON.parse(variablesJson) : undefined;
const requests = [];

async function recordingFetch(input, init) {
  const response = await fetch(input, init);
  requests.push({
    method: init?.method ?? "GET",
    hashOnly: !new URL(String(input)).searchParams.has("query") && !init?.body?.includes?.('"query"'),
    status: response.status,
    cache: response.headers.get("x-cache"),
  });
  return response;
}

const client = new ApolloClient({
  link: new PersistedQueryLink({
    sha256: (text) => createHash("sha256").update(text).digest("hex"),
    useGETForHashedQueries: true,
  }).concat(new HttpLink({ uri: url, fetch: recordingFetch })),
  cache: new InMemoryCache(),
});

const query = gql(await readFile(queryFile, "utf8"));
const results = [];
for (let n = 0; n < 3; n++) {
  const { data, error } = await client.query({ query, variables, fetchPolicy: "no-cache", errorPolicy: "all" });
  results.push({ data: data ?? null, errors: error ? [String(error)] : [] });
}
console.log(JSON.stringify({ results, requests }));
