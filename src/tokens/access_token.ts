/**
 * Issuing an access token for a grant the server has decided on, in the format the server
 * (or the client's registration) chose: opaque or JWT (RFC 9068).
 *
 * @module
 */

import type { Client } from "../clients/registration.ts";
import type { KeySet } from "../crypto/key_set.ts";
import type { CryptoProvider } from "../crypto/provider.ts";
import { ConfigurationError, OAuthError } from "../errors.ts";
import { storeFailure } from "../stores/store_unavailable.ts";
import { type TokenConfirmation, type TokenRecord, type TokenStore } from "../stores/token_store.ts";
import type { ActorClaim } from "./actor.ts";
import { signJwtAccessToken } from "./jwt.ts";
import { generateOpaqueToken, randomBase64Url, tokenKeyOf } from "./opaque.ts";

/**
 * The format of access tokens: `opaque` (random strings whose meaning lives in the token
 * store) or `jwt` (RFC 9068 signed tokens a resource server verifies on its own).
 */
export type AccessTokenFormat = "opaque" | "jwt";

/** What a grant decided: who gets a token, and for what. */
export interface AccessTokenGrant {
  /** The authenticated client. */
  client: Client;
  /** The granted scope, space-separated distinct scope tokens; "" for none. */
  scope: string;
  /** The audience: the granted resource indicators (RFC 8707); empty for none. */
  resource: readonly string[];
  /**
   * The RFC 7638 thumbprint of the key a DPoP proof showed (RFC 9449 s6.1): the token is
   * bound to it (`cnf.jkt`) and is a `DPoP` token. Absent: a Bearer token.
   */
  jkt?: string;
  /**
   * The `x5t#S256` of the TLS client certificate the token is bound to (RFC 8705 s3.1);
   * absent: not bound to a certificate. With `jkt` too, the token is bound to both.
   */
  x5t?: string;
  /** The subject, when it is not the client (token exchange: the subject token's, RFC 8693 s2.1). */
  sub?: string;
  /** The actor, for a delegated token (RFC 8693 s4.1). */
  act?: ActorClaim;
  /**
   * The latest the token may expire, seconds since the epoch: a token exchanged for another
   * never outlives it. Absent: the server's `accessTokenLifetime` alone decides.
   */
  notAfter?: number;
}

/** An issued access token, as the token response (RFC 6749 s5.1) reports it. */
export interface IssuedAccessToken {
  access_token: string;
  /** `DPoP` for a token bound to a key (RFC 9449 s5), else `Bearer`. */
  token_type: "Bearer" | "DPoP";
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
  /** The issuer identifier, the `iss` of JWT access tokens. */
  readonly issuer: string;
  /** The format of tokens for clients that registered none. */
  readonly accessTokenFormat: AccessTokenFormat;
  /** The keys JWT access tokens are signed with. */
  readonly signingKeys: KeySet | undefined;
}

/**
 * The token's lifetime from `iat`: the client's `access_token_lifetime`, else the server's,
 * cut short by the grant's `notAfter` either way.
 */
function lifetime(grant: AccessTokenGrant, iat: number, ctx: IssueContext): number {
  const max = grant.client.access_token_lifetime ?? ctx.accessTokenLifetime;
  if (grant.notAfter === undefined) return max;
  const seconds = Math.min(max, grant.notAfter - iat);
  // Never a token that outlives what it was exchanged for, not even by a second.
  if (!(seconds >= 1)) throw new OAuthError("invalid_request", "the token this grant rests on expires now");
  return seconds;
}

/** RFC 9449 s5: a bound token is of type DPoP; an unbound one Bearer (RFC 6750). */
function tokenType(grant: AccessTokenGrant): "Bearer" | "DPoP" {
  return grant.jkt === undefined ? "Bearer" : "DPoP";
}

