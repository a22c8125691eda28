/**
 * The TLS client certificate of a request (RFC 8705). A web-standard `Request` does not
 * carry the TLS connection, so the certificate comes from the host: a
 * {@link ClientCertificateSource} the server is given, such as `clientCertificateHeader`
 * (RFC 9440, behind a proxy), `tlsSocketClientCertificates` (a node:https or node:tls
 * socket) or `cloudflareClientCertificate`. This file reads what the source answers, once
 * per request.
 *
 * @module
 */

import { OAuthError } from "../errors.ts";
import { withDeadline } from "../stores/deadline.ts";
import { type Certificate, parseCertificate } from "../x509/certificate.ts";
import { CertificateError } from "../x509/certificate_error.ts";
import { certificateBytes } from "../x509/encoded_certificate.ts";

/**
 * A client certificate as the host hands it over: DER bytes, PEM text, or an RFC 9440
 * byte sequence (`:base64:`); alone, or with whether the TLS layer validated its chain.
 *
 * A certificate given alone is taken as validated by the TLS layer against the CA you
 * configured there, which is what `tls_client_auth` (RFC 8705 s2.1) relies on. A host
 * that also accepts certificates it does not validate (for `self_signed_tls_client_auth`
 * clients, s2.2) must say which are which with `chainVerified`: a certificate with
 * `chainVerified: false` never authenticates a `tls_client_auth` client, however its
 * subject reads.
 *
 * @example
 * ```ts
 * import type { ClientCertificate } from "../../mod.ts";
 * declare const der: Uint8Array;
 * const verified: ClientCertificate = der;                                   // validated by the TLS layer
 * const unverified: ClientCertificate = { certificate: der, chainVerified: false }; // self-signed accepted
 * ```
 */
export type ClientCertificate = Uint8Array | string | { certificate: Uint8Array | string; chainVerified: boolean };

/**
 * Where the library gets the TLS client certificate of a request: `undefined` (or `null`)
 * when the request came without one. It may answer asynchronously; it is called at most
 * once per request and ends within `storeTimeoutMs`. Throwing means the host failed
 * (`500 server_error`); a certificate that cannot be read counts as a certificate that
 * authenticates nobody.
 *
 * The function is trusted: return only what the TLS layer saw on this request's
 * connection. Never read a header a client can set, unless a proxy in front of the server
 * removes or overwrites it on every request (RFC 9440 s2.4).
 *
 * @example A Node https server (see tlsSocketClientCertificates)
 * ```ts
 * import { tlsSocketClientCertificates, type ClientCertificateSource } from "../../mod.ts";
 * const peers = tlsSocketClientCertificates();
 * const clientCertificate: ClientCertificateSource = peers.clientCertificate;
 * ```
 */
export type ClientCertificateSource = (
  request: Request,
) => ClientCertificate | undefined | null | PromiseLike<ClientCertificate | undefined | null>;

/** What a request's connection presented. */
export type PresentedCertificate =
  /** No certificate. */
  | { readonly kind: "none" }
  /** Something that is not a certificate this reader accepts. */
  | { readonly kind: "unreadable"; readonly error: CertificateError }
  /** A certificate, and whether the TLS layer validated its chain. */
  | { readonly kind: "certificate"; readonly certificate: Certificate; readonly chainVerified: boolean };

const NONE: PresentedCertificate = Object.freeze({ kind: "none" });

/** Reads what a source answered into a {@link PresentedCertificate}. */
export function readPresented(answer: unknown): PresentedCertificate {
  if (answer === undefined || answer === null) return NONE;
  try {
    let input: unknown = answer;
    let chainVerified = true;
    if (typeof answer === "object" && !(answer instanceof Uint8Array)) {
      const { certificate, chainVerified: verified } = answer as { certificate?: unknown; chainVerified?: unknown };
      if (certificate === undefined || certificate === null) return NONE;
      // Anything but an explicit true would be a guess; a guess must not authenticate anyone.
      chainVerified = verified === true;
      input = certificate;
    }
    if (!(input instanceof Uint8Array) && typeof input !== "string") {
      throw new CertificateError("the clientCertificate source answered neither bytes nor text");
    }
    return { kind: "certificate", certificate: parseCertificate(certificateBytes(input)), chainVerified };
  } catch (e) {
    if (e instanceof CertificateError) return { kind: "unreadable", error: e };
    throw e;
  }
}

/**
 * The client certificates of requests, read through one source: each request's answer is
 * read once and remembered with the request (authentication and token binding at the
 * token endpoint both ask).
 *
 * @example
 * ```ts
 * import { RequestCertificates } from "./client_certificate.ts";
 * const certificates = new RequestCertificates(() => undefined, 5_000);
 * const presented = await certificates.of(new Request("https://as.example.com/token")); // { kind: "none" }
 * ```
 */
export class RequestCertificates {
  readonly #source: ClientCertificateSource;
  readonly #timeoutMs: number;
  readonly #seen = new WeakMap<Request, Promise<PresentedCertificate>>();

  constructor(source: ClientCertificateSource, timeoutMs: number) {
    this.#source = source;
    this.#timeoutMs = timeoutMs;
  }

  /** What the request's connection presented. Rejects (500, or 503 past the deadline) when the source fails. */
  of(request: Request): Promise<PresentedCertificate> {
    let reading = this.#seen.get(request);
    if (reading === undefined) {
      reading = withDeadline("clientCertificate", this.#timeoutMs, () => this.#source(request)).then(readPresented, (e) => {
        if (e instanceof OAuthError) throw e;
        throw new OAuthError("server_error", "the client certificate could not be read", { status: 500, cause: e });
      });
      this.#seen.set(request, reading);
    }
    return reading;
  }
}
