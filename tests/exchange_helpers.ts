// Helpers for the token exchange tests (RFC 8693): a server whose clients form a delegation
// path (a CI job, an agent acting for it, a tool server the agent calls), and request
// builders for client credentials, exchanges and introspection.
import assert from "node:assert/strict";
import {
  type ClientRegistration,
  encodeBasicCredentials,
  KeySet,
  MemoryTokenStore,
  type ServerEvent,
  type ServerOptions,
  type TokenExchangeRequest,
} from "../mod.ts";
import { assertToken } from "./helpers.ts";
import { authServer, fakeClock, ISSUER, SECRET, testKey } from "./support/fixtures.ts";

export { ISSUER, SECRET };
export const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
export const ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token";
export const JWT = "urn:ietf:params:oauth:token-type:jwt";

/** Resource servers: the agent, the tool server it calls, and what they reach. */
export const AGENT = "https://agent.example.com";
export const TOOLS = "https://tools.example.com";
export const DEPLOY = "https://deploy.example.com";
export const DB = "https://db.example.com";

/** The CI job: gets its own tokens, for the agent. */
export const CI: ClientRegistration = {
  client_id: "ci",
  client_secret: SECRET,
  grant_types: ["client_credentials"],
  scope: "deploy read logs",
  allowed_resources: [AGENT, DEPLOY],
  default_resource: AGENT,
};

/** The agent: a resource server for tokens meant for AGENT, exchanging them to call DEPLOY or TOOLS. */
export const AGENT_CLIENT: ClientRegistration = {
  client_id: "agent",
  client_secret: SECRET,
  grant_types: ["client_credentials", TOKEN_EXCHANGE],
  scope: "deploy read write",
  resource_server: AGENT,
  allowed_resources: [DEPLOY, TOOLS],
  default_resource: DEPLOY,
};

/** The tool server: a resource server for TOOLS, exchanging to call DB or DEPLOY. */
export const TOOLS_CLIENT: ClientRegistration = {
  client_id: "tools",
  client_secret: SECRET,
  grant_types: [TOKEN_EXCHANGE],
  scope: "deploy read",
  resource_server: TOOLS,
  allowed_resources: [DB, DEPLOY],
  default_resource: DB,
};

/** A second resource server for AGENT, which tokens' may_act may leave out. */
export const SIDECAR_CLIENT: ClientRegistration = {
  client_id: "sidecar",
  client_secret: SECRET,
  grant_types: [TOKEN_EXCHANGE],
  scope: "deploy read",
  resource_server: AGENT,
  allowed_resources: [DEPLOY],
};

/** A client with the grant but no claim on tokens meant for AGENT. */
export const OUTSIDER: ClientRegistration = {
  client_id: "outsider",
  client_secret: SECRET,
  grant_types: ["client_credentials", TOKEN_EXCHANGE],
  scope: "deploy read",
  allowed_resources: [DEPLOY],
};

/** A resource server for AGENT that is not registered for token exchange. */
export const NO_EXCHANGE: ClientRegistration = {
  client_id: "no-exchange",
  client_secret: SECRET,
  grant_types: ["client_credentials"],
  scope: "deploy",
  resource_server: AGENT,
  allowed_resources: [DEPLOY],
};

/** The agent again, with JWT access tokens. */
export const JWT_AGENT: ClientRegistration = {
  ...AGENT_CLIENT,
  client_id: "jwt-agent",
  access_token_format: "jwt",
};

/** The CI job again, with JWT access tokens. */
export const JWT_CI: ClientRegistration = { ...CI, client_id: "jwt-ci", access_token_format: "jwt" };

export const CLIENTS: ClientRegistration[] = [CI, AGENT_CLIENT, TOOLS_CLIENT, SIDECAR_CLIENT, OUTSIDER, NO_EXCHANGE, JWT_AGENT, JWT_CI];

export interface ExchangeServer {
  options: ServerOptions;
  store: MemoryTokenStore;
  keys: KeySet;
  clock: ReturnType<typeof fakeClock>;
  events: ServerEvent[];
  /** What the policy was asked, in order. */
  asked: TokenExchangeRequest[];
  fetch(request: Request): Promise<Response>;
  /** A form POST to `path` as `client` (Basic). */
  post(path: string, client: string, body: Record<string, string | string[]>, headers?: Record<string, string>): Promise<Response>;
  /** A client credentials token for `client`. */
  token(client: string, params?: Record<string, string | string[]>): Promise<string>;
  /** A token exchange request as `client`; `subject` is sent as an access token unless the params say otherwise. */
  exchange(client: string, subject: string, params?: Record<string, string | string[]>, headers?: Record<string, string>): Promise<Response>;
  /** The introspection answer for `token`, asked by `client` (the agent by default). */
  introspect(token: string, client?: string): Promise<Record<string, unknown>>;
}

/** The form body: repeated parameters for array values. */
export function formBody(body: Record<string, string | string[]>): string {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(body)) for (const value of [v].flat()) form.append(k, value);
  return form.toString();
}

/** A server with CLIENTS, JWT signing keys, a fake clock, and a policy that allows every exchange unless given one. */
export async function exchangeServer(overrides: Partial<ServerOptions> = {}, clients: ClientRegistration[] = CLIENTS): Promise<ExchangeServer> {
  // From the real time, so proofs and responses independent libraries date by the real clock fit.
  const clock = fakeClock(Math.floor(Date.now() / 1000) * 1000);
  const store = new MemoryTokenStore({ clock: clock.now });
  const key = await testKey("ES256");
  const keys = new KeySet({ active: key });
  const events: ServerEvent[] = [];
  const asked: TokenExchangeRequest[] = [];
  const { options, server } = authServer({
    tokenStore: store,
    clock: clock.now,
    signingKeys: keys,
    onEvent: (e) => void events.push(e),
    tokenExchangePolicy: (request) => (asked.push(request), true),
    ...overrides,
  }, clients);
  const post = (path: string, client: string, body: Record<string, string | string[]>, headers: Record<string, string> = {}) =>
    server.fetch(
      new Request(`${ISSUER}${path}`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          authorization: `Basic ${encodeBasicCredentials(client, SECRET)}`,
          ...headers,
        },
        body: formBody(body),
      }),
    );
  return {
    options,
    store,
    keys,
    clock,
    events,
    asked,
    fetch: server.fetch,
    post,
    async token(client, params = {}) {
      const body = await assertToken(await post("/token", client, { grant_type: "client_credentials", ...params }));
      return body.access_token as string;
    },
    exchange: (client, subject, params = {}, headers) =>
      post("/token", client, { grant_type: TOKEN_EXCHANGE, subject_token: subject, subject_token_type: ACCESS_TOKEN, ...params }, headers),
    async introspect(token, client = AGENT_CLIENT.client_id) {
      const res = await post("/introspect", client, { token });
      assert.equal(res.status, 200);
      return await res.json() as Record<string, unknown>;
    },
  };
}
