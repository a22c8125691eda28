/**
 * Settings of client authentication with signed assertions (RFC 7523 s2.2, s3): the
 * `clientAssertion` option, validated once at start-up.
 *
 * @module
 */

import { boolean, checkObject, type Describes, integer } from "../config/describe.ts";

/**
 * How the token endpoint checks `private_key_jwt` and `client_secret_jwt` assertions (the
 * `clientAssertion` option). Every field has a default.
 *
 * @example The old, lax audience rule (the token endpoint URL too), one-minute assertions
 * ```ts
 * import type { ClientAssertionOptions } from "../../mod.ts";
 * const clientAssertion: ClientAssertionOptions = { strictAudience: false, maxLifetime: 60 };
 * ```
 */
export interface ClientAssertionOptions {
  /**
   * Accept only the issuer identifier, as a single string, in `aud` (as
   * draft-ietf-oauth-rfc7523bis requires; RFC 7523 s3 allows the token endpoint URL too). Default true: a client assertion
   * names the server by its issuer identifier, exactly the `issuer` of its metadata, and
   * nothing else, so it cannot be replayed at another server that shares an endpoint URL
   * or accepts arrays (the audience injection rfc7523bis fixes). oauth4webapi,
   * openid-client and the MCP SDK send exactly that. Set false for clients that address
   * the token endpoint (RFC 7523 s3 allows it): `aud` may then also be the token endpoint
   * URL, the URL of the endpoint called or its mutual-TLS alias, or an array of such
   * values, as long as every value names this server. (Before issue 19 false was the
   * default.) Platform tokens of `trustedIssuers` follow their issuer's `audience`, not this.
   */
  strictAudience?: boolean;
  /**
   * The longest lifetime accepted, in seconds: `exp` minus `iat` (or minus now when there is
   * no `iat`) may not exceed it (RFC 7523 s3 lets the server refuse an `exp` unreasonably
   * far ahead). Default 300, at most 3,600.
   */
  maxLifetime?: number;
  /** Allowed clock difference for `exp`, `nbf` and `iat`, in seconds; default 30, at most 300. */
  clockTolerance?: number;
  /** Least time between two fetches of one `jwks_uri`, in seconds; default 30, at most 3,600. */
  jwksCooldown?: number;
  /** Longest wait for a `jwks_uri` answer (headers and body), in milliseconds; default 5,000. */
  jwksTimeoutMs?: number;
  /** Largest `jwks_uri` body accepted, in bytes; default 65,536. */
  jwksMaxBytes?: number;
}

/** The prepared form of {@link ClientAssertionOptions}. */
export interface AssertionSettings {
  readonly strictAudience: boolean;
  /** Seconds. */
  readonly maxLifetime: number;
  /** Seconds. */
  readonly clockTolerance: number;
  /** Milliseconds. */
  readonly jwksCooldownMs: number;
  /** Milliseconds. */
  readonly jwksTimeoutMs: number;
  /** Bytes. */
  readonly jwksMaxBytes: number;
}

/**
 * The description of {@link ClientAssertionOptions} (the `clientAssertion` option): each
 * setting's range, default and meaning.
 *
 * @example
 * ```ts
 * import { clientAssertionDescription } from "./assertion_options.ts";
 * clientAssertionDescription.maxLifetime.fallback; // 300
 * ```
 */
export const clientAssertionDescription = {
  strictAudience: boolean("Accept only the issuer identifier, as a single string, in `aud` (draft-ietf-oauth-rfc7523bis).", { default: true }),
  // RFC 7523 s3: the server may refuse an `exp` unreasonably far in the future.
  maxLifetime: integer("The longest lifetime accepted, seconds.", 1, 3_600, { default: 300 }),
  clockTolerance: integer("Allowed clock difference for `exp`, `nbf` and `iat`, seconds.", 0, 300, { default: 30 }),
  jwksCooldown: integer("Least time between two fetches of one `jwks_uri`, seconds.", 1, 3_600, { default: 30 }),
  jwksTimeoutMs: integer("Longest wait for a `jwks_uri` answer, milliseconds.", 1, 60_000, { default: 5_000 }),
  jwksMaxBytes: integer("Largest `jwks_uri` body accepted, bytes.", 1_024, 1_048_576, { default: 65_536 }),
} satisfies Describes<ClientAssertionOptions>;

/**
 * Validates the `clientAssertion` option; throws a `ConfigurationError` naming the
 * setting (`clientAssertion.maxLifetime`) for an unknown one or a value out of range.
 *
 * @example
 * ```ts
 * import { resolveAssertionSettings } from "./assertion_options.ts";
 * resolveAssertionSettings(undefined).strictAudience; // true
 * ```
 */
export function resolveAssertionSettings(options: ClientAssertionOptions | undefined): AssertionSettings {
  const o = checkObject(clientAssertionDescription, options ?? {}, "clientAssertion");
  return {
    strictAudience: o.strictAudience,
    maxLifetime: o.maxLifetime,
    clockTolerance: o.clockTolerance,
    jwksCooldownMs: o.jwksCooldown * 1000,
    jwksTimeoutMs: o.jwksTimeoutMs,
    jwksMaxBytes: o.jwksMaxBytes,
  };
}
