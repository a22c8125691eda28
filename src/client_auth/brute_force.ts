/**
 * Brute-force protection for client secrets (RFC 6749 s2.3.1: the server MUST protect the
 * token endpoint against brute force; s10.10; RFC 7662 s4 and RFC 7009 s5 for introspection and revocation).
 *
 * Failed client authentications are counted in an {@link AttemptStore} under three keys:
 *
 * - the pair (client_id, caller): at `maxAttempts` failures (default 10) that caller may not
 *   try that client again until the counter's window (default 15 minutes from the first
 *   failure) ends. This limit applies to everyone.
 * - the client_id: at `maxAttemptsPerClient` failures (default 100) from all callers
 *   together, the client is closed to callers that are not *known* for it. A known caller
 *   is one that authenticated successfully as that client within the current or the previous
 *   period of `knownCallerSeconds` (default one day), so one that keeps authenticating stays
 *   known for good. So a distributed guess at client A's secret stops after 100
 *   attempts, and A's own callers keep getting tokens: an attacker can lock A out only
 *   from the attacker's own address (and from addresses new to A while the attack lasts).
 * - the caller: at `maxAttemptsPerCaller` failures (default 100) over all client ids, the
 *   caller is closed except for the clients it is known for. This bounds what one address
 *   can spray (and the counters it can create); client B at that address is not affected.
 *
 * A locked request is answered `429 temporarily_unavailable` with `Retry-After` before the
 * client is looked up or the secret verified, and the answer does not depend on whether the
 * client exists (unknown client ids are counted exactly like known ones). Counters never
 * slide: each decays at the end of its window. Success does not reset them (a reset would
 * give an attacker sharing the caller's address fresh guesses).
 *
 * Without a caller key (no `callerKey` option, or it returned nothing) only the client_id
 * counter can be kept: `maxAttemptsPerClient` failures then close the client to everyone
 * until the window ends.
 *
 * The guard's own state is never the means of a denial of service. Counters of
 * client ids that do not exist guard no secret: they are created `forgettable` (see
 * `AttemptIncrementOptions`), and a bounded store keeps them apart and forgets the oldest,
 * so a flood of made-up client ids cannot fill the store or crowd out real clients'
 * counters. Whether the client exists is known only after the lookup, so the reading, the
 * answers and the work are the same for every client_id.
 *
 * When the store fails, the guard fails closed for that client only: if counters cannot be
 * read, no secret is verified (503, or 500 for an error); if a failure cannot be counted,
 * that attempt is answered 503 (full store) or 500, and for the store's Retry-After (full)
 * or 30 seconds (other errors) that client_id is served only to callers known for it, as if
 * it were over its ceiling. Other clients are not affected.
 *
 * Attempts being verified count against the limits while in flight, so a burst of parallel
 * guesses cannot outrun the counters in this process (across instances, a shared store
 * counts each failure, but a burst can overshoot by the number of instances times the
 * remaining allowance).
 *
 * @module
 */

import { encodeBase64Url } from "../encoding/base64.ts";
import { OAuthError } from "../errors.ts";
import { checkObject, closest, custom, type Describes, integer, problem } from "../config/describe.ts";
import { sha256 } from "../crypto/sha256.ts";
import {
  type AttemptCount,
  type AttemptIncrementOptions,
  type AttemptStore,
  MemoryAttemptStore,
  memoryCounterReader,
} from "../stores/attempt_store.ts";
import { isThenable, withDeadline } from "../stores/deadline.ts";
import { storeUnavailable } from "../stores/store_unavailable.ts";
import { StoreFullError } from "../stores/token_store.ts";

/**
 * Settings of the brute-force guard (the `bruteForce` option). Every field has a default;
 * `bruteForce: false` turns the guard off (only do that when something in front of the
 * server already limits failed client authentications).
 *
 * @example Stricter limits, counted in a store shared by every instance
 * ```ts
 * import type { AttemptStore, BruteForceOptions } from "../../mod.ts";
 * declare const sharedAttempts: AttemptStore;
 * const bruteForce: BruteForceOptions = {
 *   store: sharedAttempts,
 *   maxAttempts: 5,
 *   windowSeconds: 3600,
 * };
 * ```
 */
