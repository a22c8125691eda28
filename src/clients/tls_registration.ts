/**
 * The RFC 8705 client metadata of a registration: the expected certificate subject of a
 * `tls_client_auth` client (s2.1.2), the keys of a `self_signed_tls_client_auth` client
 * (s2.2.2), and `tls_client_certificate_bound_access_tokens` (s3.4); checked at start-up
 * and prepared for the request path.
 *
 * @module
 */

import { ConfigurationError } from "../errors.ts";
import { decodeBase64 } from "../encoding/base64.ts";
import { isPrivateJwk, type Jwk, samePublicKey } from "../jose/jwk.ts";
import { parseCertificate } from "../x509/certificate.ts";
import { CertificateError } from "../x509/certificate_error.ts";
import { type ExpectedName, parseDistinguishedName } from "../x509/distinguished_name.ts";
import { parseIpAddress } from "../x509/ip_address.ts";

/** The registration fields that name a `tls_client_auth` client's certificate subject (RFC 8705 s2.1.2). */
export const SUBJECT_FIELDS = [
  "tls_client_auth_subject_dn",
  "tls_client_auth_san_dns",
  "tls_client_auth_san_uri",
  "tls_client_auth_san_ip",
  "tls_client_auth_san_email",
] as const;

/** The name of one of the {@link SUBJECT_FIELDS}. */
export type SubjectField = typeof SUBJECT_FIELDS[number];

/** What a `tls_client_auth` client's certificate must show, prepared for comparison. */
export type ExpectedSubject =
  | { readonly field: "tls_client_auth_subject_dn"; readonly name: ExpectedName }
  | { readonly field: "tls_client_auth_san_dns" | "tls_client_auth_san_uri" | "tls_client_auth_san_email"; readonly value: string }
  | { readonly field: "tls_client_auth_san_ip"; readonly ip: Uint8Array };

/** The two RFC 8705 s2 authentication methods. */
export const TLS_METHODS: ReadonlySet<string> = new Set(["tls_client_auth", "self_signed_tls_client_auth"]);

/** Names the option at fault (`clients[3].tls_client_auth_san_ip`) in the message and on the error. */
function fail(client_id: unknown, path: string, message: string): never {
  throw new ConfigurationError(`client ${JSON.stringify(client_id)}: ${path} ${message}`, path);
}

/** The key types a TLS client certificate can hold that this server can compare. */
const CERTIFICATE_KEY_TYPES: ReadonlySet<string> = new Set(["EC", "RSA", "OKP"]);

/**
 * RFC 7517 s4.7: the key in the first certificate of `x5c` MUST match the JWK's own
 * members. Checked here, so a registration cannot say one key in its members and another
 * in its certificate. `path` names the JWK (`clients[3].jwks.keys[0]`).
 */
function checkX5c(id: string, jwk: Jwk, path: string): void {
  const x5c = jwk.x5c;
  if (x5c === undefined) return;
  const at = `${path}.x5c`;
  if (!Array.isArray(x5c) || x5c.length === 0 || !x5c.every((c) => typeof c === "string")) {
    fail(id, at, "must be a non-empty array of base64 certificates (RFC 7517 s4.7)");
  }
  const der = decodeBase64(x5c[0] as string);
  if (der === undefined) fail(id, `${at}[0]`, "is not base64 (RFC 7517 s4.7: not base64url, no line breaks)");
  let certificateKey: Jwk | undefined;
  try {
    certificateKey = parseCertificate(der).publicKey.jwk;
  } catch (e) {
    if (e instanceof CertificateError) fail(id, `${at}[0]`, `is not a certificate: ${e.message}`);
    throw e;
  }
  if (certificateKey === undefined || !samePublicKey(certificateKey, jwk)) {
    fail(id, `${at}[0]`, "holds another key: the key of x5c[0] is not the JWK's key (RFC 7517 s4.7)");
  }
}

