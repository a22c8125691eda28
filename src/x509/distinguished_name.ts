/**
 * The expected subject of a `tls_client_auth` client (RFC 8705 s2.1.2
 * `tls_client_auth_subject_dn`): an RFC 4514 string, parsed once at start-up and compared
 * with a certificate's subject attribute by attribute (RFC 5280 s7.1), never as text, so
 * `CN=a, O=b` and `cn=A,o=b` name the same subject and `CN=a\,O=b` does not.
 *
 * @module
 */

import { ConfigurationError } from "../errors.ts";
import type { AttributeTypeAndValue, DistinguishedName } from "./name.ts";

/** One expected attribute: a type and either a (normalised) string or an exact DER encoding (`#hex`). */
interface ExpectedAttribute {
  readonly type: string;
  /** The value as compared (see {@link normalizeValue}); undefined for a `#hex` value. */
  readonly value: string | undefined;
  /** The DER of the value, for a `#hex` value. */
  readonly encoded: Uint8Array | undefined;
}

/** A parsed RFC 4514 distinguished name, most significant RDN first (as a certificate holds it). */
export interface ExpectedName {
  readonly rdns: readonly (readonly ExpectedAttribute[])[];
}

/**
 * Attribute type names (case-insensitive): RFC 4514 s3's table, and the other names that
 * RFC 5280 s4.1.2.4 lists for certificates, written by OpenSSL and most CAs.
 */
const TYPES: Readonly<Record<string, string>> = {
  CN: "2.5.4.3",
  L: "2.5.4.7",
  ST: "2.5.4.8",
  O: "2.5.4.10",
  OU: "2.5.4.11",
  C: "2.5.4.6",
  STREET: "2.5.4.9",
  DC: "0.9.2342.19200300.100.1.25",
  UID: "0.9.2342.19200300.100.1.1",
  SN: "2.5.4.4",
  SERIALNUMBER: "2.5.4.5",
  TITLE: "2.5.4.12",
  POSTALCODE: "2.5.4.17",
  GN: "2.5.4.42",
  GIVENNAME: "2.5.4.42",
  INITIALS: "2.5.4.43",
  GENERATIONQUALIFIER: "2.5.4.44",
  DNQUALIFIER: "2.5.4.46",
  PSEUDONYM: "2.5.4.65",
  ORGANIZATIONIDENTIFIER: "2.5.4.97",
  EMAILADDRESS: "1.2.840.113549.1.9.1",
  E: "1.2.840.113549.1.9.1",
};

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const ENCODER = new TextEncoder();

/**
 * How two string values are compared: Unicode NFKC, case folded, leading and trailing
 * spaces dropped and inner runs of spaces made one (the insignificant-space handling of
 * RFC 4518 s2.6.1, with which RFC 5280 s7.1 compares names).
 *
 * @example
 * ```ts
 * import { normalizeValue } from "./distinguished_name.ts";
 * normalizeValue("  Acme   Corp "); // "acme corp"
 * ```
 */
export function normalizeValue(value: string): string {
  return value.normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();
}

function fail(text: string, reason: string): never {
  throw new ConfigurationError(`${JSON.stringify(text)} is not an RFC 4514 distinguished name: ${reason}`);
}

const HEX_DIGIT = /^[0-9A-Fa-f]$/;

/**
 * Parses an RFC 4514 distinguished name (s3): `,`-separated RDNs, `+`-joined attributes,
 * `type=value` with a type name from RFC 4514/5280 or a dotted OID, values with `\`
 * escapes (`\,` `\+` `\"` `\\` `\<` `\>` `\;` `\=` `\#` `\ ` and `\XX` hex pairs forming
 * UTF-8) or `#` and the hex of their DER. Spaces around `,`, `+` and `=` are allowed (RFC
 * 4514 s4 leaves other forms to implementations; RFC 2253 output has them). Throws a
 * `ConfigurationError` naming what is wrong.
 *
 * @example
 * ```ts
 * import { parseDistinguishedName } from "./distinguished_name.ts";
 * parseDistinguishedName("CN=billing,O=Acme\\, Inc.,C=DE").rdns.length; // 3
 * ```
 */
