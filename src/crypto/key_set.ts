/**
 * The authorization server's signing keys and their rotation: one active key signs, and
 * keys that are `next` (published before they sign) or `retiring` (still published after
 * they stopped signing) stay in the JWK Set, so no verifier ever meets a token whose key it
 * cannot find.
 *
 * @module
 */

import { ConfigurationError } from "../errors.ts";
import { isJwsAlgorithm } from "../jose/algorithms.ts";
import { algorithmsOfJwk, isPrivateJwk, type Jwk, type JwkSet, publicJwk } from "../jose/jwk.ts";
import { checkSigner, type Signer } from "./signer.ts";
import type { SigningKey } from "./signing_key.ts";

/** Where a key is in its life: published before it signs, signing, or published after. */
export type KeyStatus = "next" | "active" | "retiring";

/** Options of {@link KeySet}. */
export interface KeySetOptions {
  /** The key that signs new tokens. */
  active: SigningKey;
  /** Keys published ahead of their turn: a signing key, or just its public JWK. */
  next?: readonly (SigningKey | Jwk)[];
  /** Public JWKs of keys that no longer sign but whose tokens may still be live. */
  retiring?: readonly Jwk[];
  /**
   * How long verifiers may cache the JWK Set, in seconds (`Cache-Control: max-age`);
   * default 300. Publish a `next` key at least this long before activating it.
   */
  maxAge?: number;
}

/** One key in a {@link KeySet}, as {@link KeySet.list} reports it. */
export interface KeySetEntry {
  /** The key identifier. */
  readonly kid: string;
  /** Where the key is in its life. */
  readonly status: KeyStatus;
  /** The public JWK (absent for HS256). */
  readonly publicJwk?: Jwk;
  /** The signer, for the active key and for `next` keys given with one. */
  readonly signer?: Signer;
}

function checkPublished(jwk: Jwk, kid: string | undefined): Jwk {
  if (typeof jwk !== "object" || jwk === null || typeof jwk.kty !== "string") {
    throw new ConfigurationError("a published key must be a JWK");
  }
  // RFC 7517 s5, RFC 8414 s2 (jwks_uri): a JWK Set served to the world has public members only.
  if (isPrivateJwk(jwk)) throw new ConfigurationError("a published key must not contain private members");
  const id = kid ?? jwk.kid;
  if (typeof id !== "string" || id === "") throw new ConfigurationError("a published key needs a kid");
  const algs = algorithmsOfJwk(jwk);
  if (algs.length !== 1 || !isJwsAlgorithm(jwk.alg ?? algs[0])) {
    throw new ConfigurationError(`published key ${JSON.stringify(id)} needs a supported alg member`);
  }
  return { ...publicJwk(jwk)!, kid: id, alg: algs[0]!, use: "sig" };
}

function entryOf(key: SigningKey | Jwk, status: KeyStatus): KeySetEntry {
  if (typeof (key as SigningKey).signer === "object" && (key as SigningKey).signer !== null) {
    const { signer, publicJwk: pub } = key as SigningKey;
    checkSigner(signer);
    if (signer.alg === "HS256") {
      if (pub !== undefined) throw new ConfigurationError("an HS256 key is a secret and has no public JWK");
      return { kid: signer.kid, status, signer };
    }
    if (pub === undefined) throw new ConfigurationError(`signing key ${JSON.stringify(signer.kid)} needs its publicJwk`);
    const published = checkPublished(pub, signer.kid);
    if (published.alg !== signer.alg) {
      throw new ConfigurationError(`signing key ${JSON.stringify(signer.kid)}: publicJwk is for ${published.alg}, signer for ${signer.alg}`);
    }
    return { kid: signer.kid, status, signer, publicJwk: published };
  }
  const published = checkPublished(key as Jwk, undefined);
  return { kid: published.kid!, status, publicJwk: published };
}

