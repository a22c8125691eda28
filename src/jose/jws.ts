/**
 * Compact JWS (RFC 7515 s7.1): signing with a {@link Signer}, strict parsing, and signature
 * verification with a key whose algorithm the verifier has already fixed.
 *
 * @module
 */

import type { Signer } from "../crypto/signer.ts";
import { decodeBase64Url, encodeBase64Url } from "../encoding/base64.ts";
import { algorithmSpec, type JwsAlgorithm } from "./algorithms.ts";
import { parseJsonObject } from "./json.ts";

const encoder = new TextEncoder();

/**
 * Encodes a protected header once, for reuse across many signatures (the header of an
 * access token depends only on the signing key).
 *
 * @example
 * ```ts
 * import { encodeProtectedHeader } from "./jws.ts";
 * encodeProtectedHeader({ alg: "ES256", typ: "at+jwt", kid: "k1" }); // "eyJhbGciOiJFUzI1NiIs..."
 * ```
 */
export function encodeProtectedHeader(header: Record<string, unknown>): string {
  return encodeBase64Url(encoder.encode(JSON.stringify(header)));
}

/**
 * Signs `payload` under an already-encoded protected header and returns the compact
 * serialization `header.payload.signature`.
 *
 * @example
 * ```ts
 * import { encodeProtectedHeader, signCompact } from "./jws.ts";
 * import type { Signer } from "../crypto/signer.ts";
 * declare const signer: Signer;
 * const header = encodeProtectedHeader({ alg: signer.alg, kid: signer.kid });
 * // const jws = await signCompact(header, new TextEncoder().encode('{"sub":"x"}'), signer);
 * ```
 */
export async function signCompact(encodedHeader: string, payload: Uint8Array, signer: Signer): Promise<string> {
  const signingInput = `${encodedHeader}.${encodeBase64Url(payload)}`;
  const signature = await signer.sign(encoder.encode(signingInput));
  if (!(signature instanceof Uint8Array) || signature.length === 0) {
    throw new TypeError(`signer ${JSON.stringify(signer.kid)} returned no signature`);
  }
  return `${signingInput}.${encodeBase64Url(signature)}`;
}

/** A compact JWS taken apart; nothing in it is verified yet. */
export interface ParsedJws {
  /** The protected header, parsed strictly. */
  readonly header: Record<string, unknown>;
  /** The payload bytes. */
  readonly payload: Uint8Array;
  /** ASCII(BASE64URL(header) "." BASE64URL(payload)), what the signature covers. */
  readonly signingInput: Uint8Array;
  /** The signature bytes (never empty: an empty signature is an unsecured JWS). */
  readonly signature: Uint8Array;
}

/**
 * Takes a compact JWS apart, strictly: exactly three non-empty segments of canonical
 * unpadded base64url, a header that is a JSON object without duplicate members, with a
 * string `alg` and no `crit` (RFC 7515 s4.1.11: this library understands no extension, so
 * a critical one must be refused). `undefined` on any fault.
 *
 * @example
 * ```ts
 * import { parseCompact } from "./jws.ts";
 * parseCompact("a.b"); // undefined: two segments
 * ```
 */
export function parseCompact(token: string): ParsedJws | undefined {
  const first = token.indexOf(".");
  const second = first === -1 ? -1 : token.indexOf(".", first + 1);
  if (second === -1 || token.indexOf(".", second + 1) !== -1) return undefined;
  const h = token.slice(0, first);
  const p = token.slice(first + 1, second);
  const s = token.slice(second + 1);
  if (h === "" || p === "" || s === "") return undefined;
  const headerBytes = decodeBase64Url(h);
  const payload = decodeBase64Url(p);
  const signature = decodeBase64Url(s);
  if (headerBytes === undefined || payload === undefined || signature === undefined) return undefined;
  const header = parseJsonObject(headerBytes);
  if (header === undefined || typeof header.alg !== "string" || header.crit !== undefined) return undefined;
  return { header, payload, signingInput: encoder.encode(token.slice(0, second)), signature };
}

/**
 * Verifies a signature with `key` under `alg`. The caller has fixed `alg` from the key (its
 * registration), never from the token's header alone, so a header cannot turn a public
 * key into an HMAC secret (RFC 8725 s2.1, s3.1).
 *
 * @example
 * ```ts
 * import { parseCompact, verifySignature } from "./jws.ts";
 * declare const token: string;
 * declare const key: CryptoKey;
 * const jws = parseCompact(token);
 * // const ok = jws !== undefined && await verifySignature("ES256", key, jws.signingInput, jws.signature);
 * ```
 */
export async function verifySignature(
  alg: JwsAlgorithm,
  key: CryptoKey,
  signingInput: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  try {
    return await crypto.subtle.verify(
      algorithmSpec(alg).signParams,
      key,
      signature as Uint8Array<ArrayBuffer>,
      signingInput as Uint8Array<ArrayBuffer>,
    );
  } catch {
    return false;
  }
}
