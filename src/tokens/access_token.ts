/**
 * Issuing an access token for a grant the server has decided on.
 *
 * @module
 */

import type { Client } from "../clients/registration.ts";
import type { CryptoProvider } from "../crypto/provider.ts";
import { OAuthError } from "../errors.ts";
import { StoreFullError, type TokenRecord, type TokenStore } from "../stores/token_store.ts";
import { generateOpaqueToken, tokenKey } from "./opaque.ts";

/** What a grant decided: who gets a token, and for what. */
export interface AccessTokenGrant {
  /** The authenticated client. */
  client: Client;
  /** The granted scope, space-separated distinct scope tokens; "" for none. */
  scope: string;
}

/** An issued access token, as the token response (RFC 6749 s5.1) reports it. */
export interface IssuedAccessToken {
  access_token: string;
  token_type: "Bearer";
  /** Lifetime in seconds: a JSON number. */
  expires_in: number;
  /** The granted scope, space-separated; "" when none. */
  scope: string;
}

/** What issuing needs from the server's configuration. */
export interface IssueContext {
  readonly crypto: CryptoProvider;
  readonly tokenStore: TokenStore;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
  /** Access token lifetime, seconds. */
  readonly accessTokenLifetime: number;
}

/**
 * Issues an opaque access token and records it under the hash of its value. The token is
 * returned only once the store has confirmed the write, so a failed store never yields a
 * token that would not work; and a failed write is revoked, so it leaves no record of a
 * token nobody holds.
 */
export async function issueAccessToken(grant: AccessTokenGrant, ctx: IssueContext): Promise<IssuedAccessToken> {
  const access_token = generateOpaqueToken(ctx.crypto);
  const iat = Math.floor(ctx.clock() / 1000);
  const scope = grant.scope;
  const record: TokenRecord = {
    client_id: grant.client.client_id,
    scope,
    iat,
    exp: iat + ctx.accessTokenLifetime,
  };
  const key = await tokenKey(access_token, ctx.crypto);
  try {
    await ctx.tokenStore.save(key, record);
  } catch (e) {
    // The token will not be handed out, so no record of it may stay behind: a store can fail
    // after writing (a lost reply). A save that timed out is undone when it completes
    // (stores/deadline.ts); any other failure is undone here, best effort.
    if (!(e instanceof OAuthError)) {
      try {
        await ctx.tokenStore.revoke(key);
      } catch {
        // The store is failing; nothing more can be done for this record.
      }
    }
    if (e instanceof StoreFullError) {
      const headers = e.retryAfter === undefined ? undefined : { "retry-after": String(e.retryAfter) };
      throw new OAuthError("temporarily_unavailable", "the server cannot record more tokens now", { headers, cause: e });
    }
    throw e;
  }
  return { access_token, token_type: "Bearer", expires_in: ctx.accessTokenLifetime, scope };
}
