// MCP end to end: the official SDK's client-credentials provider on a Streamable HTTP
// transport, against the MCP server of examples/mcp/ guarded by verifyAccessToken, with an
// authorization server from the testing export. Everything runs in process through the
// testing export's fetch: no port is opened.
//
// The @ts-types comments are for Deno's type check only: the SDK's "./*" export maps types
// to "*.d.ts", i.e. "index.js.d.ts", which tsc falls back from and Deno does not.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
// @ts-types="../node_modules/@modelcontextprotocol/sdk/dist/esm/client/index.d.ts"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="../node_modules/@modelcontextprotocol/sdk/dist/esm/client/auth-extensions.d.ts"
import { ClientCredentialsProvider, PrivateKeyJwtProvider } from "@modelcontextprotocol/sdk/client/auth-extensions.js";
// @ts-types="../node_modules/@modelcontextprotocol/sdk/dist/esm/client/streamableHttp.d.ts"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { type ClientRegistration, exportJwk, generateSigningKey, publicJwk } from "../mod.ts";
import { createTestAuthorizationServer, type TestAuthorizationServer } from "../src/testing/mod.ts";
import { callAdd } from "../examples/mcp/client.ts";
import { mcpFetchHandler, TOOLS_SCOPE } from "../examples/mcp/mcp_server.ts";

const MCP_URL = "https://mcp.example.test/mcp";
const OTHER = "https://other.example.test";
const RESOURCE_METADATA = "https://mcp.example.test/.well-known/oauth-protected-resource/mcp";

interface Seen {
  method: string;
  url: string;
  status: number;
  challenge: string | null;
  body: string;
}

/** A test authorization server with the MCP server routed into its fetch, and a log of every exchange. */
async function setup(clients: ClientRegistration[] = []): Promise<{ as: TestAuthorizationServer; seen: Seen[]; fetch: TestAuthorizationServer["fetch"] }> {
  const as = await createTestAuthorizationServer({
    resources: [MCP_URL, OTHER],
    scope: `${TOOLS_SCOPE} other:read`,
    clients,
    // The MCP preset alone: the SDK's metadata schema requires authorization_endpoint and
    // response_types_supported, and nothing is set by hand.
    serverOptions: { profile: "mcp" },
  });
  as.route(MCP_URL, mcpFetchHandler(as.resourceServerOptions(MCP_URL, { metadata: { scopes_supported: [TOOLS_SCOPE] } })));
  const seen: Seen[] = [];
  const fetch: TestAuthorizationServer["fetch"] = async (input, init) => {
    const request = new Request(input, init);
    const body = request.method === "POST" ? await request.clone().text() : "";
    const response = await as.fetch(request);
    seen.push({ method: request.method, url: request.url, status: response.status, challenge: response.headers.get("www-authenticate"), body });
    return response;
  };
  return { as, seen, fetch };
}

/** A JSON-RPC initialize POST to the MCP endpoint, as an MCP client sends first. */
function initialize(token?: string): Request {
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json, text/event-stream" };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return new Request(MCP_URL, {
    method: "POST",
    headers,
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
    }),
  });
}

