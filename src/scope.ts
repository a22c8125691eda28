/**
 * Access token scope (RFC 6749 s3.3): syntax, and the grant decision for a request.
 *
 * @module
 */

import { OAuthError } from "./errors.ts";

/**
 * Whether `token` is a scope-token: one or more of %x21 / %x23-5B / %x5D-7E, i.e. printable
 * ASCII except space, `"` and `\` (RFC 6749 s3.3).
 *
 * @example
 * ```ts
 * import { isScopeToken } from "./scope.ts";
 * isScopeToken("invoices:read"); // true
 * isScopeToken("a\"b"); // false
 * ```
 */
export function isScopeToken(token: string): boolean {
  if (token.length === 0) return false;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || c === 0x22 || c === 0x5c) return false;
  }
  return true;
}

/**
 * Parses a `scope` parameter into its distinct tokens, in request order. Tokens are
 * separated by single spaces; anything else is `invalid_scope`.
 *
 * @example
 * ```ts
 * import { parseScope } from "./scope.ts";
 * parseScope("read write read"); // ["read", "write"]
 * ```
 */
export function parseScope(scope: string): string[] {
  const tokens = scope.split(" ");
  for (const t of tokens) {
    if (!isScopeToken(t)) throw new OAuthError("invalid_scope", "the scope parameter is malformed (RFC 6749 s3.3)");
  }
  return tokens.length === 1 ? tokens : [...new Set(tokens)];
}

/**
 * Decides the scope to grant, as a space-separated string: the requested scope (duplicates
 * removed) when it lies within the client's registered scope, the client's default scope
 * when none was requested. Fails closed: a
 * single token outside the registered scope refuses the request with `invalid_scope` rather
 * than granting less than asked.
 */
export function grantScope(
  requested: string | undefined,
  registered: ReadonlySet<string>,
  defaultScope: string,
): string {
  if (requested === undefined) return defaultScope;
  // One scope-token (the common request): no array of tokens, no set to remove duplicates.
  if (requested.indexOf(" ") === -1) {
    if (!isScopeToken(requested)) throw new OAuthError("invalid_scope", "the scope parameter is malformed (RFC 6749 s3.3)");
    if (!registered.has(requested)) throw new OAuthError("invalid_scope", `scope '${requested}' is not allowed for this client`);
    return requested;
  }
  const tokens = parseScope(requested);
  for (const t of tokens) {
    if (!registered.has(t)) throw new OAuthError("invalid_scope", `scope '${t}' is not allowed for this client`);
  }
  return tokens.length === 1 ? tokens[0]! : tokens.join(" ");
}
