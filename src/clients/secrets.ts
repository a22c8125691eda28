/**
 * Client secrets: generation, hashing for storage, and constant-time verification.
 *
 * Secrets at rest are hashes in a self-describing string:
 * - `$sha256$<digest>`: one SHA-256, for secrets made by {@link generateClientSecret}
 *   (256 random bits; nothing to gain from a slow hash, and about 1 µs to check);
 * - `$pbkdf2-sha256$i=<iterations>$<salt>$<digest>`: PBKDF2 for secrets a human chose.
 * Digests and salts are unpadded base64url.
 *
 * @module
 */

import { type CryptoProvider, webCrypto } from "../crypto/provider.ts";
import { sha256Text } from "../crypto/sha256.ts";
import { decodeBase64Url, encodeBase64Url } from "../encoding/base64.ts";
import { utf8 } from "../encoding/utf8.ts";
import { ConfigurationError } from "../errors.ts";

/** A stored secret hash, parsed. */
export type SecretHash =
  | { readonly scheme: "sha256"; readonly digest: Uint8Array }
  | {
    readonly scheme: "pbkdf2-sha256";
    readonly iterations: number;
    readonly salt: Uint8Array;
    readonly digest: Uint8Array;
  };

/** Hash schemes that {@link hashClientSecret} can produce. */
export type SecretHashAlgorithm = "sha256" | "pbkdf2-sha256";

/** Options for {@link hashClientSecret}. */
export interface HashClientSecretOptions {
  /** `sha256` (default) for generated secrets; `pbkdf2-sha256` for human-chosen ones. */
  algorithm?: SecretHashAlgorithm;
  /** PBKDF2 iterations; default 600,000 (OWASP's 2023 figure for PBKDF2-HMAC-SHA256). */
  iterations?: number;
  /** Crypto provider; default WebCrypto. */
  crypto?: CryptoProvider;
}

const encoder = new TextEncoder();
/** Where {@link verifySecret} writes the presented secret's digest; wiped after each use. */
const presentedDigest = new Uint8Array(32);

/** The shortest secret a single fast hash may protect: 32 base64url characters is 192 bits. */
const MIN_FAST_HASH_LENGTH = 32;

/**
 * Generates a client secret: 32 random bytes (256 bits, above RFC 6749 s10.10's 160-bit
 * SHOULD) as base64url, so it needs no form-encoding in a Basic header.
 *
 * @example
 * ```ts
 * import { generateClientSecret } from "./secrets.ts";
 * generateClientSecret().length; // 43
 * ```
 */
export function generateClientSecret(crypto: CryptoProvider = webCrypto): string {
  return encodeBase64Url(crypto.randomBytes(32));
}

/**
 * Generates a client identifier: 16 random bytes as base64url. Server-chosen, so a client
 * cannot pick an identifier that collides with a user's (RFC 9700 s4.15.1).
 */
export function generateClientId(crypto: CryptoProvider = webCrypto): string {
  return encodeBase64Url(crypto.randomBytes(16));
}

/**
 * Hashes a secret for storage in a client registration's `client_secret_hash`.
 *
 * A single SHA-256 is refused for secrets shorter than 32 characters: a short secret was
 * probably chosen by a person, and guessing it offline would be fast. Use PBKDF2 for those.
 *
 * @example
 * ```ts
 * import { generateClientSecret, hashClientSecret } from "./secrets.ts";
 * const secret = generateClientSecret();
 * const client_secret_hash = await hashClientSecret(secret); // "$sha256$..."
 * ```
 */
