// A real OpenID provider for the sign-in tests: panva's oidc-provider (OpenID Certified),
// on a free loopback port, with one confidential client (the CMS) and the test users.
//
//   node server.mjs <config.json>
//
// config.json: {"client_id", "client_secret", "redirect_uris": [...],
//               "post_logout_redirect_uris": [...], "accounts": "<accounts.json>"}
// accounts.json: {"<login>": {"email", "name", "groups": [...]}, ...}, read afresh at each
// sign-in, so a test can move a user between groups and sign them in again.
//
// Prints {"issuer": "http://127.0.0.1:<port>"} on one line once it answers. Sign-in uses
// the package's own development screens: any password is taken for a listed login (the
// test provider's users stand in for the council's; their passwords are not the point).
import { readFileSync } from "node:fs";
import { createServer } from "node:http";

import Provider from "oidc-provider";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const accounts = () => JSON.parse(readFileSync(config.accounts, "utf8"));

const server = createServer();
server.listen(0, "127.0.0.1", () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: config.client_id,
        client_secret: config.client_secret,
        redirect_uris: config.redirect_uris,
        post_logout_redirect_uris: config.post_logout_redirect_uris,
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_post",
      },
    ],
    // As Microsoft Entra ID does: the groups in the ID token, beside the profile.
    claims: {
      openid: ["sub"],
      email: ["email"],
      profile: ["name", "preferred_username"],
      groups: ["groups"],
    },
    conformIdTokenClaims: false,
    // The CMS always sends a PKCE challenge: refuse any request without one.
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    cookies: { keys: ["test-provider-cookie-key"] },
    async findAccount(_ctx, sub) {
      const account = accounts()[sub];
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims() {
          return { sub, preferred_username: sub, ...account };
        },
      };
    },
    // The CMS is a first-party client: no consent screen, every scope it asks for granted.
    async loadExistingGrant(ctx) {
      const { Grant } = ctx.oidc.provider;
      const grant = new Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope(ctx.oidc.requestParamScopes ? [...ctx.oidc.requestParamScopes].join(" ") : "openid");
      await grant.save();
      return grant;
    },
  });
  provider.proxy = false;
  server.on("request", provider.callback());
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

process.on("SIGTERM", () => server.close(() => process.exit(0)));
