/**
 * A certificate's SubjectPublicKeyInfo (RFC 5280 s4.1.2.7) as a JSON Web Key (RFC 7517):
 * what `self_signed_tls_client_auth` compares with the keys a client registered (RFC 8705
 * s2.2). RSA (RFC 3279 s2.3.1, RFC 4055 s1.2), EC on P-256, P-384 and P-521 with an
 * uncompressed point (RFC 5480 s2), and Ed25519/Ed448 (RFC 8410 s4).
 *
 * @module
 */

import { encodeBase64Url } from "../encoding/base64.ts";
import type { Jwk } from "../jose/jwk.ts";
import { CertificateError } from "./certificate_error.ts";
import { DerReader, readNull, readOctetBitString, readOid, readSingle, readUnsignedInteger, TAG, type Tlv } from "./der.ts";

const RSA_ENCRYPTION = "1.2.840.113549.1.1.1";
const RSASSA_PSS = "1.2.840.113549.1.1.10";
const EC_PUBLIC_KEY = "1.2.840.10045.2.1";
const ED25519 = "1.3.101.112";
const ED448 = "1.3.101.113";

/** RFC 5480 s2.1.1.1 named curves, with their coordinate size in octets. */
const CURVES: Readonly<Record<string, { crv: string; size: number }>> = {
  "1.2.840.10045.3.1.7": { crv: "P-256", size: 32 },
  "1.3.132.0.34": { crv: "P-384", size: 48 },
  "1.3.132.0.35": { crv: "P-521", size: 66 },
};

/** What a SubjectPublicKeyInfo holds. */
export interface PublicKeyInfo {
  /** The algorithm OID, dotted. */
  readonly algorithm: string;
  /** The key as a public JWK, or `undefined` for an algorithm (or EC point form) not listed above. */
  readonly jwk: Jwk | undefined;
}

function rsa(key: Uint8Array): Jwk {
  const seq = DerReader.inside(readSingle(key, TAG.SEQUENCE, "RSAPublicKey"));
  const n = readUnsignedInteger(seq.expect(TAG.INTEGER, "RSA modulus"), "RSA modulus");
  const e = readUnsignedInteger(seq.expect(TAG.INTEGER, "RSA exponent"), "RSA exponent");
  seq.finish("RSAPublicKey");
  if (n.length < 2 || n[0] === 0 || e[0] === 0) throw new CertificateError("RSAPublicKey: not a usable key");
  return { kty: "RSA", n: encodeBase64Url(n), e: encodeBase64Url(e) };
}

/**
 * Reads a SubjectPublicKeyInfo: `SEQUENCE { AlgorithmIdentifier, BIT STRING }`. A key of a
 * listed algorithm that is malformed (wrong parameters, a point of the wrong size) is an
 * error; an unlisted algorithm is read with `jwk` undefined.
 *
 * @example
 * ```ts
 * import { readPublicKeyInfo } from "./spki.ts";
 * import type { Tlv } from "./der.ts";
 * declare const spki: Tlv; // from a certificate's TBSCertificate
 * readPublicKeyInfo(spki).jwk; // { kty: "EC", crv: "P-256", x: "...", y: "..." }
 * ```
 */
export function readPublicKeyInfo(tlv: Tlv): PublicKeyInfo {
  if (tlv.tag !== TAG.SEQUENCE) throw new CertificateError("subjectPublicKeyInfo: not a SEQUENCE");
  const spki = DerReader.inside(tlv);
  const algorithmId = DerReader.inside(spki.expect(TAG.SEQUENCE, "subjectPublicKeyInfo algorithm"));
  const algorithm = readOid(algorithmId.expect(TAG.OID, "public key algorithm"), "public key algorithm");
  const parameters = algorithmId.done ? undefined : algorithmId.next("public key parameters");
  algorithmId.finish("public key algorithm");
  const key = readOctetBitString(spki.expect(TAG.BIT_STRING, "subjectPublicKey"), "subjectPublicKey");
  spki.finish("subjectPublicKeyInfo");

  switch (algorithm) {
    case RSA_ENCRYPTION:
      // RFC 3279 s2.3.1: the parameters MUST be NULL.
      if (parameters === undefined) throw new CertificateError("rsaEncryption: parameters must be NULL");
      readNull(parameters, "rsaEncryption parameters");
      return { algorithm, jwk: rsa(key) };
    case RSASSA_PSS:
      // RFC 4055 s1.2: the same key, with optional restrictions on its use (not applied here).
      if (parameters !== undefined && parameters.tag !== TAG.SEQUENCE) throw new CertificateError("RSASSA-PSS: bad parameters");
      return { algorithm, jwk: rsa(key) };
    case EC_PUBLIC_KEY: {
      // RFC 5480 s2.1.1: the parameters are the named curve.
      if (parameters === undefined) throw new CertificateError("id-ecPublicKey: the curve is missing");
      const curve = CURVES[readOid(parameters, "EC named curve")];
      if (curve === undefined) return { algorithm, jwk: undefined };
      if (key[0] !== 0x04) return { algorithm, jwk: undefined }; // compressed points are not supported
      if (key.length !== 1 + 2 * curve.size) throw new CertificateError(`id-ecPublicKey: a ${curve.crv} point of the wrong size`);
      const x = encodeBase64Url(key.subarray(1, 1 + curve.size));
      const y = encodeBase64Url(key.subarray(1 + curve.size));
      return { algorithm, jwk: { kty: "EC", crv: curve.crv, x, y } };
    }
    case ED25519:
    case ED448: {
      // RFC 8410 s3: the parameters MUST be absent.
      if (parameters !== undefined) throw new CertificateError("EdDSA key: parameters must be absent");
      const size = algorithm === ED25519 ? 32 : 57;
      if (key.length !== size) throw new CertificateError("EdDSA key: wrong size");
      return { algorithm, jwk: { kty: "OKP", crv: algorithm === ED25519 ? "Ed25519" : "Ed448", x: encodeBase64Url(key) } };
    }
    default:
      return { algorithm, jwk: undefined };
  }
}
