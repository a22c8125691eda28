/**
 * The mutual-TLS options of the token endpoint (RFC 8705): where the server gets a
 * request's TLS client certificate, and whether every client's tokens are bound to it.
 *
 * @module
 */

import { TLS_METHODS } from "../clients/tls_registration.ts";
import { ConfigurationError } from "../errors.ts";
import { type ClientCertificateSource, RequestCertificates } from "./client_certificate.ts";

/** The prepared mutual-TLS settings. */
export interface MtlsContext {
  /** The requests' certificates; `undefined` when the server has no `clientCertificate` source. */
  readonly clientCertificates: RequestCertificates | undefined;
  /** Whether every access token is bound to the client's certificate (RFC 8705 s3). */
  readonly certificateBoundAccessTokens: boolean;
}

/** The options read here (part of the token endpoint's options). */
export interface MtlsOptions {
  clientCertificate?: ClientCertificateSource;
  certificateBoundAccessTokens?: boolean;
  clients: unknown;
}

/**
 * Validates `clientCertificate` and `certificateBoundAccessTokens`, and that no client in
 * a client list needs a certificate the server has no way to read (a `tls_client_auth` or
 * `self_signed_tls_client_auth` client, or `tls_client_certificate_bound_access_tokens`).
 * Throws a `ConfigurationError` naming the problem.
 *
 * @example
 * ```ts
 * import { resolveMtlsOptions } from "./options.ts";
 * const mtls = resolveMtlsOptions({ clients: [], clientCertificate: () => undefined }, 5_000);
 * mtls.certificateBoundAccessTokens; // false
 * ```
 */
export function resolveMtlsOptions(options: MtlsOptions, timeoutMs: number): MtlsContext {
  const source = options.clientCertificate;
  if (source !== undefined && typeof source !== "function") {
    throw new ConfigurationError("clientCertificate must be a function (request) => certificate | undefined", "clientCertificate");
  }
  const bound = options.certificateBoundAccessTokens ?? false;
  if (typeof bound !== "boolean") throw new ConfigurationError("certificateBoundAccessTokens must be a boolean", "certificateBoundAccessTokens");
  if (source === undefined) {
    if (bound) {
      throw new ConfigurationError(
        "certificateBoundAccessTokens needs the clientCertificate option (where the server reads TLS client certificates)",
        "certificateBoundAccessTokens",
      );
    }
    if (Array.isArray(options.clients)) {
      for (const [i, r] of (options.clients as Record<string, unknown>[]).entries()) {
        const method = r?.token_endpoint_auth_method;
        const [needs, field] = typeof method === "string" && TLS_METHODS.has(method)
          ? [String(method), "token_endpoint_auth_method"]
          : r?.tls_client_certificate_bound_access_tokens === true
          ? ["tls_client_certificate_bound_access_tokens", "tls_client_certificate_bound_access_tokens"]
          : [undefined, undefined];
        if (needs !== undefined) {
          // The client's field is named: the registration asks for what the server lacks.
          const path = `clients[${i}].${field}`;
          throw new ConfigurationError(
            `client ${JSON.stringify(r.client_id)}: ${needs} needs the clientCertificate option, where the server reads TLS client certificates (${path})`,
            path,
          );
        }
      }
    }
  }
  return {
    clientCertificates: source === undefined ? undefined : new RequestCertificates(source, timeoutMs),
    certificateBoundAccessTokens: bound,
  };
}
