/**
 * The forms a certificate arrives in from the host: DER bytes (a TLS socket's peer
 * certificate), PEM text (RFC 7468 s5.1, as many proxies forward it), or an RFC 9440
 * Byte Sequence (`:base64:`, the `Client-Cert` header's form, RFC 8941 s3.3.5).
 *
 * @module
 */

import { decodeBase64 } from "../encoding/base64.ts";
import { MAX_CERTIFICATE_BYTES } from "./certificate.ts";
import { CertificateError } from "./certificate_error.ts";

/** Longest text accepted: the base64 of the largest certificate, plus PEM's line breaks and labels. */
const MAX_TEXT = Math.ceil(MAX_CERTIFICATE_BYTES / 3) * 4 * 66 / 64 + 128;

const PEM = /^-----BEGIN CERTIFICATE-----\r?\n((?:[A-Za-z0-9+/=]+\r?\n)+)-----END CERTIFICATE-----\r?\n?$/;
const BYTE_SEQUENCE = /^:([A-Za-z0-9+/]+={0,2}):$/;

/**
 * The DER bytes of a certificate given as bytes, as PEM (`-----BEGIN CERTIFICATE-----`,
 * exactly one, surrounding whitespace ignored) or as an RFC 9440 Byte Sequence
 * (`:MIIB...:`; "=" padding optional, as RFC 8941 s4.2.7 asks of parsers). Anything else
 * (another PEM label, several certificates, a chain, stray characters, base64 that is
 * not canonical) is a {@link CertificateError}. Only the form is checked here; the DER
 * itself is read by `parseCertificate`.
 *
 * @example
 * ```ts
 * import { certificateBytes } from "./encoded_certificate.ts";
 * certificateBytes(":MAA=:"); // Uint8Array [0x30, 0x00] (not a certificate yet: parseCertificate decides)
 * ```
 */
export function certificateBytes(input: Uint8Array | string): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (typeof input !== "string") throw new CertificateError("a certificate is DER bytes, PEM text or an RFC 9440 byte sequence");
  if (input.length > MAX_TEXT) throw new CertificateError(`a certificate of more than ${MAX_CERTIFICATE_BYTES} bytes`);
  const text = input.trim();
  let base64: string | undefined;
  if (text.startsWith(":")) {
    base64 = BYTE_SEQUENCE.exec(text)?.[1];
  } else if (text.startsWith("-----BEGIN CERTIFICATE-----")) {
    const body = PEM.exec(`${text}\n`)?.[1];
    if (body !== undefined) base64 = body.replace(/\r?\n/g, "");
  }
  const der = base64 === undefined ? undefined : decodeBase64(base64);
  if (der === undefined || der.length === 0) throw new CertificateError("not a PEM certificate or an RFC 9440 byte sequence");
  return der;
}
