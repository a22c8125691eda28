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
import type { JwsAlgorithm } from "./algorithms.ts";
import { parseJsonObject } from "./json.ts";
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
 * Reads a body of at most `maxBytes` bytes, refusing early on a larger `Content-Length`
 * and stopping the stream as soon as the cap is passed; rejects when `signal` aborts, so a
 * body trickled byte by byte cannot outlive the deadline.
 */
async function readCapped(response: Response, maxBytes: number, signal: AbortSignal): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new Error("the JWK Set is too large");
  const body = response.body;
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const aborted = new Promise<never>((_, reject) => {
    const fail = () => reject(signal.reason ?? new Error("the JWK Set fetch timed out"));
    if (signal.aborted) fail();
    else signal.addEventListener("abort", fail, { once: true });
  });
  aborted.catch(() => {});
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), aborted]);
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) throw new Error("the JWK Set is too large");
      chunks.push(value);
    }
  } catch (e) {
    reader.cancel().catch(() => {});
    throw e;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** How long the answer may be used (RFC 9111 s5.2.2): `no-store`/`no-cache` mean not at all. */
function freshFor(cacheControl: string | null, fallbackMs: number, capMs: number): number {
  const cc = cacheControl ?? "";
  if (/(?:^|,)\s*no-(?:store|cache)\b/i.test(cc)) return 0;
  const maxAge = /(?:^|,)\s*max-age=(\d+)/i.exec(cc);
  return Math.min(maxAge === null ? fallbackMs : Number(maxAge[1]) * 1000, capMs);
}

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
    // A timer of our own rather than AbortSignal.timeout: Node does not let that one keep
    // the process alive, and it is cleared as soon as the answer is in.
    const controller = new AbortController();
    const signal = controller.signal;
    const timer = setTimeout(() => controller.abort(new Error("the JWK Set fetch timed out")), this.#options.timeoutMs);
    try {
      const response = await this.#options.fetch(this.#url, {
        headers: { accept: "application/json, application/jwk-set+json" },
        redirect: "error",
        signal,
      });
      if (response.status !== 200) {
        response.body?.cancel().catch(() => {});
        throw new Error(`the JWK Set answered ${response.status}`);
      }
      const bytes = await readCapped(response, this.#options.maxBytes ?? MAX_BYTES, signal);
      const body = parseJsonObject(bytes);
      if (body === undefined || !Array.isArray(body.keys)) throw new Error("not a JWK Set");
      this.#index = new KeyIndex(body.keys as Jwk[], false);
      this.#jwks = body.keys as Jwk[];
      const ms = freshFor(response.headers.get("cache-control"), this.#options.defaultMaxAgeMs, this.#options.maxAgeCapMs ?? MAX_AGE_CAP_MS);
      this.#expiresAt = this.#options.clock() + ms;
    } catch (e) {
      // Keep using the keys already known (a failed refresh is no reason to refuse JWSs
      // they verify); the cooldown keeps a dead server from being asked on every request.
      this.#lastError = e;
    } finally {
      clearTimeout(timer);
    }
  }
}
