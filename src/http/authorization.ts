/**
 * Reading the `Authorization` request header (RFC 9110 s11.6.2) into a scheme and its
 * credentials.
 *
 * @module
 */

import { OAuthError } from "../errors.ts";

/** The parts of an `Authorization` header. */
export interface AuthorizationHeader {
  /** The auth-scheme, lower-cased (schemes are case-insensitive, RFC 9110 s11.1). */
  scheme: string;
  /** What follows the scheme and its separating spaces. */
  credentials: string;
}

/**
 * Splits an `Authorization` header value. `Headers.get()` joins a repeated header with ", ";
 * no Basic, Bearer or DPoP credential contains a comma, so a comma means the header was sent
 * twice, which is refused (RFC 6749 s5.2 "more than one mechanism"; RFC 9449 s4.3 for DPoP).
 *
 * @example
 * ```ts
 * import { parseAuthorizationHeader } from "./authorization.ts";
 * parseAuthorizationHeader("Basic YTpi"); // { scheme: "basic", credentials: "YTpi" }
 * ```
 */
export function parseAuthorizationHeader(value: string): AuthorizationHeader {
  if (value.indexOf(",") !== -1) {
    throw new OAuthError("invalid_request", "the Authorization header is repeated or malformed");
  }
  const trimmed = value.trim();
  const space = trimmed.indexOf(" ");
  if (space === -1) return { scheme: trimmed.toLowerCase(), credentials: "" };
  return { scheme: trimmed.slice(0, space).toLowerCase(), credentials: trimmed.slice(space + 1).trimStart() };
}
