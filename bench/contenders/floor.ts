// The floor: the least a correct fetch-style token handler must do, and nothing more.
// Read the form body, check grant_type and scope, decode Basic, compare the secret in
// constant time, 32 random bytes as base64url, a JSON Response with no-store. It keeps no
// record of the token, hashes nothing and caps nothing: every contender does at least this.
import { CLIENT_ID, CLIENT_SECRET, SCOPE } from "../fixture.ts";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const encoder = new TextEncoder();
const SECRET_BYTES = encoder.encode(CLIENT_SECRET);
const HEADERS = { "content-type": "application/json", "cache-control": "no-store", pragma: "no-cache" };

function base64url(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[v >> 18]! + ALPHABET[(v >> 12) & 63]! + ALPHABET[(v >> 6) & 63]! + ALPHABET[v & 63]!;
  }
  if (i < bytes.length) {
    const v = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8);
    out += ALPHABET[v >> 18]! + ALPHABET[(v >> 12) & 63]! + (i + 1 < bytes.length ? ALPHABET[(v >> 6) & 63]! : "");
  }
  return out;
}

function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

function error(status: number, code: string, extra?: Record<string, string>): Response {
  return new Response(JSON.stringify({ error: code }), { status, headers: extra ? { ...HEADERS, ...extra } : HEADERS });
}

/** The floor's token: 32 random bytes as base64url. */
export const randomToken = (): string => base64url(crypto.getRandomValues(new Uint8Array(32)));

/** The floor as a fetch handler. */
export const floorFetch: (request: Request) => Promise<Response> = makeFloor(randomToken);

/** A floor handler that makes its token with `issue` (the JWT reference row signs one). */
export function makeFloor(issue: (scope: string) => string | Promise<string>): (request: Request) => Promise<Response> {
  return async (request) => {
  if (request.method !== "POST") return error(405, "invalid_request", { allow: "POST" });
  const form = new URLSearchParams(await request.text());
  if (form.get("grant_type") !== "client_credentials") return error(400, "unsupported_grant_type");
  const auth = request.headers.get("authorization") ?? "";
  let id = "";
  let secret = "";
  try {
    const decoded = atob(auth.slice(6));
    const colon = decoded.indexOf(":");
    id = decoded.slice(0, colon);
    secret = decoded.slice(colon + 1);
  } catch {
    // falls through to invalid_client
  }
  const ok = constantTimeEqual(encoder.encode(secret), SECRET_BYTES);
  if (!auth.startsWith("Basic ") || id !== CLIENT_ID || !ok) {
    return error(401, "invalid_client", { "www-authenticate": 'Basic realm="floor"' });
  }
  const scope = form.get("scope") ?? SCOPE;
  if (scope !== SCOPE) return error(400, "invalid_scope");
  const access_token = await issue(scope);
  return new Response(JSON.stringify({ access_token, token_type: "Bearer", expires_in: 600, scope }), {
    status: 200,
    headers: HEADERS,
  });
  };
}

export { base64url };
