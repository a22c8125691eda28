/**
 * The JWK Set endpoint (RFC 7517 s5; RFC 8414 s2 `jwks_uri`): the authorization server's
 * public signing keys, for resource servers to verify JWT access tokens with.
 *
 * @module
 */

import type { KeySet } from "./crypto/key_set.ts";
import { OAuthError } from "./errors.ts";
import { errorResponse } from "./http/response.ts";

/**
 * Answers a request for the JWK Set of `keys`: `GET` or `HEAD` -> 200 with the public keys
 * only (never a private member, never an HS256 secret) and `Cache-Control: public,
 * max-age=<keys.maxAge>`, so verifiers may cache it for as long as the rotation schedule
 * allows; any other method -> 405 with `Allow`. The body is serialized once per key change.
 *
 * @example Routing /jwks next to the token endpoint
 * ```ts
 * import { handleJwksRequest, handleTokenRequest, KeySet, generateSigningKey, type TokenEndpointOptions } from "../mod.ts";
 *
 * const signingKeys = new KeySet({ active: await generateSigningKey("ES256") });
 * declare const options: TokenEndpointOptions; // { ..., accessTokenFormat: "jwt", signingKeys }
 * const fetch = (request: Request) =>
 *   new URL(request.url).pathname === "/jwks" ? handleJwksRequest(request, signingKeys) : handleTokenRequest(request, options);
 * ```
 */
export function handleJwksRequest(request: Request, keys: KeySet): Promise<Response> {
  if (request.method !== "GET" && request.method !== "HEAD") {
    const e = new OAuthError("invalid_request", "the JWK Set accepts GET only", { status: 405, headers: { allow: "GET, HEAD" } });
    return Promise.resolve(errorResponse(e));
  }
  return Promise.resolve(
    new Response(request.method === "HEAD" ? null : keys.jwksJson(), {
      status: 200,
      headers: {
        // RFC 7517 s8.5 registers application/jwk-set+json; plain JSON is what every client accepts.
        "content-type": "application/json",
        "cache-control": `public, max-age=${keys.maxAge}`,
      },
    }),
  );
}