export function parseDistinguishedName(text: string): ExpectedName {
  if (typeof text !== "string") throw new ConfigurationError("a distinguished name must be a string");
  if (text.length > 4096) fail(text.slice(0, 40), "longer than 4096 characters");
  const rdns: ExpectedAttribute[][] = [];
  let i = 0;
  const n = text.length;
  const skipSpaces = () => {
    while (i < n && text[i] === " ") i++;
  };
  skipSpaces();
  if (i === n) fail(text, "empty");
  for (;;) {
    const rdn: ExpectedAttribute[] = [];
    for (;;) {
      skipSpaces();
      // attributeType = descr / numericoid (RFC 4512 s1.4)
      const typeStart = i;
      while (i < n && /[A-Za-z0-9.-]/.test(text[i]!)) i++;
      const name = text.slice(typeStart, i);
      let type: string | undefined;
      if (/^(0|[1-9]\d*)(\.(0|[1-9]\d*))+$/.test(name)) type = name;
      else if (/^[A-Za-z][A-Za-z0-9-]*$/.test(name)) type = TYPES[name.toUpperCase()];
      if (type === undefined) fail(text, name === "" ? `an attribute type is missing at ${typeStart}` : `unknown attribute type ${JSON.stringify(name)}`);
      skipSpaces();
      if (text[i] !== "=") fail(text, `'=' expected after ${name}`);
      i++;
      skipSpaces();
      if (text[i] === "#") {
        // hexstring = SHARP 1*hexpair: the DER of the value.
        i++;
        const start = i;
        while (i < n && HEX_DIGIT.test(text[i]!)) i++;
        const digits = text.slice(start, i);
        if (digits.length === 0 || digits.length % 2 !== 0) fail(text, "a #hex value needs pairs of hex digits");
        const encoded = new Uint8Array(digits.length / 2);
        for (let k = 0; k < encoded.length; k++) encoded[k] = parseInt(digits.slice(2 * k, 2 * k + 2), 16);
        rdn.push({ type, value: undefined, encoded });
      } else {
        const bytes: number[] = [];
        let trailingSpaces = 0;
        while (i < n && text[i] !== "," && text[i] !== "+") {
          const ch = text[i]!;
          if (ch === "\\") {
            const next = text[i + 1];
            if (next !== undefined && HEX_DIGIT.test(next) && text[i + 2] !== undefined && HEX_DIGIT.test(text[i + 2]!)) {
              bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
              i += 3;
            } else if (next !== undefined && ' "#+,;<=>\\'.includes(next)) {
              bytes.push(next.charCodeAt(0));
              i += 2;
            } else {
              fail(text, `a bad escape at ${i}`);
            }
            trailingSpaces = 0;
            continue;
          }
          // RFC 4514 s3: these must be escaped inside a value.
          if ('";<>'.includes(ch) || ch === "\0") fail(text, `${JSON.stringify(ch)} must be escaped at ${i}`);
          const cp = text.codePointAt(i)!;
          const encodedChar = ENCODER.encode(String.fromCodePoint(cp));
          bytes.push(...encodedChar);
          trailingSpaces = ch === " " ? trailingSpaces + 1 : 0;
          i += cp > 0xffff ? 2 : 1;
        }
        // Unescaped trailing spaces belong to the separator, not the value.
        bytes.length -= trailingSpaces;
        let value: string;
        try {
          value = UTF8.decode(new Uint8Array(bytes));
        } catch {
          fail(text, "an escaped value is not UTF-8");
        }
        rdn.push({ type, value: normalizeValue(value), encoded: undefined });
      }
      if (text[i] !== "+") break;
      i++;
    }
    rdns.push(rdn);
    if (i === n) break;
    if (text[i] !== ",") fail(text, `',' expected at ${i}`);
    i++;
  }
  // RFC 4514 s2.1: the string starts with the last RDN of the sequence.
  return { rdns: rdns.reverse() };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function attributeMatches(expected: ExpectedAttribute, actual: AttributeTypeAndValue): boolean {
  if (expected.type !== actual.type) return false;
  if (expected.encoded !== undefined) return sameBytes(expected.encoded, actual.encoded);
  return actual.text !== undefined && normalizeValue(actual.text) === expected.value;
}

/**
 * Whether a certificate's name is the expected one (RFC 5280 s7.1): as many RDNs, in the
 * same order, each holding the same set of attributes, with string values compared by
 * {@link normalizeValue} and `#hex` values by their DER.
 *
 * @example
 * ```ts
 * import { nameMatches, parseDistinguishedName } from "./distinguished_name.ts";
 * import type { DistinguishedName } from "./name.ts";
 * declare const subject: DistinguishedName; // CN=billing,O=Acme
 * nameMatches(subject, parseDistinguishedName("cn=Billing, o=ACME")); // true
 * ```
 */
export function nameMatches(actual: DistinguishedName, expected: ExpectedName): boolean {
  if (actual.rdns.length !== expected.rdns.length) return false;
  return expected.rdns.every((rdn, k) => {
    const candidates = actual.rdns[k]!;
    if (candidates.length !== rdn.length) return false;
    const used = new Set<number>();
    return rdn.every((want) => {
      const at = candidates.findIndex((have, j) => !used.has(j) && attributeMatches(want, have));
      if (at === -1) return false;
      used.add(at);
      return true;
    });
  });
}
