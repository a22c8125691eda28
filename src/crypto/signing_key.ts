/**
 * Signing keys: a {@link Signer} together with the public JWK that verifiers need. Made by
 * importing a JWK, a PEM document or a WebCrypto key pair, or by generating a new key.
 *
 * @module
 */

import { ConfigurationError } from "../errors.ts";
import { algorithmOfKey, algorithmSpec, isJwsAlgorithm, type JwsAlgorithm } from "../jose/algorithms.ts";
import { algorithmsOfJwk, exportJwk, importJwk, isPrivateJwk, type Jwk, publicJwk } from "../jose/jwk.ts";
import { importPem } from "../jose/pem.ts";
import { jwkThumbprint } from "../jose/thumbprint.ts";
import { cryptoKeySigner, type Signer } from "./signer.ts";

/**
 * A key the authorization server signs tokens with: the signer, and the public JWK that is
 * published in the JWK Set so resource servers can verify. `publicJwk` is absent only for
 * HS256, whose key is a shared secret that is never published.
 *
 * A KMS-backed key is written by hand: your {@link Signer} and the public key the KMS reports.
 *
 * @example
 * ```ts
 * import type { SigningKey } from "./signing_key.ts";
 * import type { Signer } from "./signer.ts";
 * declare const kmsSigner: Signer; // alg "ES256", kid "kms-1"
 * const key: SigningKey = {
 *   signer: kmsSigner,
 *   publicJwk: { kty: "EC", crv: "P-256", x: "...", y: "...", kid: "kms-1", alg: "ES256" },
 * };
 * ```
 */
export interface SigningKey {
  /** Signs tokens. */
  readonly signer: Signer;
  /** The public key as a JWK (no private members). Absent for HS256. */
  readonly publicJwk?: Jwk;
}

/** Options of {@link importSigningKey}. */
export interface ImportSigningKeyOptions {
  /**
   * The algorithm. Required for PEM documents and for RSA keys (RS256 or PS256) without an
   * `alg` member; otherwise read from the key.
   */
  alg?: JwsAlgorithm;
  /** The key identifier; default: the JWK's `kid`, else its RFC 7638 thumbprint. */
  kid?: string;
}

/** Options of {@link generateSigningKey}. */
export interface GenerateSigningKeyOptions {
  /** The key identifier; default: the RFC 7638 thumbprint of the (public) key. */
  kid?: string;
  /**
   * Whether the private key can be exported (to store it, with `exportJwk`); default false,
   * so the key lives and dies with the process.
   */
  extractable?: boolean;
  /** RSA modulus length in bits; default 2048 (RFC 7518 s3.3 minimum). */
  modulusLength?: number;
}

/** A freshly generated signing key, with its WebCrypto keys. */
export interface GeneratedSigningKey extends SigningKey {
  /** The private key (the secret key for HS256). */
  readonly privateKey: CryptoKey;
  /** The public key; absent for HS256. */
  readonly publicKey?: CryptoKey;
}

function withIdentity(jwk: Jwk, kid: string, alg: JwsAlgorithm): Jwk {
  return { ...publicJwk(jwk)!, kid, alg, use: "sig" };
}

async function fromPair(privateKey: CryptoKey, publicKey: CryptoKey | undefined, alg: JwsAlgorithm, kid?: string): Promise<GeneratedSigningKey> {
  if (alg === "HS256") {
    const id = kid ?? await jwkThumbprint(await exportJwk(privateKey));
    return { signer: cryptoKeySigner(privateKey, { kid: id, alg }), privateKey };
  }
  if (publicKey === undefined) throw new ConfigurationError("an asymmetric signing key needs its public key");
  const pub = await exportJwk(publicKey);
  const id = kid ?? await jwkThumbprint(pub);
  return { signer: cryptoKeySigner(privateKey, { kid: id, alg }), publicJwk: withIdentity(pub, id, alg), privateKey, publicKey };
}

function resolveAlg(jwk: Jwk, alg: JwsAlgorithm | undefined): JwsAlgorithm {
  if (alg !== undefined) {
    if (!isJwsAlgorithm(alg)) throw new ConfigurationError(`alg ${JSON.stringify(alg)} is not supported`);
    return alg;
  }
  const candidates = algorithmsOfJwk(jwk);
  if (candidates.length !== 1) {
    throw new ConfigurationError(`say which algorithm the ${JSON.stringify(jwk.kty)} key is for (the alg option)`);
  }
  return candidates[0]!;
}

