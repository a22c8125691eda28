/**
 * JWT access tokens (RFC 9068): self-contained, signed, and never written to the token
 * store.
 *
 * @module
 */

import type { Signer } from "../crypto/signer.ts";
import type { ActorClaim } from "./actor.ts";
import { encodeProtectedHeader, signCompact } from "../jose/jws.ts";
import type { TokenConfirmation } from "../stores/token_store.ts";

/**
 * The claims of a JWT access token (RFC 9068 s2.2). For the client credentials grant the
 * subject is the client (s2.2; RFC 9700 s4.15.1). Nothing secret is ever put in a token.
 */
export interface JwtAccessTokenClaims {
  /** The issuer identifier, equal to the server's metadata `issuer` (s2.2, RFC 8414). */
  iss: string;
  /** The subject: the client_id for client credentials; the subject token's for token exchange. */
  sub: string;
  /** The resource(s) the token is for: one string, or several (RFC 8707 s2). */
  aud: string | string[];
  /** The client the token was issued to. */
  client_id: string;
  /** The granted scope, space-separated (s2.2.3); absent when none was granted. */
  scope?: string;
  /** Issued at, seconds since the epoch. */
  iat: number;
  /** Expires at, seconds since the epoch. */
  exp: number;
  /** A unique identifier, for revocation lists and replay detection. */
  jti: string;
  /**
   * Confirmation of a bound token: the thumbprint of the client's DPoP key (RFC 9449 s6.1)
   * and/or of its TLS client certificate (RFC 8705 s3.1).
   */
  cnf?: TokenConfirmation;
  /** The actor of a delegated token (RFC 8693 s4.1). */
  act?: ActorClaim;
}

/**
 * The encoded header of each signer's tokens: `{"alg":...,"typ":"at+jwt","kid":...}`
 * (RFC 9068 s2.1 asks for the `typ` `at+jwt`). It depends only on the signer, so it is
 * encoded once per signer.
 */
const headers = new WeakMap<Signer, string>();

function accessTokenHeader(signer: Signer): string {
  let header = headers.get(signer);
  if (header === undefined) {
    header = encodeProtectedHeader({ alg: signer.alg, typ: "at+jwt", kid: signer.kid });
    headers.set(signer, header);
  }
  return header;
}

const encoder = new TextEncoder();

/**
 * Signs an RFC 9068 access token.
 *
 * @example
 * ```ts
 * import { signJwtAccessToken } from "./jwt.ts";
 * import type { Signer } from "../crypto/signer.ts";
import type { ActorClaim } from "./actor.ts";
 * declare const signer: Signer;
 * const token = await signJwtAccessToken({
 *   iss: "https://as.example.com", sub: "billing", aud: "https://api.example.com",
 *   client_id: "billing", scope: "invoices:read", iat: 1767225600, exp: 1767226200, jti: "r4nd0m",
 * }, signer);
 * ```
 */
export function signJwtAccessToken(claims: JwtAccessTokenClaims, signer: Signer): Promise<string> {
  return signCompact(accessTokenHeader(signer), encoder.encode(JSON.stringify(claims)), signer);
}
