/**
 * A JWK Set (RFC 7517 s5) fetched from a `jwks_uri`, cached, and refetched when it gets old
 * or when a JWS names a key it does not have, never more often than a cooldown allows: a
 * stream of JWSs with made-up `kid`s costs one fetch per cooldown, not one per JWS.
 *
 * Used by the resource server for the authorization server's keys (RFC 9068 s4), and by the
 * token endpoint for a client's keys (RFC 7591 s2 `jwks_uri`, RFC 7523 s3 `private_key_jwt`).
 * Either way the URL's answer is untrusted input: the fetch has a deadline, the body a size
 * cap, the JSON is parsed strictly, and redirects are refused.
 *
 * @module
 */

import type { FetchLike } from "../http/fetch.ts";
import { fetchJsonObject } from "../http/json_fetch.ts";
import type { JwsAlgorithm } from "./algorithms.ts";
import type { Jwk } from "./jwk.ts";
import { KeyIndex } from "./key_index.ts";

/** Options of {@link RemoteJwks}. */
export interface RemoteJwksOptions {
  /** The fetch function; default `globalThis.fetch`. */
  fetch: FetchLike;
  /** Milliseconds since the epoch. */
  clock: () => number;
  /** Least time between two fetches, in milliseconds. */
  cooldownMs: number;
  /** How long a fetched set is used when the response names no `max-age`, in milliseconds. */
  defaultMaxAgeMs: number;
  /** Give up on a fetch (headers and body) after this long, in milliseconds. */
  timeoutMs: number;
  /** Largest body accepted, in bytes; default 256 KiB. */
  maxBytes?: number;
  /** Longest a fetched set is used, whatever `max-age` says, in milliseconds; default one day. */
  maxAgeCapMs?: number;
  /**
   * The `use` a key must have to verify, besides none at all; default `sig` (RFC 7517
   * s4.2). A SPIFFE bundle marks the keys of JWT-SVIDs `jwt-svid`.
   */
  keyUse?: string;
}

/** Thrown when no JWK Set could be obtained at all: a fault of the key holder, not the JWS. */
export class KeysUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "KeysUnavailableError";
  }
}

const MAX_BYTES = 256 * 1024;
const MAX_AGE_CAP_MS = 86_400_000;

/**
 * A remote JWK Set with its cache. Asymmetric keys only: a set served at a URL is public by
 * definition, so an `oct` key in it is never used (RFC 8725 s3.1).
 *
 * @example
 * ```ts
 * import { RemoteJwks } from "./remote_jwks.ts";
 * const keys = new RemoteJwks("https://client.example.com/jwks.json", {
 *   fetch: globalThis.fetch,
 *   clock: Date.now,
 *   cooldownMs: 30_000,
 *   defaultMaxAgeMs: 300_000,
 *   timeoutMs: 5_000,
 * });
 * // const key = await keys.find("kid-1", "ES256");
 * ```
 */
export class RemoteJwks {
  readonly #url: string;
  readonly #options: RemoteJwksOptions;
  #index: KeyIndex | undefined;
  #jwks: readonly Jwk[] = [];
  #expiresAt = 0;
  #lastAttempt = -Infinity;
  #pending: Promise<void> | undefined;
  #lastError: unknown;

  constructor(url: string, options: RemoteJwksOptions) {
    this.#url = url;
    this.#options = options;
  }

  /**
   * The key for `kid` and `alg`, fetching or refetching the set when allowed; `undefined`
   * when the set has no such key. Throws {@link KeysUnavailableError} when no set was ever
   * obtained.
   */
  async find(kid: string | undefined, alg: JwsAlgorithm): Promise<CryptoKey | undefined> {
    const now = this.#options.clock();
    if ((this.#index === undefined || now >= this.#expiresAt) && this.#mayFetch(now)) await this.#refresh();
    if (this.#index === undefined) throw new KeysUnavailableError("the JWK Set could not be fetched", { cause: this.#lastError });
    const key = await this.#index.find(kid, alg);
    if (key !== undefined || this.#index.has(kid) || !this.#mayFetch(this.#options.clock())) return key;
    // An unknown kid: the key holder may have rotated keys since the last fetch.
    await this.#refresh();
    return this.#index.find(kid, alg);
  }

  /**
   * The first key of the set that `matches` (a `self_signed_tls_client_auth` client's key,
   * compared with its certificate's, RFC 8705 s2.2), refetching on a miss as {@link find}
   * does for an unknown `kid`, so a client can rotate its certificate by publishing the new
   * key. Keys marked for another `use` than `sig` are skipped. Throws
   * {@link KeysUnavailableError} when no set was ever obtained.
   */
  async findJwk(matches: (jwk: Jwk) => boolean): Promise<Jwk | undefined> {
    const now = this.#options.clock();
    if ((this.#index === undefined || now >= this.#expiresAt) && this.#mayFetch(now)) await this.#refresh();
    if (this.#index === undefined) throw new KeysUnavailableError("the JWK Set could not be fetched", { cause: this.#lastError });
    const pick = () => this.#jwks.find((k) => typeof k === "object" && k !== null && (k.use === undefined || k.use === "sig") && matches(k));
    const found = pick();
    if (found !== undefined || !this.#mayFetch(this.#options.clock())) return found;
    await this.#refresh();
    return pick();
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
      const { body, freshForMs } = await fetchJsonObject(this.#url, {
        fetch: this.#options.fetch,
        timeoutMs: this.#options.timeoutMs,
        maxBytes: this.#options.maxBytes ?? MAX_BYTES,
        accept: "application/json, application/jwk-set+json",
        defaultMaxAgeMs: this.#options.defaultMaxAgeMs,
        maxAgeCapMs: this.#options.maxAgeCapMs ?? MAX_AGE_CAP_MS,
      });
      if (!Array.isArray(body.keys)) throw new Error("not a JWK Set");
      this.#index = new KeyIndex(body.keys as Jwk[], false, this.#options.keyUse);
      this.#jwks = body.keys as Jwk[];
      this.#expiresAt = this.#options.clock() + freshForMs;
    } catch (e) {
      // Keep using the keys already known (a failed refresh is no reason to refuse JWSs
      // they verify); the cooldown keeps a dead server from being asked on every request.
      this.#lastError = e;
    }
  }
}