function checkSubjectValue(id: string, field: SubjectField, value: unknown, path: string): void {
  if (typeof value !== "string" || value === "") fail(id, path, "must be a non-empty string");
  switch (field) {
    case "tls_client_auth_subject_dn":
      try {
        parseDistinguishedName(value);
      } catch (e) {
        fail(id, path, `is not a distinguished name: ${(e as Error).message}`);
      }
      return;
    case "tls_client_auth_san_ip":
      // RFC 8705 s2.1.2: dotted decimal (IPv4) or RFC 5952 colon-hex (IPv6), compared as octets.
      if (parseIpAddress(value) === undefined) fail(id, path, `${JSON.stringify(value)} is not an IPv4 or IPv6 address`);
      return;
    case "tls_client_auth_san_uri":
      if (!/^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/.test(value)) fail(id, path, `${JSON.stringify(value)} is not an absolute URI`);
      return;
    case "tls_client_auth_san_email":
      if (!/^[^\s@]+@[^\s@]+$/.test(value)) fail(id, path, `${JSON.stringify(value)} is not an email address`);
      return;
    case "tls_client_auth_san_dns":
      if (!/^[\x21-\x7e]+$/.test(value)) fail(id, path, `${JSON.stringify(value)} is not a DNS name`);
  }
}

/**
 * Checks the RFC 8705 metadata of a registration that its description has checked (each
 * field's kind, and that the subject fields belong to `tls_client_auth` clients only): a
 * `tls_client_auth` client names exactly one expected subject (s2.1.2: MUST use exactly
 * one), in its field's syntax; a `self_signed_tls_client_auth` client registers its keys in
 * `jwks` or `jwks_uri` (s2.2.2), public keys of types a certificate can hold, each matching
 * its `x5c` certificate. `at` turns a field's name into its path (`clients[3].jwks`).
 */
export function validateTlsRegistration(
  r: Record<string, unknown>,
  id: string,
  method: string,
  at: (field: string) => string = (field) => field,
): void {
  if (method === "tls_client_auth") {
    const named = SUBJECT_FIELDS.filter((f) => r[f] !== undefined);
    if (named.length !== 1) {
      fail(
        id,
        at(named[1] ?? "tls_client_auth_subject_dn"),
        `${named.length > 1 ? "must not be given with " + named[0] : "is missing"}: tls_client_auth needs exactly one of ${
          SUBJECT_FIELDS.join(", ")
        } (RFC 8705 s2.1.2)${named.length > 1 ? `, not ${named.join(" and ")}` : ""}`,
      );
    }
    checkSubjectValue(id, named[0]!, r[named[0]!], at(named[0]!));
  }
  if (method === "self_signed_tls_client_auth") {
    if (r.jwks === undefined && r.jwks_uri === undefined) {
      fail(id, at("jwks"), "is missing: self_signed_tls_client_auth needs the client's certificate keys: jwks or jwks_uri (RFC 8705 s2.2.2)");
    }
    const keys = (r.jwks as { keys?: unknown } | undefined)?.keys;
    if (r.jwks !== undefined) {
      if (!Array.isArray(keys) || keys.length === 0) fail(id, at("jwks"), "must be a JWK Set with at least one key");
      for (const [i, key] of (keys as unknown[]).entries()) {
        const jwk = key as Jwk;
        const path = `${at("jwks")}.keys[${i}]`;
        if (typeof jwk !== "object" || jwk === null || typeof jwk.kty !== "string") fail(id, path, "must be a JWK object (every key in jwks)");
        if (isPrivateJwk(jwk)) fail(id, path, "is private: jwks must hold public keys only (no d, p, q, dp, dq, qi, oth or k)");
        if (!CERTIFICATE_KEY_TYPES.has(jwk.kty)) fail(id, `${path}.kty`, `is not a certificate key: a certificate key is EC, RSA or OKP, not ${JSON.stringify(jwk.kty)}`);
        checkX5c(id, jwk, path);
      }
    }
  }
}

/** The expected subject of a validated `tls_client_auth` registration, ready to compare. */
export function expectedSubject(r: Record<string, unknown>): ExpectedSubject | undefined {
  for (const field of SUBJECT_FIELDS) {
    const value = r[field];
    if (typeof value !== "string") continue;
    switch (field) {
      case "tls_client_auth_subject_dn":
        return { field, name: parseDistinguishedName(value) };
      case "tls_client_auth_san_ip":
        return { field, ip: parseIpAddress(value)! };
      default:
        return { field, value };
    }
  }
  return undefined;
}
