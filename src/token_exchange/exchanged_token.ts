/**
 * The subject-token seam of token exchange (RFC 8693 s2.1): from a presented
 * `subject_token` (or `actor_token`) and its type to what the server knows about it.
 *
 * Each kind of token the server accepts is read by a {@link SubjectTokenVerifier}, listed in
 * {@link subjectTokenVerifiers} and keyed by the token types it reads; the verifiers of a
 * type are tried in order and the first that recognises the token answers. The first kind
 * is this server's own access tokens (`own_tokens.ts`); the second, JWTs of trusted
 * external issuers (`external_tokens.ts`, verified by the federation module).
 *
 * RFC 8693 s2.2.2: a token that is invalid for any reason, or unacceptable by policy, is
 * `invalid_request`. Every such failure gets the same answer, so a caller learns nothing
 * about tokens it may not use.
 *
 * @module
 */

import type { TokenConfirmation } from "../stores/token_store.ts";
import type { Client } from "../clients/registration.ts";
import { OAuthError } from "../errors.ts";
import type { ServerConfig } from "../config/server_config.ts";
import type { ActorClaim, MayActClaim } from "../tokens/actor.ts";
import { externalJwts } from "./external_tokens.ts";
import { ownAccessTokens } from "./own_tokens.ts";

/**
 * A subject or actor token that passed its verifier: who it is about and what it allows.
 *
 * @example An access token this server issued to the client "ci"
 * ```ts
 * import type { ExchangedToken } from "./exchanged_token.ts";
 * const token: ExchangedToken = {
 *   iss: "https://auth.example.com", sub: "ci", client_id: "ci", scope: "deploy",
 *   aud: "https://agent.example.com", exp: 1767225600, claims: {},
 * };
 * ```
 */
export interface ExchangedToken {
  /** The issuer: this server's identifier for its own tokens. */
  readonly iss: string;
  /** The subject: who the token is about. */
  readonly sub: string;
  /** The client this server issued the token to; absent for other issuers' tokens. */
  readonly client_id?: string;
  /**
   * The scope the token carries, space-separated ("" for none). Absent for a token that
   * grants no scope of this server (an identity token of another issuer): the exchanged
   * token's scope is then bounded by the client's registration alone.
   */
  readonly scope?: string;
  /** The token's audience. */
  readonly aud?: string | readonly string[];
  /** Expiry, seconds since the epoch: the exchanged token never outlives it. */
  readonly exp: number;
  /** The actors the token already records (RFC 8693 s4.1). */
  readonly act?: ActorClaim;
  /** Who may act for the subject (RFC 8693 s4.4). */
  readonly may_act?: MayActClaim;
  /**
   * What the token is bound to: a DPoP key (RFC 9449 s6) and/or a TLS client certificate
   * (RFC 8705 s3): the exchange must prove it.
   */
  readonly cnf?: Readonly<TokenConfirmation>;
  /** Every claim of the token (its JWT claims, or its token record), for a policy that looks further. */
  readonly claims: Readonly<Record<string, unknown>>;
}

/** How a token was presented: which parameter, of which type, by which client. */
export interface PresentedToken {
  /** The `subject_token_type` or `actor_token_type` (RFC 8693 s3). */
  readonly token_type: string;
  /** `subject`: the `subject_token`; `actor`: the `actor_token`. */
  readonly role: "subject" | "actor";
  /** The authenticated client presenting it. */
  readonly client: Client;
}

/**
 * Reads one kind of token for token exchange. `verify` answers `undefined` for a token it
 * does not accept: not of its kind, badly signed, expired, revoked, or not one `presented.client`
 * may present in that role (each verifier decides who may present its tokens). It throws
 * only for a fault of the server (a store that failed).
 */
export interface SubjectTokenVerifier {
  /** The token type URIs (RFC 8693 s3) this verifier reads. */
  readonly tokenTypes: ReadonlySet<string>;
  verify(token: string, presented: PresentedToken): Promise<ExchangedToken | undefined>;
}

const lists = new WeakMap<ServerConfig, readonly SubjectTokenVerifier[]>();

/** The verifiers of a server, in the order they are tried. */
export function subjectTokenVerifiers(ctx: ServerConfig): readonly SubjectTokenVerifier[] {
  let list = lists.get(ctx);
  if (list === undefined) {
    list = [
      ownAccessTokens(ctx),
      externalJwts(ctx),
    ];
    lists.set(ctx, list);
  }
  return list;
}

/** The token types some verifier reads. */
export function acceptedTokenTypes(ctx: ServerConfig): Set<string> {
  return new Set(subjectTokenVerifiers(ctx).flatMap((v) => [...v.tokenTypes]));
}

/**
 * Verifies a presented token with the verifiers of its type. A type no verifier reads, or a
 * token none accepts, is `invalid_request` (RFC 8693 s2.2.2).
 */
export async function verifyExchangedToken(token: string, presented: PresentedToken, ctx: ServerConfig): Promise<ExchangedToken> {
  const name = presented.role === "subject" ? "subject_token" : "actor_token";
  const verifiers = subjectTokenVerifiers(ctx).filter((v) => v.tokenTypes.has(presented.token_type));
  if (verifiers.length === 0) {
    throw new OAuthError("invalid_request", `${name}_type ${JSON.stringify(presented.token_type)} is not accepted here`);
  }
  for (const verifier of verifiers) {
    const found = await verifier.verify(token, presented);
    if (found !== undefined) return found;
  }
  throw new OAuthError("invalid_request", `the ${name} is not a live token of that type that this client may present`);
}
