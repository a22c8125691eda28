/**
 * Client certificates on Cloudflare (API Shield or Access mTLS). A Worker's
 * `request.cf.tlsClientAuth` describes the certificate (its SHA-256 fingerprint, subject,
 * validation result) but does not carry it; a request header transform rule can add it,
 * RFC 9440-encoded, from `cf.tls_client_auth.cert_rfc9440`. This source reads that header
 * and accepts it only when its SHA-256 is the fingerprint Cloudflare reports for the
 * connection, so a header a client sent itself, or one left over, never counts.
 *
 * @module
 */

import { sha256 } from "../crypto/sha256.ts";
import { ConfigurationError } from "../errors.ts";
import { byteSequenceHeader } from "./client_cert_header.ts";
import type { ClientCertificateSource } from "./client_certificate.ts";

/** The members of `request.cf.tlsClientAuth` this source reads (strings, as Workers give them). */
interface TlsClientAuth {
  certPresented?: unknown;
  certFingerprintSHA256?: unknown;
  certVerified?: unknown;
  certRevoked?: unknown;
}

/** Options of {@link cloudflareClientCertificate}. */
export interface CloudflareClientCertificateOptions {
  /** The header your transform rule sets to `cf.tls_client_auth.cert_rfc9440`; default `client-cert`. */
  header?: string;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * A {@link ClientCertificateSource} for a Cloudflare Worker: the certificate in the header
 * a transform rule sets from `cf.tls_client_auth.cert_rfc9440`, accepted only when
 * `request.cf.tlsClientAuth` says one was presented (`certPresented` "1") and its SHA-256
 * equals `certFingerprintSHA256`. `chainVerified` is Cloudflare's verdict: `certVerified`
 * "SUCCESS" and `certRevoked` not "1".
 *
 * Cloudflare does not hand a Worker the certificate otherwise, so without the rule there
 * is none to read: no `tls_client_auth`, `self_signed_tls_client_auth` or certificate-bound
 * tokens.
 *
 * @example A Worker, with a transform rule setting the request header Client-Cert to cf.tls_client_auth.cert_rfc9440
 * ```ts
 * import { cloudflareClientCertificate, createAuthorizationServer } from "../../mod.ts";
 * export default createAuthorizationServer({
 *   issuer: "https://auth.example.com",
 *   clients: [],
 *   clientCertificate: cloudflareClientCertificate(),
 * });
 * ```
 */
export function cloudflareClientCertificate(options: CloudflareClientCertificateOptions = {}): ClientCertificateSource {
  if (typeof options !== "object" || options === null) throw new ConfigurationError("cloudflareClientCertificate options must be an object");
  for (const key of Object.keys(options)) {
    if (key !== "header") throw new ConfigurationError(`unknown cloudflareClientCertificate option '${key}'`);
  }
  const header = options.header ?? "client-cert";
  if (typeof header !== "string" || header === "") throw new ConfigurationError("cloudflareClientCertificate: header must be a header name");
  return (request) => {
    const auth = (request as { cf?: { tlsClientAuth?: TlsClientAuth | null } }).cf?.tlsClientAuth;
    if (typeof auth !== "object" || auth === null || auth.certPresented !== "1") return undefined;
    const fingerprint = auth.certFingerprintSHA256;
    if (typeof fingerprint !== "string" || fingerprint === "") return undefined;
    const der = byteSequenceHeader(request, header);
    // The header must be this connection's certificate: a client can send the header too.
    if (der === undefined || hex(sha256(der)) !== fingerprint.toLowerCase()) return undefined;
    return { certificate: der, chainVerified: auth.certVerified === "SUCCESS" && auth.certRevoked !== "1" };
  };
}
