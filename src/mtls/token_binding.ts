/**
 * Certificate-bound access tokens at the token endpoint (RFC 8705 s3): whether a token is
 * bound to the client's TLS certificate, and the thumbprint it is bound to.
 *
 * @module
 */

import type { Client } from "../clients/registration.ts";
import { OAuthError } from "../errors.ts";
import type { RequestCertificates } from "./client_certificate.ts";

/** What the binding step needs from the server's configuration. */
export interface CertificateBindingContext {
  /** The requests' certificates; absent when the server reads none. */
  readonly clientCertificates?: RequestCertificates | undefined;
  /** Whether every client's tokens are bound. */
  readonly certificateBoundAccessTokens: boolean;
}

/**
 * The `x5t#S256` to bind the token to: base64url(SHA-256(DER)) of the certificate the
 * request's connection presented (s3.1), when the server binds every client's tokens
 * (`certificateBoundAccessTokens`) or this client registered
 * `tls_client_certificate_bound_access_tokens` (s3.4); otherwise `undefined`, an unbound
 * token. Such a request without a readable certificate is refused with
 * `invalid_request`: s3.4 lets the server refuse or issue an unbound token, and a token
 * the client asked to be bound must not quietly be a bearer token.
 *
 * The certificate needs no validated chain to bind a token: the handshake proved the
 * client holds its key, which is all the binding relies on (s4: self-signed certificates
 * bind tokens too).
 *
 * @example
 * ```ts
 * import { certificateBinding, type CertificateBindingContext } from "./token_binding.ts";
 * import type { Client } from "../clients/registration.ts";
 * declare const ctx: CertificateBindingContext;
 * declare const client: Client;
 * declare const request: Request;
 * const x5t = await certificateBinding(request, client, ctx); // undefined: not bound
 * ```
 */
export async function certificateBinding(request: Request, client: Client, ctx: CertificateBindingContext): Promise<string | undefined> {
  const certificates = ctx.clientCertificates;
  if (certificates === undefined || !(ctx.certificateBoundAccessTokens || client.tls_client_certificate_bound_access_tokens)) return undefined;
  const presented = await certificates.of(request);
  if (presented.kind === "certificate") return presented.certificate.thumbprint;
  throw new OAuthError(
    "invalid_request",
    presented.kind === "none"
      ? "access tokens of this client are bound to its TLS client certificate (RFC 8705 s3), and the request came without one"
      : "the TLS client certificate could not be read, so no token can be bound to it (RFC 8705 s3)",
    presented.kind === "unreadable" ? { cause: presented.error } : {},
  );
}