describe("MCP: the SDK's ClientCredentialsProvider against an MCP server guarded by verifyAccessToken", () => {
  test("401 names the resource metadata -> discovery -> a token for that resource -> the tool call succeeds", async () => {
    const { as, seen, fetch } = await setup();
    const text = await callAdd({ mcpUrl: MCP_URL, issuer: as.issuer, clientId: as.client.client_id, clientSecret: as.client.client_secret, scope: TOOLS_SCOPE, fetch });
    assert.equal(text, "5 (for test-client)");

    // 1. The first MCP request has no token: 401 with a challenge naming the RFC 9728 document.
    const first = seen[0]!;
    assert.equal(first.url, MCP_URL);
    assert.equal(first.status, 401);
    assert.match(first.challenge!, /^Bearer realm="https:\/\/mcp\.example\.test\/mcp"/);
    assert.ok(first.challenge!.includes(`resource_metadata="${RESOURCE_METADATA}"`), first.challenge!);
    // 2. Discovery: the resource metadata, then the authorization server's metadata.
    const prm = seen.find((s) => s.url === RESOURCE_METADATA);
    assert.equal(prm?.status, 200);
    const asMeta = seen.find((s) => s.url === as.server.endpoints.metadata);
    assert.equal(asMeta?.status, 200);
    // 3. The token request names the MCP server as the resource (RFC 8707).
    const tokenRequest = seen.find((s) => s.url === as.server.endpoints.token);
    assert.equal(tokenRequest?.status, 200);
    const form = new URLSearchParams(tokenRequest!.body);
    assert.equal(form.get("grant_type"), "client_credentials");
    assert.equal(form.get("resource"), MCP_URL);
    assert.equal(form.get("scope"), TOOLS_SCOPE);
    // 4. Every later MCP request carried the token and was served.
    assert.ok(seen.filter((s) => s.url === MCP_URL).slice(1).every((s) => s.status < 300), JSON.stringify(seen.map((s) => [s.url, s.status])));
  });

  test("the documents the client discovers carry what the client-credentials extension needs", async () => {
    const { as } = await setup();
    const prm = await (await as.fetch(RESOURCE_METADATA)).json() as Record<string, unknown>;
    assert.deepEqual(prm, {
      resource: MCP_URL,
      authorization_servers: [as.issuer],
      bearer_methods_supported: ["header"],
      scopes_supported: [TOOLS_SCOPE],
    });
    const meta = as.server.metadata;
    assert.deepEqual(meta.grant_types_supported, ["client_credentials"]);
    assert.deepEqual(meta.token_endpoint_auth_methods_supported, ["client_secret_basic"]);
    assert.equal(meta.jwks_uri, `${as.issuer}/jwks`);
    // Required by the SDK's metadata schema, published by profile: "mcp"; the endpoint refuses.
    assert.equal(meta.authorization_endpoint, `${as.issuer}/authorize`);
    assert.deepEqual(meta.response_types_supported, ["code"]);
    const authorize = await as.fetch(`${as.issuer}/authorize?response_type=code&client_id=${as.client.client_id}`);
    assert.equal(authorize.status, 400);
    assert.equal(((await authorize.json()) as { error: string }).error, "unsupported_response_type");
  });

  test("a token for another audience -> 401 invalid_token naming the resource metadata", async () => {
    const { as } = await setup();
    const token = await as.mintAccessToken({ resource: OTHER, scope: TOOLS_SCOPE });
    const res = await as.fetch(initialize(token));
    assert.equal(res.status, 401);
    const challenge = res.headers.get("www-authenticate")!;
    assert.match(challenge, /error="invalid_token"/);
    assert.ok(challenge.includes(`resource_metadata="${RESOURCE_METADATA}"`));
  });

  test("an expired token -> 401 invalid_token; a token without mcp:tools -> 403 insufficient_scope", async () => {
    const { as } = await setup();
    const expired = await as.mintAccessToken({ resource: MCP_URL });
    const narrow = await as.mintAccessToken({ resource: MCP_URL, scope: "other:read" });
    const good = await as.mintAccessToken({ resource: MCP_URL, scope: TOOLS_SCOPE });
    assert.equal((await as.fetch(initialize(good))).status, 200);

    const forbidden = await as.fetch(initialize(narrow));
    assert.equal(forbidden.status, 403);
    const scopeChallenge = forbidden.headers.get("www-authenticate")!;
    assert.match(scopeChallenge, /error="insufficient_scope"/);
    assert.match(scopeChallenge, /scope="mcp:tools"/);
    assert.ok(scopeChallenge.includes(`resource_metadata="${RESOURCE_METADATA}"`));

    as.clock.advance(600 + 6); // the lifetime, plus the verifier's 5 s tolerance
    const late = await as.fetch(initialize(expired));
    assert.equal(late.status, 401);
    assert.match(late.headers.get("www-authenticate")!, /error="invalid_token", error_description="[^"]*expired/);
  });

  test("the SDK client holding an expired token is refused, then gets a new one and succeeds", async () => {
    const { as, seen, fetch } = await setup();
    const authProvider = new ClientCredentialsProvider({
      clientId: as.client.client_id,
      clientSecret: as.client.client_secret,
      scope: TOOLS_SCOPE,
      expectedIssuer: as.issuer,
    });
    authProvider.saveTokens({ access_token: await as.mintAccessToken({ resource: MCP_URL, scope: TOOLS_SCOPE }), token_type: "Bearer" });
    as.clock.advance(3600);
    const client = new Client({ name: "expiry-test", version: "1" });
    await client.connect(new StreamableHTTPClientTransport(new URL(MCP_URL), { authProvider, fetch }));
    const result = await client.callTool({ name: "add", arguments: { a: 1, b: 1 } });
    await client.close();
    assert.equal((result.content as Array<{ text: string }>)[0]!.text, "2 (for test-client)");
    assert.match(seen[0]!.challenge!, /error="invalid_token"/);
    assert.equal(seen.filter((s) => s.url === as.server.endpoints.token).length, 1);
  });

  test(
    "PrivateKeyJwtProvider: a private_key_jwt client gets a token for the MCP server and calls the tool",
    async () => {
      // RFC 7591 client metadata: `jwks` holds the client's public key (the shape main's
      // private_key_jwt registration uses).
      const key = await generateSigningKey("ES256", { extractable: true });
      const privateJwk = { ...(await exportJwk(key.privateKey)), alg: "ES256" };
      const registration = {
        client_id: "mcp-jwt-client",
        token_endpoint_auth_method: "private_key_jwt",
        grant_types: ["client_credentials"],
        scope: TOOLS_SCOPE,
        jwks: { keys: [publicJwk(key.publicJwk!)] },
      } as unknown as ClientRegistration; // the type gains private_key_jwt when the feature lands
      const { as, seen, fetch } = await setup([registration]);
      const meta = as.server.metadata as unknown as Record<string, unknown>;
      assert.ok((meta.token_endpoint_auth_methods_supported as string[]).includes("private_key_jwt"));
      assert.ok((meta.token_endpoint_auth_signing_alg_values_supported as string[]).includes("ES256"));

      const authProvider = new PrivateKeyJwtProvider({
        clientId: "mcp-jwt-client",
        privateKey: privateJwk as unknown as Record<string, unknown>,
        algorithm: "ES256",
        scope: TOOLS_SCOPE,
        expectedIssuer: as.issuer,
      });
      const client = new Client({ name: "jwt-client", version: "1" });
      await client.connect(new StreamableHTTPClientTransport(new URL(MCP_URL), { authProvider, fetch }));
      const result = await client.callTool({ name: "add", arguments: { a: 2, b: 2 } });
      await client.close();
      assert.equal((result.content as Array<{ text: string }>)[0]!.text, "4 (for mcp-jwt-client)");
      const form = new URLSearchParams(seen.find((s) => s.url === as.server.endpoints.token)!.body);
      assert.equal(form.get("client_assertion_type"), "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
      assert.equal(form.get("resource"), MCP_URL);
    },
  );
});

