/**
 * Checks on the request URL shared by every endpoint that receives credentials or tokens:
 * TLS, and no credentials in the query.
 *
 * @module
 */

import { OAuthError } from "../errors.ts";
import { isLoopbackHost } from "./loopback.ts";

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
  if (isLoopback(url)) return;
  throw new OAuthError("invalid_request", "this endpoint requires https");
}

/**
 * The last plain `http://host[:port]` origin checked and its answer: a server on loopback
 * sees one origin on every request, and parsing the URL costs more than the rest of this
 * module. Only an origin of host characters is remembered (no userinfo, backslash or
 * whitespace, which the URL parser treats specially), so its host is the host of the URL.
 */
let lastOrigin = "";
let lastLoopback = false;
const PLAIN_HTTP_ORIGIN = /^http:\/\/[A-Za-z0-9.\-]+(?::[0-9]+)?$|^http:\/\/\[[0-9A-Fa-f:.]+\](?::[0-9]+)?$/;

function isLoopback(url: string): boolean {
  const slash = url.indexOf("/", 7);
  const origin = slash === -1 ? url : url.slice(0, slash);
  if (origin === lastOrigin) return lastLoopback;
  const loopback = isLoopbackHost(new URL(url).hostname);
  if (PLAIN_HTTP_ORIGIN.test(origin)) {
    lastOrigin = origin;
    lastLoopback = loopback;
  }
  return loopback;
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
