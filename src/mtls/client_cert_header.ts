/**
 * The RFC 9440 `Client-Cert` header: how a TLS-terminating reverse proxy hands the client
 * certificate of a mutually authenticated connection to the server behind it.
 *
 * A header is only as trustworthy as whoever set it. Use this source only when a proxy you
 * run sets the header, and removes or overwrites any `Client-Cert` a client sent, on every
 * request (RFC 9440 s2.4, s4), and when nothing but the proxy can reach the server.
 *
 * @module
 */

import { decodeBase64 } from "../encoding/base64.ts";
import { ConfigurationError } from "../errors.ts";
import type { ClientCertificateSource } from "./client_certificate.ts";

/** RFC 8941 s3.3.5 Byte Sequence, nothing around it: no parameters, no list, no whitespace inside. */
const BYTE_SEQUENCE = /^:([A-Za-z0-9+/]+={0,2}):$/;
/** RFC 9110 s5.1 field-name (token). */
const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * The certificate in a request header holding one RFC 9440 Byte Sequence (`:base64:`), or
 * `undefined` when the header is absent or holds anything else: two values (a repeated
 * header arrives joined with a comma), parameters, a list, PEM, bare base64, base64 that is
 * not canonical. A malformed header is read as no certificate, never as a guess.
 *
 * @example
 * ```ts
 * import { byteSequenceHeader } from "./client_cert_header.ts";
 * const request = new Request("https://as.example.com/token", { headers: { "client-cert": ":MAA=:" } });
 * byteSequenceHeader(request, "client-cert"); // Uint8Array [0x30, 0x00]
 * ```
 */
export function byteSequenceHeader(request: Request, name: string): Uint8Array | undefined {
  const value = request.headers.get(name);
  if (value === null) return undefined;
  const base64 = BYTE_SEQUENCE.exec(value)?.[1];
  if (base64 === undefined) return undefined;
  const der = decodeBase64(base64);
  return der === undefined || der.length === 0 ? undefined : der;
}

/** Options of {@link clientCertificateHeader}. */
export interface ClientCertificateHeaderOptions {
  /**
   * Whether the proxy validated each certificate's chain against your CA before forwarding
   * it (RFC 9440 s2.4). `true`: it forwards only certificates it validated (nginx
   * `ssl_verify_client on`), so they may authenticate `tls_client_auth` clients. `false`: it
   * also forwards certificates it did not validate (`optional_no_ca`, for
   * `self_signed_tls_client_auth` clients), so none authenticates a `tls_client_auth` client.
   * A function decides per request, e.g. from a verification-status header your proxy sets
   * and overwrites (nginx `$ssl_client_verify`).
   */
  chainVerified: boolean | ((request: Request) => boolean);
  /** The header's name; default `client-cert` (RFC 9440 s2.2). */
  header?: string;
}

/**
 * A {@link ClientCertificateSource} reading the RFC 9440 `Client-Cert` header set by a
 * TLS-terminating proxy. The header is read only because you configured this source; it
 * must hold exactly one Byte Sequence, or the request counts as having no certificate.
 *
 * Your proxy must remove or overwrite `Client-Cert` on every request, including requests
 * on connections without a client certificate (RFC 9440 s2.4); otherwise a client can send
 * the header itself and be anyone. The server behind it must be reachable only through
 * the proxy.
 *
 * @example Behind a TLS-terminating proxy that sets Client-Cert (see the README for HAProxy)
 * ```ts
 * import { clientCertificateHeader, createAuthorizationServer } from "../../mod.ts";
 * const server = createAuthorizationServer({
 *   issuer: "https://auth.example.com",
 *   clients: [{ client_id: "billing", token_endpoint_auth_method: "tls_client_auth",
 *               tls_client_auth_san_dns: "billing.example.com", grant_types: ["client_credentials"] }],
 *   clientCertificate: clientCertificateHeader({ chainVerified: true }),
 * });
 * ```
 */
export function clientCertificateHeader(options: ClientCertificateHeaderOptions): ClientCertificateSource {
  if (typeof options !== "object" || options === null) throw new ConfigurationError("clientCertificateHeader needs options: { chainVerified }");
  for (const key of Object.keys(options)) {
    if (key !== "chainVerified" && key !== "header") throw new ConfigurationError(`unknown clientCertificateHeader option '${key}'`);
  }
  const { chainVerified } = options;
  if (typeof chainVerified !== "boolean" && typeof chainVerified !== "function") {
    throw new ConfigurationError("clientCertificateHeader: chainVerified must be true, false or a function of the request (say whether your proxy validates the chain)");
  }
  const header = options.header ?? "client-cert";
  if (typeof header !== "string" || !FIELD_NAME.test(header)) throw new ConfigurationError("clientCertificateHeader: header must be a header name");
  return (request) => {
    const certificate = byteSequenceHeader(request, header);
    if (certificate === undefined) return undefined;
    return { certificate, chainVerified: typeof chainVerified === "boolean" ? chainVerified : chainVerified(request) === true };
  };
}