// The runnable example over real loopback ports (PORT=0): main.ts prints the command that
// runs client.ts, which must call the tool. Spawned once, from the Node run of the suite.
const host = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";
test(
  "examples/mcp: main.ts on loopback ports, and the client.ts command it prints calls the tool",
  { skip: host === "node" ? false : "spawns tsx; runs once, in the Node run of the suite" },
  async () => {
    const root = fileURLToPath(new URL("..", import.meta.url));
    const tsx = `${root}node_modules/.bin/tsx`;
    const server = spawn(tsx, ["examples/mcp/main.ts"], { cwd: root, env: { ...process.env, PORT: "0", MCP_PORT: "0" } });
    try {
      const banner = await new Promise<string>((resolve, reject) => {
        let out = "";
        const timer = setTimeout(() => reject(new Error(`no banner: ${out}`)), 20_000);
        server.stdout.on("data", (d) => {
          out += d;
          if (/client\.ts\n/.test(out)) {
            clearTimeout(timer);
            resolve(out);
          }
        });
        server.on("exit", (code) => reject(new Error(`main.ts exited with ${code}: ${out}`)));
      });
      const line = banner.split("\n").find((l) => l.includes("examples/mcp/client.ts"))!.trim();
      const env = Object.fromEntries(line.split(" ").filter((w) => /^[A-Z_]+=/.test(w)).map((w) => w.split(/=(.*)/s).slice(0, 2)));
      const output = await new Promise<string>((resolve, reject) =>
        execFile(tsx, ["examples/mcp/client.ts"], { cwd: root, env: { ...process.env, ...env }, timeout: 20_000 }, (e, stdout, stderr) =>
          e ? reject(new Error(`${e.message}\n${stderr}`)) : resolve(stdout))
      );
      assert.equal(output.trim(), `5 (for ${env.CLIENT_ID})`);
    } finally {
      server.kill();
    }
  },
);
