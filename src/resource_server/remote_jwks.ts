/**
 * A JWK Set fetched from the authorization server's `jwks_uri`, cached, and refetched when
 * it gets old or when a token names a key it does not have, never more often than a
 * cooldown allows: a stream of tokens with made-up `kid`s costs one fetch per cooldown,
 * not one per token.
 *
 * @module
 */

import type { JwsAlgorithm } from "../jose/algorithms.ts";
import type { Jwk } from "../jose/jwk.ts";
import { KeyIndex } from "./key_index.ts";

/** Options of {@link RemoteJwks}. */
export interface RemoteJwksOptions {
  /** The fetch function; default `globalThis.fetch`. */
  fetch: typeof globalThis.fetch;
  /** Milliseconds since the epoch. */
  clock: () => number;
  /** Least time between two fetches, in milliseconds. */
  cooldownMs: number;
  /** How long a fetched set is used when the response names no `max-age`, in milliseconds. */
  defaultMaxAgeMs: number;
  /** Give up on a fetch after this long, in milliseconds. */
  timeoutMs: number;
}

/** Thrown when no JWK Set could be obtained at all: a fault of the server, not the token. */
export class KeysUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "KeysUnavailableError";
  }
}

const MAX_BYTES = 256 * 1024;
const MAX_AGE_CAP_MS = 86_400_000;

/** A remote JWK Set with its cache. One per resource-server configuration. */
export class RemoteJwks {
  readonly #url: string;
  readonly #options: RemoteJwksOptions;
  #index: KeyIndex | undefined;
  #expiresAt = 0;
  #lastAttempt = -Infinity;
  #pending: Promise<void> | undefined;
  #lastError: unknown;

  constructor(url: string, options: RemoteJwksOptions) {
    this.#url = url;
    this.#options = options;
  }

  /** The key for `kid` and `alg`, fetching or refetching the set when allowed. */
  async find(kid: string | undefined, alg: JwsAlgorithm): Promise<CryptoKey | undefined> {
    const now = this.#options.clock();
    if ((this.#index === undefined || now >= this.#expiresAt) && this.#mayFetch(now)) await this.#refresh();
    if (this.#index === undefined) throw new KeysUnavailableError("the JWK Set could not be fetched", { cause: this.#lastError });
    const key = await this.#index.find(kid, alg);
    if (key !== undefined || this.#index.has(kid) || !this.#mayFetch(this.#options.clock())) return key;
    // An unknown kid: the server may have rotated keys since the last fetch.
    await this.#refresh();
    return this.#index.find(kid, alg);
  }

  #mayFetch(now: number): boolean {
    return this.#pending !== undefined || now - this.#lastAttempt >= this.#options.cooldownMs;
  }

  #refresh(): Promise<void> {
    // Concurrent requests share one fetch.
    this.#pending ??= this.#fetch().finally(() => (this.#pending = undefined));
    return this.#pending;
  }

  async #fetch(): Promise<void> {
    this.#lastAttempt = this.#options.clock();
    try {
      const response = await this.#options.fetch(this.#url, {
        headers: { accept: "application/json, application/jwk-set+json" },
        redirect: "error",
        signal: AbortSignal.timeout(this.#options.timeoutMs),
      });
      if (response.status !== 200) throw new Error(`the JWK Set answered ${response.status}`);
      const text = await response.text();
      if (text.length > MAX_BYTES) throw new Error("the JWK Set is too large");
      const body = JSON.parse(text) as { keys?: unknown };
      if (typeof body !== "object" || body === null || !Array.isArray(body.keys)) throw new Error("not a JWK Set");
      this.#index = new KeyIndex(body.keys as Jwk[], false);
      const maxAge = /(?:^|,)\s*max-age=(\d+)/i.exec(response.headers.get("cache-control") ?? "");
      const ms = maxAge === null ? this.#options.defaultMaxAgeMs : Math.min(Number(maxAge[1]) * 1000, MAX_AGE_CAP_MS);
      this.#expiresAt = this.#options.clock() + ms;
    } catch (e) {
      // Keep using the keys already known (a failed refresh is no reason to refuse tokens
      // they verify); the cooldown keeps a dead server from being asked on every request.
      this.#lastError = e;
    }
  }
}
