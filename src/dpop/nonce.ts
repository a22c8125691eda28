/**
 * Server-provided DPoP nonces (RFC 9449 s8, s9): a value the server hands out with
 * `use_dpop_nonce` and `DPoP-Nonce`, which proofs must then carry, so that a proof cannot
 * be made ahead of time (s11.2).
 *
 * The nonces are stateless: the nonce of a time window is HMAC-SHA-256(secret, label,
 * window), base64url. Every instance that shares the secret computes the same nonce, so
 * several instances need no shared storage, and nobody without the secret can predict a
 * future window's nonce (s11.3: nonces MUST be unpredictable). A nonce is accepted during
 * its window and the next one, so it lives at least one window. The label (the token
 * endpoint's URL at the authorization server, the resource at a resource server) keeps a
 * nonce of one server from being accepted by another that shares the secret (s9: each
 * server's nonces are its own).
 *
 * Nonces are not secrets: anyone the server answers can learn the current one. What they
 * add is freshness.
 *
 * @module
 */

import { ConfigurationError } from "../errors.ts";
import { encodeBase64Url } from "../encoding/base64.ts";

/**
 * Turns on server-provided nonces: every proof must then carry a current `nonce`, and a
 * proof without one gets `use_dpop_nonce` with a `DPoP-Nonce` header (RFC 9449 s8, s9).
 *
 * @example
 * ```ts
 * import type { DpopNonceOptions } from "./nonce.ts";
 * // 32+ random bytes, shared by every instance (e.g. from a secret manager), base64url or raw.
 * const nonce: DpopNonceOptions = { secret: "c2VjcmV0LWtleS1vZi0zMi1ieXRlcy1vci1tb3JlLi4u", windowSeconds: 300 };
 * ```
 */
export interface DpopNonceOptions {
  /**
   * The key the nonces are computed with: at least 32 bytes (or a string of at least 32
   * characters, used as its UTF-8 bytes). Share it between instances; keep it secret.
   */
  secret: string | Uint8Array;
  /** Length of a nonce window in seconds; default 300, from 10 to 86,400. A nonce is accepted in its window and the next. */
  windowSeconds?: number;
}

const encoder = new TextEncoder();

/** The nonces of one server (one label), with the HMAC key imported once. */
export class DpopNonces {
  readonly #secret: Uint8Array;
  readonly #window: number;
  readonly #label: string;
  readonly #clock: () => number;
  #key: Promise<CryptoKey> | undefined;
  readonly #cache = new Map<number, Promise<string>>();

  constructor(options: DpopNonceOptions, label: string, clock: () => number) {
    if (typeof options !== "object" || options === null) throw new ConfigurationError("dpop.nonce must be an object with a secret", "dpop.nonce");
    const secret = typeof options.secret === "string" ? encoder.encode(options.secret) : options.secret;
    if (!(secret instanceof Uint8Array) || secret.length < 32) {
      throw new ConfigurationError("dpop.nonce.secret must be at least 32 bytes (or 32 characters)", "dpop.nonce.secret");
    }
    const window = options.windowSeconds ?? 300;
    if (typeof window !== "number" || !Number.isSafeInteger(window) || window < 10 || window > 86_400) {
      throw new ConfigurationError("dpop.nonce.windowSeconds must be an integer from 10 to 86400", "dpop.nonce.windowSeconds");
    }
    this.#secret = secret.slice();
    this.#window = window;
    this.#label = label;
    this.#clock = clock;
  }

  #windowNow(): number {
    return Math.floor(this.#clock() / 1000 / this.#window);
  }

  #nonceOf(window: number): Promise<string> {
    let nonce = this.#cache.get(window);
    if (nonce === undefined) {
      // Imported on first use, not at start-up: Workers forbid crypto work at a module's top level.
      this.#key ??= crypto.subtle.importKey("raw", this.#secret as Uint8Array<ArrayBuffer>, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
      const key = this.#key;
      nonce = key.then((k) => crypto.subtle.sign("HMAC", k, encoder.encode(`DPoP-Nonce\0${this.#label}\0${window}`)))
        .then((mac) => encodeBase64Url(new Uint8Array(mac)));
      // Only the current and the previous window are ever asked for.
      for (const w of this.#cache.keys()) if (w < window - 1) this.#cache.delete(w);
      this.#cache.set(window, nonce);
    }
    return nonce;
  }

  /** The nonce to hand out now. */
  current(): Promise<string> {
    return this.#nonceOf(this.#windowNow());
  }

  /** Whether `nonce` is the nonce of the current or the previous window. */
  async accepts(nonce: unknown): Promise<boolean> {
    if (typeof nonce !== "string") return false;
    const now = this.#windowNow();
    return nonce === await this.#nonceOf(now) || nonce === await this.#nonceOf(now - 1);
  }
}