export interface BruteForceOptions {
  /** Where the counters live. Default: a {@link MemoryAttemptStore} for these options. */
  store?: AttemptStore;
  /** Failures allowed per (client_id, caller) in a window; the next attempt is refused. Default 10. */
  maxAttempts?: number;
  /** Failures allowed per client_id from callers not known for it, in a window. Default 100. */
  maxAttemptsPerClient?: number;
  /** Failures allowed per caller over all client ids (its known clients exempt), in a window. Default 100. */
  maxAttemptsPerCaller?: number;
  /** Length of a counter's window, from its first failure, in seconds. Default 900 (15 minutes). */
  windowSeconds?: number;
  /**
   * How long a caller stays known for a client after authenticating as it, in seconds: at
   * least this long, at most twice (marks are kept per period of this length). A caller that
   * authenticates at least once a period stays known. Default 86,400.
   */
  knownCallerSeconds?: number;
}

/** One attempt admitted by the guard; report its outcome, then `end` it. */
export interface GuardedAttempt {
  /**
   * Counts a failed authentication. `clientExists` false (the client_id is not registered)
   * lets a bounded store forget these counters first; default true.
   */
  failed(clientExists?: boolean): Promise<void>;
  /**
   * Records a success (marks the caller as known for the client): a promise to await, or
   * `undefined` when there was nothing to record (the common case, answered without one).
   */
  succeeded(): Promise<void> | undefined;
  /** Ends the attempt; call once, whatever happened. */
  end(): void;
}

/** The prepared guard the token endpoint consults before verifying a secret. */
export interface BruteForceGuard {
  /**
   * Admits an attempt by `caller` (undefined when the host gave none) at `client_id`, or
   * throws the 429 (or 503 when the store cannot count) to answer instead. Never looks at
   * the client or the secret.
   */
  begin(client_id: string, caller: string | undefined): GuardedAttempt | Promise<GuardedAttempt>;
}

/**
 * The description of {@link BruteForceOptions} (the `bruteForce` option): each setting's
 * range and default.
 *
 * @example
 * ```ts
 * import { bruteForceDescription } from "./brute_force.ts";
 * bruteForceDescription.maxAttempts.fallback; // 10
 * ```
 */
export const bruteForceDescription = {
  store: custom<AttemptStore>("AttemptStore", "Where the counters live.", (value, path) => {
    const store = value as Partial<AttemptStore> | null;
    if (typeof store?.get !== "function" || typeof store.increment !== "function") throw problem(path, "must be an AttemptStore (get and increment)");
    return value as AttemptStore;
  }, { defaultText: "a MemoryAttemptStore" }),
  maxAttempts: integer("Failures allowed per (client_id, caller) in a window.", 1, 1_000_000, { default: 10 }),
  maxAttemptsPerClient: integer("Failures allowed per client_id from callers not known for it, in a window.", 1, 1_000_000, { default: 100 }),
  maxAttemptsPerCaller: integer("Failures allowed per caller over all client ids, in a window.", 1, 1_000_000, { default: 100 }),
  windowSeconds: integer("Length of a counter's window, seconds.", 1, 86_400 * 30, { default: 900 }),
  knownCallerSeconds: integer("How long a caller stays known for a client after authenticating as it, seconds.", 1, 86_400 * 365, { default: 86_400 }),
} satisfies Describes<BruteForceOptions>;

/**
 * Keys are short and printable ASCII, so every store can hold them whatever a request put
 * in its client_id (a NUL, which PostgreSQL's `text` cannot hold; kilobytes, past a Deno KV
 * key's size): anything longer or other is hashed. A part is length-prefixed so no two
 * inputs share a key.
 */
const part = (s: string) => `${s.length}:${s}`;
const PRINTABLE = /^[\x20-\x7e]*$/;
function key(kind: string, body: string, printable: boolean): string {
  return printable && body.length <= 200
    ? `bf:${kind}:${body}`
    : `bf:${kind}#${encodeBase64Url(sha256(new TextEncoder().encode(body)))}`;
}

function tooMany(resetAt: number, now: number): OAuthError {
  // 429 rather than 401 invalid_client: the secret was not checked, so calling it invalid
  // would be false, and clients treat invalid_client as final while this is temporary.
  return new OAuthError("temporarily_unavailable", "too many failed client authentications; retry later", {
    status: 429,
    headers: { "retry-after": String(Math.max(1, Math.ceil(resetAt - now))) },
  });
}

