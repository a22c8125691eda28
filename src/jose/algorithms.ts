/**
 * The JWS algorithms this library signs and verifies (RFC 7518 s3, RFC 8037 s3.1), and what
 * each one means to WebCrypto. `none` is not among them, by construction.
 *
 * @module
 */

/**
 * A JWS `alg` value this library supports: ECDSA (ES256, ES384), EdDSA with Ed25519,
 * RSASSA-PKCS1-v1_5 (RS256), RSASSA-PSS (PS256), and HMAC (HS256) for symmetric setups.
 * `none` is never accepted (RFC 9068 s2.1, RFC 8725 s3.1).
 */
export type JwsAlgorithm = "ES256" | "ES384" | "EdDSA" | "RS256" | "PS256" | "HS256";

/** Every supported algorithm. */
export const JWS_ALGORITHMS: readonly JwsAlgorithm[] = Object.freeze(["ES256", "ES384", "EdDSA", "RS256", "PS256", "HS256"]);

/** The asymmetric algorithms: the default allow-list of a verifier. */
export const ASYMMETRIC_ALGORITHMS: readonly JwsAlgorithm[] = Object.freeze(["ES256", "ES384", "EdDSA", "RS256", "PS256"]);

/** What an algorithm needs from a key, and how to call WebCrypto with it. */
export interface AlgorithmSpec {
  /** JWK key type (RFC 7518 s6.1). */
  readonly kty: "EC" | "OKP" | "RSA" | "oct";
  /** JWK curve, for EC and OKP keys. */
  readonly crv?: string;
  /** Parameters for `importKey` and `generateKey`. */
  readonly importParams: EcKeyImportParams | RsaHashedImportParams | HmacImportParams | Algorithm;
  /** Parameters for `sign` and `verify`. */
  readonly signParams: Algorithm | EcdsaParams | RsaPssParams;
}

const SPECS: Readonly<Record<JwsAlgorithm, AlgorithmSpec>> = {
  ES256: {
    kty: "EC",
    crv: "P-256",
    importParams: { name: "ECDSA", namedCurve: "P-256" },
    signParams: { name: "ECDSA", hash: "SHA-256" },
  },
  ES384: {
    kty: "EC",
    crv: "P-384",
    importParams: { name: "ECDSA", namedCurve: "P-384" },
    signParams: { name: "ECDSA", hash: "SHA-384" },
  },
  EdDSA: { kty: "OKP", crv: "Ed25519", importParams: { name: "Ed25519" }, signParams: { name: "Ed25519" } },
  RS256: {
    kty: "RSA",
    importParams: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    signParams: { name: "RSASSA-PKCS1-v1_5" },
  },
  // RFC 7518 s3.5: the salt is as long as the hash output.
  PS256: { kty: "RSA", importParams: { name: "RSA-PSS", hash: "SHA-256" }, signParams: { name: "RSA-PSS", saltLength: 32 } },
  HS256: { kty: "oct", importParams: { name: "HMAC", hash: "SHA-256" }, signParams: { name: "HMAC" } },
};

/**
 * Whether `value` names a supported algorithm.
 *
 * @example
 * ```ts
 * import { isJwsAlgorithm } from "./algorithms.ts";
 * isJwsAlgorithm("ES256"); // true
 * isJwsAlgorithm("none"); // false
 * ```
 */
export function isJwsAlgorithm(value: unknown): value is JwsAlgorithm {
  return typeof value === "string" && Object.hasOwn(SPECS, value);
}

/**
 * The WebCrypto details of `alg`.
 *
 * @example
 * ```ts
 * import { algorithmSpec } from "./algorithms.ts";
 * algorithmSpec("ES256").kty; // "EC"
 * ```
 */
export function algorithmSpec(alg: JwsAlgorithm): AlgorithmSpec {
  return SPECS[alg];
}

function hashName(hash: unknown): string | undefined {
  return typeof hash === "string" ? hash : (hash as { name?: string } | undefined)?.name;
}

/**
 * The one algorithm a WebCrypto key can be used with, read from the key itself; `undefined`
 * for a key no supported algorithm uses (wrong curve, hash, or type).
 *
 * @example
 * ```ts
 * import { algorithmOfKey } from "./algorithms.ts";
 * const { privateKey } = await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]) as CryptoKeyPair;
 * algorithmOfKey(privateKey); // "EdDSA"
 * ```
 */
export function algorithmOfKey(key: CryptoKey): JwsAlgorithm | undefined {
  const a = key.algorithm as Algorithm & { namedCurve?: string; hash?: unknown };
  switch (a.name) {
    case "ECDSA":
      return a.namedCurve === "P-256" ? "ES256" : a.namedCurve === "P-384" ? "ES384" : undefined;
    case "Ed25519":
      return "EdDSA";
    case "RSASSA-PKCS1-v1_5":
      return hashName(a.hash) === "SHA-256" ? "RS256" : undefined;
    case "RSA-PSS":
      return hashName(a.hash) === "SHA-256" ? "PS256" : undefined;
    case "HMAC":
      return hashName(a.hash) === "SHA-256" ? "HS256" : undefined;
    default:
      return undefined;
  }
}

/**
 * Why `key` is too weak for its algorithm, or `undefined` when it is strong enough:
 * RFC 7518 s3.3 and s3.5 require RSA moduli of at least 2048 bits, s3.2 an HMAC key at
 * least as long as the hash output (256 bits for HS256).
 *
 * @example
 * ```ts
 * import { keyWeakness } from "./algorithms.ts";
 * const key = await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256", length: 128 }, false, ["sign"]);
 * keyWeakness(key as CryptoKey); // "an HS256 key must be at least 256 bits (RFC 7518 s3.2)"
 * ```
 */
export function keyWeakness(key: CryptoKey): string | undefined {
  const a = key.algorithm as Algorithm & { modulusLength?: number; length?: number };
  if ((a.name === "RSASSA-PKCS1-v1_5" || a.name === "RSA-PSS") && (a.modulusLength ?? 0) < 2048) {
    return "an RSA key must be at least 2048 bits (RFC 7518 s3.3)";
  }
  if (a.name === "HMAC" && (a.length ?? 0) < 256) return "an HS256 key must be at least 256 bits (RFC 7518 s3.2)";
  return undefined;
}
