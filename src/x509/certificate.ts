/**
 * Reading an X.509 certificate (RFC 5280 s4.1) for what RFC 8705 needs of it: the subject
 * and its alternative names (`tls_client_auth`), the public key (`self_signed_tls_client_auth`),
 * the validity period, and the SHA-256 of the DER (the `x5t#S256` of certificate-bound
 * tokens, s3.1).
 *
 * It reads and checks the encoding; it does not check the signature or the chain: that is
 * the TLS layer's job, done during the handshake that proved the client holds the key.
 *
 * @module
 */

import { sha256 } from "../crypto/sha256.ts";
import { encodeBase64Url } from "../encoding/base64.ts";
import { CertificateError } from "./certificate_error.ts";
import {
  contentOf,
  DerReader,
  encodingOf,
  readBitString,
  readBoolean,
  readInteger,
  readOctetBitString,
  readOid,
  readSingle,
  readSmallInteger,
  TAG,
  type Tlv,
} from "./der.ts";
import { NO_ALT_NAMES, readSubjectAltNames, type SubjectAltNames } from "./general_names.ts";
import { type DistinguishedName, readName } from "./name.ts";
import { type PublicKeyInfo, readPublicKeyInfo } from "./spki.ts";
import { readTime } from "./time.ts";

/**
 * The largest certificate read, in bytes. Client certificates are a few kilobytes at most;
 * one that would not fit in an HTTP header (RFC 9440) is refused before any parsing.
 */
export const MAX_CERTIFICATE_BYTES = 16_384;

const SUBJECT_ALT_NAME = "2.5.29.17";