function cannotCount(retryAfter: number): OAuthError {
  return storeUnavailable("the server cannot count failed attempts now; retry later", Math.max(1, Math.ceil(retryAfter)));
}

/** How long only known callers are served after a failure could not be counted. */
const UNCOUNTED_BACKOFF_SECONDS = 30;
/**
 * Client ids whose failures could not be counted, remembered at most: beyond it the oldest
 * is forgotten (its next failure, if still uncountable, marks it again).
 */
const MAX_UNCOUNTED = 100_000;
/** Attempts' keys remembered for the next attempt, at most (see `RecentKeys`). */
const MAX_CACHED_KEYS = 4096;
/** The longest client_id or caller whose keys are remembered. */
const MAX_CACHED_LENGTH = 200;
/** Slots of keys with no attempt in flight kept for reuse, at most (see `inFlight`). */
const MAX_IDLE_SLOTS = 1024;
const FORGETTABLE: AttemptIncrementOptions = Object.freeze({ forgettable: true });
const ignore = (): void => {};

/** Whether a "known caller" mark is set and running at `now`. */
function marked(c: unknown, now: number): boolean {
  const m = c as AttemptCount | undefined | null;
  return typeof m?.count === "number" && m.count > 0 && typeof m.resetAt === "number" && m.resetAt > now;
}

/**
 * The store keys of one attempt, each named by what it counts. Each key is raw or hashed by
 * what it holds alone, so that one caller's counter (or one client's) is the same key
 * whatever else the request named. Without a caller only `client` exists.
 */
interface AttemptKeys {
  /** Failures of this caller at this client_id: the limit everyone has. */
  readonly pair: string | undefined;
  /** Failures at this client_id from every caller. */
  readonly client: string;
  /** Failures of this caller at every client_id. */
  readonly caller: string | undefined;
  /** The mark "this caller authenticated as this client", this period and the last one. */
  readonly known: string | undefined;
  readonly lastKnown: string | undefined;
  /**
   * The keys the store reads, in this order: `[client]` without a caller, else `[pair,
   * client, caller, known, lastKnown]` (see {@link checkedAnswer}).
   */
  readonly read: readonly string[];
  /**
   * The counters a failure increments, and the slots an attempt of a caller not known for
   * the client holds: `[client]` without a caller, else `[pair, client, caller]`.
   */
  readonly counted: readonly string[];
  /** The slots an attempt of a known caller holds: `[pair]` (`[client]` without a caller). */
  readonly countedKnown: readonly string[];
  /** The period of knownCallerSeconds the known marks are for. */
  readonly period: number;
}

function attemptKeys(client_id: string, caller: string | undefined, period: number): AttemptKeys {
  const idPrintable = PRINTABLE.test(client_id);
  const client = key("c", part(client_id), idPrintable);
  if (caller === undefined) {
    const read = Object.freeze([client]);
    return { pair: undefined, client, caller: undefined, known: undefined, lastKnown: undefined, read, counted: read, countedKnown: read, period };
  }
  const callerPrintable = PRINTABLE.test(caller);
  const printable = idPrintable && callerPrintable;
  const pair = key("p", part(caller) + part(client_id), printable);
  const callerKey = key("a", part(caller), callerPrintable);
  // Known marks are kept per period of knownCallerSeconds, each living two periods: a mark
  // from this period or the last one makes the caller known, and a caller that succeeds at
  // least once a period stays known without a gap, even while an attack goes on.
  const known = key("k", `${period}:${part(caller)}${part(client_id)}`, printable);
  const lastKnown = key("k", `${period - 1}:${part(caller)}${part(client_id)}`, printable);
  return {
    pair,
    client,
    caller: callerKey,
    known,
    lastKnown,
    read: Object.freeze([pair, client, callerKey, known, lastKnown]),
    counted: Object.freeze([pair, client, callerKey]),
    countedKnown: Object.freeze([pair]),
    period,
  };
}

/**
 * The keys of recent attempts, by caller (`undefined`: none) then client_id, at most
 * {@link MAX_CACHED_KEYS} in all (then all are forgotten). A client that authenticates again
 * gets the very same key strings: nothing is built or hashed for it, and the guard's and the
 * store's maps find them by identity, where a key built anew is compared character by
 * character (issue 15).
 */
