// A stand-in for an enterprise identity provider (Okta, Entra, Keycloak...), so the example
// runs on loopback: an OpenID Connect discovery document and a JWK Set at its issuer URL,
// and a token endpoint that issues Identity Assertion JWT Authorization Grants (ID-JAG,
// draft-ietf-oauth-identity-assertion-authz-grant s4.3) by token exchange (RFC 8693): the
// agent presents the signed-in user's session as the subject token and names the
// authorization server it wants a grant for (`audience`), the MCP server (`resource`) and
// the scope; the IdP answers with a short-lived ID-JAG, typ oauth-id-jag+jwt, signed ES256
// with a key generated at start-up (the library's own generateSigningKey).
import { generateSigningKey, type Jwk } from "../../mod.ts";

/** A user signed in at the IdP, known to the agent by an opaque session token. */
export interface User {
  sub: string;
  email: string;
}

/** What the IdP lets each of its clients ask a grant for: the client id the resource's authorization server knows it by. */
export interface AgentRegistration {
  /** The agent's credentials at the IdP. */
  secret: string;
  /** The agent's client_id at the authorization server (the ID-JAG's `client_id`, the draft's s5). */
  client_id: string;
}

const b64u = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const json = (status: number, body: unknown) => Response.json(body, { status, headers: { "cache-control": "no-store" } });
const ID_JAG_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id-jag";

/** The IdP at `origin`, for signed-in `sessions` and registered `agents` (by client id at the IdP). */
export async function createIdentityProvider(
  origin: string,
  sessions: ReadonlyMap<string, User>,
  agents: ReadonlyMap<string, AgentRegistration>,
): Promise<(request: Request) => Promise<Response>> {
  const key = await generateSigningKey("ES256");
  const jwks: { keys: Jwk[] } = { keys: [key.publicJwk!] };

  async function mint(claims: Record<string, unknown>): Promise<string> {
    const text = (o: unknown) => b64u(new TextEncoder().encode(JSON.stringify(o)));
    const input = `${text({ typ: "oauth-id-jag+jwt", alg: "ES256", kid: key.signer.kid })}.${text(claims)}`;
    return `${input}.${b64u(await key.signer.sign(new TextEncoder().encode(input)))}`;
  }

  async function token(request: Request): Promise<Response> {
    const form = new URLSearchParams(await request.text());
    const [id, secret] = atob((request.headers.get("authorization") ?? "").replace(/^basic /i, "")).split(":");
    const agent = agents.get(id ?? "");
    if (agent === undefined || agent.secret !== secret) return json(401, { error: "invalid_client" });
    if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:token-exchange" || form.get("requested_token_type") !== ID_JAG_TOKEN_TYPE) {
      return json(400, { error: "unsupported_grant_type" });
    }
    const user = sessions.get(form.get("subject_token") ?? "");
    const audience = form.get("audience");
    if (user === undefined || audience === null) return json(400, { error: "invalid_grant" });
    const iat = Math.floor(Date.now() / 1000);
    const scope = form.get("scope");
    const resource = form.get("resource");
    const assertion = await mint({
      jti: crypto.randomUUID(),
      iss: origin,
      sub: user.sub,
      email: user.email,
      aud: audience,
      client_id: agent.client_id,
      iat,
      exp: iat + 300,
      ...(resource === null ? {} : { resource }),
      ...(scope === null ? {} : { scope }),
    });
    return json(200, { issued_token_type: ID_JAG_TOKEN_TYPE, access_token: assertion, token_type: "N_A", expires_in: 300, ...(scope === null ? {} : { scope }) });
  }

  return async (request) => {
    const url = new URL(request.url);
    if (url.pathname === "/.well-known/openid-configuration") {
      return json(200, {
        issuer: origin,
        jwks_uri: `${origin}/jwks`,
        token_endpoint: `${origin}/token`,
        grant_types_supported: ["urn:ietf:params:oauth:grant-type:token-exchange"],
        // The draft's s7.1: this IdP issues ID-JAGs.
        identity_chaining_requested_token_types_supported: [ID_JAG_TOKEN_TYPE],
      });
    }
    if (url.pathname === "/jwks") return json(200, jwks);
    if (url.pathname === "/token" && request.method === "POST") return await token(request);
    return json(404, { error: "not_found" });
  };
}
