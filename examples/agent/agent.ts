// An agent acting for a signed-in user, as MCP's enterprise-managed authorization has it:
//
// 1. it asks the enterprise identity provider for an ID-JAG for the token server and the
//    MCP server (RFC 8693 token exchange at the IdP, draft-ietf-oauth-identity-assertion-authz-grant s4.3);
// 2. it trades the ID-JAG for an access token at the token server with the JWT bearer grant
//    (RFC 7523 s2.1; the draft's s4.4), authenticating as itself (client_secret_basic).
//    The MCP TypeScript SDK (1.x) has no client for this grant (its auth providers do
//    client_credentials and private_key_jwt client authentication), so this step uses
//    oauth4webapi's genericTokenEndpointRequest;
// 3. it calls the MCP server's tool with the official MCP SDK, the token as a bearer token.
//
// Web-standard fetch only; runs on Node, Deno and Bun. Prints one JSON line.
//
//   IDP_TOKEN_ENDPOINT IDP_CLIENT_ID IDP_CLIENT_SECRET SESSION   the IdP, and the user's session there
//   ISSUER CLIENT_ID CLIENT_SECRET                               the token server, and the agent's client there
//   MCP_URL                                                      the MCP server
import * as oauth from "oauth4webapi";
// (@ts-types: for Deno, see tests/mcp.test.ts)
// @ts-types="../../node_modules/@modelcontextprotocol/sdk/dist/esm/client/index.d.ts"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="../../node_modules/@modelcontextprotocol/sdk/dist/esm/client/streamableHttp.d.ts"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { env } from "../federation/env.ts";

const JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";

function required(name: string): string {
  const value = env(name);
  if (value === undefined || value === "") throw new Error(`${name} is not set`);
  return value;
}

const issuer = required("ISSUER");
const mcpUrl = required("MCP_URL");
const allowHttp = { [oauth.allowInsecureRequests]: issuer.startsWith("http://") };

// 1. The ID-JAG, from the identity provider.
const idp = await fetch(required("IDP_TOKEN_ENDPOINT"), {
  method: "POST",
  headers: {
    "content-type": "application/x-www-form-urlencoded",
    authorization: `Basic ${btoa(`${required("IDP_CLIENT_ID")}:${required("IDP_CLIENT_SECRET")}`)}`,
  },
  body: new URLSearchParams({
    grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
    requested_token_type: "urn:ietf:params:oauth:token-type:id-jag",
    subject_token: required("SESSION"),
    subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
    audience: issuer,
    resource: mcpUrl,
    scope: "mcp:tools",
  }),
});
const { access_token: idJag } = await idp.json() as { access_token: string };

// 2. The access token: the token server's metadata, then the JWT bearer grant.
const as = await oauth.processDiscoveryResponse(new URL(issuer), await oauth.discoveryRequest(new URL(issuer), { algorithm: "oauth2", ...allowHttp }));
if (!(as.grant_types_supported ?? []).includes(JWT_BEARER_GRANT)) throw new Error("the token server does not offer the JWT bearer grant");
const client: oauth.Client = { client_id: required("CLIENT_ID") };
const response = await oauth.genericTokenEndpointRequest(
  as,
  client,
  oauth.ClientSecretBasic(required("CLIENT_SECRET")),
  JWT_BEARER_GRANT,
  new URLSearchParams({ assertion: idJag, resource: mcpUrl }),
  allowHttp,
);
let token: oauth.TokenEndpointResponse | undefined;
try {
  token = await oauth.processGenericTokenEndpointResponse(as, client, response);
} catch (e) {
  console.log(JSON.stringify({ step: "token", status: response.status, error: e instanceof oauth.ResponseBodyError ? e.error : String(e) }));
}

// 3. The MCP tool call, with the access token.
if (token !== undefined) {
  const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), {
    requestInit: { headers: { authorization: `Bearer ${token.access_token}` } },
  });
  const mcp = new Client({ name: "agent", version: "1.0.0" });
  await mcp.connect(transport);
  try {
    const result = await mcp.callTool({ name: "add", arguments: { a: 2, b: 3 } });
    const text = (result.content as Array<{ type: string; text: string }>)[0]!.text;
    console.log(JSON.stringify({ step: "mcp", scope: token.scope, result: text }));
  } finally {
    await mcp.close();
  }
}
