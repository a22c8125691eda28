// A token server from this library and an MCP server guarded by it, on loopback ports
// through srvx (`npx tsx examples/mcp/main.ts`; PORT and MCP_PORT, 0 for free ones). It
// prints a client's credentials and the command that runs examples/mcp/client.ts against it.
import { listen } from "../listen.ts";
import {
  createAuthorizationServer,
  generateClientId,
  generateClientSecret,
  generateSigningKey,
  hashClientSecret,
  KeySet,
} from "../../mod.ts";
import { type ResourceServerOptions } from "../../src/resource_server/mod.ts";
import { mcpFetchHandler, TOOLS_SCOPE } from "./mcp_server.ts";



const auth = await listen(Number(process.env.PORT ?? 8787));
const mcp = await listen(Number(process.env.MCP_PORT ?? 8789));
const mcpUrl = `${mcp.origin}/mcp`;

// --- The token server: JWT access tokens for the MCP server, and nothing else -----------
const client_id = generateClientId();
const client_secret = generateClientSecret();
const authorizationServer = createAuthorizationServer({
  issuer: auth.origin,
  // Metadata the MCP TypeScript SDK accepts: its schema requires authorization_endpoint and
  // response_types_supported, which RFC 8414 lets this server omit. The profile publishes
  // both; the endpoint refuses every request with unsupported_response_type, so an
  // interactive MCP client sent there learns that this server is for machine clients.
  profile: "mcp",
  accessTokenFormat: "jwt",
  signingKeys: new KeySet({ active: await generateSigningKey("ES256") }),
  clients: [{
    client_id,
    client_secret_hash: await hashClientSecret(client_secret),
    grant_types: ["client_credentials"],
    scope: TOOLS_SCOPE,
    allowed_resources: [mcpUrl],
  }],
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

console.log([
  `Token server listening on ${auth.origin}`,
  `MCP server listening on ${mcpUrl}`,
  `Call its tool with the SDK's ClientCredentialsProvider:`,
  `  MCP_URL=${mcpUrl} ISSUER=${auth.origin} CLIENT_ID=${client_id} CLIENT_SECRET=${client_secret} npx tsx examples/mcp/client.ts`,
].join("\n"));