class RecentKeys {
  /** Without a caller: by client_id. */
  readonly #alone = new Map<string, AttemptKeys>();
  readonly #byCaller = new Map<string, Map<string, AttemptKeys>>();
  #size = 0;

  of(client_id: string, caller: string | undefined, period: number): AttemptKeys {
    // Long inputs are not kept (their keys are hashed anyway): the cache holds at most
    // MAX_CACHED_KEYS short strings, whatever requests put in their client_id.
    if (client_id.length > MAX_CACHED_LENGTH || (caller !== undefined && caller.length > MAX_CACHED_LENGTH)) {
      return attemptKeys(client_id, caller, period);
    }
    const cached = (caller === undefined ? this.#alone : this.#byCaller.get(caller))?.get(client_id);
    if (cached !== undefined && cached.period === period) return cached;
    const keys = attemptKeys(client_id, caller, period);
    this.#remember(client_id, caller, keys);
    return keys;
  }

  #remember(client_id: string, caller: string | undefined, keys: AttemptKeys): void {
    if (this.#size >= MAX_CACHED_KEYS) {
      this.#alone.clear();
      this.#byCaller.clear();
      this.#size = 0;
    }
    let byClient = caller === undefined ? this.#alone : this.#byCaller.get(caller);
    if (byClient === undefined) this.#byCaller.set(caller!, byClient = new Map());
    if (!byClient.has(client_id)) this.#size++;
    byClient.set(client_id, keys);
  }
}

/**
 * The store's answer to `get(keys.read)`: one entry per key read, in the order of
 * {@link AttemptKeys}' `read`. A malformed answer is refused.
 */
function checkedAnswer(answer: unknown, keys: AttemptKeys): readonly unknown[] {
  if (!Array.isArray(answer) || answer.length !== keys.read.length) {
    throw new TypeError("the attempt store returned a malformed answer");
  }
  return answer;
}

/**
 * The failures a counter holds at `now` (0 when it is not running), or the 429 to answer
 * once it holds `max`. A malformed or stale counter from a user store is read as "at the
 * limit, for a window": failing closed for that key is the safe reading.
 */
function liveCount(c: unknown, max: number, now: number, window: number): number {
  if (c === undefined || c === null) return 0;
  const { count, resetAt } = c as AttemptCount;
  if (typeof count !== "number" || typeof resetAt !== "number" || !(count >= 0) || !Number.isFinite(resetAt)) {
    throw tooMany(now + window, now);
  }
  if (!(resetAt > now)) return 0;
  if (count >= max) throw tooMany(resetAt, now);
  return count;
}

/**
 * Whether a counter read from the library's memory store and `n` attempts in flight leave
 * room for one more attempt under `max`: exactly when {@link liveCount} would neither throw
 * nor, with the attempts in flight, ask for a wait. A counter that is not well formed is
 * "no room" (the caller then lets `liveCount` answer).
 */
function below(c: AttemptCount | undefined, slot: Slot | undefined, max: number, now: number): boolean {
  if (c === undefined) return (slot === undefined ? 0 : slot.n) < max;
  const { count, resetAt } = c;
  if (typeof count !== "number" || typeof resetAt !== "number" || !(count >= 0) || !Number.isFinite(resetAt)) return false;
  return (resetAt > now ? count : 0) + (slot === undefined ? 0 : slot.n) < max;
}

/**
 * Attempts being verified at one key, and a promise that settles when one of them ends
 * (made only when an attempt has to wait for it).
 */
interface Slot {
  n: number;
  ended: Promise<void> | undefined;
  wake: (() => void) | undefined;
}

/** What an {@link Admitted} attempt calls back in the guard that admitted it. */
interface AttemptHost {
  failed(keys: AttemptKeys, clientExists: boolean): Promise<void>;
  /** Marks the caller known for the client (the key `known`): best effort, never rejects. */
  recordKnown(known: string): Promise<void>;
  leave(slot: Slot | undefined): void;
}

/**
 * One attempt a guard admitted. Its methods live on the prototype, so admitting makes no
 * closures (the request path allocates as little as it can: issue 15). One class for every
 * guard, at the top of the module: a class made per guard gave each guard's attempts their
 * own hidden class, and where a process makes many guards (tests, the bench's fresh
 * instance per measurement) the code that builds and reads attempts went megamorphic, several
 * times slower (bench/diag/micro_guard.ts --guards=8).
 */
