/**
 * JWT responses from the introspection endpoint (RFC 9701): a caller that asks for
 * `application/token-introspection+jwt` gets the introspection answer signed by the server,
 * so that it can pass the answer on, or keep it, as proof of what the server said.
 *
 * @module
 */

import type { KeySet } from "./crypto/key_set.ts";
import type { Signer } from "./crypto/signer.ts";
import { encodeProtectedHeader, signCompact } from "./jose/jws.ts";

/** The media type of a JWT introspection response (RFC 9701 s5, s9.2). */
export const INTROSPECTION_JWT_TYPE = "application/token-introspection+jwt";

/**
 * Whether the request's `Accept` names the JWT response (RFC 9701 s4). Media ranges are
 * compared without parameters and case-insensitively; `*` wildcards do not count, since a
 * caller that accepts anything expects the plain JSON of RFC 7662.
 *
 * @example
 * ```ts
 * import { acceptsIntrospectionJwt } from "./introspection_jwt.ts";
 * acceptsIntrospectionJwt(new Request("https://as.example/introspect", {
 *   headers: { accept: "application/token-introspection+jwt" },
 * })); // true
 * ```
 */
export function acceptsIntrospectionJwt(request: Request): boolean {
  const accept = request.headers.get("accept");
  if (accept === null) return false;
  return accept.split(",").some((range) => range.split(";")[0]!.trim().toLowerCase() === INTROSPECTION_JWT_TYPE);
}

/**
 * The signer of JWT introspection responses: the active signing key, when it is asymmetric.
 * An HS256 key is not used: a caller could not verify it without the server's secret.
 *
 * @example
 * ```ts
 * import { introspectionSigner } from "./introspection_jwt.ts";
 * introspectionSigner(undefined); // undefined: the server has no signing keys
 * ```
 */
export function introspectionSigner(keys: KeySet | undefined): Signer | undefined {
  const signer = keys?.active;
  return signer === undefined || signer.alg === "HS256" ? undefined : signer;
}

const encoder = new TextEncoder();

/**
 * Signs an introspection answer for `caller` (RFC 9701 s5): header `typ`
 * `token-introspection+jwt`; claims `iss` (this server), `aud` (the caller), `iat`, and the
 * RFC 7662 answer as `token_introspection`, whose own `iss`, `aud` and times are the token's.
 *
 * @example
 * ```ts
 * import { signIntrospection } from "./introspection_jwt.ts";
 * import type { Signer } from "./crypto/signer.ts";
 * declare const signer: Signer;
 * const jwt = await signIntrospection({ active: false }, "rs-client", "https://as.example.com", 1767225600, signer);
 * ```
 */
export function signIntrospection(
  answer: object,
  caller: string,
  issuer: string,
  now: number,
  signer: Signer,
): Promise<string> {
  const header = encodeProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: "token-introspection+jwt" });
  const claims = { iss: issuer, aud: caller, iat: now, token_introspection: answer };
  return signCompact(header, encoder.encode(JSON.stringify(claims)), signer);
}
