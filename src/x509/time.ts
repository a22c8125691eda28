/**
 * Certificate validity times (RFC 5280 s4.1.2.5): UTCTime `YYMMDDHHMMSSZ` and
 * GeneralizedTime `YYYYMMDDHHMMSSZ`, in the one form RFC 5280 allows (UTC, with seconds,
 * no fraction), read as seconds since the epoch.
 *
 * @module
 */

import { CertificateError } from "./certificate_error.ts";
import { contentOf, TAG, type Tlv } from "./der.ts";

const UTC_TIME = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/;
const GENERALIZED_TIME = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/;

/**
 * Reads a UTCTime or GeneralizedTime element as seconds since the epoch. UTCTime years
 * 50-99 are 19xx and 00-49 are 20xx (s4.1.2.5.1); a date that does not exist (month 13,
 * February 30, second 60) is refused.
 *
 * @example
 * ```ts
 * import { readTime } from "./time.ts";
 * import { DerReader } from "./der.ts";
 * const tlv = new DerReader(new Uint8Array([0x17, 13, ...new TextEncoder().encode("260101000000Z")])).next("t");
 * readTime(tlv, "notBefore"); // 1767225600
 * ```
 */
export function readTime(tlv: Tlv, what: string): number {
  const c = contentOf(tlv);
  let text = "";
  for (const b of c) {
    if (b < 0x30 || b > 0x5a) throw new CertificateError(`${what}: not a time`);
    text += String.fromCharCode(b);
  }
  let m: RegExpExecArray | null;
  let year: number;
  if (tlv.tag === TAG.UTC_TIME && (m = UTC_TIME.exec(text)) !== null) {
    const yy = Number(m[1]);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
  } else if (tlv.tag === TAG.GENERALIZED_TIME && (m = GENERALIZED_TIME.exec(text)) !== null) {
    year = Number(m[1]);
  } else {
    throw new CertificateError(`${what}: not a UTCTime or GeneralizedTime in the RFC 5280 form`);
  }
  const [month, day, hour, minute, second] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const d = new Date(ms);
  // Date.UTC rolls over out-of-range fields (Feb 30 -> Mar 2): a real date reads back the same.
  if (
    month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59 ||
    d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day
  ) {
    throw new CertificateError(`${what}: not a valid date`);
  }
  return ms / 1000;
}
