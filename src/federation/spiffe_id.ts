/**
 * SPIFFE IDs (SPIFFE-ID standard s2): `spiffe://<trust domain>/<path>`, the `sub` of a
 * JWT-SVID. Parsed strictly, since the trust domain picks the keys a JWT-SVID is verified
 * with (draft-ietf-oauth-spiffe-client-auth s6: bundles are keyed by trust domain).
 *
 * @module
 */

/** A SPIFFE ID taken apart. */
export interface SpiffeId {
  /** The trust domain, e.g. `example.org`. */
  readonly trustDomain: string;
  /** The path, e.g. `/billing/api`; "" for the trust domain's own ID. */
  readonly path: string;
}

// SPIFFE-ID s2.1: lowercase letters, digits, dots, dashes and underscores.
const TRUST_DOMAIN = /^[a-z0-9._-]+$/;
// SPIFFE-ID s2.2: segments of letters, digits, dots, dashes and underscores.
const SEGMENT = /^[A-Za-z0-9._-]+$/;
// SPIFFE-ID s2.3: at most 2048 bytes; every character allowed is ASCII.
const MAX_LENGTH = 2048;

/**
 * Parses a trust domain name (without the scheme); `undefined` unless it is valid.
 *
 * @example
 * ```ts
 * import { isTrustDomain } from "./spiffe_id.ts";
 * isTrustDomain("example.org"); // true
 * isTrustDomain("Example.org"); // false: lowercase only
 * ```
 */
export function isTrustDomain(value: string): boolean {
  return value.length > 0 && value.length <= 255 && TRUST_DOMAIN.test(value);
}

/**
 * Parses a SPIFFE ID; `undefined` unless it is one (scheme `spiffe`, lowercase, a valid
 * trust domain, no empty, `.` or `..` path segment, no trailing `/`, no query, fragment,
 * port or user information).
 *
 * @example
 * ```ts
 * import { parseSpiffeId } from "./spiffe_id.ts";
 * parseSpiffeId("spiffe://example.org/billing/api"); // { trustDomain: "example.org", path: "/billing/api" }
 * parseSpiffeId("spiffe://example.org/billing/"); // undefined
 * ```
 */
export function parseSpiffeId(value: string): SpiffeId | undefined {
  if (value.length > MAX_LENGTH || !value.startsWith("spiffe://")) return undefined;
  const rest = value.slice("spiffe://".length);
  const slash = rest.indexOf("/");
  const trustDomain = slash === -1 ? rest : rest.slice(0, slash);
  const path = slash === -1 ? "" : rest.slice(slash);
  if (!isTrustDomain(trustDomain)) return undefined;
  if (path !== "") {
    for (const segment of path.slice(1).split("/")) {
      if (segment === "." || segment === ".." || !SEGMENT.test(segment)) return undefined;
    }
  }
  return { trustDomain, path };
}