/**
 * The signing keys of an authorization server. Rotation, with zero failed verifications:
 *
 * 1. `publishNext(newKey)`: the new public key appears in the JWK Set; wait at least
 *    `maxAge` seconds so every verifier's cached copy has it (verifiers built with this
 *    library also refetch once on an unknown `kid`).
 * 2. `activate(kid)`: the new key signs; the old one becomes `retiring` and stays published.
 * 3. `remove(oldKid)` once the longest access token lifetime (plus clock skew) has passed.
 *
 * HS256 keys sign but are never published. Keys are plain objects in memory; with several
 * instances, rotate by changing each instance's configuration in the same three steps.
 *
 * @example
 * ```ts
 * import { KeySet } from "./key_set.ts";
 * import { generateSigningKey } from "./signing_key.ts";
 *
 * const keys = new KeySet({ active: await generateSigningKey("ES256", { kid: "2026-01" }) });
 * keys.publishNext(await generateSigningKey("ES256", { kid: "2026-02" }));
 * // ... after maxAge seconds:
 * keys.activate("2026-02");
 * // ... after the longest token lifetime:
 * keys.remove("2026-01");
 * ```
 */
export class KeySet {
  /** Seconds verifiers may cache the JWK Set. */
  readonly maxAge: number;
  #entries: KeySetEntry[];
  #active: KeySetEntry;
  #json: string | undefined;
  #version = 0;

  constructor(options: KeySetOptions) {
    if (typeof options !== "object" || options === null) throw new ConfigurationError("KeySet options must be an object");
    for (const key of Object.keys(options)) {
      if (!["active", "next", "retiring", "maxAge"].includes(key)) throw new ConfigurationError(`unknown KeySet option '${key}'`);
    }
    const maxAge = options.maxAge ?? 300;
    if (!Number.isSafeInteger(maxAge) || maxAge < 0 || maxAge > 86_400) {
      throw new ConfigurationError("maxAge must be an integer from 0 to 86400 seconds");
    }
    this.maxAge = maxAge;
    if (typeof options.active?.signer !== "object") throw new ConfigurationError("KeySet needs an active signing key");
    this.#active = entryOf(options.active, "active");
    this.#entries = [this.#active];
    for (const k of options.next ?? []) this.#add(entryOf(k, "next"));
    for (const k of options.retiring ?? []) this.#add(entryOf(k, "retiring"));
  }

  #add(entry: KeySetEntry): void {
    if (this.#entries.some((e) => e.kid === entry.kid)) throw new ConfigurationError(`kid ${JSON.stringify(entry.kid)} is used twice`);
    this.#entries = [...this.#entries, entry];
    this.#changed();
  }

  #changed(): void {
    this.#json = undefined;
    this.#version++;
  }

  /** The signer of new tokens. */
  get active(): Signer {
    return this.#active.signer!;
  }

  /** Grows by one at every change; caches keyed on it see rotations. */
  get version(): number {
    return this.#version;
  }

  /** Every key and its status. */
  list(): readonly KeySetEntry[] {
    return this.#entries;
  }

  /** Publishes a key that will sign later (rotation step 1). */
  publishNext(key: SigningKey | Jwk): void {
    this.#add(entryOf(key, "next"));
  }

  /**
   * Makes the `next` key `kid` the signer (rotation step 2); the key that signed until now
   * becomes `retiring` and stays published. The key must have been published as `next`
   * with its signer.
   */
  activate(kid: string): void {
    const next = this.#entries.find((e) => e.kid === kid);
    if (next === undefined || next.status !== "next") throw new ConfigurationError(`kid ${JSON.stringify(kid)} is not a next key`);
    if (next.signer === undefined) throw new ConfigurationError(`next key ${JSON.stringify(kid)} has no signer`);
    const active: KeySetEntry = { ...next, status: "active" };
    this.#entries = this.#entries.map((e) => e === next ? active : e === this.#active ? { ...e, status: "retiring" } : e);
    this.#active = active;
    this.#changed();
  }

  /** Stops publishing a `next` or `retiring` key (rotation step 3). The active key stays. */
  remove(kid: string): void {
    const entry = this.#entries.find((e) => e.kid === kid);
    if (entry === undefined) throw new ConfigurationError(`kid ${JSON.stringify(kid)} is not in the key set`);
    if (entry === this.#active) throw new ConfigurationError("the active key cannot be removed; activate another first");
    this.#entries = this.#entries.filter((e) => e !== entry);
    this.#changed();
  }

  /**
   * The public JWK Set (RFC 7517 s5): every published key with `kid`, `alg` and `use`,
   * public members only, HS256 secrets never.
   */
  jwks(): JwkSet {
    return { keys: this.#entries.flatMap((e) => e.publicJwk === undefined ? [] : [{ ...e.publicJwk }]) };
  }

  /** The JWK Set as JSON, serialized once per change. */
  jwksJson(): string {
    return this.#json ??= JSON.stringify(this.jwks());
  }
}
