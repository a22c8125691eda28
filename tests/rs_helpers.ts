// Helpers for the JWT access token and resource-server tests (the server, jwtServer, is in
// tests/support/fixtures.ts): requests to a protected API, and a way to
// forge tokens for the tampering tests.
import type { GeneratedSigningKey } from "../mod.ts";
import { encodeBase64Url } from "../src/encoding/base64.ts";
import { API, ISSUER, JWT_CLIENT } from "./support/fixtures.ts";

// The servers, keys and shared constants live in the one fixture module.
export {
  ALGORITHMS,
  API,
  ISSUER,
  JWKS_URI,
  JWT_CLIENT,
  type JwtServer,
  jwtServer,
  OTHER_API,
  SECRET,
  testKey,
} from "./support/fixtures.ts";

/** A request to the protected API carrying `token` as a Bearer header (when given). */
export function apiRequest(token?: string, init: RequestInit & { url?: string } = {}): Request {
  const headers = new Headers(init.headers);
  if (token !== undefined) headers.set("authorization", `Bearer ${token}`);
  return new Request(init.url ?? `${API}/invoices`, { ...init, headers });
}

const enc = new TextEncoder();
export const b64json = (value: unknown): string => encodeBase64Url(enc.encode(JSON.stringify(value)));

/** Splits a compact JWS into its decoded header and claims. */
export function decodeJwt(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [h, p] = token.split(".");
  const dec = (s: string) => JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0))));
  return { header: dec(h!), claims: dec(p!) };
}

/** Re-signs `header` and `claims` with a key's signer: a validly signed token whose content the test chose. */
export async function signWith(
  signer: GeneratedSigningKey["signer"],
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
): Promise<string> {
  const input = `${b64json(header)}.${b64json(claims)}`;
  return `${input}.${encodeBase64Url(await signer.sign(enc.encode(input)))}`;
}

/** Claims of a valid token for API at `now` (seconds). */
export function validClaims(now = Math.floor(Date.now() / 1000)): Record<string, unknown> {
  return {
    iss: ISSUER,
    sub: JWT_CLIENT.client_id,
    aud: API,
    client_id: JWT_CLIENT.client_id,
    scope: "read",
    iat: now,
    exp: now + 600,
    jti: crypto.randomUUID(),
  };
}
