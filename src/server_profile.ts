/**
 * Server profiles: one option that makes the server's metadata acceptable to a family of
 * clients whose parsers ask more of RFC 8414 than this server needs. A profile only adds
 * what is published (and the endpoint that backs it); it never relaxes a check.
 *
 * @module
 */

import { ConfigurationError } from "./errors.ts";

/**
 * A preset of {@link createAuthorizationServer}'s metadata for a family of clients.
 *
 * - `"mcp"`: for MCP servers and their clients (the MCP authorization spec and its
 *   client-credentials extension). The MCP TypeScript SDK's metadata parser requires
 *   `authorization_endpoint` and `response_types_supported`, which RFC 8414 lets this
 *   server omit; the profile publishes `authorization_endpoint` `<issuer>/authorize`, served
 *   by an endpoint that refuses every request with `400 unsupported_response_type` (never
 *   a redirect), and `response_types_supported: ["code"]`. Nothing else changes.
 *
 * An explicit `endpoints.authorization` (a URL or path) or `responseTypesSupported` given
 * with a profile wins over the profile's value; `endpoints.authorization: false` contradicts
 * the `"mcp"` profile and is a `ConfigurationError`.
 *
 * @example
 * ```ts
 * import type { ServerProfile } from "./server_profile.ts";
 * const profile: ServerProfile = "mcp";
 * ```
 */
export type ServerProfile = "mcp";

/** What a profile publishes, each used only where the options leave it unset. */
export interface ProfileDefaults {
  /** The default of `endpoints.authorization`: a URL, or `undefined` for none. */
  readonly authorization: string | undefined;
  /** The default of `responseTypesSupported`. */
  readonly responseTypesSupported: readonly string[] | undefined;
}

const NONE: ProfileDefaults = Object.freeze({ authorization: undefined, responseTypesSupported: undefined });

/**
 * Validates the `profile` option and gives its defaults. `base` is the issuer without a
 * trailing `/` (the default endpoints live under it); `authorization` is the value of
 * `endpoints.authorization` as given, to refuse a contradiction.
 */
export function profileDefaults(profile: unknown, base: string, authorization: unknown): ProfileDefaults {
  if (profile === undefined) return NONE;
  if (profile !== "mcp") throw new ConfigurationError(`profile must be "mcp", not ${JSON.stringify(profile)}`, "profile");
  if (authorization === false) {
    throw new ConfigurationError(
      'profile "mcp" publishes an authorization endpoint (the MCP SDK requires authorization_endpoint): remove endpoints.authorization: false, or the profile',
      "endpoints.authorization",
    );
  }
  // The MCP SDK's OAuthMetadataSchema requires authorization_endpoint (a URL) and a
  // response_types_supported array. "code" is the one value an interactive MCP client
  // looks for before it goes to the endpoint, which then tells it, with
  // unsupported_response_type, that this server is for machine clients
  // (authorization_endpoint.ts). No token can be had there.
  return Object.freeze({ authorization: `${base}/authorize`, responseTypesSupported: Object.freeze(["code"]) });
}
