/**
 * The authorization endpoint that refuses: published only for clients whose metadata parser
 * requires `authorization_endpoint`, though this server issues tokens by the client
 * credentials grant alone (RFC 6749 s4.4 uses no authorization endpoint).
 *
 * @module
 */

import { OAuthError } from "./errors.ts";

/**
 * Answers any request with `400 unsupported_response_type` as JSON (through the one error
 * path, so `no-store` like every answer). Never a redirect: RFC 6749 s4.1.2.1 redirects an
 * error only to a registered redirection URI, and no client here has one.
 *
 * @example
 * ```ts
 * import { authorizationEndpoint } from "./authorization_endpoint.ts";
 * // routed at endpoints.authorization by createAuthorizationServer
 * await authorizationEndpoint(new Request("https://auth.example.com/authorize?response_type=code")).catch((e) => e.error);
 * // "unsupported_response_type"
 * ```
 */
export function authorizationEndpoint(_request: Request): Promise<Response> {
  return Promise.reject(
    new OAuthError(
      "unsupported_response_type",
      "this server has no authorization flow: it issues tokens by the client credentials grant only",
    ),
  );
}