/**
 * Imports a signing key from a private JWK, a PKCS#8 PEM document, or a WebCrypto key pair.
 * The private key is imported non-extractable; the public JWK is derived from it.
 *
 * @example From a PEM document in an environment variable
 * ```ts
 * import { importSigningKey } from "./signing_key.ts";
 * declare const PRIVATE_KEY_PEM: string;
 * // const key = await importSigningKey(PRIVATE_KEY_PEM, { alg: "ES256", kid: "2026-01" });
 * ```
 */
export async function importSigningKey(
  key: Jwk | string | CryptoKeyPair,
  options: ImportSigningKeyOptions = {},
): Promise<SigningKey> {
  if (typeof key === "string") {
    if (options.alg === undefined) throw new ConfigurationError("importing a PEM key needs the alg option");
    if (!isJwsAlgorithm(options.alg)) throw new ConfigurationError(`alg ${JSON.stringify(options.alg)} is not supported`);
    // The PEM holds the private key only; export it once to read its public members, then
    // import it again for signing, not extractable.
    const extractable = await importPem(key, options.alg, true);
    if (extractable.type !== "private") throw new ConfigurationError("a signing key must be a PRIVATE KEY (PKCS#8)");
    return importSigningKey(await exportJwk(extractable), options);
  }
  if (typeof key === "object" && key !== null && "privateKey" in key) {
    const pair = key as CryptoKeyPair;
    const alg = algorithmOfKey(pair.privateKey);
    if (alg === undefined) throw new ConfigurationError("no supported JWS algorithm uses this key");
    if (options.alg !== undefined && options.alg !== alg) throw new ConfigurationError(`the key is for ${alg}, not ${options.alg}`);
    return fromPair(pair.privateKey, pair.publicKey, alg, options.kid);
  }
  const jwk = key as Jwk;
  if (typeof jwk !== "object" || jwk === null) throw new ConfigurationError("a signing key must be a JWK, a PEM string or a CryptoKeyPair");
  if (!isPrivateJwk(jwk)) throw new ConfigurationError("a signing key must be a private JWK (with d, or k for HS256)");
  const alg = resolveAlg(jwk, options.alg);
  const privateKey = await importJwk(jwk, alg, "sign");
  if (algorithmSpec(alg).kty === "oct") {
    const kid = options.kid ?? jwk.kid ?? await jwkThumbprint(jwk);
    return { signer: cryptoKeySigner(privateKey, { kid, alg }) };
  }
  const pub = publicJwk(jwk)!;
  const kid = options.kid ?? jwk.kid ?? await jwkThumbprint(pub);
  // Check that the public members belong to the private key: a mismatched pair would sign
  // tokens no verifier accepts. One signature, once, at start-up.
  const probe = new TextEncoder().encode("m2m-oauth key check");
  const signer = cryptoKeySigner(privateKey, { kid, alg });
  const verifyKey = await importJwk(pub, alg, "verify");
  const ok = await crypto.subtle.verify(algorithmSpec(alg).signParams, verifyKey, await signer.sign(probe) as Uint8Array<ArrayBuffer>, probe);
  if (!ok) throw new ConfigurationError("the JWK's public members do not match its private key");
  return { signer, publicJwk: withIdentity(pub, kid, alg) };
}

/**
 * Generates a new signing key for `alg`: a P-256 or P-384 curve key, an Ed25519 key, a
 * 2048-bit RSA key, or a 256-bit HMAC secret.
 *
 * @example
 * ```ts
 * import { generateSigningKey } from "./signing_key.ts";
 * const key = await generateSigningKey("ES256");
 * key.signer.kid === key.publicJwk?.kid; // true
 * ```
 */
export async function generateSigningKey(alg: JwsAlgorithm, options: GenerateSigningKeyOptions = {}): Promise<GeneratedSigningKey> {
  if (!isJwsAlgorithm(alg)) throw new ConfigurationError(`alg ${JSON.stringify(alg)} is not supported`);
  const spec = algorithmSpec(alg);
  const extractable = options.extractable ?? false;
  if (spec.kty === "oct") {
    const secret = await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256", length: 256 }, true, ["sign", "verify"]);
    // Generated extractable for the default kid (a thumbprint); re-imported as asked.
    const jwk = await exportJwk(secret);
    const kid = options.kid ?? await jwkThumbprint(jwk);
    const privateKey = extractable ? secret : await importJwk(jwk, alg, "sign");
    return { signer: cryptoKeySigner(privateKey, { kid, alg }), privateKey };
  }
  const params = spec.kty === "RSA"
    ? { ...spec.importParams, modulusLength: options.modulusLength ?? 2048, publicExponent: new Uint8Array([1, 0, 1]) }
    : spec.importParams;
  const pair = await crypto.subtle.generateKey(params, extractable, ["sign", "verify"]) as CryptoKeyPair;
  return fromPair(pair.privateKey, pair.publicKey, alg, options.kid);
}
