/**
 * Signers: the one operation the library needs from a private key. A KMS or HSM implements
 * {@link Signer} without ever exposing the key; {@link cryptoKeySigner} is the default over
 * a WebCrypto key.
 *
 * @module
 */

import { ConfigurationError } from "../errors.ts";
import { algorithmOfKey, algorithmSpec, isJwsAlgorithm, type JwsAlgorithm, keyWeakness } from "../jose/algorithms.ts";

/**
 * Something that signs JWS signing inputs with one key under one algorithm.
 *
 * `sign` receives the bytes to sign and resolves with the JWS signature in its JOSE form:
 * for ES256/ES384 the raw `r || s` concatenation (RFC 7518 s3.4), not DER. Most KMS
 * APIs return DER for ECDSA: convert it, or use RSA or EdDSA there.
 *
 * @example A signer backed by a KMS (the KMS client is yours)
 * ```ts
 * import type { Signer } from "./signer.ts";
 *
 * declare const kms: { sign(keyId: string, message: Uint8Array): Promise<Uint8Array> };
 *
 * const signer: Signer = {
 *   alg: "PS256",
 *   kid: "kms-2026-01",
 *   sign: (data) => kms.sign("arn:aws:kms:...:key/2026-01", data),
 * };
 * ```
 */
export interface Signer {
  /** The JWS algorithm, written to the token's `alg` header. */
  readonly alg: JwsAlgorithm;
  /** The key identifier, written to the token's `kid` header and the JWK Set. */
  readonly kid: string;
  /** Signs `data` and resolves with the signature bytes. */
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/** Options of {@link cryptoKeySigner}. */
export interface CryptoKeySignerOptions {
  /** The key identifier. */
  kid: string;
  /** The algorithm; default: the only one the key can be used with. Must agree with the key. */
  alg?: JwsAlgorithm;
}

/**
 * Checks the shape of a user-supplied signer once, at start-up: a supported `alg` (never
 * `none`), a non-empty `kid`, a `sign` function.
 *
 * @example
 * ```ts
 * import { checkSigner } from "./signer.ts";
 * checkSigner({ alg: "ES256", kid: "k1", sign: async () => new Uint8Array(64) });
 * ```
 */
export function checkSigner(signer: Signer): void {
  if (typeof signer !== "object" || signer === null) throw new ConfigurationError("a signer must be an object");
  if (!isJwsAlgorithm(signer.alg)) {
    throw new ConfigurationError(`signer alg ${JSON.stringify(signer.alg)} is not supported (never 'none')`);
  }
  if (typeof signer.kid !== "string" || signer.kid === "") throw new ConfigurationError("a signer needs a non-empty kid");
  if (typeof signer.sign !== "function") throw new ConfigurationError("a signer needs a sign(data) function");
}

/**
 * A {@link Signer} over a WebCrypto private (or HMAC secret) key. The algorithm is read from
 * the key, so an ECDSA P-256 key signs ES256 and nothing else; a weak key (RSA under 2048
 * bits, HMAC under 256) is refused.
 *
 * @example
 * ```ts
 * import { cryptoKeySigner } from "./signer.ts";
 * const { privateKey } = await crypto.subtle.generateKey(
 *   { name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"],
 * ) as CryptoKeyPair;
 * const signer = cryptoKeySigner(privateKey, { kid: "2026-01" }); // signer.alg === "ES256"
 * ```
 */
export function cryptoKeySigner(key: CryptoKey, options: CryptoKeySignerOptions): Signer {
  if (typeof CryptoKey !== "undefined" && !(key instanceof CryptoKey)) {
    throw new ConfigurationError("cryptoKeySigner needs a WebCrypto CryptoKey");
  }
  const alg = algorithmOfKey(key);
  if (alg === undefined) throw new ConfigurationError(`no supported JWS algorithm uses a ${key.algorithm.name} key`);
  if (options.alg !== undefined && options.alg !== alg) {
    throw new ConfigurationError(`the key is for ${alg}, not ${options.alg}`);
  }
  if (key.type === "public") throw new ConfigurationError("a public key cannot sign");
  if (!key.usages.includes("sign")) throw new ConfigurationError("the key's usages do not include 'sign'");
  const weakness = keyWeakness(key);
  if (weakness !== undefined) throw new ConfigurationError(weakness);
  const params = algorithmSpec(alg).signParams;
  const signer: Signer = {
    alg,
    kid: options.kid,
    async sign(data: Uint8Array): Promise<Uint8Array> {
      return new Uint8Array(await crypto.subtle.sign(params, key, data as Uint8Array<ArrayBuffer>));
    },
  };
  checkSigner(signer);
  return signer;
}
