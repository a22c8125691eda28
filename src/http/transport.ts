/**
 * Checks on the request URL shared by every endpoint that receives credentials or tokens:
 * TLS, and no credentials in the query.
 *
 * @module
 */

import { OAuthError } from "../errors.ts";
import { isLoopbackHost } from "../options.ts";

/** Parameters that carry credentials and so must never be read from the URL (RFC 6749 s2.3.1). */
const CREDENTIAL_PARAMETERS = ["client_secret", "client_assertion"];

/**
 * RFC 6749 s3.2 and s10.9 (token endpoint), RFC 7662 s4 (introspection), RFC 7009 s5
 * (revocation): requests carrying credentials or tokens require TLS. Loopback hosts are
 * exempt, and `requireHttps: false` turns the check off when TLS ends at a proxy.
 *
 * @example
 * ```ts
 * import { requireTls } from "./transport.ts";
 * requireTls("https://as.example.com/token", true); // passes
 * ```
 */
export function requireTls(url: string, requireHttps: boolean): void {
  if (!requireHttps || url.startsWith("https:")) return;
  if (isLoopbackHost(new URL(url).hostname)) return;
  throw new OAuthError("invalid_request", "this endpoint requires https");
}

/**
 * RFC 6749 s2.3.1: client credentials MUST NOT be included in the request URI.
 *
 * @example
 * ```ts
 * import { refuseQueryCredentials } from "./transport.ts";
 * refuseQueryCredentials("https://as.example.com/token?x=1"); // passes
 * ```
 */
export function refuseQueryCredentials(url: string): void {
  const q = url.indexOf("?");
  if (q === -1) return;
  const query = new URLSearchParams(url.slice(q + 1).split("#")[0]);
  if (CREDENTIAL_PARAMETERS.some((name) => query.has(name))) {
    throw new OAuthError("invalid_request", "client credentials must not be sent in the URL");
  }
}
