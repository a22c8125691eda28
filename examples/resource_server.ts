// A token server and a protected API side by side, on Node through srvx
// (`npx tsx examples/resource_server.ts`; PORT and API_PORT set the ports, 0 picks free ones).
//
// The token server issues RFC 9068 JWT access tokens signed with a key generated at start-up
// and serves its JWK Set at /jwks. The API verifies tokens on its own with that JWK Set
// (fetched over HTTP and cached), requires the scope each route needs, and serves its
// RFC 9728 metadata, which its 401 challenges point to.
import { listen } from "./listen.ts";
import {
  createAuthorizationServer,
  generateClientSecret,
  generateSigningKey,
  hashClientSecret,
  KeySet,
} from "../mod.ts";
import {
  handleProtectedResourceMetadataRequest,
  protectedResourceMetadataUrl,
  type ResourceServerOptions,
  verifyAccessToken,
} from "../src/resource_server/mod.ts";

const json = (status: number, body: unknown) => Response.json(body, { status, headers: { "cache-control": "no-store" } });


const auth = await listen(Number(process.env.PORT ?? 8787));
const api = await listen(Number(process.env.API_PORT ?? 8788));

// --- The token server -------------------------------------------------------------------
const client_id = "demo-client";
const client_secret = generateClientSecret();
const signingKeys = new KeySet({ active: await generateSigningKey("ES256") });
const authorizationServer = createAuthorizationServer({
  issuer: auth.origin,
  accessTokenFormat: "jwt",
  signingKeys,
  clients: [{
    client_id,
    client_secret_hash: await hashClientSecret(client_secret),
    grant_types: ["client_credentials"],
    scope: "invoices:read invoices:write",
    default_scope: "invoices:read",
    allowed_resources: [api.origin],
    default_resource: api.origin, // the audience when a request names no resource
  }],
});
// Token, introspection, revocation, metadata and the JWK Set (at /jwks), in one handler.
auth.handle(authorizationServer.fetch);

// --- The protected API ------------------------------------------------------------------
const resourceServer: ResourceServerOptions = {
  resource: api.origin,
  issuer: auth.origin,
  jwksUri: authorizationServer.endpoints.jwks,
  metadata: { scopes_supported: ["invoices:read", "invoices:write"], resource_name: "Invoices API" },
};
const metadataPath = new URL(protectedResourceMetadataUrl(api.origin)).pathname;
api.handle(async (request) => {
  const { pathname } = new URL(request.url);
  if (pathname === metadataPath) return handleProtectedResourceMetadataRequest(request, resourceServer);
  if (pathname !== "/invoices") return json(404, { error: "not_found" });
  const scope = request.method === "GET" ? "invoices:read" : "invoices:write";
  const result = await verifyAccessToken(request, resourceServer, { scope });
  if (!result.ok) return result.response;
  return json(200, { client: result.claims.client_id, invoices: [{ id: 1, total: 42 }] });
});

console.log([
  `Token server (Node) listening on ${auth.origin}  (JWK Set: ${auth.origin}/jwks)`,
  `Protected API listening on ${api.origin}  (metadata: ${protectedResourceMetadataUrl(api.origin)})`,
  `Demo client: ${client_id} (secret generated at start-up, stored only as a hash)`,
  `Get a token, then call the API:`,
  `  TOKEN=$(curl -s -u '${client_id}:${client_secret}' -d grant_type=client_credentials -d resource=${api.origin} ${auth.origin}/token | sed 's/.*"access_token":"\\([^"]*\\)".*/\\1/')`,
  `  curl -s -H "Authorization: Bearer $TOKEN" ${api.origin}/invoices`,
].join("\n"));
