// Runs every docs/queries/*.graphql (with the variables beside it, *.variables.json)
// through Apollo Client and through urql, as a front-end server would, and prints one
// JSON object: {"apollo": {name: {data, errors}}, "urql": {...}, "responses": [...]},
// where "responses" lists the status and X-Request-ID of every HTTP response received.
// tests/production/test_clients.py compares the results with docs/queries/*.json.
//
//   node run-queries.mjs GRAPHQL_URL QUERIES_DIR
//
// FRONTEND_KEY (environment) is sent as X-Frontend-Key, as a keyed front-end server
// sends it. NODE_EXTRA_CA_CERTS names the test deployment's self-signed certificate.

import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { Client, cacheExchange, fetchExchange } from "@urql/core";

const [url, queriesDir] = process.argv.slice(2);
const headers = { "X-Frontend-Key": process.env.FRONTEND_KEY ?? "" };
const responses = [];

// Node's own fetch, noting what came back to which client.
function recordingFetch(client) {
  return async (input, init) => {
    const response = await fetch(input, init);
    responses.push({
      client,
      method: init?.method ?? "GET",
      status: response.status,
      requestId: response.headers.get("x-request-id"),
    });
    return response;
  };
}

async function readQueries() {
  const names = (await readdir(queriesDir)).filter((name) => name.endsWith(".graphql")).sort();
  return Promise.all(
    names.map(async (name) => {
      const stem = name.slice(0, -".graphql".length);
      let variables = {};
      try {
        variables = JSON.parse(await readFile(join(queriesDir, `${stem}.variables.json`), "utf8"));
      } catch (error) {
        if (error.code !== "ENOENT") throw error;
      }
      return { stem, text: await readFile(join(queriesDir, name), "utf8"), variables };
    }),
  );
}

// Apollo Client adds __typename to every selection; no-cache hands back what the server
// said (the normalised cache would need the schema's possible types to match fragments).
async function runApollo(queries) {
  const client = new ApolloClient({
    link: new HttpLink({ uri: url, headers, fetch: recordingFetch("apollo") }),
    cache: new InMemoryCache(),
  });
  const results = {};
  for (const { stem, text, variables } of queries) {
    const { data, error } = await client.query({
      query: gql(text),
      variables,
      fetchPolicy: "no-cache",
      errorPolicy: "all",
    });
    results[stem] = { data: data ?? null, errors: describe(error) };
  }
  return results;
}

// urql adds __typename too; it sends queries as GET when they fit in a URL (its default).
async function runUrql(queries) {
  const client = new Client({
    url,
    exchanges: [cacheExchange, fetchExchange],
    fetch: recordingFetch("urql"),
    fetchOptions: { headers },
    requestPolicy: "network-only",
  });
  const results = {};
  for (const { stem, text, variables } of queries) {
    const { data, error } = await client.query(text, variables).toPromise();
    results[stem] = { data: data ?? null, errors: describe(error) };
  }
  return results;
}

function describe(error) {
  if (!error) return [];
  const errors = error.errors ?? error.graphQLErrors ?? [];
  const messages = errors.map((each) => each.message);
  if (error.networkError) messages.push(`network: ${error.networkError.message}`);
  return messages.length ? messages : [error.message];
}

const queries = await readQueries();
const apollo = await runApollo(queries);
const urql = await runUrql(queries);
process.stdout.write(JSON.stringify({ apollo, urql, responses }));