/** A certificate as read by {@link parseCertificate}. */
export interface Certificate {
  /** The DER encoding, as presented. */
  readonly der: Uint8Array;
  /** base64url(SHA-256(der)): the certificate's `x5t#S256` thumbprint (RFC 8705 s3.1, RFC 7515 s4.1.8). */
  readonly thumbprint: string;
  /** 1, 2 or 3. */
  readonly version: number;
  /** The serial number, as the hexadecimal of its DER INTEGER contents. */
  readonly serialNumber: string;
  /** The issuer's distinguished name. */
  readonly issuer: DistinguishedName;
  /** The subject's distinguished name (possibly empty, when the identity is in the alternative names). */
  readonly subject: DistinguishedName;
  /** Start of the validity period, seconds since the epoch. */
  readonly notBefore: number;
  /** End of the validity period, seconds since the epoch (inclusive, RFC 5280 s4.1.2.5). */
  readonly notAfter: number;
  /** The subject's public key. */
  readonly publicKey: PublicKeyInfo;
  /** The subjectAltName entries (empty lists without the extension). */
  readonly subjectAltNames: SubjectAltNames;
  /** The OID of the algorithm the issuer signed with. */
  readonly signatureAlgorithm: string;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Extensions (RFC 5280 s4.1, s4.2): `SEQUENCE SIZE (1..MAX) OF Extension`, no OID twice. */
function readExtensions(tlv: Tlv): SubjectAltNames {
  const wrapper = DerReader.inside(tlv);
  const list = DerReader.inside(wrapper.expect(TAG.SEQUENCE, "extensions"));
  wrapper.finish("extensions");
  if (list.done) throw new CertificateError("extensions: an empty list (RFC 5280 s4.1 requires one)");
  const seen = new Set<string>();
  let altNames = NO_ALT_NAMES;
  while (!list.done) {
    const ext = DerReader.inside(list.expect(TAG.SEQUENCE, "extension"));
    const id = readOid(ext.expect(TAG.OID, "extension id"), "extension id");
    // DER: a DEFAULT value is never encoded, so a critical flag present is TRUE.
    const critical = ext.optional(TAG.BOOLEAN, "extension critical flag");
    if (critical !== undefined && !readBoolean(critical, "extension critical flag")) {
      throw new CertificateError("extension: critical FALSE is encoded (DER omits the default)");
    }
    const value = contentOf(ext.expect(TAG.OCTET_STRING, "extension value"));
    ext.finish("extension");
    // RFC 5280 s4.2: a certificate MUST NOT include more than one instance of an extension.
    if (seen.has(id)) throw new CertificateError(`extension ${id} appears twice`);
    seen.add(id);
    if (id === SUBJECT_ALT_NAME) altNames = readSubjectAltNames(value);
  }
  return altNames;
}

/**
 * Reads a DER X.509 certificate strictly (see `der.ts`): the whole input is one
 * `Certificate`, TBSCertificate in the order of RFC 5280 s4.1 with the version rules of
 * s4.1.2.1 (v1 by omission, unique identifiers from v2, extensions only in v3), the inner
 * signature algorithm identical to the outer one (s4.1.1.2), no extension twice (s4.2).
 * At most {@link MAX_CERTIFICATE_BYTES}. Throws a {@link CertificateError} for anything
 * else, and nothing but that.
 *
 * The signature is not verified and no chain is built: the certificate is one the TLS
 * layer accepted.
 *
 * @example
 * ```ts
 * import { parseCertificate } from "../../mod.ts";
 * declare const der: Uint8Array; // e.g. from a TLS socket's getPeerCertificate().raw
 * const cert = parseCertificate(der);
 * cert.subject.text;          // "CN=billing,O=Acme"
 * cert.subjectAltNames.dns;   // ["billing.acme.example"]
 * cert.thumbprint;            // the x5t#S256 a bound token carries in cnf
 * ```
 */
export function parseCertificate(der: Uint8Array): Certificate {
  if (!(der instanceof Uint8Array)) throw new CertificateError("a certificate is DER bytes");
  if (der.length > MAX_CERTIFICATE_BYTES) throw new CertificateError(`a certificate of more than ${MAX_CERTIFICATE_BYTES} bytes`);
  const certificate = DerReader.inside(readSingle(der, TAG.SEQUENCE, "Certificate"));
  const tbs = DerReader.inside(certificate.expect(TAG.SEQUENCE, "tbsCertificate"));
  const outerAlgorithm = certificate.expect(TAG.SEQUENCE, "signatureAlgorithm");
  readOctetBitString(certificate.expect(TAG.BIT_STRING, "signatureValue"), "signatureValue");
  certificate.finish("Certificate");

  // s4.1.2.1: version [0] EXPLICIT, DEFAULT v1 (so never encoded as v1 in DER).
  let version = 1;
  const versionTag = tbs.optional(0xa0, "version");
  if (versionTag !== undefined) {
    const inner = DerReader.inside(versionTag);
    const v = readSmallInteger(inner.expect(TAG.INTEGER, "version"), "version");
    inner.finish("version");
    if (v !== 1 && v !== 2) throw new CertificateError(`version: ${v === 0 ? "v1 is encoded (DER omits the default)" : "unknown"}`);
    version = v + 1;
  }
  const serialNumber = hex(readInteger(tbs.expect(TAG.INTEGER, "serialNumber"), "serialNumber"));
  const innerAlgorithm = tbs.expect(TAG.SEQUENCE, "signature");
  if (!sameBytes(encodingOf(innerAlgorithm), encodingOf(outerAlgorithm))) {
    throw new CertificateError("the signature algorithm differs between tbsCertificate and Certificate (RFC 5280 s4.1.1.2)");
  }
  const algorithmId = DerReader.inside(innerAlgorithm);
  const signatureAlgorithm = readOid(algorithmId.expect(TAG.OID, "signature algorithm"), "signature algorithm");
  if (!algorithmId.done) algorithmId.next("signature algorithm parameters");
  algorithmId.finish("signature algorithm");

  const issuer = readName(tbs.expect(TAG.SEQUENCE, "issuer"), "issuer");
  const validity = DerReader.inside(tbs.expect(TAG.SEQUENCE, "validity"));
  const notBefore = readTime(validity.next("notBefore"), "notBefore");
  const notAfter = readTime(validity.next("notAfter"), "notAfter");
  validity.finish("validity");
  const subject = readName(tbs.expect(TAG.SEQUENCE, "subject"), "subject");
  const publicKey = readPublicKeyInfo(tbs.expect(TAG.SEQUENCE, "subjectPublicKeyInfo"));

  // s4.1.2.8: unique identifiers only from v2; s4.1.2.9: extensions only in v3.
  for (const [tag, name] of [[0x81, "issuerUniqueID"], [0x82, "subjectUniqueID"]] as const) {
    const id = tbs.optional(tag, name);
    if (id === undefined) continue;
    if (version < 2) throw new CertificateError(`${name} in a v1 certificate`);
    readBitString(id, name, tag);
  }
  let subjectAltNames = NO_ALT_NAMES;
  const extensions = tbs.optional(0xa3, "extensions");
  if (extensions !== undefined) {
    if (version !== 3) throw new CertificateError("extensions in a certificate that is not v3");
    subjectAltNames = readExtensions(extensions);
  }
  tbs.finish("tbsCertificate");

  return {
    der,
    thumbprint: encodeBase64Url(sha256(der)),
    version,
    serialNumber,
    issuer,
    subject,
    notBefore,
    notAfter,
    publicKey,
    subjectAltNames,
    signatureAlgorithm,
  };
}
