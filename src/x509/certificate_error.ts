/**
 * The one error the X.509 reader throws: whatever is wrong with a certificate (truncated,
 * over-long, not DER, not a certificate), the reader reports it as a `CertificateError`,
 * never as a `RangeError` or `TypeError` from deep inside.
 *
 * @module
 */

/**
 * A certificate (or its text form) that could not be read: not DER, not an X.509
 * certificate, larger than the reader accepts, or using a form it refuses.
 *
 * @example
 * ```ts
 * import { CertificateError, parseCertificate } from "../../mod.ts";
 * try {
 *   parseCertificate(new Uint8Array([0x30, 0x80]));
 * } catch (e) {
 *   if (e instanceof CertificateError) console.log(e.message); // "DER: indefinite length"
 * }
 * ```
 */
export class CertificateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CertificateError";
  }
}
