// Verifies webhook deliveries as a Node front end does, with the standardwebhooks library.
//
// Reads JSON on stdin: {secret, deliveries: [{headers, body}], clockOffsetSeconds}. A
// `whsec_` secret is given as it is; a plain one as raw bytes (format "raw").
// clockOffsetSeconds moves this receiver's clock forward, to receive a delivery as if
// later (a replay). Writes JSON: for each delivery, {ok: true, payload} or
// {ok: false, error}.
const { Webhook } = require("standardwebhooks");

let input = "";
process.stdin.on("data", (chunk) => {
  input += chunk;
});
process.stdin.on("end", () => {
  const { secret, deliveries, clockOffsetSeconds = 0 } = JSON.parse(input);
  const now = Date.now;
  Date.now = () => now() + clockOffsetSeconds * 1000;
  const webhook = secret.startsWith("whsec_")
    ? new Webhook(secret)
    : new Webhook(secret, { format: "raw" });
  const results = deliveries.map(({ headers, body }) => {
    try {
      return { ok: true, payload: webhook.verify(body, headers) };
    } catch (error) {
      return { ok: false, error: error.message };
    }
  });
  process.stdout.write(JSON.stringify(results));
});
