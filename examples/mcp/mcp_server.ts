// An MCP server that is an OAuth resource server: its Streamable HTTP endpoint is guarded
// by verifyAccessToken, and it publishes RFC 9728 Protected Resource Metadata, which every
// 401 challenge names (`resource_metadata=`), so an MCP client finds the authorization
// server on its own. Built with the official SDK's web-standard transport, so the whole
// server is one fetch handler: Deno.serve, Bun.serve, srvx on Node, a Worker, or in process.
// (@ts-types: for Deno, see tests/mcp.test.ts)
// @ts-types="../../node_modules/@modelcontextprotocol/sdk/dist/esm/server/mcp.d.ts"
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
// @ts-types="../../node_modules/@modelcontextprotocol/sdk/dist/esm/server/webStandardStreamableHttp.d.ts"
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { z } from "zod";
import {
  handleProtectedResourceMetadataRequest,
  protectedResourceMetadataUrl,
  type ResourceServerOptions,
  verifyAccessToken,
} from "../../src/resource_server/mod.ts";

/** The scope a client needs to call this server's tools. */
export const TOOLS_SCOPE = "mcp:tools";

/** The MCP server itself: one tool, which reports who called it. */
function buildMcpServer(): McpServer {
  const server = new McpServer({ name: "invoices-mcp", version: "1.0.0" });
  server.registerTool(
    "add",
    { description: "Adds two numbers", inputSchema: { a: z.number(), b: z.number() } },
    ({ a, b }, extra) => ({
      content: [{ type: "text", text: `${a + b} (for ${extra.authInfo?.clientId ?? "nobody"})` }],
    }),
  );
  return server;
}

/**
 * The MCP server's fetch handler. `resourceServer.resource` is the MCP endpoint's URL (the
 * URL clients connect to, and the `resource` they ask tokens for, RFC 8707); it must have
 * `metadata` set so challenges name the RFC 9728 document.
 */
export function mcpFetchHandler(resourceServer: ResourceServerOptions): (request: Request) => Promise<Response> {
  const endpoint = new URL(resourceServer.resource).pathname;
  const metadataPath = new URL(protectedResourceMetadataUrl(resourceServer.resource)).pathname;
  return async (request) => {
    const { pathname } = new URL(request.url);
    if (pathname === metadataPath) return handleProtectedResourceMetadataRequest(request, resourceServer);
    if (pathname !== endpoint) return new Response("not found", { status: 404 });
    const result = await verifyAccessToken(request, resourceServer, { scope: TOOLS_SCOPE });
    if (!result.ok) return result.response;
    const { claims } = result;
    // Stateless Streamable HTTP: a server and a transport per request, no session to keep.
    const server = buildMcpServer();
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await server.connect(transport);
    return transport.handleRequest(request, {
      authInfo: {
        token: result.token,
        clientId: claims.client_id,
        scopes: claims.scope.split(" "),
        expiresAt: claims.exp,
        resource: new URL(resourceServer.resource),
      },
    });
  };
}