export async function hashClientSecret(secret: string, options: HashClientSecretOptions = {}): Promise<string> {
  const crypto = options.crypto ?? webCrypto;
  const algorithm = options.algorithm ?? "sha256";
  const bytes = encoder.encode(secret);
  if (algorithm === "sha256") {
    if (secret.length < MIN_FAST_HASH_LENGTH) {
      throw new ConfigurationError(
        `a secret shorter than ${MIN_FAST_HASH_LENGTH} characters needs a slow hash: use { algorithm: "pbkdf2-sha256" }`,
      );
    }
    return `$sha256$${encodeBase64Url(await crypto.digest("SHA-256", bytes))}`;
  }
  if (algorithm === "pbkdf2-sha256") {
    const iterations = options.iterations ?? 600_000;
    if (!Number.isSafeInteger(iterations) || iterations < 1) {
      throw new ConfigurationError("iterations must be a positive integer");
    }
    const salt = crypto.randomBytes(16);
    const digest = await crypto.pbkdf2Sha256(bytes, salt, iterations, 32);
    return `$pbkdf2-sha256$i=${iterations}$${encodeBase64Url(salt)}$${encodeBase64Url(digest)}`;
  }
  throw new ConfigurationError(`unknown secret hash algorithm '${String(algorithm)}'`);
}

/** Parses a stored hash string, or throws a {@link ConfigurationError} naming the problem. */
export function parseSecretHash(hash: string): SecretHash {
  const parts = hash.split("$");
  if (parts[0] === "" && parts[1] === "sha256" && parts.length === 3) {
    const digest = decodeBase64Url(parts[2]!);
    if (digest?.length === 32) return { scheme: "sha256", digest };
  } else if (parts[0] === "" && parts[1] === "pbkdf2-sha256" && parts.length === 5) {
    const iterations = /^i=([1-9][0-9]{0,9})$/.exec(parts[2]!)?.[1];
    const salt = decodeBase64Url(parts[3]!);
    const digest = decodeBase64Url(parts[4]!);
    if (iterations !== undefined && salt !== undefined && salt.length >= 8 && digest !== undefined && digest.length >= 16) {
      return { scheme: "pbkdf2-sha256", iterations: Number(iterations), salt, digest };
    }
  }
  throw new ConfigurationError(
    "client_secret_hash must be '$sha256$<digest>' or '$pbkdf2-sha256$i=<n>$<salt>$<digest>' (see hashClientSecret)",
  );
}

/**
 * Checks a presented secret against every stored hash, in constant time and without
 * stopping at the first match, so the time taken does not say which hash (or whether any)
 * matched. SHA-256 is computed once however many `$sha256$` hashes there are. With the
 * default provider and only `$sha256$` hashes (the request path's usual case) the answer
 * comes without a promise; callers that await it see no difference.
 */
export function verifySecret(
  presented: string,
  hashes: readonly SecretHash[],
  crypto: CryptoProvider,
): boolean | Promise<boolean> {
  if (crypto !== webCrypto) return verifyRest(presented, hashes, crypto, false);
  // Every `$sha256$` hash first, synchronously: the digest is written into a reused buffer
  // (no byte array for the secret or its digest) and wiped before anything else can run.
  let ok = false;
  let slow = false;
  let sha: Uint8Array | undefined;
  for (const h of hashes) {
    if (h.scheme !== "sha256") {
      slow = true;
      continue;
    }
    sha ??= sha256Text(presented, presentedDigest);
    ok = crypto.timingSafeEqual(sha, h.digest) || ok;
  }
  sha?.fill(0);
  return slow ? verifyRest(presented, hashes, crypto, ok) : ok;
}

/**
 * The hashes {@link verifySecret} could not check synchronously: PBKDF2 ones, and every one
 * with a provider other than the default (whose digest may be asynchronous).
 */
async function verifyRest(presented: string, hashes: readonly SecretHash[], crypto: CryptoProvider, matched: boolean): Promise<boolean> {
  let ok = matched;
  const bytes = utf8(presented);
  let sha: Uint8Array | undefined;
  for (const h of hashes) {
    let computed: Uint8Array;
    if (h.scheme === "sha256") {
      if (crypto === webCrypto) continue;
      if (sha === undefined) {
        const d = crypto.digest("SHA-256", bytes);
        sha = d instanceof Uint8Array ? d : await d;
      }
      computed = sha;
    } else {
      computed = await crypto.pbkdf2Sha256(bytes, h.salt, h.iterations, h.digest.length);
    }
    // Evaluate the comparison first so no match short-circuits the loop's work.
    ok = crypto.timingSafeEqual(computed, h.digest) || ok;
  }
  return ok;
}
