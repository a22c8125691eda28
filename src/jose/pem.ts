/**
 * PEM-encoded keys (RFC 7468): PKCS#8 private keys and SPKI public keys.
 *
 * @module
 */

import { decodeBase64 } from "../encoding/base64.ts";
import { ConfigurationError } from "../errors.ts";
import { algorithmSpec, type JwsAlgorithm } from "./algorithms.ts";

const PEM = /^-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\r\n]+?)\r?\n?-----END \1-----\s*$/;

/** What a PEM label holds, in WebCrypto's words. */
const FORMATS: Readonly<Record<string, "pkcs8" | "spki">> = { "PRIVATE KEY": "pkcs8", "PUBLIC KEY": "spki" };

/**
 * Decodes a PEM document into its label and bytes. Only `PRIVATE KEY` (PKCS#8, RFC 5208)
 * and `PUBLIC KEY` (SPKI, RFC 5280) are accepted; the legacy `RSA PRIVATE KEY` and
 * `EC PRIVATE KEY` forms are refused with a hint to convert them.
 *
 * @example
 * ```ts
 * import { decodePem } from "./pem.ts";
 * // decodePem(pem) -> { format: "pkcs8", der: Uint8Array }
 * ```
 */
export function decodePem(pem: string): { format: "pkcs8" | "spki"; der: Uint8Array } {
  const m = typeof pem === "string" ? PEM.exec(pem.trim()) : null;
  if (m === null) throw new ConfigurationError("not a PEM document (-----BEGIN ...----- ... -----END ...-----)");
  const format = FORMATS[m[1]!];
  if (format === undefined) {
    throw new ConfigurationError(
      `PEM '${m[1]}' is not supported: convert it to PKCS#8 ('openssl pkcs8 -topk8 -nocrypt') or SPKI`,
    );
  }
  const der = decodeBase64(m[2]!.replace(/[\r\n]/g, ""));
  if (der === undefined || der.length === 0) throw new ConfigurationError("the PEM body is not valid base64");
  return { format, der };
}

/**
 * Imports a PKCS#8 private key (for signing) or an SPKI public key (for verifying) for
 * exactly one algorithm.
 *
 * @example
 * ```ts
 * import { importPem } from "./pem.ts";
 * declare const pem: string; // "-----BEGIN PUBLIC KEY-----\n...\n-----END PUBLIC KEY-----"
 * // const key = await importPem(pem, "ES256");
 * ```
 */
export async function importPem(pem: string, alg: JwsAlgorithm, extractable = false): Promise<CryptoKey> {
  const { format, der } = decodePem(pem);
  const spec = algorithmSpec(alg);
  if (spec.kty === "oct") throw new ConfigurationError("HS256 keys are secrets, not PEM documents");
  try {
    return await crypto.subtle.importKey(
      format,
      der as Uint8Array<ArrayBuffer>,
      spec.importParams,
      extractable,
      [format === "pkcs8" ? "sign" : "verify"],
    );
  } catch (e) {
    throw new ConfigurationError(`the PEM key could not be imported for ${alg}: ${(e as Error).message}`);
  }
}
