/**
 * Settings of client authentication with signed assertions (RFC 7523 s2.2, s3): the
 * `clientAssertion` option, validated once at start-up.
 *
 * @module
 */

import { ConfigurationError } from "../errors.ts";

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

const KNOWN: ReadonlySet<string> = new Set([
  "strictAudience",
  "maxLifetime",
  "clockTolerance",
  "jwksCooldown",
  "jwksTimeoutMs",
  "jwksMaxBytes",
]);

function integer(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigurationError(`clientAssertion.${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/**
 * Validates the `clientAssertion` option; throws a {@link ConfigurationError} for an
 * unknown setting or a number out of range.
 *
 * @example
 * ```ts
 * import { resolveAssertionSettings } from "./assertion_options.ts";
 * resolveAssertionSettings(undefined).strictAudience; // true
 * ```
 */
export function resolveAssertionSettings(options: ClientAssertionOptions | undefined): AssertionSettings {
  const o = options ?? {};
  if (typeof o !== "object" || o === null) throw new ConfigurationError("clientAssertion must be an object");
  for (const name of Object.keys(o)) {
    if (!KNOWN.has(name)) throw new ConfigurationError(`unknown clientAssertion option '${name}'`);
  }
  if (o.strictAudience !== undefined && typeof o.strictAudience !== "boolean") {
    throw new ConfigurationError("clientAssertion.strictAudience must be a boolean");
  }
  return {
    strictAudience: o.strictAudience ?? true,
    maxLifetime: integer("maxLifetime", o.maxLifetime, 300, 1, 3_600),
    clockTolerance: integer("clockTolerance", o.clockTolerance, 30, 0, 300),
    jwksCooldownMs: integer("jwksCooldown", o.jwksCooldown, 30, 1, 3_600) * 1000,
    jwksTimeoutMs: integer("jwksTimeoutMs", o.jwksTimeoutMs, 5_000, 1, 60_000),
    jwksMaxBytes: integer("jwksMaxBytes", o.jwksMaxBytes, 65_536, 1_024, 1_048_576),
  };
}
