/**
 * JSON Web Keys (RFC 7517): import into WebCrypto for one fixed algorithm, export, and the
 * public part of a key.
 *
 * @module
 */

import { ConfigurationError } from "../errors.ts";
import { algorithmSpec, isJwsAlgorithm, type JwsAlgorithm } from "./algorithms.ts";

/**
 * A JSON Web Key (RFC 7517 s4) of the kinds this library uses: EC and OKP (RFC 8037)
 * curves, RSA, and `oct` secrets for HMAC. Private members (`d`, `p`, `q`, `dp`, `dq`,
 * `qi`, `k`) are present only in private keys.
 */
export interface Jwk {
  /** Key type: `EC`, `OKP`, `RSA` or `oct`. */
  kty: string;
  /** Key identifier. */
  kid?: string;
  /** The algorithm the key is meant for. */
  alg?: string;
  /** Public key use: `sig` for signing keys. */
  use?: string;
  /** Permitted operations. */
  key_ops?: string[];
  /** Curve (EC, OKP). */
  crv?: string;
  /** Public point x (EC, OKP). */
  x?: string;
  /** Public point y (EC). */
  y?: string;
  /** RSA modulus. */
  n?: string;
  /** RSA public exponent. */
  e?: string;
  /** Private key (EC, OKP, RSA private exponent). */
  d?: string;
  /** RSA private members. */
  p?: string;
  q?: string;
  dp?: string;
  dq?: string;
  qi?: string;
  /** Symmetric key value (oct). */
  k?: string;
  /** Other members are allowed by RFC 7517 s4 and ignored here. */
  [member: string]: unknown;
}

/** A JWK Set (RFC 7517 s5). */
export interface JwkSet {
  keys: Jwk[];
}

/** Members that make a JWK private or secret (RFC 7518 s6.2.2, s6.3.2, s6.4; RFC 8037 s2). */
export const PRIVATE_MEMBERS: readonly string[] = Object.freeze(["d", "p", "q", "dp", "dq", "qi", "oth", "k"]);

/** The members that carry the key material of each key type, public ones first. */
const PUBLIC_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  EC: ["crv", "x", "y"],
  OKP: ["crv", "x"],
  RSA: ["n", "e"],
};

/**
 * The public part of an asymmetric JWK with `kid`, `alg` and `use` kept: exactly what a JWK
 * Set may publish. `undefined` for a symmetric (`oct`) key, which has no public part.
 *
 * @example
 * ```ts
 * import { publicJwk } from "./jwk.ts";
 * publicJwk({ kty: "OKP", crv: "Ed25519", x: "11qY...", d: "nWGx...", kid: "k1" });
 * // { kty: "OKP", crv: "Ed25519", x: "11qY...", kid: "k1" }
 * ```
 */
export function publicJwk(jwk: Jwk): Jwk | undefined {
  const members = PUBLIC_MEMBERS[jwk.kty];
  if (members === undefined) return undefined;
  const out: Jwk = { kty: jwk.kty };
  for (const m of members) if (typeof jwk[m] === "string") out[m] = jwk[m];
  if (typeof jwk.kid === "string") out.kid = jwk.kid;
  if (typeof jwk.alg === "string") out.alg = jwk.alg;
  if (typeof jwk.use === "string") out.use = jwk.use;
  return out;
}

/**
 * Whether two JWKs hold the same public key: the same key type and the same public
 * members (RFC 7638 s3.2's required members: `crv`, `x`, `y`; `n`, `e`; `crv`, `x`),
 * compared as the base64url strings they are. `false` for a symmetric or unknown type.
 *
 * @example
 * ```ts
 * import { samePublicKey } from "./jwk.ts";
 * samePublicKey({ kty: "OKP", crv: "Ed25519", x: "11qY", kid: "a" }, { kty: "OKP", crv: "Ed25519", x: "11qY" }); // true
 * ```
 */
export function samePublicKey(a: Jwk, b: Jwk): boolean {
  const members = PUBLIC_MEMBERS[a.kty];
  return members !== undefined && a.kty === b.kty && members.every((m) => typeof a[m] === "string" && a[m] === b[m]);
}

/**
 * Whether the JWK holds private or secret material.
 *
 * @example
 * ```ts
 * import { isPrivateJwk } from "./jwk.ts";
 * isPrivateJwk({ kty: "EC", crv: "P-256", x: "...", y: "...", d: "..." }); // true
 * ```
 */
export function isPrivateJwk(jwk: Jwk): boolean {
  return PRIVATE_MEMBERS.some((m) => jwk[m] !== undefined);
}

/**
 * The algorithms a JWK may verify: its `alg` when it names one, otherwise what its type and
 * curve allow (an RSA key without `alg` may be RS256 or PS256, which use the same key type).
 * Never HS256 for an asymmetric key, never an asymmetric algorithm for an `oct` key.
 *
 * @example
 * ```ts
 * import { algorithmsOfJwk } from "./jwk.ts";
 * algorithmsOfJwk({ kty: "EC", crv: "P-384", x: "...", y: "..." }); // ["ES384"]
 * ```
 */
