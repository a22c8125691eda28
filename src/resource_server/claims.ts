/**
 * The claims of a verified access token, and the checks JWTs and opaque tokens share:
 * audience, times, revocation, sender constraint.
 *
 * @module
 */

import { OAuthError } from "../errors.ts";
import { type ActorClaim, readActorClaim } from "../tokens/actor.ts";
import type { TokenScheme } from "./bearer_token.ts";
import type { ResourceServerContext } from "./options.ts";

/**
 * The claims of an access token that passed every check: RFC 9068 s2.2 names, whether the
 * token was a JWT or an opaque token looked up in a store or by introspection.
 */
export interface AccessTokenClaims {
  /** The issuer. */
  iss?: string;
  /** The subject: the client itself for client credentials. */
  sub: string;
  /** The audience(s); always includes this resource. */
  aud: string | string[];
  /** The client the token was issued to. */
  client_id: string;
  /** The granted scope, space-separated; "" when none. */
  scope: string;
  /** Issued at, seconds since the epoch. */
  iat?: number;
  /** Expires at, seconds since the epoch. */
  exp?: number;
  /** Not before, seconds since the epoch. */
  nbf?: number;
  /** The token identifier. */
  jti?: string;
  /**
   * Who acts for the subject (RFC 8693 s4.1), for a token issued by token exchange: the
   * current actor, earlier ones nested. Only the current actor counts for access control.
   */
  act?: ActorClaim;
  /** Other claims of the token. */
  [claim: string]: unknown;
}

function invalid(description: string): OAuthError {
  return new OAuthError("invalid_token", description);
}

/** Whether `aud` (a string or an array of strings) names `resource` (RFC 9068 s4, RFC 7519 s4.1.3). */
export function audienceIncludes(aud: unknown, resource: string): boolean {
  return typeof aud === "string" ? aud === resource : Array.isArray(aud) && aud.includes(resource);
}

/** What a token is bound to: a DPoP key, a TLS client certificate, both, or neither. */
export interface TokenBinding {
  /** The RFC 7638 thumbprint of the DPoP key (RFC 9449 s6). */
  readonly jkt: string | undefined;
  /** The `x5t#S256` of the TLS client certificate (RFC 8705 s3.1). */
  readonly x5t: string | undefined;
}

const UNBOUND: TokenBinding = Object.freeze({ jkt: undefined, x5t: undefined });

/**
 * What a token is bound to (RFC 7800 s3.1 `cnf`, from JWT claims, a token record or an
 * introspection answer): `jkt`, the DPoP key (RFC 9449 s6), and `x5t#S256`, the TLS client
 * certificate (RFC 8705 s3.1), each checked by its own rule. A token that says it is bound
 * (`cnf`, or introspection's `token_type` `DPoP`) to nothing this helper can check (no
 * usable `jkt` or `x5t#S256`; `DPoP` without `jkt`) is refused: no request could use it
 * as its issuer meant.
 */
export function tokenBinding(claims: Record<string, unknown>): TokenBinding {
  const cnf = claims.cnf;
  const dpopType = typeof claims.token_type === "string" && claims.token_type.toLowerCase() === "dpop";
  if (cnf === undefined && !dpopType) return UNBOUND;
  const { jkt, "x5t#S256": x5t } = typeof cnf === "object" && cnf !== null ? cnf as { jkt?: unknown; "x5t#S256"?: unknown } : {};
  const usable = (v: unknown) => v === undefined || (typeof v === "string" && v !== "");
  if (!usable(jkt) || !usable(x5t) || (jkt === undefined && x5t === undefined) || (dpopType && jkt === undefined)) {
    throw invalid("the token is bound to a key this resource cannot check");
  }
  return { jkt: jkt as string | undefined, x5t: x5t as string | undefined };
}

/** The DPoP key a token is bound to (RFC 9449 s6), `undefined` when none; see {@link tokenBinding}. */
export function boundKey(claims: Record<string, unknown>): string | undefined {
  return tokenBinding(claims).jkt;
}

/**
 * The checks every token passes, however it was read: a valid `aud` that names this
 * resource, times within the clock tolerance, a string `scope`, a well-formed `act` when
 * present, a sender constraint that
 * fits the scheme, not revoked. A DPoP-bound token presented as Bearer is refused
 * (RFC 9449 s7.2), and so is a token not bound to a DPoP key presented with the DPoP
 * scheme: s7.1 grants access only once the proof's key matches the key the token is bound
 * to, and such a token is bound to none.
 */
export async function checkClaims(
  claims: Record<string, unknown>,
  ctx: ResourceServerContext,
  requireExp: boolean,
  scheme: TokenScheme = "bearer",
): Promise<void> {
  const now = Math.floor(ctx.clock() / 1000);
  const skew = ctx.clockTolerance;
  // RFC 9068 s4 / S-8: the RS MUST refuse a token whose audience does not include it.
  if (!audienceIncludes(claims.aud, ctx.resource)) throw invalid("the token is not for this resource");
  if (claims.exp === undefined ? requireExp : typeof claims.exp !== "number") throw invalid("the token has no valid exp");
  // RFC 9068 s4: the current time MUST be before exp (within a small leeway).
  if (typeof claims.exp === "number" && now >= claims.exp + skew) throw invalid("the token has expired");
  if (claims.nbf !== undefined && (typeof claims.nbf !== "number" || now + skew < claims.nbf)) throw invalid("the token is not valid yet");
  if (claims.iat !== undefined && (typeof claims.iat !== "number" || now + skew < claims.iat)) throw invalid("the token was issued in the future");
  if (claims.scope !== undefined && typeof claims.scope !== "string") throw invalid("the token's scope is not a string");
  // RFC 8693 s4.1: a delegated token names its actor; one whose actor cannot be read is refused.
  if (claims.act !== undefined && readActorClaim(claims.act) === undefined) throw invalid("the token's act claim is malformed");
  // A token bound to a TLS client certificate only is used as a Bearer token, over mutual
  // TLS (RFC 8705 s3); its certificate is checked in verify_access_token.ts.
  const { jkt } = tokenBinding(claims);
  if (scheme === "bearer" && jkt !== undefined) throw invalid("the token is bound to a key and cannot be used as a Bearer token");
  if (scheme === "dpop" && jkt === undefined) throw invalid("the token is not bound to a key; send it as a Bearer token");
  if (ctx.revocationStore !== undefined && typeof claims.jti === "string" && await ctx.revocationStore.isRevoked(claims.jti)) {
    throw invalid("the token has been revoked");
  }
}
