/**
 * From a presented token to what the server knows about it: the one step shared by
 * introspection (RFC 7662 s2.2) and revocation (RFC 7009 s2.1).
 *
 * Every kind of token the server issues is tried, whatever `token_type_hint` says (RFC 7662
 * s2.1 and RFC 7009 s2.1: a server MAY ignore the hint and MUST search further when it
 * misses). Two kinds: the opaque token, found in the token store under its hash, and the
 * JWT access token (RFC 9068), verified against the server's own keys, `iss` and `exp`,
 * with a `jti` listed in the revocation store treated as unknown, so that callers only
 * ever see live tokens. The kinds are told apart by shape: an opaque token is base64url,
 * which has no `.`, and a compact JWS always has two.
 *
 * @module
 */

import type { CryptoProvider } from "../crypto/provider.ts";
import type { RevocationStore } from "../stores/revocation_store.ts";
import type { TokenRecord, TokenStore } from "../stores/token_store.ts";
import { tokenKey } from "./opaque.ts";
import { type OwnJwtContext, readOwnJwt } from "./own_jwt.ts";

/** What a lookup needs from the server's configuration. */
export interface LookupContext extends OwnJwtContext {
  readonly crypto: CryptoProvider;
  readonly tokenStore: TokenStore;
  /** Revoked JWT ids, for the JWT kind. */
  readonly revocationStore: RevocationStore;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
}

/** A live token the server issued, and how to find it again. */
export interface FoundOpaqueToken {
  readonly format: "opaque";
  /** The token store key: base64url(SHA-256(token)). */
  readonly key: string;
  readonly record: TokenRecord;
}

/** A live JWT access token this server signed. */
export interface FoundJwtToken {
  readonly format: "jwt";
  /** Its identifier: what the revocation store remembers. */
  readonly jti: string;
  /** Its claims, as the record an opaque token would have had. */
  readonly record: TokenRecord;
}

/**
 * A live token: one variant per token format, so that code acting on a token (revocation)
 * must handle each format the lookup can return.
 */
export type FoundToken = FoundOpaqueToken | FoundJwtToken;

/**
 * Finds the live token behind `token`: `undefined` when it is unknown, expired or revoked.
 * A record past its `exp` is treated as unknown even if a store returned it.
 */
export async function lookupToken(token: string, ctx: LookupContext): Promise<FoundToken | undefined> {
  if (token.includes(".")) {
    const jwt = await readOwnJwt(token, ctx);
    if (jwt === undefined || await ctx.revocationStore.isRevoked(jwt.jti)) return undefined;
    return { format: "jwt", jti: jwt.jti, record: jwt.record };
  }
  const key = await tokenKey(token, ctx.crypto);
  const record = await ctx.tokenStore.find(key);
  if (record === undefined || record === null) return undefined;
  // RFC 7662 s4: expiry is checked here too, not left to the store alone.
  if (!(record.exp > ctx.clock() / 1000)) return undefined;
  return { format: "opaque", key, record };
}
