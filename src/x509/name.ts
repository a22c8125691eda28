/**
 * X.509 names (RFC 5280 s4.1.2.4): the DER `Name` of a certificate's subject and issuer,
 * read into its relative distinguished names, and written as an RFC 4514 string.
 *
 * @module
 */

import { CertificateError } from "./certificate_error.ts";
import { contentOf, DerReader, encodingOf, readOid, TAG, type Tlv } from "./der.ts";

/** One attribute of a name: `CN=billing` is type 2.5.4.3 with the value `billing`. */
export interface AttributeTypeAndValue {
  /** The attribute type, a dotted OID (`2.5.4.3` for CN). */
  readonly type: string;
  /** The identifier octet of the value (UTF8String, PrintableString, ...). */
  readonly tag: number;
  /** The value as text when it is one of the string types (RFC 5280 DirectoryString, IA5String); otherwise undefined. */
  readonly text: string | undefined;
  /** The DER encoding of the value, header included (what RFC 4514 s2.4 writes after `#`). */
  readonly encoded: Uint8Array;
}

/** A distinguished name as a certificate holds it. */
export interface DistinguishedName {
  /**
   * The relative distinguished names in certificate order, most significant first
   * (`C`, then `O`, then `CN`); each one a set of one or more attributes.
   */
  readonly rdns: readonly (readonly AttributeTypeAndValue[])[];
  /** The RFC 4514 string form (least significant RDN first: `CN=billing,O=Acme,C=DE`). */
  readonly text: string;
}

/** RFC 4514 s3: the attribute types that have a string name. */
export const SHORT_NAMES: Readonly<Record<string, string>> = {
  "2.5.4.3": "CN",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.6": "C",
  "2.5.4.9": "STREET",
  "0.9.2342.19200300.100.1.25": "DC",
  "0.9.2342.19200300.100.1.1": "UID",
};

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** PrintableString as printable ASCII (0x20-0x7E); IA5String as ASCII (0x00-0x7F). */
function ascii(c: Uint8Array, printable: boolean, what: string): string {
  let s = "";
  for (const b of c) {
    if (b > 0x7f || (printable && (b < 0x20 || b === 0x7f))) throw new CertificateError(`${what}: a character outside the string type`);
    s += String.fromCharCode(b);
  }
  return s;
}

/** UCS-2 / UTF-16 big-endian (BMPString), with surrogates in pairs only. */
function bmp(c: Uint8Array, what: string): string {
  if (c.length % 2 !== 0) throw new CertificateError(`${what}: BMPString of odd length`);
  let s = "";
  for (let i = 0; i < c.length; i += 2) {
    const unit = (c[i]! << 8) | c[i + 1]!;
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const low = i + 3 < c.length ? (c[i + 2]! << 8) | c[i + 3]! : 0;
      if (low < 0xdc00 || low > 0xdfff) throw new CertificateError(`${what}: BMPString with an unpaired surrogate`);
      s += String.fromCharCode(unit, low);
      i += 2;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      throw new CertificateError(`${what}: BMPString with an unpaired surrogate`);
    } else {
      s += String.fromCharCode(unit);
    }
  }
  return s;
}

/** UCS-4 big-endian (UniversalString). */
function universal(c: Uint8Array, what: string): string {
  if (c.length % 4 !== 0) throw new CertificateError(`${what}: UniversalString length not a multiple of 4`);
  let s = "";
  for (let i = 0; i < c.length; i += 4) {
    const cp = ((c[i]! << 24) >>> 0) + (c[i + 1]! << 16) + (c[i + 2]! << 8) + c[i + 3]!;
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw new CertificateError(`${what}: UniversalString with an invalid character`);
    s += String.fromCodePoint(cp);
  }
  return s;
}

/**
 * The text of a string-typed value, `undefined` for types without one (TeletexString,
 * whose character set this reader does not guess, and anything that is not a string).
 * PrintableString is read as printable ASCII: some CAs put characters outside its
 * repertoire (`@`, `&`, `*`) there, which changes nothing in the string form.
 */
export function readDirectoryString(tlv: Tlv, what: string): string | undefined {
  const c = contentOf(tlv);
  switch (tlv.tag) {
    case TAG.UTF8_STRING:
      try {
        return UTF8.decode(c);
      } catch {
        throw new CertificateError(`${what}: UTF8String is not UTF-8`);
      }
    case TAG.PRINTABLE_STRING:
      return ascii(c, true, what);
    case TAG.IA5_STRING:
      return ascii(c, false, what);
    case TAG.BMP_STRING:
      return bmp(c, what);
    case TAG.UNIVERSAL_STRING:
      return universal(c, what);
    default:
      return undefined;
  }
}

const HEX = "0123456789ABCDEF";

function hex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += HEX[b >> 4]! + HEX[b & 15]!;
  return s;
}

/**
 * RFC 4514 s2.4: a value's string form. Escaped: `"+,;<>\` and NUL anywhere, a space or
 * `#` first, a space last; control characters as `\XX` so the result is printable.
 */
export function escapeAttributeValue(value: string): string {
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    const code = ch.charCodeAt(0);
    if (code < 0x20 || code === 0x7f) out += `\\${HEX[code >> 4]}${HEX[code & 15]}`;
    else if ('"+,;<>\\'.includes(ch)) out += `\\${ch}`;
    else if ((i === 0 && (ch === " " || ch === "#")) || (i === value.length - 1 && ch === " ")) out += `\\${ch}`;
    else out += ch;
  }
  return out;
}

/** RFC 4514 s2.3, s2.4: `type=value`, with `#hex` for a value that is not a string. */
function attributeText(ava: AttributeTypeAndValue): string {
  const type = SHORT_NAMES[ava.type] ?? ava.type;
  return `${type}=${ava.text === undefined ? `#${hex(ava.encoded)}` : escapeAttributeValue(ava.text)}`;
}

/**
 * Reads a DER `Name` (an RDNSequence, RFC 5280 s4.1.2.4). Every RDN has at least one
 * attribute; an empty name (no RDN) is allowed, as a subject may be when the
 * subjectAltName carries the identity (s4.1.2.6).
 *
 * @example
 * ```ts
 * import { readName } from "./name.ts";
 * import type { Tlv } from "./der.ts";
 * declare const subject: Tlv; // from a certificate's TBSCertificate
 * readName(subject, "subject").text; // "CN=billing,O=Acme,C=DE"
 * ```
 */
export function readName(tlv: Tlv, what: string): DistinguishedName {
  if (tlv.tag !== TAG.SEQUENCE) throw new CertificateError(`${what}: a Name is a SEQUENCE`);
  const rdns: AttributeTypeAndValue[][] = [];
  const sequence = DerReader.inside(tlv);
  while (!sequence.done) {
    const set = DerReader.inside(sequence.expect(TAG.SET, `${what} RDN`));
    const rdn: AttributeTypeAndValue[] = [];
    while (!set.done) {
      const ava = DerReader.inside(set.expect(TAG.SEQUENCE, `${what} attribute`));
      const type = readOid(ava.expect(TAG.OID, `${what} attribute type`), `${what} attribute type`);
      const value = ava.next(`${what} attribute value`);
      ava.finish(`${what} attribute`);
      rdn.push({ type, tag: value.tag, text: readDirectoryString(value, `${what} ${type}`), encoded: encodingOf(value) });
    }
    if (rdn.length === 0) throw new CertificateError(`${what}: an empty RDN`);
    rdns.push(rdn);
  }
  const text = rdns.slice().reverse().map((rdn) => rdn.map(attributeText).join("+")).join(",");
  return { rdns, text };
}
