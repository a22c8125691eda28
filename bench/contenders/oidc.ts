// oidc-provider 9: the client credentials grant enabled, one confidential client, its default
// in-memory adapter, opaque access tokens (its default format for this grant), as its docs
// describe. It is a Koa application: a node:http request listener.
import type { IncomingMessage, ServerResponse } from "node:http";
// @ts-ignore: oidc-provider ships no type declarations (its types live in @types/oidc-provider).
import Provider from "oidc-provider";
import { CLIENT_ID, CLIENT_SECRET, ORIGIN, SCOPE } from "../fixture.ts";

/** A fresh provider's node:http listener. */
export function createOidcProvider(issuer = ORIGIN): (req: IncomingMessage, res: ServerResponse) => void {
  const provider = new Provider(issuer, {
    clients: [{
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      grant_types: ["client_credentials"],
      redirect_uris: [],
      response_types: [],
      token_endpoint_auth_method: "client_secret_basic",
      scope: SCOPE,
    }],
    scopes: [SCOPE],
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
    },
    ttl: { ClientCredentials: 600 },
  });
  // Silence the per-request error events it emits for refused requests.
  provider.on("server_error", () => {});
  return provider.callback() as (req: IncomingMessage, res: ServerResponse) => void;
}
