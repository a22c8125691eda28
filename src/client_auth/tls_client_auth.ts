/**
 * Mutual-TLS client authentication (RFC 8705 s2): the client sends its `client_id` in the
 * body and nothing else; the credential is the certificate it presented in the TLS
 * handshake, which proved it holds the certificate's private key.
 *
 * - `tls_client_auth` (s2.1): the certificate's chain was validated by the TLS layer (the
 *   host says so: `chainVerified`), and its subject is the one registered: the subject DN,
 *   or one subjectAltName entry (s2.1.2).
 * - `self_signed_tls_client_auth` (s2.2): the chain is not validated; the certificate's
 *   public key must be one the client registered (`jwks` or `jwks_uri`).
 *
 * In both, the certificate must be within its validity period. Every failure is the same
 * `invalid_client` answer as a wrong secret. None is counted by the brute-force guard, nor
 * held back by it: a certificate is not a guessable secret (the handshake proved
 * possession of its key, which no number of attempts can guess), and counting failures
 * would only let anyone with a certificate lock out clients they cannot impersonate.
 *
 * @module
 */

import type { FindClient } from "../clients/client_lookup.ts";
import type { Client } from "../clients/registration.ts";
import { TLS_METHODS } from "../clients/tls_registration.ts";
import { KeysUnavailableError } from "../jose/remote_jwks.ts";
import type { PresentedCertificate, RequestCertificates } from "../mtls/client_certificate.ts";
import { nameMatches } from "../x509/distinguished_name.ts";
import { sameIpAddress } from "../x509/ip_address.ts";
import type { Certificate } from "../x509/certificate.ts";
import type { ClientKeys } from "./client_keys.ts";

/** What mutual-TLS client authentication needs from the server's configuration. */
export interface TlsClientAuthContext {
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
  readonly findClient: FindClient;
  readonly clientKeys: ClientKeys;
  /** The request's certificate, from the `clientCertificate` option. */
  readonly clientCertificates: RequestCertificates;
}

/**
 * Allowed difference, in seconds, between this server's clock and the validity period of
 * a certificate (the TLS layer checked it with its own clock already).
 */
export const CERTIFICATE_CLOCK_TOLERANCE = 60;

/** The outcome: the authenticated client, or why not (for logs only; the answer is always the same). */
export type TlsClientAuthOutcome =
  | { readonly client: Client }
  | { readonly refusal: string; readonly method?: Client["token_endpoint_auth_method"] };

function emailMatches(registered: string, presented: string): boolean {
  // RFC 5280 s7.5: the local part is compared exactly, the domain case-insensitively.
  const a = registered.lastIndexOf("@");
  const b = presented.lastIndexOf("@");
  return a > 0 && b > 0 && registered.slice(0, a) === presented.slice(0, b) &&
    registered.slice(a + 1).toLowerCase() === presented.slice(b + 1).toLowerCase();
}

/** RFC 8705 s2.1.2: the one registered subject, against the certificate. */
function subjectMatches(client: Client, cert: Certificate): boolean {
  const expected = client.tls_client_auth_subject;
  const names = cert.subjectAltNames;
  switch (expected?.field) {
    case "tls_client_auth_subject_dn":
      return nameMatches(cert.subject, expected.name);
    case "tls_client_auth_san_dns":
      // DNS names compare case-insensitively (RFC 4343); an entry is an entry: no wildcards.
      return names.dns.some((d) => d.toLowerCase() === expected.value.toLowerCase());
    case "tls_client_auth_san_uri":
      return names.uri.includes(expected.value);
    case "tls_client_auth_san_ip":
      return names.ip.some((ip) => sameIpAddress(ip, expected.ip));
    case "tls_client_auth_san_email":
      return names.email.some((e) => emailMatches(expected.value, e));
    default:
      return false;
  }
}

/**
 * Authenticates `client_id` by the request's TLS client certificate. The certificate is
 * read before the client is looked up, so an unknown client costs what a known one does.
 *
 * @example
 * ```ts
 * import { authenticateByCertificate, type TlsClientAuthContext } from "./tls_client_auth.ts";
 * declare const ctx: TlsClientAuthContext;
 * declare const request: Request;
 * const outcome = await authenticateByCertificate(request, "billing", ctx);
 * if ("client" in outcome) console.log(outcome.client.client_id);
 * ```
 */
export async function authenticateByCertificate(
  request: Request,
  client_id: string,
  ctx: TlsClientAuthContext,
): Promise<TlsClientAuthOutcome> {
  const presented: PresentedCertificate = await ctx.clientCertificates.of(request);
  const client = await ctx.findClient(client_id);
  if (client === undefined) return { refusal: "unknown client" };
  const method = client.token_endpoint_auth_method;
  if (!TLS_METHODS.has(method)) return { refusal: "no credentials, and the client does not use mutual TLS" };
  if (presented.kind === "none") return { refusal: "no client certificate was presented", method };
  if (presented.kind === "unreadable") return { refusal: `the client certificate is unreadable: ${presented.error.message}`, method };
  const cert = presented.certificate;
  const now = ctx.clock() / 1000;
  if (now + CERTIFICATE_CLOCK_TOLERANCE < cert.notBefore || now - CERTIFICATE_CLOCK_TOLERANCE > cert.notAfter) {
    return { refusal: "the client certificate is outside its validity period", method };
  }
  if (method === "tls_client_auth") {
    // RFC 8705 s2.1: the PKI method relies on the chain the TLS layer validated.
    if (!presented.chainVerified) return { refusal: "the certificate's chain was not validated by the TLS layer", method };
    if (!subjectMatches(client, cert)) return { refusal: "the certificate's subject is not the registered one", method };
    return { client };
  }
  // RFC 8705 s2.2: the certificate (its key, which the handshake proved) must be registered.
  const jwk = cert.publicKey.jwk;
  if (jwk === undefined) return { refusal: `the certificate's key type (${cert.publicKey.algorithm}) is not supported`, method };
  try {
    if (await ctx.clientKeys.findCertificateKey(client, jwk) === undefined) {
      return { refusal: "the certificate's key is not one the client registered", method };
    }
  } catch (e) {
    if (e instanceof KeysUnavailableError) return { refusal: "the client's jwks_uri could not be read", method };
    throw e;
  }
  return { client };
}
