/**
 * What the Deno KV stores need from a KV database: reads, writes with `expireIn`, and atomic
 * operations checked on versionstamps. `Deno.openKv()` satisfies {@link DenoKvLike} as it is;
 * the library does not name the Deno namespace, so it type-checks and runs anywhere.
 *
 * @module
 */

import { ConfigurationError } from "../../errors.ts";

/** A part of a KV key (as `Deno.KvKeyPart`, without symbols). */
export type KvKeyPart = string | number | bigint | boolean | Uint8Array;

/** A KV key: a list of parts (as `Deno.KvKey`). */
export type KvKey = readonly KvKeyPart[];

/** Options of a KV write: `expireIn` milliseconds (a non-negative integer). */
export interface KvSetOptions {
  expireIn?: number;
}

/** An entry as `get` returns it: `versionstamp` is `null` when the key is absent. */
export interface KvEntryLike {
  readonly value: unknown;
  readonly versionstamp: string | null;
}

/** An atomic operation: checks, then writes, applied together or not at all (`Deno.AtomicOperation`). */
export interface KvAtomicLike {
  /** Fails the commit unless each key still has the given versionstamp (`null`: absent). */
  check(...checks: { readonly key: KvKey; readonly versionstamp: string | null }[]): KvAtomicLike;
  set(key: KvKey, value: unknown, options?: KvSetOptions): KvAtomicLike;
  delete(key: KvKey): KvAtomicLike;
  /** Resolves `{ ok: false }` when a check failed. */
  commit(): Promise<{ readonly ok: boolean }>;
}

/**
 * A Deno KV database, structurally (`Deno.Kv`). Open one with `Deno.openKv()` (on Deno 2,
 * run with `--unstable-kv`), or on Deno Deploy.
 *
 * KV deletes entries past `expireIn` only some time later, so the stores also compare each
 * entry's expiry with the clock when reading.
 *
 * @example Deno KV as it is
 * ```ts
 * import type { DenoKvLike } from "./kv_like.ts";
 * // deno run --unstable-kv server.ts
 * const kv: DenoKvLike = await Deno.openKv();
 * ```
 */
export interface DenoKvLike {
  get(key: KvKey): Promise<KvEntryLike>;
  set(key: KvKey, value: unknown, options?: KvSetOptions): Promise<{ readonly ok: boolean }>;
  atomic(): KvAtomicLike;
}

/**
 * Options of the Deno KV stores.
 *
 * @example
 * ```ts
 * import type { DenoKvStoreOptions } from "./kv_like.ts";
 * const options: DenoKvStoreOptions = { prefix: ["auth", "staging"] };
 * ```
 */
export interface DenoKvStoreOptions {
  /** Put before every key; default `["m2m-oauth"]`. Keys are `[...prefix, "token", hash]` and so on. */
  prefix?: KvKey;
  /** Milliseconds since the epoch; default `Date.now`. Decides expiry on read and `expireIn` on write. */
  clock?: () => number;
}

/** Options checked once. */
export interface DenoKvStoreConfig {
  readonly key: (kind: "token" | "replay" | "revoked" | "client" | "attempt", id: string) => KvKey;
  readonly clock: () => number;
  /** `expireIn` for an absolute expiry in seconds: at least 1 ms, rounded up. */
  readonly expireIn: (expiresAt: number) => number;
}

/** Checks the options of a Deno KV store. */
export function denoKvStoreConfig(kv: DenoKvLike, options: DenoKvStoreOptions = {}): DenoKvStoreConfig {
  if (typeof kv?.get !== "function" || typeof kv.set !== "function" || typeof kv.atomic !== "function") {
    throw new ConfigurationError("a Deno KV store needs a KV database, as openKv() opens on Deno");
  }
  const prefix = options.prefix ?? ["m2m-oauth"];
  if (!Array.isArray(prefix)) throw new ConfigurationError("prefix must be an array of key parts");
  const clock = options.clock ?? Date.now;
  if (typeof clock !== "function") throw new ConfigurationError("clock must be a function");
  return {
    key: (kind, id) => [...prefix, kind, id],
    clock,
    expireIn: (expiresAt) => {
      if (!Number.isFinite(expiresAt)) throw new RangeError("an expiry must be a finite number of seconds");
      return Math.max(1, Math.ceil(expiresAt * 1000 - clock()));
    },
  };
}

/** Attempts at a check-and-write before giving up; more are needed only under contention on one key. */
export const KV_ATTEMPTS = 16;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs a KV write, again after a short pause when the local SQLite backend answers
 * "database is locked": several processes (or handles) on one KV file contend for its write
 * lock, and a busy write has not happened, so trying again is safe. Other errors, and the
 * last busy one, are thrown.
 */
export async function kvWrite<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1;; attempt++) {
    try {
      return await write();
    } catch (e) {
      if (attempt >= KV_ATTEMPTS || !(e instanceof Error) || !/database is locked/i.test(e.message)) throw e;
      await sleep(attempt);
    }
  }
}
