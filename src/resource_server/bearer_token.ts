/**
 * Finding the access token in a request to a protected resource (RFC 6750 s2): the
 * `Authorization: Bearer` header, and, only when enabled, a form body or query
 * `access_token`. A token sent more than one way is refused (s2, s3.1).
 *
 * @module
 */

import { OAuthError } from "../errors.ts";
import { parseAuthorizationHeader } from "../http/authorization.ts";
import { readForm } from "../http/form.ts";
import type { ResourceServerContext } from "./options.ts";

/** Where the token was found. A 2xx answer to a `query` token should add `Cache-Control: private` (RFC 6750 s2.3). */
export type TokenLocation = "header" | "body" | "query";

/**
 * The scheme a token came with: `bearer` (RFC 6750), or `dpop` for a bound token presented
 * with a proof (RFC 9449 s7.1).
 *
 * @example
 * ```ts
 * import type { TokenScheme } from "./bearer_token.ts";
 * const scheme: TokenScheme = "dpop"; // Authorization: DPoP <token>
 * ```
 */
export type TokenScheme = "bearer" | "dpop";

/** RFC 6750 s2.1 b64token. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** Longer than any token this library issues by far; longer input is not parsed at all. */
const MAX_TOKEN_LENGTH = 16_384;
const FORM_LIMITS = { maxBytes: 65_536, timeoutMs: 10_000 };

function isForm(request: Request): boolean {
  if (request.method === "GET" || request.method === "HEAD" || request.body === null) return false;
  const type = request.headers.get("content-type") ?? "";
  return type.split(";")[0]!.trim().toLowerCase() === "application/x-www-form-urlencoded";
}

/**
 * The `access_token` of a form body, read from a clone so the application can still read
 * the body. A body this helper cannot read (too large, malformed) holds no token for it.
 */
async function bodyToken(request: Request): Promise<string | undefined> {
  try {
    const form = await readForm(request.clone(), FORM_LIMITS);
    return form.has("access_token") ? form.get("access_token") ?? "" : undefined;
  } catch {
    return undefined;
  }
}

function queryToken(url: string): string | undefined {
  const q = url.indexOf("?");
  if (q === -1) return undefined;
  const query = new URLSearchParams(url.slice(q + 1).split("#")[0]);
  return query.has("access_token") ? query.get("access_token") ?? "" : undefined;
}

function checkSyntax(token: string): string {
  if (token.length > MAX_TOKEN_LENGTH || !B64TOKEN.test(token)) {
    throw new OAuthError("invalid_token", "the access token is malformed");
  }
  return token;
}

/**
 * The bearer token of `request` and where it was, or `undefined` when the request carries
 * none the server accepts (a query or body token while those are off counts as none,
 * RFC 6750 s2.2, s2.3; RFC 9700 s4.3.2). Throws `invalid_request` for a token sent more than one way, an empty or
 * repeated `Authorization` header; `invalid_token` for one outside the b64token syntax.
 *
 * @example
 * ```ts
 * import { findBearerToken } from "./bearer_token.ts";
 * import type { ResourceServerContext } from "./options.ts";
 * declare const ctx: ResourceServerContext;
 * const request = new Request("https://api.example.com/", { headers: { authorization: "Bearer abc" } });
 * await findBearerToken(request, ctx); // { token: "abc", location: "header", scheme: "bearer" }
 * ```
 */
export async function findBearerToken(
  request: Request,
  ctx: ResourceServerContext,
): Promise<{ token: string; location: TokenLocation; scheme: TokenScheme } | undefined> {
  const header = request.headers.get("authorization");
  let fromHeader: string | undefined;
  let headerScheme: TokenScheme = "bearer";
  if (header !== null) {
    const { scheme, credentials } = parseAuthorizationHeader(header);
    // The DPoP scheme (RFC 9449 s7.1) only when DPoP is on; otherwise, like any other
    // scheme, it carries no credentials this resource accepts.
    if (scheme === "bearer" || (scheme === "dpop" && ctx.dpop !== undefined)) {
      if (credentials === "") throw new OAuthError("invalid_request", "the Authorization header has no token");
      fromHeader = credentials;
      headerScheme = scheme;
    }
  }
  const fromQuery = queryToken(request.url);
  // The body is only read when it could matter: a second way next to the header, or the
  // accepted way when body tokens are on.
  const fromBody = (fromHeader !== undefined || ctx.allowFormToken) && isForm(request) ? await bodyToken(request) : undefined;
  const ways = (fromHeader !== undefined ? 1 : 0) + (fromQuery !== undefined ? 1 : 0) + (fromBody !== undefined ? 1 : 0);
  if (ways > 1) throw new OAuthError("invalid_request", "the access token was sent in more than one way (RFC 6750 s2)");
  if (fromHeader !== undefined) return { token: checkSyntax(fromHeader), location: "header", scheme: headerScheme };
  if (fromQuery !== undefined && ctx.allowQueryToken) {
    if (fromQuery === "") throw new OAuthError("invalid_request", "access_token is empty");
    return { token: checkSyntax(fromQuery), location: "query", scheme: "bearer" };
  }
  if (fromBody !== undefined && ctx.allowFormToken) {
    if (fromBody === "") throw new OAuthError("invalid_request", "access_token is empty");
    return { token: checkSyntax(fromBody), location: "body", scheme: "bearer" };
  }
  return undefined;
}