class Admitted implements GuardedAttempt {
  readonly #host: AttemptHost;
  readonly #keys: AttemptKeys;
  /** The caller was marked known for the client in this period: nothing to record on success. */
  readonly #markedNow: boolean;
  /**
   * The in-flight slots this attempt holds until it ends, in the order of the keys held
   * (`counted` or `countedKnown`): one or three, in fields rather than an array.
   */
  readonly #first: Slot;
  readonly #second: Slot | undefined;
  readonly #third: Slot | undefined;
  #ended: boolean;

  constructor(host: AttemptHost, keys: AttemptKeys, markedNow: boolean, first: Slot, second: Slot | undefined, third: Slot | undefined) {
    this.#host = host;
    this.#keys = keys;
    this.#markedNow = markedNow;
    this.#first = first;
    this.#second = second;
    this.#third = third;
    this.#ended = false;
  }

  failed(clientExists = true): Promise<void> {
    return this.#host.failed(this.#keys, clientExists);
  }

  succeeded(): Promise<void> | undefined {
    const known = this.#keys.known;
    return this.#markedNow || known === undefined ? undefined : this.#host.recordKnown(known);
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    const host = this.#host;
    host.leave(this.#first);
    host.leave(this.#second);
    host.leave(this.#third);
  }
}

/**
 * Validates the `bruteForce` option and prepares the guard, or returns `undefined` when it
 * is `false`. Throws a `ConfigurationError` naming the setting (`bruteForce.maxAttempts`)
 * for an unknown one or a bad number.
 *
 * @example
 * ```ts
 * import { createBruteForceGuard } from "./brute_force.ts";
 * const guard = createBruteForceGuard({ maxAttempts: 5 }, Date.now, 5_000);
 * ```
 */
export function createBruteForceGuard(
  options: BruteForceOptions | false | undefined,
  clock: () => number,
  timeoutMs: number,
): BruteForceGuard | undefined {
  if (options === false) return undefined;
  const given = options ?? {};
  if (typeof given !== "object" || given === null || Array.isArray(given)) throw problem("bruteForce", "must be an object or false");
  const known = Object.keys(bruteForceDescription);
  for (const name of Object.keys(given)) {
    if (known.includes(name)) continue;
    const near = closest(name, known);
    throw problem(`bruteForce.${name}`, `is not a setting: unknown bruteForce option '${name}'${near === undefined ? "" : ` (did you mean '${near}'?)`}`);
  }
  const o = checkObject(bruteForceDescription, given, "bruteForce");
  const store = o.store ?? new MemoryAttemptStore({ clock });
  const maxPair = o.maxAttempts;
  const maxClient = o.maxAttemptsPerClient;
  const maxCaller = o.maxAttemptsPerCaller;
  const window = o.windowSeconds;
  const knownFor = o.knownCallerSeconds;

  // A store that answers synchronously (the in-memory one) is read without a promise or a
  // timer; a promise gets the deadline.
  const get = (keys: readonly string[]): unknown => {
    const counts: unknown = store.get(keys);
    return isThenable(counts) ? withDeadline("attempt store get", timeoutMs, () => counts) : counts;
  };
  const increment = (keys: readonly string[], seconds: number, options?: AttemptIncrementOptions) =>
    withDeadline("attempt store increment", timeoutMs, () => store.increment(keys, seconds, options));

  /**
   * Attempts being verified, per key, and a promise that settles when one of them ends: made
   * only when an attempt has to wait for it (the rare path), not for every attempt. A slot
   * whose attempts have all ended is kept (`n` 0) for the next attempt at that key, so that
   * a client authenticating over and over neither makes a slot nor adds and deletes a map
   * entry per request; at most {@link MAX_IDLE_SLOTS} are kept, then all are dropped.
   */
  const inFlight = new Map<string, Slot>();
  /** Slots in `inFlight` with no attempt in flight. */
  let idle = 0;
  const dropIdle = () => {
    for (const [k, slot] of inFlight) if (slot.n === 0) inFlight.delete(k);
    idle = 0;
  };
  const endedOf = (slot: Slot): Promise<void> => slot.ended ??= new Promise<void>((resolve) => (slot.wake = resolve));
  /**
   * Client keys whose failures could not be counted, and until when (seconds): until then
   * that client_id is served to its known callers only. Per client, so that a failure the
   * store could not count closes no other client.
   */
  const uncounted = new Map<string, number>();
  const closeUncounted = (clientKey: string, until: number) => {
    uncounted.delete(clientKey);
    if (uncounted.size >= MAX_UNCOUNTED) uncounted.delete(uncounted.keys().next().value!);
    uncounted.set(clientKey, until);
  };

  /**
   * Throws the 503 while the failures of the client under `clientKey` could not be counted
   * (for a caller not known for it), and forgets the client once that time is over.
   */
  function checkUncounted(clientKey: string, now: number): void {
    const until = uncounted.get(clientKey);
    if (until === undefined) return;
    if (now < until) throw cannotCount(until - now);
    uncounted.delete(clientKey);
  }

  /**
   * Holds the slot of `key` for one more attempt: `slot` is what `inFlight.get(key)` gave
   * (the caller looked it up already, so that each key costs one lookup).
   */
  function enter(key: string, slot: Slot | undefined): Slot {
    if (slot === undefined) inFlight.set(key, slot = { n: 1, ended: undefined, wake: undefined });
    else if (slot.n++ === 0) idle--;
    return slot;
  }

  /**
   * Lets go of a slot an attempt held. A held slot is never dropped (only idle ones are), so
   * the attempt keeps the slot itself, not its key.
   */
  function leave(slot: Slot | undefined): void {
    if (slot === undefined) return;
    slot.wake?.();
    slot.ended = undefined;
    slot.wake = undefined;
    if (--slot.n === 0 && ++idle > MAX_IDLE_SLOTS) dropIdle();
  }

  const recentKeys = new RecentKeys();
  /** The library's own memory store, read one key at a time (see {@link admitAtOnce}). */
  const read = memoryCounterReader(store);

  /** What an {@link Admitted} attempt of this guard calls back. */
  const host: AttemptHost = {
    async failed(keys: AttemptKeys, clientExists: boolean): Promise<void> {
      try {
        // Counters of a client_id that does not exist guard no secret: a bounded store
        // may forget them first (the call and its cost are the same either way).
        await increment(keys.counted, window, clientExists ? undefined : FORGETTABLE);
      } catch (e) {
        // This client's failures cannot be counted now: serve it only to callers known for
        // it until the store has room again (or, when it failed otherwise, for a short
        // while), rather than let guesses at it go uncounted. Other clients carry on.
        const full = e instanceof StoreFullError;
        const retryAfter = full ? e.retryAfter ?? window : UNCOUNTED_BACKOFF_SECONDS;
        closeUncounted(keys.client, clock() / 1000 + retryAfter);
        throw full ? cannotCount(retryAfter) : e;
      }
    },
    // Best effort: a caller not marked known only loses the exemption from the client and
    // caller ceilings while an attack is under way.
    recordKnown: (known: string): Promise<void> => increment([known], 2 * knownFor).catch(ignore),
    leave,
  };

  /**
   * Admits the attempt on these counters, throws the refusal, or names the key to wait for
   * (a string: parallel attempts hold the rest of its allowance).
   */
  function admit(keys: AttemptKeys, answer: unknown): Admitted | string {
    const counts = checkedAnswer(answer, keys);
    const now = clock() / 1000;
    const markedNow = keys.pair !== undefined && marked(counts[3], now);
    const known = markedNow || (keys.pair !== undefined && marked(counts[4], now));
    if (!known && uncounted.size > 0) checkUncounted(keys.client, now);
    // The pair limit applies to everyone; the client and caller ceilings to callers not
    // known for the client. Without a caller only the client's counter can be kept. Every
    // counter is checked against its limit before any is checked for attempts in flight.
    if (keys.pair === undefined) {
      const client = liveCount(counts[0], maxClient, now, window);
      // Parallel attempts still being verified use up the allowance too; wait for one to end.
      const clientSlot = inFlight.get(keys.client);
      if (client + (clientSlot?.n ?? 0) >= maxClient) return keys.client;
      return new Admitted(host, keys, markedNow, enter(keys.client, clientSlot), undefined, undefined);
    }
    if (known) {
      const pair = liveCount(counts[0], maxPair, now, window);
      const pairSlot = inFlight.get(keys.pair);
      if (pair + (pairSlot?.n ?? 0) >= maxPair) return keys.pair;
      return new Admitted(host, keys, markedNow, enter(keys.pair, pairSlot), undefined, undefined);
    }
    const pair = liveCount(counts[0], maxPair, now, window);
    const client = liveCount(counts[1], maxClient, now, window);
    const caller = liveCount(counts[2], maxCaller, now, window);
    const pairSlot = inFlight.get(keys.pair);
    if (pair + (pairSlot?.n ?? 0) >= maxPair) return keys.pair;
    const clientSlot = inFlight.get(keys.client);
    if (client + (clientSlot?.n ?? 0) >= maxClient) return keys.client;
    const callerSlot = inFlight.get(keys.caller!);
    if (caller + (callerSlot?.n ?? 0) >= maxCaller) return keys.caller!;
    return new Admitted(
      host,
      keys,
      markedNow,
      enter(keys.pair, pairSlot),
      enter(keys.client, clientSlot),
      enter(keys.caller!, callerSlot),
    );
  }

  /**
   * The common path when the counters are in the library's own memory store (`read`, one
   * key at a time, no array): the attempt admitted on the very counters {@link admit} would
   * read, with the same slots held; or the same 503 for a client whose failures could not
   * be counted; or `undefined` whenever `admit` would answer anything else (a refusal on the
   * counts, a wait), and then `admit` decides, on the same counters, as before (issue 15).
   * Every key `admit` reads is read, even those a known caller's decision does not look at:
   * a read drops an expired counter, and a full store's room depends on it.
   */
  function admitAtOnce(read: (key: string) => AttemptCount | undefined, keys: AttemptKeys, now: number): Admitted | undefined {
    if (keys.pair === undefined) {
      const count = read(keys.client);
      if (uncounted.size > 0) checkUncounted(keys.client, now);
      const clientSlot = inFlight.get(keys.client);
      if (!below(count, clientSlot, maxClient, now)) return undefined;
      return new Admitted(host, keys, false, enter(keys.client, clientSlot), undefined, undefined);
    }
    const pair = read(keys.pair);
    const client = read(keys.client);
    const caller = read(keys.caller!);
    const markedNow = marked(read(keys.known!), now);
    const lastKnown = read(keys.lastKnown!);
    if (markedNow || marked(lastKnown, now)) {
      const pairSlot = inFlight.get(keys.pair);
      if (!below(pair, pairSlot, maxPair, now)) return undefined;
      return new Admitted(host, keys, markedNow, enter(keys.pair, pairSlot), undefined, undefined);
    }
    if (uncounted.size > 0) checkUncounted(keys.client, now);
    const pairSlot = inFlight.get(keys.pair);
    const clientSlot = inFlight.get(keys.client);
    const callerSlot = inFlight.get(keys.caller!);
    if (!below(pair, pairSlot, maxPair, now) || !below(client, clientSlot, maxClient, now) || !below(caller, callerSlot, maxCaller, now)) {
      return undefined;
    }
    return new Admitted(host, keys, false, enter(keys.pair, pairSlot), enter(keys.client, clientSlot), enter(keys.caller!, callerSlot));
  }

  /** The path with a promise: a store that answers asynchronously, or a wait for a slot. */
  async function admitLater(keys: AttemptKeys, first: unknown): Promise<GuardedAttempt> {
    let counts = first;
    for (;;) {
      if (isThenable(counts)) counts = await counts;
      const admitted = admit(keys, counts);
      if (typeof admitted !== "string") return admitted;
      await endedOf(inFlight.get(admitted)!);
      counts = get(keys.read);
    }
  }

  function begin(client_id: string, caller: string | undefined): GuardedAttempt | Promise<GuardedAttempt> {
    const now = clock() / 1000;
    const keys = recentKeys.of(client_id, caller, Math.floor(now / knownFor));
    if (read !== undefined) {
      const admitted = admitAtOnce(read, keys, now);
      if (admitted !== undefined) return admitted;
    }
    // The common path (an in-memory store, nobody waiting) answers without a promise.
    const counts = get(keys.read);
    if (isThenable(counts)) return admitLater(keys, counts);
    const admitted = admit(keys, counts);
    return typeof admitted === "string" ? admitLater(keys, counts) : admitted;
  }

  return { begin };
}