export function algorithmsOfJwk(jwk: Jwk): JwsAlgorithm[] {
  const candidates: JwsAlgorithm[] = jwk.kty === "EC"
    ? (jwk.crv === "P-256" ? ["ES256"] : jwk.crv === "P-384" ? ["ES384"] : [])
    : jwk.kty === "OKP"
    ? (jwk.crv === "Ed25519" ? ["EdDSA"] : [])
    : jwk.kty === "RSA"
    ? ["RS256", "PS256"]
    : jwk.kty === "oct"
    ? ["HS256"]
    : [];
  if (jwk.alg === undefined) return candidates;
  // RFC 9864 s2.2: "Ed25519" names EdDSA over Ed25519 without ambiguity.
  const alg = jwk.alg === "Ed25519" ? "EdDSA" : jwk.alg;
  return isJwsAlgorithm(alg) && candidates.includes(alg) ? [alg] : [];
}

/**
 * The members WebCrypto needs, and nothing else: `alg`, `use`, `key_ops` and `ext` are this
 * library's to check, and runtimes disagree on how they treat them.
 */
function material(jwk: Jwk, alg: JwsAlgorithm, withPrivate: boolean): JsonWebKey {
  const spec = algorithmSpec(alg);
  if (jwk.kty !== spec.kty) throw new ConfigurationError(`a ${alg} key must have kty ${spec.kty}, not ${JSON.stringify(jwk.kty)}`);
  if (spec.crv !== undefined && jwk.crv !== spec.crv) throw new ConfigurationError(`a ${alg} key must be on curve ${spec.crv}`);
  if (jwk.alg !== undefined && jwk.alg !== alg && !(jwk.alg === "Ed25519" && alg === "EdDSA")) {
    throw new ConfigurationError(`the key is for ${JSON.stringify(jwk.alg)}, not ${alg}`);
  }
  if (jwk.use !== undefined && jwk.use !== "sig") throw new ConfigurationError(`the key's use is ${JSON.stringify(jwk.use)}, not sig`);
  const names = spec.kty === "oct" ? ["k"] : [...PUBLIC_MEMBERS[spec.kty]!, ...(withPrivate ? ["d", "p", "q", "dp", "dq", "qi"] : [])];
  const out: Record<string, unknown> = { kty: jwk.kty };
  for (const name of names) {
    const v = jwk[name];
    if (v === undefined) continue;
    if (typeof v !== "string") throw new ConfigurationError(`JWK member ${name} must be a string`);
    out[name] = v;
  }
  return out as JsonWebKey;
}

/**
 * Imports a JWK into WebCrypto for exactly one algorithm. `usage` "sign" needs the private
 * (or secret) key; "verify" uses only the public members of an asymmetric key, so a
 * private JWK imports as its public half.
 *
 * @example
 * ```ts
 * import { importJwk } from "./jwk.ts";
 * const jwk = { kty: "EC", crv: "P-256", x: "...", y: "..." };
 * // const key = await importJwk(jwk, "ES256", "verify");
 * ```
 */
export async function importJwk(jwk: Jwk, alg: JwsAlgorithm, usage: "sign" | "verify", extractable = false): Promise<CryptoKey> {
  if (typeof jwk !== "object" || jwk === null) throw new ConfigurationError("a JWK must be an object");
  const spec = algorithmSpec(alg);
  const data = material(jwk, alg, usage === "sign");
  if (usage === "sign" && spec.kty !== "oct" && data.d === undefined) {
    throw new ConfigurationError("a signing key needs the private member d");
  }
  try {
    return await crypto.subtle.importKey("jwk", data, spec.importParams, extractable, [usage]);
  } catch (e) {
    throw new ConfigurationError(`the ${alg} JWK could not be imported: ${(e as Error).message}`);
  }
}

/**
 * Exports a key as a JWK with only its key material and `kty` (no `ext`, `key_ops` or
 * runtime-specific `alg`): a private key with its private members, so it can be stored;
 * a public key with its public members only. The key must be extractable.
 *
 * @example
 * ```ts
 * import { exportJwk } from "./jwk.ts";
 * const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]) as CryptoKeyPair;
 * const jwk = await exportJwk(pair.publicKey); // { kty: "EC", crv: "P-256", x: "...", y: "..." }
 * ```
 */
export async function exportJwk(key: CryptoKey): Promise<Jwk> {
  const raw = await crypto.subtle.exportKey("jwk", key) as Jwk;
  const members = raw.kty === "oct" ? ["k"] : [...(PUBLIC_MEMBERS[raw.kty] ?? []), ...(key.type === "private" ? ["d", "p", "q", "dp", "dq", "qi"] : [])];
  const out: Jwk = { kty: raw.kty };
  for (const m of members) if (typeof raw[m] === "string") out[m] = raw[m];
  return out;
}