/** RFC 7800 s3.1 `cnf`: every binding the grant asked for, or `undefined` for none. */
function confirmation(grant: AccessTokenGrant): TokenConfirmation | undefined {
  if (grant.jkt === undefined && grant.x5t === undefined) return undefined;
  const cnf: TokenConfirmation = {};
  if (grant.jkt !== undefined) cnf.jkt = grant.jkt;
  if (grant.x5t !== undefined) cnf["x5t#S256"] = grant.x5t;
  return cnf;
}

function audience(resource: readonly string[]): string | string[] | undefined {
  return resource.length === 0 ? undefined : resource.length === 1 ? resource[0]! : [...resource];
}

/**
 * Issues an RFC 9068 access token: signed by the active key, with every claim s2.2 requires.
 * The token is self-contained, so nothing is stored.
 */
async function issueJwt(grant: AccessTokenGrant, ctx: IssueContext): Promise<IssuedAccessToken> {
  if (ctx.signingKeys === undefined) {
    throw new ConfigurationError("JWT access tokens need the signingKeys option");
  }
  const aud = audience(grant.resource);
  // RFC 9068 s3: aud is REQUIRED; without a resource parameter a default MUST be used, and
  // with no default configured the request must name one (RFC 8707 s2.1).
  if (aud === undefined) throw new OAuthError("invalid_target", "a resource parameter is required for this client");
  const iat = Math.floor(ctx.clock() / 1000);
  const expires_in = lifetime(grant, iat, ctx);
  const client_id = grant.client.client_id;
  const cnf = confirmation(grant);
  const access_token = await signJwtAccessToken({
    iss: ctx.issuer,
    sub: grant.sub ?? client_id,
    aud,
    client_id,
    ...(grant.scope === "" ? {} : { scope: grant.scope }),
    iat,
    exp: iat + expires_in,
    // 192 random bits: unique per token (RFC 7519 s4.1.7), unguessable (RFC 6749 s10.10).
    jti: randomBase64Url(ctx.crypto, 24),
    // RFC 9449 s6.1 and RFC 8705 s3.1: a bound token confirms the key, or the certificate,
    // by its thumbprint.
    ...(cnf === undefined ? {} : { cnf }),
    // RFC 8693 s4.1; RFC 9068 s2.2 allows claims beyond its own.
    ...(grant.act === undefined ? {} : { act: grant.act }),
  }, ctx.signingKeys.active);
  return { access_token, token_type: tokenType(grant), expires_in, scope: grant.scope };
}

/**
 * Issues an access token in the client's format, else the server's. An opaque token is
 * recorded under the hash of its value and returned only once the store has confirmed the
 * write, so a failed store never yields a token that would not work; and a failed write is
 * revoked, so it leaves no record of a token nobody holds. `expires_in` is
 * `exp - iat` of the token either way.
 */
export function issueAccessToken(grant: AccessTokenGrant, ctx: IssueContext): Promise<IssuedAccessToken> {
  return (grant.client.access_token_format ?? ctx.accessTokenFormat) === "jwt" ? issueJwt(grant, ctx) : issueOpaque(grant, ctx);
}

async function issueOpaque(grant: AccessTokenGrant, ctx: IssueContext): Promise<IssuedAccessToken> {
  const access_token = generateOpaqueToken(ctx.crypto);
  const iat = Math.floor(ctx.clock() / 1000);
  const expires_in = lifetime(grant, iat, ctx);
  const scope = grant.scope;
  const record: TokenRecord = {
    client_id: grant.client.client_id,
    scope,
    iat,
    exp: iat + expires_in,
  };
  if (grant.sub !== undefined && grant.sub !== record.client_id) record.sub = grant.sub;
  const aud = audience(grant.resource);
  if (aud !== undefined) record.aud = aud;
  const cnf = confirmation(grant);
  if (cnf !== undefined) record.cnf = cnf;
  if (grant.act !== undefined) record.act = grant.act;
  const keyOf = tokenKeyOf(access_token, ctx.crypto);
  const key = typeof keyOf === "string" ? keyOf : await keyOf;
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
    throw storeFailure(e, "the server cannot record more tokens now");
  }
  return { access_token, token_type: tokenType(grant), expires_in, scope };
}
