/**
 * The scope of an exchanged token (RFC 8693 s2.1, RFC 6749 s3.3): never wider than what
 * the subject token carries, nor than what the requesting client may be granted.
 *
 * @module
 */

import type { Client } from "../clients/registration.ts";
import { OAuthError } from "../errors.ts";
import { parseScope } from "../scope.ts";
import type { ExchangedToken } from "./exchanged_token.ts";

/**
 * Decides the scope, space-separated ("" for none):
 *
 * - requested: every scope token must be in the client's registered `scope` and in the
 *   subject token's scope; one outside either is `invalid_scope` (fails closed, as for
 *   client credentials, rather than granting less than asked);
 * - not requested: the subject token's scope narrowed to the client's registered `scope`
 *   (never the client's default added to it); nothing left of a non-empty scope is
 *   `invalid_scope`. A subject token that carries no scope of this server (another
 *   issuer's identity token) gives the client's `default_scope`.
 *
 * The audience may narrow it further (`resourceScopes`, see `resource_indicators.ts`).
 */
export function exchangeScope(requested: string | undefined, subject: ExchangedToken, client: Client): string {
  return boundedScope(requested, subject.scope, client, "the subject token's");
}

/**
 * The same rule for any grant that rests on a token carrying a scope: `scope` is that
 * token's scope (space-separated; `undefined` when it carries none of this server's),
 * `whose` names it in error descriptions. Used by the JWT bearer grant for an assertion's
 * `scope` claim (draft-ietf-oauth-identity-assertion-authz-grant s4.4.1: processed as RFC
 * 6749 s3.3 says; the granted scope may be a subset).
 *
 * @example
 * ```ts
 * import { boundedScope } from "./exchange_scope.ts";
 * import type { Client } from "../clients/registration.ts";
 * declare const client: Client; // scope: "chat.read chat.write"
 * boundedScope(undefined, "chat.read chat.history", client, "the assertion's"); // "chat.read"
 * ```
 */
export function boundedScope(requested: string | undefined, scope: string | undefined, client: Client, whose: string): string {
  const held = scope === undefined ? undefined : new Set(scope === "" ? [] : scope.split(" "));
  if (requested !== undefined) {
    const tokens = parseScope(requested);
    for (const t of tokens) {
      if (!client.scope.has(t)) throw new OAuthError("invalid_scope", `scope '${t}' is not allowed for this client`);
      if (held !== undefined && !held.has(t)) throw new OAuthError("invalid_scope", `scope '${t}' is beyond ${whose} scope`);
    }
    return tokens.join(" ");
  }
  if (held === undefined) return client.default_scope;
  const kept = [...held].filter((t) => client.scope.has(t));
  if (kept.length === 0 && held.size > 0) {
    throw new OAuthError("invalid_scope", `none of ${whose} scope is allowed for this client`);
  }
  return kept.join(" ");
}
