/**
 * Finding the verification key for a token: an index over a JWK Set that fixes, for each
 * key, the algorithms it may verify, and imports each key once.
 *
 * @module
 */

import { type JwsAlgorithm, keyWeakness } from "./algorithms.ts";
import { algorithmsOfJwk, importJwk, type Jwk } from "./jwk.ts";
import type { KeySet } from "../crypto/key_set.ts";

interface IndexEntry {
  readonly kid: string | undefined;
  readonly algs: readonly JwsAlgorithm[];
  readonly jwk: Jwk;
  readonly imported: Map<JwsAlgorithm, Promise<CryptoKey | undefined>>;
}

/**
 * The keys of a JWK Set, ready for lookups by `kid` and `alg`. The algorithm comes from
 * the key (its `alg`, or what its type and curve allow), never from the token alone: a
 * header saying HS256 never finds an RSA or EC key (RFC 8725 s2.1). Symmetric (`oct`)
 * keys are indexed only when `allowSymmetric` is set: never for a JWK Set fetched from a
 * URL, which is public by definition. A key with a `use` other than `keyUse` (default
 * `sig`, RFC 7517 s4.2) is left out; a SPIFFE bundle's JWT keys say `jwt-svid`.
 */
export class KeyIndex {
  readonly #entries: readonly IndexEntry[];

  constructor(keys: readonly Jwk[], allowSymmetric: boolean, keyUse = "sig") {
    const entries: IndexEntry[] = [];
    for (const listed of keys) {
      if (typeof listed !== "object" || listed === null || typeof listed.kty !== "string") continue;
      if (listed.use !== undefined && listed.use !== keyUse) continue;
      // Imported as a signature key once its use is accepted (importJwk knows only `sig`).
      const jwk = listed.use === undefined || listed.use === "sig" ? listed : { ...listed, use: undefined };
      if (Array.isArray(jwk.key_ops) && !jwk.key_ops.includes("verify")) continue;
      if (jwk.kty === "oct" && !allowSymmetric) continue;
      const algs = algorithmsOfJwk(jwk);
      if (algs.length === 0) continue;
      entries.push({ kid: typeof jwk.kid === "string" ? jwk.kid : undefined, algs, jwk, imported: new Map() });
    }
    this.#entries = entries;
  }

  /** Whether a key with this `kid` exists (for any algorithm). */
  has(kid: string | undefined): boolean {
    return this.#entries.some((e) => kid === undefined || e.kid === kid);
  }

  /**
   * The key for `kid` that may verify `alg`. Without a `kid`, only when exactly one key
   * may verify `alg`; keys are never tried one after another.
   */
  find(kid: string | undefined, alg: JwsAlgorithm): Promise<CryptoKey | undefined> {
    const matches = this.#entries.filter((e) => (kid === undefined || e.kid === kid) && e.algs.includes(alg));
    if (matches.length !== 1) return Promise.resolve(undefined);
    const entry = matches[0]!;
    let key = entry.imported.get(alg);
    if (key === undefined) {
      // RFC 7518 s3.3, s3.5: an RSA key under 2048 bits is never used, whoever published it.
      key = importJwk(entry.jwk, alg, "verify").then((k) => (keyWeakness(k) === undefined ? k : undefined), () => undefined);
      entry.imported.set(alg, key);
    }
    return key;
  }
}

/** One index per key set, rebuilt when the set rotates (its `version` moves). */
const keySetIndexes = new WeakMap<KeySet, { version: number; index: KeyIndex }>();

/**
 * The index of the public keys a {@link KeySet} publishes, as of its current version: what
 * verifies this server's own tokens, at the authorization server (introspection, revocation)
 * and at a resource server in the same process alike. HS256 keys are not in it (they are
 * never published).
 *
 * @example
 * ```ts
 * import { keySetIndex } from "./key_index.ts";
 * import type { KeySet } from "../crypto/key_set.ts";
 * declare const keys: KeySet;
 * const key = await keySetIndex(keys).find("2026-01", "ES256");
 * ```
 */
export function keySetIndex(keys: KeySet): KeyIndex {
  let entry = keySetIndexes.get(keys);
  if (entry === undefined || entry.version !== keys.version) {
    entry = { version: keys.version, index: new KeyIndex(keys.jwks().keys, false) };
    keySetIndexes.set(keys, entry);
  }
  return entry.index;
}
