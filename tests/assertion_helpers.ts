// Shared helpers for the JWT client assertion tests (RFC 7523): client keys, assertion
// builders, a spy fetch that serves a client's JWK Set, and requests carrying assertions.
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import type { ClientRegistration, Jwk } from "../mod.ts";
import { ISSUER, tokenRequest } from "./helpers.ts";

export const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
export const CLIENT_JWKS_URI = "https://client.example.com/jwks.json";

export interface ClientKey {
  alg: "ES256" | "EdDSA" | "RS256" | "ES384" | "PS256";
  kid: string;
  privateKey: CryptoKey;
  publicJwk: Jwk;
}

export async function clientKey(alg: ClientKey["alg"], kid: string): Promise<ClientKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = (await exportJWK(publicKey)) as JWK & Jwk;
  return { alg, kid, privateKey: privateKey as CryptoKey, publicJwk: { ...jwk, kid } as Jwk };
}

export const ES256_KEY = await clientKey("ES256", "es-1");
export const EDDSA_KEY = await clientKey("EdDSA", "ed-1");
export const RS256_KEY = await clientKey("RS256", "rs-1");
/** A key the server does not know, under a kid it does know. */
export const IMPOSTOR_KEY = { ...(await clientKey("ES256", "es-1")) };

/** A long, readable secret (client_secret_jwt needs at least 32 bytes). */
export const JWT_SECRET = "hs-secret-0123456789abcdefghijklmnopqrstuvwxyzABCDEF";

export const PK_CLIENT: ClientRegistration = {
  client_id: "pk-client",
  token_endpoint_auth_method: "private_key_jwt",
  jwks: { keys: [ES256_KEY.publicJwk, EDDSA_KEY.publicJwk, RS256_KEY.publicJwk] },
  grant_types: ["client_credentials"],
  scope: "read",
};

export const REMOTE_CLIENT: ClientRegistration = {
  client_id: "remote-client",
  token_endpoint_auth_method: "private_key_jwt",
  jwks_uri: CLIENT_JWKS_URI,
  grant_types: ["client_credentials"],
  scope: "read",
};

export const HS_CLIENT: ClientRegistration = {
  client_id: "hs-client",
  token_endpoint_auth_method: "client_secret_jwt",
  client_secret: JWT_SECRET,
  grant_types: ["client_credentials"],
  scope: "read",
};

let counter = 0;

/** Claims of a valid assertion for `client_id` at time `nowMs`; `over` replaces or (undefined) removes claims. */
export function claims(client_id: string, nowMs: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(nowMs / 1000);
  const base: Record<string, unknown> = {
    iss: client_id,
    sub: client_id,
    aud: ISSUER,
    iat: now,
    exp: now + 60,
    jti: `jti-${++counter}-${crypto.randomUUID()}`,
  };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) delete base[k];
    else base[k] = v;
  }
  return base;
}

/** An assertion signed with `key` (its alg and kid unless `header` says otherwise). */
export function signAssertion(
  key: ClientKey,
  payload: Record<string, unknown>,
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, ...header } as { alg: string }).sign(key.privateKey);
}

/** An HS256 assertion MACed with `secret` (UTF-8 bytes, as client_secret_jwt does). */
export function macAssertion(secret: string | Uint8Array, payload: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  const bytes = typeof secret === "string" ? new TextEncoder().encode(secret) : secret;
  return new SignJWT(payload).setProtectedHeader({ alg: "HS256", ...header } as { alg: string }).sign(bytes);
}

const b64u = (s: string | Uint8Array) => {
  const bytes = typeof s === "string" ? new TextEncoder().encode(s) : s;
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};

/** A JWS built by hand, for headers no library will produce (alg none, HS256 keyed by a public key). */
export async function rawJws(header: Record<string, unknown>, payload: Record<string, unknown>, macKey?: Uint8Array): Promise<string> {
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(payload))}`;
  if (macKey === undefined) return `${input}.`;
  const key = await crypto.subtle.importKey("raw", macKey as Uint8Array<ArrayBuffer>, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(input)));
  return `${input}.${b64u(mac)}`;
}

/** A JWS signed by hand with an RSASSA-PKCS1-v1_5 key (jose refuses keys under 2048 bits). */
export async function rawJwsSigned(key: CryptoKey, header: Record<string, unknown>, payload: Record<string, unknown>): Promise<string> {
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(payload))}`;
  const signature = new Uint8Array(await crypto.subtle.sign("RSASSA-PKCS1-v1_5", key, new TextEncoder().encode(input)));
  return `${input}.${b64u(signature)}`;
}

/** A token request authenticated by `assertion` (and optionally a body client_id). */
export function assertionRequest(assertion: string, extra: Record<string, string> = {}, url?: string): Request {
  return tokenRequest({
    url,
    body: { grant_type: "client_credentials", client_assertion_type: JWT_BEARER, client_assertion: assertion, ...extra },
  });
}

/** A fetch that serves a JWK Set and counts its calls. */
export interface SpyFetch {
  fetch: typeof globalThis.fetch;
  calls: number;
  /** What the next calls answer; replace to change the served keys or fail. */
  respond: (url: string, init?: RequestInit) => Response | Promise<Response>;
}

export function spyFetch(keys: Jwk[], cacheControl?: string): SpyFetch {
  const spy: SpyFetch = {
    calls: 0,
    respond: () =>
      new Response(JSON.stringify({ keys }), {
        headers: { "content-type": "application/json", ...(cacheControl ? { "cache-control": cacheControl } : {}) },
      }),
    fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
      spy.calls++;
      return await spy.respond(String(input instanceof Request ? input.url : input), init);
    }) as typeof globalThis.fetch,
  };
  return spy;
}
