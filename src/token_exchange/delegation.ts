/**
 * Delegation in token exchange (RFC 8693 s1.1, s4.1, s4.4): who the actor is, whether the
 * subject token lets it act, and the `act` claim of the new token.
 *
 * This server always records delegation, never impersonation (s1.1): whenever the party
 * that will use the new token is not its subject, the token says so in `act`. Without an
 * `actor_token` the actor is the client making the request; with one, the actor token's
 * subject. The subject token's own chain is kept, nested inside the new actor (s4.1), so a
 * chain of exchanges reads from the current actor down to the first.
 *
 * @module
 */

import type { Client } from "../clients/registration.ts";
import { OAuthError } from "../errors.ts";
import type { ActorClaim } from "../tokens/actor.ts";
import type { ExchangedToken } from "./exchanged_token.ts";

/** The most actors a chain may hold; a longer chain is refused rather than grown. */
export const MAX_DELEGATION_DEPTH = 10;

/** Who is acting: the identity claims a `may_act` is matched against. */
export interface ActorIdentity {
  readonly sub: string;
  /** The actor's issuer: this server's for its clients and its own tokens. */
  readonly iss: string;
  /** The actor's client at this server, when it has one. */
  readonly client_id?: string;
}

/** The actor: the `actor_token`'s subject when one was presented, else the client itself. */
export function actorIdentity(client: Client, actorToken: ExchangedToken | undefined, issuer: string): ActorIdentity {
  if (actorToken === undefined) return { sub: client.client_id, iss: issuer, client_id: client.client_id };
  return {
    sub: actorToken.sub,
    iss: actorToken.iss,
    ...(actorToken.client_id === undefined ? {} : { client_id: actorToken.client_id }),
  };
}

/**
 * RFC 8693 s4.4: when the subject token names who may act for it, the actor must be that
 * party: every member of `may_act` must match the actor's claim of that name (`iss`, when
 * absent, is the subject token's issuer). A member this server cannot match fails closed.
 * The subject acting for itself needs no permission.
 */
export function checkMayAct(subject: ExchangedToken, actor: ActorIdentity): void {
  const may = subject.may_act;
  if (may === undefined || (actor.sub === subject.sub && actor.iss === subject.iss)) return;
  const mine: Readonly<Record<string, string | undefined>> = { sub: actor.sub, iss: actor.iss, client_id: actor.client_id };
  const matches = Object.entries(may).every(([name, value]) => Object.hasOwn(mine, name) && mine[name] === value) &&
    (may.iss !== undefined || actor.iss === subject.iss);
  // RFC 8693 s2.2.2: a token unacceptable by policy is invalid_request.
  if (!matches) throw new OAuthError("invalid_request", "the subject token's may_act does not name this actor (RFC 8693 s4.4)");
}

/**
 * A chain copied from a subject token: identity claims only (s4.1: non-identity claims such
 * as `exp` or `aud` MUST NOT be used in `act`), each actor's `iss` stated unless it is this
 * server's (an actor with no `iss` in the subject token is of the subject token's issuer).
 */
function copyChain(act: ActorClaim | undefined, from: string, issuer: string, depth: number): ActorClaim | undefined {
  if (act === undefined) return undefined;
  if (depth >= MAX_DELEGATION_DEPTH) {
    throw new OAuthError("invalid_request", `the delegation chain would exceed ${MAX_DELEGATION_DEPTH} actors`);
  }
  const iss = typeof act.iss === "string" ? act.iss : from;
  const inner = copyChain(act.act, from, issuer, depth + 1);
  return Object.freeze({ sub: act.sub, ...(iss === issuer ? {} : { iss }), ...(inner === undefined ? {} : { act: inner }) });
}

/**
 * The `act` claim of the exchanged token, or `undefined` when the subject acts for itself
 * with no earlier actor. When the actor is already the subject token's current actor, its
 * chain is kept as it is rather than naming the actor twice.
 */
export function delegatedAct(subject: ExchangedToken, actor: ActorIdentity, issuer: string): ActorClaim | undefined {
  const chain = copyChain(subject.act, subject.iss, issuer, 1);
  if (chain === undefined && actor.sub === subject.sub && actor.iss === subject.iss) return undefined;
  if (chain !== undefined && chain.sub === actor.sub && (chain.iss ?? issuer) === actor.iss) return chain;
  // Frozen: the same object goes to the token record, the policy and the event hook.
  return Object.freeze({ sub: actor.sub, ...(actor.iss === issuer ? {} : { iss: actor.iss }), ...(chain === undefined ? {} : { act: chain }) });
}
