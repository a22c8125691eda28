/**
 * What the Redis stores need from a Redis client: send one command, get its reply. The
 * library depends on no Redis package; the user's own client satisfies {@link RedisLike}.
 *
 * @module
 */

import { ConfigurationError } from "../../errors.ts";
import { StoreFullError } from "../token_store.ts";

/**
 * A Redis connection, structurally: `sendCommand(["SET", key, value, "NX"])` resolves with the
 * raw reply (`"OK"`, a string, an integer, an array, or `null`) and rejects on an error
 * reply. The stores send only single-key commands: SET, GET, DEL, EXISTS and PTTL with the
 * key second, and the attempt store's `EVAL <script> 1 <key> ...` with the key fourth, so a
 * wrapper over a cluster client can route each by its key (not tested here). Redis 6.2 or
 * later (for `SET ... EXAT`).
 *
 * Run Redis with `maxmemory-policy noeviction` (its default): an evicting policy would
 * silently forget live tokens and replay records, which the stores promise never to do.
 * With `noeviction` a full Redis refuses writes, and the stores report that as
 * `StoreFullError` (the token endpoint answers 503).
 *
 * @example node-redis (the redis package) satisfies it as it is
 * ```ts
 * import { createClient } from "redis";
 * import type { RedisLike } from "./redis_like.ts";
 *
 * const redis: RedisLike = await createClient({ url: "redis://127.0.0.1:6379" }).connect();
 * ```
 *
 * @example ioredis: a two-line wrapper over call
 * ```ts
 * import { Redis } from "ioredis";
 * import type { RedisLike } from "./redis_like.ts";
 *
 * const ioredis = new Redis("redis://127.0.0.1:6379");
 * const redis: RedisLike = { sendCommand: ([command, ...args]) => ioredis.call(command, args) };
 * ```
 *
 * @example Bun's built-in RedisClient: a two-line wrapper over send
 * ```ts
 * import { RedisClient } from "bun";
 * import type { RedisLike } from "./redis_like.ts";
 *
 * const client = new RedisClient("redis://127.0.0.1:6379");
 * const redis: RedisLike = { sendCommand: ([command, ...args]) => client.send(command, args) };
 * ```
 */
export interface RedisLike {
  /** Sends `[command, ...args]`; resolves with the raw reply, rejects on an error reply. */
  sendCommand(args: [command: string, ...args: string[]]): Promise<unknown>;
}

/**
 * Options of the Redis stores.
 *
 * @example Several deployments in one Redis, kept apart by prefix
 * ```ts
 * import type { RedisStoreOptions } from "./redis_like.ts";
 * const options: RedisStoreOptions = { prefix: "auth-staging:" };
 * ```
 */
export interface RedisStoreOptions {
  /**
   * Put before every key; default `"m2m-oauth:"`. Keys are `<prefix>token:<hash>`,
   * `<prefix>replay:<key>`, `<prefix>revoked:<jti>`, `<prefix>client:<id>` and
   * `<prefix>attempt:<key>`.
   */
  prefix?: string;
  /**
   * Milliseconds since the epoch; default `Date.now`. Redis expires keys by its own clock;
   * records are also checked against this one when read, so none is returned at or after
   * its `exp` even when the two clocks differ.
   */
  clock?: () => number;
}

/** Options checked once, with every key name built from them. */
export interface RedisStoreConfig {
  readonly key: (kind: "token" | "replay" | "revoked" | "client" | "attempt", id: string) => string;
  readonly clock: () => number;
}

/** Checks the options of a Redis store. */
export function redisStoreConfig(redis: RedisLike, options: RedisStoreOptions = {}): RedisStoreConfig {
  if (typeof redis?.sendCommand !== "function") {
    throw new ConfigurationError("a Redis store needs a client with sendCommand(args); see RedisLike for wrappers");
  }
  const prefix = options.prefix ?? "m2m-oauth:";
  if (typeof prefix !== "string") throw new ConfigurationError("prefix must be a string");
  const clock = options.clock ?? Date.now;
  if (typeof clock !== "function") throw new ConfigurationError("clock must be a function");
  return { key: (kind, id) => `${prefix}${kind}:${id}`, clock };
}

/**
 * Sends a command; an out-of-memory refusal (Redis at `maxmemory` under `noeviction`)
 * becomes {@link StoreFullError}, so it is answered like a full in-memory store.
 */
export async function send(redis: RedisLike, args: [string, ...string[]]): Promise<unknown> {
  try {
    return await redis.sendCommand(args);
  } catch (e) {
    if (e instanceof Error && /^OOM\b/.test(e.message)) {
      throw new StoreFullError(`Redis refused the write: ${e.message}`);
    }
    throw e;
  }
}

const decoder = new TextDecoder();

/** A bulk-string reply as text (clients set to return bytes give a `Uint8Array`), or `undefined` for nil. */
export function replyText(reply: unknown): string | undefined {
  if (reply === null || reply === undefined) return undefined;
  if (typeof reply === "string") return reply;
  if (reply instanceof Uint8Array) return decoder.decode(reply);
  throw new TypeError(`unexpected Redis reply: ${typeof reply}`);
}

/** Seconds since the epoch as the whole second `EXAT` takes: rounded up, so nothing is dropped early. */
export function exat(seconds: number): string {
  if (!Number.isFinite(seconds)) throw new RangeError("an expiry must be a finite number of seconds");
  return String(Math.max(1, Math.ceil(seconds)));
}
