// Enterprise-managed authorization for an agent, end to end on loopback: an identity
// provider (examples/agent/idp.ts) that issues ID-JAGs, this library's token server trusting
// it for the JWT bearer grant (RFC 7523 s2.1, draft-ietf-oauth-identity-assertion-authz-grant),
// and an MCP server guarded by verifyAccessToken (examples/mcp/mcp_server.ts). Runs on Node,
// Deno and Bun:
//
//   npx tsx examples/agent/main.ts
//   deno run --allow-net --allow-env --allow-read examples/agent/main.ts
//   bun examples/agent/main.ts
//
// IDP_PORT, PORT and MCP_PORT set the ports (0 picks free ones). It prints the command that
// runs the agent (examples/agent/agent.ts): once for Alice, whom the policy lets use the MCP
// server's tools, and once for Mallory, whom it does not.
import { createAuthorizationServer, generateSigningKey, type JwtBearerPolicy, JWT_BEARER_GRANT, KeySet, type ResourceServerOptions } from "../../mod.ts";
import { env } from "../federation/env.ts";
import { listen } from "../listen.ts";
import { mcpFetchHandler, TOOLS_SCOPE } from "../mcp/mcp_server.ts";
import { createIdentityProvider } from "./idp.ts";

const port = (name: string, fallback: number) => Number(env(name) ?? fallback);
const idp = await listen(port("IDP_PORT", 8791));
const auth = await listen(port("PORT", 8787));
const mcp = await listen(port("MCP_PORT", 8789));
const mcpUrl = `${mcp.origin}/mcp`;

// --- The identity provider: two signed-in users, and the agent registered with it --------
const sessions = { alice: crypto.randomUUID(), mallory: crypto.randomUUID() };
const agentAtIdp = { id: "agent-at-idp", secret: crypto.randomUUID() };
idp.handle(await createIdentityProvider(
  idp.origin,
  new Map([[sessions.alice, { sub: "00u1alice", email: "alice@acme.example" }], [sessions.mallory, { sub: "00u9mallory", email: "mallory@acme.example" }]]),
  // The IdP knows the agent's client_id at the token server: it goes in the ID-JAG.
  new Map([[agentAtIdp.id, { secret: agentAtIdp.secret, client_id: "agent" }]]),
));

// --- The token server: trusts the IdP's ID-JAGs; the policy says who may use the tools ---
const agentSecret = crypto.randomUUID();
const toolUsers = new Set(["00u1alice"]);
const jwtBearerPolicy: JwtBearerPolicy = (r) =>
  r.issuer === idp.origin && toolUsers.has(r.subject) ? { scope: TOOLS_SCOPE, resource: [mcpUrl] } : false;
const authorizationServer = createAuthorizationServer({
  issuer: auth.origin,
  profile: "mcp",
  accessTokenFormat: "jwt",
  signingKeys: new KeySet({ active: await generateSigningKey("ES256") }),
  // Keys from the IdP's discovery document; its assertions are ID-JAGs (the default grantProfile).
  trustedIssuers: [{ issuer: idp.origin }],
  jwtBearerPolicy,
  clients: [{
    client_id: "agent",
    client_secret: agentSecret,
    grant_types: [JWT_BEARER_GRANT],
    scope: TOOLS_SCOPE,
    allowed_resources: [mcpUrl],
    default_resource: mcpUrl,
  }],
  onEvent: (event) => {
    if (event.type === "jwt_bearer_assertion") console.log(`[token server] ID-JAG ${event.result} for ${event.subject ?? "?"} (${event.issuer ?? "?"})`);
  },
});
auth.handle(authorizationServer.fetch);

// --- The MCP server: verifies tokens with the token server's published keys -------------
const resourceServer: ResourceServerOptions = {
  resource: mcpUrl,
  issuer: auth.origin,
  jwksUri: authorizationServer.endpoints.jwks,
  metadata: { scopes_supported: [TOOLS_SCOPE], resource_name: "Invoices MCP server" },
};
mcp.handle(mcpFetchHandler(resourceServer));

const agent = (session: string) =>
  `IDP_TOKEN_ENDPOINT=${idp.origin}/token IDP_CLIENT_ID=${agentAtIdp.id} IDP_CLIENT_SECRET=${agentAtIdp.secret} SESSION=${session} ` +
  `ISSUER=${auth.origin} CLIENT_ID=agent CLIENT_SECRET=${agentSecret} MCP_URL=${mcpUrl} npx tsx examples/agent/agent.ts`;
console.log([
  `Identity provider at ${idp.origin}`,
  `Token server at ${auth.origin}, trusting ${idp.origin} for ID-JAGs`,
  `MCP server at ${mcpUrl}`,
  `The agent, for Alice, trades her ID-JAG for an access token and calls the MCP tool:`,
  `  ${agent(sessions.alice)}`,
  `For Mallory, whom the policy does not let use the tools, it is refused:`,
  `  ${agent(sessions.mallory)}`,
].join("\n"));
