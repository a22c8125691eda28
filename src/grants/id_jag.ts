/**
 * The Identity Assertion JWT Authorization Grant profile (ID-JAG,
 * draft-ietf-oauth-identity-assertion-authz-grant): the JWT an enterprise identity provider
 * issues for one client to present here with the JWT bearer grant, which MCP's
 * enterprise-managed authorization uses. What the profile adds to RFC 7523 s3, checked
 * here on an assertion whose signature, issuer, times and audience have been verified:
 *
 * - s3.1: `typ` is `oauth-id-jag+jwt` (checked with the signature; RFC 8725 s3.11), and
 *   `jti`, `iat` and `client_id` are REQUIRED;
 * - s4.4.1: `aud` is this server's issuer identifier, a string or an array of exactly that
 *   one value; `client_id` names the client that authenticated the request; `scope` and
 *   `resource` bound what may be granted (the granted scope and resources may be a subset).
 *
 * Each failure is `invalid_grant` (RFC 7523 s3.1; the draft's s4.4.1).
 *
 * @module
 */

import { OAuthError } from "../errors.ts";
import { isResourceIndicator } from "../resource_indicators.ts";
import { isScopeToken } from "../scope.ts";

/** The `typ` of an ID-JAG (draft-ietf-oauth-identity-assertion-authz-grant s3.1). */
export const ID_JAG_TYPE = "oauth-id-jag+jwt";

/**
 * The profile's identifier, listed in `authorization_grant_profiles_supported`
 * (draft-ietf-oauth-identity-assertion-authz-grant s7.2).
 */
export const ID_JAG_GRANT_PROFILE = "urn:ietf:params:oauth:grant-profile:id-jag";

/** What an ID-JAG bounds: its scope and resources, when it names them. */
export interface IdJagBounds {
  /** Space-separated; `undefined` when the assertion has no `scope` claim. */
  readonly scope: string | undefined;
  /** `undefined` when the assertion has no `resource` claim. */
  readonly resource: readonly string[] | undefined;
}

function invalid(reason: string): OAuthError {
  return new OAuthError("invalid_grant", `the assertion is not a valid ID-JAG for this request: ${reason}`);
}

/** A `scope` claim: one JSON string of scope tokens (RFC 6749 s3.3). */
function readScope(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw invalid("its scope is not a string");
  if (value === "") return "";
  const tokens = value.split(" ");
  if (!tokens.every(isScopeToken)) throw invalid("its scope is malformed");
  return [...new Set(tokens)].join(" ");
}

/** A `resource` claim: one URI or an array of them (RFC 8707 s2). */
function readResource(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const values = typeof value === "string" ? [value] : Array.isArray(value) ? value : undefined;
  if (values === undefined || values.length === 0 || !values.every((r) => typeof r === "string" && isResourceIndicator(r))) {
    throw invalid("its resource is not a resource indicator or a non-empty list of them");
  }
  return [...new Set(values as string[])];
}

/**
 * Checks the profile's claims of a verified assertion for `client_id` at `issuer` and
 * returns what it bounds. Throws `invalid_grant`.
 *
 * @example
 * ```ts
 * import { checkIdJag } from "./id_jag.ts";
 * const bounds = checkIdJag({
 *   iss: "https://acme.idp.example", sub: "U019488227", aud: "https://auth.example.com",
 *   client_id: "wiki", jti: "9e43f81b64a33f20116179", iat: 1767225300, exp: 1767225600,
 *   scope: "chat.read chat.history",
 * }, "wiki", "https://auth.example.com");
 * bounds.scope; // "chat.read chat.history"
 * ```
 */
export function checkIdJag(claims: Readonly<Record<string, unknown>>, client_id: string, issuer: string): IdJagBounds {
  const { aud } = claims;
  // s4.4.1: "If the aud claim is an array, it MUST contain exactly one element".
  if (!(aud === issuer || (Array.isArray(aud) && aud.length === 1 && aud[0] === issuer))) {
    throw invalid("its aud is not exactly this server's issuer identifier");
  }
  if (typeof claims.jti !== "string" || claims.jti === "") throw invalid("it has no jti");
  if (typeof claims.iat !== "number") throw invalid("it has no iat");
  // s4.4.1: client continuity; the identity provider names the client it issued the grant for.
  if (typeof claims.client_id !== "string" || claims.client_id === "") throw invalid("it has no client_id");
  if (claims.client_id !== client_id) throw invalid("its client_id is not the authenticated client");
  return { scope: readScope(claims.scope), resource: readResource(claims.resource) };
}
