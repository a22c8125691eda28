/**
 * Certificate-bound access tokens at the resource server (RFC 8705 s3): a token whose
 * `cnf` has `x5t#S256` may be used only over a connection whose TLS client certificate
 * has that SHA-256 thumbprint.
 *
 * @module
 */

import { OAuthError } from "../errors.ts";
import type { ResourceServerContext } from "./options.ts";

/**
 * Checks that the request's TLS client certificate is the one the token is bound to.
 * RFC 8705 s3: the protected resource MUST obtain the certificate and MUST verify it
 * matches; otherwise the request is rejected with RFC 6750 `invalid_token` (401). So is
 * a bound token at a resource server that reads no certificates (no `clientCertificate`
 * option): it cannot verify the binding, and must not ignore it.
 *
 * @example
 * ```ts
 * import { checkCertificateBinding } from "./certificate_binding.ts";
 * import type { ResourceServerContext } from "./options.ts";
 * declare const ctx: ResourceServerContext;
 * declare const request: Request;
 * await checkCertificateBinding(request, "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2", ctx); // throws invalid_token unless it matches
 * ```
 */
export async function checkCertificateBinding(request: Request, x5t: string, ctx: ResourceServerContext): Promise<void> {
  if (ctx.clientCertificates === undefined) {
    throw new OAuthError("invalid_token", "the token is bound to a TLS client certificate, and this resource reads none");
  }
  const presented = await ctx.clientCertificates.of(request);
  if (presented.kind !== "certificate") {
    throw new OAuthError("invalid_token", "the token is bound to a TLS client certificate, and the request came without one", {
      cause: presented.kind === "unreadable" ? presented.error : undefined,
    });
  }
  // The thumbprint is public (it is in the token): a plain comparison tells nothing.
  if (presented.certificate.thumbprint !== x5t) {
    throw new OAuthError("invalid_token", "the token is bound to another TLS client certificate than the request's");
  }
}
