/**
 * What every conformance suite shares: how tests are registered with the user's test
 * runner, how time is controlled, and assertions that need no assertion library (the
 * library itself cannot import `node:assert`, so a failure is a plain thrown `Error`).
 *
 * @module
 */

import { webCrypto } from "../../crypto/provider.ts";
import { encodeBase64Url } from "../../encoding/base64.ts";

/**
 * Registers one test: node:test's `test`, `Deno.test` or bun:test's `test` all fit. The
 * kit's test functions take no argument, so no runner mistakes them for callback-style
 * tests.
 *
 * @example A registrar that prefixes names, around node:test
 * ```ts
 * import { test } from "node:test";
 * import type { TestRegistrar } from "./kit.ts";
 * const registrar: TestRegistrar = (name, fn) => test(`redis: ${name}`, fn);
 * ```
 */
export type TestRegistrar = (name: string, fn: () => Promise<void>) => unknown;

/**
 * What a store factory receives for each test.
 *
 * @example
 * ```ts
 * import type { StoreTestContext } from "./kit.ts";
 * import { MemoryReplayStore } from "../replay_store.ts";
 * const make = ({ clock }: StoreTestContext) => new MemoryReplayStore({ clock });
 * ```
 */
export interface StoreTestContext {
  /**
   * Milliseconds since the epoch: the clock the store must read time from (pass it as the
   * `clock` option of the in-memory stores). Under `time: "controlled"` the kit moves it.
   */
  readonly clock: () => number;
}

/**
 * Makes a fresh store for one test.
 *
 * @example
 * ```ts
 * import type { StoreFactory } from "./kit.ts";
 * import { MemoryTokenStore } from "../memory_token_store.ts";
 * import type { TokenStore } from "../token_store.ts";
 * const factory: StoreFactory<TokenStore> = ({ clock }) => new MemoryTokenStore({ clock });
 * ```
 */
export type StoreFactory<S> = (context: StoreTestContext) => S | Promise<S>;

/**
 * Options of the conformance suites.
 *
 * @example
 * ```ts
 * import type { ConformanceOptions } from "./kit.ts";
 * const options: ConformanceOptions = { name: "Redis token store", time: "real" };
 * ```
 */
export interface ConformanceOptions {
  /** A prefix for the test names; default the interface's name. */
  name?: string;
  /**
   * How expiry is tested. `"controlled"` (default): the store reads time from the clock it
   * is given, and the kit moves that clock; no test waits. `"real"`: the store keeps real
   * time (a Redis TTL, a database's `now()`); the clock is `Date.now` and the expiry tests
   * wait up to about two seconds each.
   */
  time?: "controlled" | "real";
  /**
   * How many stores each test makes with the factory; default 1. Give more when the stores
   * it makes share one backend, as server instances over one Redis or database do (or one
   * per client library): every test then writes through one and reads through the others,
   * and spreads its concurrent calls over all of them, so atomicity is checked across
   * instances. In-memory stores are not shared: leave it at 1 for them.
   */
  instances?: number;
}

/** The clock of one test, and how to move it forward. */
export interface TestTime {
  readonly clock: () => number;
  /** Seconds since the epoch, whole. */
  nowSeconds(): number;
  /** Moves (or waits) until the clock reads at least `ms`. */
  advanceTo(ms: number): Promise<void>;
}

/** A clock for one test: moved by the kit, or real time waited on. */
export function testTime(mode: ConformanceOptions["time"]): TestTime {
  if (mode === "real") {
    return {
      clock: Date.now,
      nowSeconds: () => Math.floor(Date.now() / 1000),
      advanceTo: async (ms) => {
        while (Date.now() < ms) await new Promise((resolve) => setTimeout(resolve, Math.max(1, ms - Date.now())));
      },
    };
  }
  if (mode !== undefined && mode !== "controlled") throw new TypeError(`unknown time mode ${String(mode)}`);
  // Starts at the current second so that a store which wrongly reads real time is not far
  // off at first, and fails only where the clock moves.
  let now = Math.floor(Date.now() / 1000) * 1000;
  return {
    clock: () => now,
    nowSeconds: () => Math.floor(now / 1000),
    advanceTo: (ms) => {
      if (ms > now) now = ms;
      return Promise.resolve();
    },
  };
}

/** A fresh random key in the form the server uses: 43 base64url characters. */
export function randomKey(): string {
  return encodeBase64Url(webCrypto.randomBytes(32));
}

/** `key` with the case of its first letter swapped: a different key, byte for byte. */
export function swapCase(key: string): string {
  const i = key.search(/[A-Za-z]/);
  const c = key[i]!;
  const swapped = c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
  return key.slice(0, i) + swapped + key.slice(i + 1);
}

/** Throws an `Error` with `message` unless `condition` holds. */
export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** Deep equality of JSON-like data; a missing member equals an `undefined` one. */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    if (!sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** The stores of one test: `instances` of them from the factory, all on the same clock. */
export async function makeStores<S>(
  factory: StoreFactory<S>,
  options: ConformanceOptions,
  valid: (store: S) => boolean,
  what: string,
): Promise<{ time: TestTime; stores: S[] }> {
  const n = options.instances ?? 1;
  if (!Number.isSafeInteger(n) || n < 1) throw new TypeError("instances must be a positive integer");
  const time = testTime(options.time);
  const stores: S[] = [];
  for (let i = 0; i < n; i++) {
    const store = await factory({ clock: time.clock });
    check(valid(store), `the factory must return a ${what}`);
    stores.push(store);
  }
  return { time, stores };
}

/** Each instance in turn: the `i`th call's store. */
export function spread<S>(stores: readonly S[], i: number): S {
  return stores[i % stores.length]!;
}

/** Registers each test under `prefix`. */
export function register(
  test: TestRegistrar,
  prefix: string,
  tests: Record<string, () => Promise<void>>,
): void {
  if (typeof test !== "function") throw new TypeError("the test registrar must be a function");
  for (const [name, fn] of Object.entries(tests)) test(`${prefix}: ${name}`, () => fn());
}
