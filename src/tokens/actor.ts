/**
 * Delegation claims (RFC 8693 s4): `act`, the party acting on behalf of the token's
 * subject, with the chain of earlier actors nested inside it (s4.1); and `may_act`, the
 * party the subject allows to become the actor (s4.4).
 *
 * @module
 */

/**
 * The `act` claim (RFC 8693 s4.1): the current actor, identified by `sub` (and `iss` when
 * its issuer is not the token's), with the previous actor, if any, in a nested `act`. The
 * least recent actor is the most deeply nested. Only the outermost (current) actor counts
 * for access control; the nested ones are informational (s4.1).
 *
 * @example An agent acting for a CI job, through a tool server
 * ```ts
 * import type { ActorClaim } from "./actor.ts";
 * const act: ActorClaim = { sub: "tool-server", act: { sub: "agent" } };
 * ```
 */
export interface ActorClaim {
  /** The actor's subject identifier (for a client of this server: its `client_id`). */
  readonly sub: string;
  /** The actor's issuer, when another than the token's own. */
  readonly iss?: string;
  /** The actor before this one. */
  readonly act?: ActorClaim;
  /** Other identity claims a token from another issuer may carry. */
  readonly [claim: string]: unknown;
}

/**
 * The `may_act` claim (RFC 8693 s4.4): identity claims naming the one party allowed to act
 * for the subject. Each member must match the actor (`sub`; `iss`, which defaults to the
 * issuer of the token that carries the claim; `client_id`).
 *
 * @example
 * ```ts
 * import type { MayActClaim } from "./actor.ts";
 * const may_act: MayActClaim = { sub: "agent" };
 * ```
 */
export interface MayActClaim {
  readonly sub?: string;
  readonly iss?: string;
  readonly client_id?: string;
  readonly [claim: string]: string | undefined;
}

/** Deepest `act` nesting read from a token; deeper is treated as malformed. */
export const MAX_ACT_DEPTH = 32;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Reads an `act` claim: an object with a non-empty string `sub`, a string `iss` when
 * present, and a nested `act` of the same shape when present. `undefined` when the value
 * is not one (or nests deeper than {@link MAX_ACT_DEPTH}).
 *
 * @example
 * ```ts
 * import { readActorClaim } from "./actor.ts";
 * readActorClaim({ sub: "agent", act: { sub: "ci" } }); // the same object
 * readActorClaim({ act: { sub: "ci" } }); // undefined: no sub
 * ```
 */
export function readActorClaim(value: unknown): ActorClaim | undefined {
  let node = value;
  for (let depth = 0; depth < MAX_ACT_DEPTH; depth++) {
    if (!isObject(node) || typeof node.sub !== "string" || node.sub === "") return undefined;
    if (node.iss !== undefined && typeof node.iss !== "string") return undefined;
    if (node.act === undefined) return value as ActorClaim;
    node = node.act;
  }
  return undefined;
}

/**
 * Reads a `may_act` claim: a non-empty object of string members. `undefined` when the
 * value is not one.
 *
 * @example
 * ```ts
 * import { readMayActClaim } from "./actor.ts";
 * readMayActClaim({ sub: "agent" }); // { sub: "agent" }
 * readMayActClaim({}); // undefined
 * ```
 */
export function readMayActClaim(value: unknown): MayActClaim | undefined {
  if (!isObject(value)) return undefined;
  const entries = Object.entries(value);
  if (entries.length === 0 || !entries.every(([, v]) => typeof v === "string")) return undefined;
  return value as MayActClaim;
}

/**
 * The delegation chain of an `act` claim as a list, the current actor first, each without
 * its nested `act`.
 *
 * @example
 * ```ts
 * import { actorChain } from "./actor.ts";
 * actorChain({ sub: "tool-server", act: { sub: "agent" } }); // [{ sub: "tool-server" }, { sub: "agent" }]
 * ```
 */
export function actorChain(act: ActorClaim | undefined): ActorClaim[] {
  const chain: ActorClaim[] = [];
  for (let node = act; node !== undefined; node = node.act) {
    const { act: _, ...actor } = node;
    chain.push(actor as ActorClaim);
  }
  return chain;
}
