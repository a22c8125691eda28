/**
 * The token store: where opaque access tokens are recorded so that introspection,
 * revocation and the resource server can find them.
 *
 * @module
 */

import type { ActorClaim, MayActClaim } from "../tokens/actor.ts";

/**
 * The confirmation (RFC 7800 s3.1) of a sender-constrained token: what a request must also
 * show to use it. Either member, or both.
 */
export interface TokenConfirmation {
  /** The RFC 7638 thumbprint of the key a DPoP proof must be signed with (RFC 9449 s6). */
  jkt?: string;
  /** base64url(SHA-256) of the DER of the TLS client certificate the request must come with (RFC 8705 s3.1). */
  "x5t#S256"?: string;
}

/**
 * What the server remembers about an issued access token. Field names are those of the
 * RFC 7662 introspection response, so a record maps onto it directly. Times are seconds
 * since the epoch.
 */
export interface TokenRecord {
  /** The client the token was issued to. */
  client_id: string;
  /** The granted scope, space-separated; "" when none was granted. */
  scope: string;
  /** Issued at. */
  iat: number;
  /** Expires at. The store must not return a record at or after this time. */
  exp: number;
  /** The subject, when it is not the client itself (client credentials: it always is; token exchange: the subject token's). */
  sub?: string;
  /** The audience(s) the token is meant for (RFC 8707 resource indicators). */
  aud?: string | readonly string[];
  /** A unique identifier of the token. */
  jti?: string;
  /**
   * Confirmation: what the token is bound to: a DPoP key (`jkt`, RFC 9449 s6), a TLS client
   * certificate (`x5t#S256`, RFC 8705 s3), or both. A store keeps the member names as they
   * are (`x5t#S256` with its `#`).
   */
  cnf?: TokenConfirmation;
  /**
   * The actor, for a token issued by token exchange to a party acting on the subject's
   * behalf (RFC 8693 s4.1), with earlier actors nested inside.
   */
  act?: ActorClaim;
  /**
   * Who may act for the subject (RFC 8693 s4.4). No grant of this server sets it; a record
   * that carries it (written by another issuer sharing the store) is honoured by token
   * exchange.
   */
  may_act?: MayActClaim;
}

/**
 * Storage for token records, keyed by a hash of the token: the token itself never reaches
 * the store, so a leaked database holds nothing a caller could present.
 *
 * Implementations must not return a record once its `exp` has passed (drop it, or let the
 * engine's TTL do so), and must throw when a write did not happen: the token endpoint only
 * hands out a token after `save` has resolved.
 *
 * @example A store over a Redis-like client
 * ```ts
 * import type { TokenRecord, TokenStore } from "./token_store.ts";
 *
 * declare const redis: {
 *   set(key: string, value: string, opts: { EXAT: number }): Promise<unknown>;
 *   get(key: string): Promise<string | null>;
 *   del(key: string): Promise<number>;
 * };
 *
 * const tokens: TokenStore = {
 *   async save(key, record) {
 *     await redis.set(`at:${key}`, JSON.stringify(record), { EXAT: record.exp });
 *   },
 *   async find(key) {
 *     const json = await redis.get(`at:${key}`);
 *     return json === null ? undefined : JSON.parse(json) as TokenRecord;
 *   },
 *   async revoke(key) {
 *     return (await redis.del(`at:${key}`)) > 0;
 *   },
 * };
 * ```
 */
export interface TokenStore {
  /** Records a token under `key` (a hash of the token) until `record.exp`. */
  save(key: string, record: TokenRecord): Promise<void>;
  /** The record under `key`, or `undefined` when unknown, expired or revoked. */
  find(key: string): Promise<TokenRecord | undefined>;
  /** Forgets the record under `key`; answers whether there was one. */
  revoke(key: string): Promise<boolean>;
}

/**
 * Thrown by a bounded store that is full of live records. It refuses new work rather than
 * forgetting a live token; the endpoint answers 503 `temporarily_unavailable`.
 */
export class StoreFullError extends Error {
  /** Seconds until an entry is due to expire, when known. */
  readonly retryAfter: number | undefined;

  constructor(message: string, retryAfter?: number) {
    super(message);
    this.name = "StoreFullError";
    this.retryAfter = retryAfter;
  }
}
