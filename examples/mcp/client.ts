// An MCP machine client: the official SDK's ClientCredentialsProvider on a Streamable HTTP
// transport. It connects, gets a 401 naming the resource metadata, discovers the
// authorization server, gets a token for this MCP server (RFC 8707 `resource`) with its
// client_id and secret, and calls a tool.
//
//   MCP_URL=... ISSUER=... CLIENT_ID=... CLIENT_SECRET=... npx tsx examples/mcp/client.ts
// (@ts-types: for Deno, see tests/mcp.test.ts)
// @ts-types="../../node_modules/@modelcontextprotocol/sdk/dist/esm/client/index.d.ts"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="../../node_modules/@modelcontextprotocol/sdk/dist/esm/client/auth-extensions.d.ts"
import { ClientCredentialsProvider } from "@modelcontextprotocol/sdk/client/auth-extensions.js";
// @ts-types="../../node_modules/@modelcontextprotocol/sdk/dist/esm/client/streamableHttp.d.ts"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

/** Connects with client credentials and calls the `add` tool; resolves with its text. */
export async function callAdd(options: {
  mcpUrl: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  scope: string;
  fetch?: (url: string | URL, init?: RequestInit) => Promise<Response>;
}): Promise<string> {
  const authProvider = new ClientCredentialsProvider({
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    scope: options.scope,
    // The credentials are sent only to this authorization server, whatever the MCP server says.
    expectedIssuer: options.issuer,
  });
  const transport = new StreamableHTTPClientTransport(new URL(options.mcpUrl), { authProvider, fetch: options.fetch });
  const client = new Client({ name: "m2m-example-client", version: "1.0.0" });
  await client.connect(transport);
  try {
    const result = await client.callTool({ name: "add", arguments: { a: 2, b: 3 } });
    return (result.content as Array<{ type: string; text: string }>)[0]!.text;
  } finally {
    await client.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const env = (name: string) => process.env[name] ?? (() => { throw new Error(`set ${name}`); })();
  console.log(await callAdd({
    mcpUrl: env("MCP_URL"),
    issuer: env("ISSUER"),
    clientId: env("CLIENT_ID"),
    clientSecret: env("CLIENT_SECRET"),
    scope: "mcp:tools",
  }));
}
