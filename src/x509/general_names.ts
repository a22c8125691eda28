/**
 * The subject alternative name extension (RFC 5280 s4.2.1.6): the DNS names, URIs, IP
 * addresses and email addresses a certificate is issued for, as RFC 8705 s2.1.2 lets a
 * registration name one of them (`tls_client_auth_san_dns`, `_uri`, `_ip`, `_email`).
 *
 * @module
 */

import { CertificateError } from "./certificate_error.ts";
import { contentOf, DerReader, readSingle, TAG } from "./der.ts";
import { readDirectoryString } from "./name.ts";

/** The subject alternative names a certificate carries, by kind; other kinds are skipped. */
export interface SubjectAltNames {
  /** dNSName entries. */
  readonly dns: readonly string[];
  /** uniformResourceIdentifier entries. */
  readonly uri: readonly string[];
  /** iPAddress entries: 4 octets (IPv4) or 16 (IPv6). */
  readonly ip: readonly Uint8Array[];
  /** rfc822Name entries (email addresses). */
  readonly email: readonly string[];
}

/** A certificate without the extension. */
export const NO_ALT_NAMES: SubjectAltNames = Object.freeze({ dns: [], uri: [], ip: [], email: [] });

/** GeneralName tags (RFC 5280 s4.2.1.6), IMPLICIT: context class, primitive for strings. */
const RFC822_NAME = 0x81;
const DNS_NAME = 0x82;
const URI = 0x86;
const IP_ADDRESS = 0x87;
const REGISTERED_ID = 0x88;
/** otherName [0], x400Address [3], directoryName [4], ediPartyName [5]: constructed. */
const SKIPPED_CONSTRUCTED: ReadonlySet<number> = new Set([0xa0, 0xa3, 0xa4, 0xa5]);

/**
 * Reads the `extnValue` of a subjectAltName extension: a GeneralNames SEQUENCE of at least
 * one GeneralName. dNSName, uniformResourceIdentifier and rfc822Name are IA5Strings;
 * iPAddress is 4 or 16 octets. otherName, x400Address, directoryName, ediPartyName and
 * registeredID are skipped (nothing in RFC 8705 names them); any other tag is an error.
 *
 * @example
 * ```ts
 * import { readSubjectAltNames } from "./general_names.ts";
 * // SEQUENCE { [2] "a.example" }
 * const der = new Uint8Array([0x30, 0x0b, 0x82, 0x09, ...new TextEncoder().encode("a.example")]);
 * readSubjectAltNames(der).dns; // ["a.example"]
 * ```
 */
export function readSubjectAltNames(extnValue: Uint8Array): SubjectAltNames {
  const names = DerReader.inside(readSingle(extnValue, TAG.SEQUENCE, "subjectAltName"));
  const dns: string[] = [];
  const uri: string[] = [];
  const ip: Uint8Array[] = [];
  const email: string[] = [];
  if (names.done) throw new CertificateError("subjectAltName: no names (RFC 5280 s4.2.1.6 requires one)");
  while (!names.done) {
    const name = names.next("subjectAltName entry");
    const text = () => readDirectoryString({ ...name, tag: TAG.IA5_STRING }, "subjectAltName entry")!;
    switch (name.tag) {
      case DNS_NAME:
        dns.push(text());
        break;
      case URI:
        uri.push(text());
        break;
      case RFC822_NAME:
        email.push(text());
        break;
      case IP_ADDRESS: {
        const octets = contentOf(name);
        if (octets.length !== 4 && octets.length !== 16) throw new CertificateError("subjectAltName: an iPAddress of neither 4 nor 16 octets");
        ip.push(octets.slice());
        break;
      }
      default:
        if (name.tag !== REGISTERED_ID && !SKIPPED_CONSTRUCTED.has(name.tag)) {
          throw new CertificateError(`subjectAltName: 0x${name.tag.toString(16)} is not a GeneralName`);
        }
    }
  }
  return { dns, uri, ip, email };
}
