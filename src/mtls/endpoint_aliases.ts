/**
 * Mutual-TLS endpoint aliases (RFC 8705 s5): other URLs of the token, introspection and
 * revocation endpoints, where the host asks clients for a certificate, so that the
 * conventional URLs need not (a browser asked for a certificate shows its user a
 * dialog). Published as `mtls_endpoint_aliases`; served by the same handlers.
 *
 * @module
 */

import { problem, refuseUnknownKeys } from "../config/describe.ts";
import { ConfigurationError } from "../errors.ts";

/**
 * The mTLS aliases of the endpoints: each an absolute URL (usually on another host, e.g.
 * `https://mtls.auth.example.com/token`) or a path on the issuer's origin; `https` (`http`
 * only for loopback hosts). Clients doing mutual TLS use them in preference to the
 * conventional URLs (RFC 8705 s5).
 *
 * @example
 * ```ts
 * import type { MtlsEndpointAliases } from "../../mod.ts";
 * const aliases: MtlsEndpointAliases = {
 *   token: "https://mtls.auth.example.com/token",
 *   introspection: "https://mtls.auth.example.com/introspect",
 * };
 * ```
 */
export interface MtlsEndpointAliases {
  /** The token endpoint's alias. */
  token?: string;
  /** The introspection endpoint's alias (only when the endpoint is served). */
  introspection?: string;
  /** The revocation endpoint's alias (only when the endpoint is served). */
  revocation?: string;
}

/** The endpoints that may have an alias, and the metadata member each one's alias is listed under. */
export const ALIASED: Readonly<Record<keyof MtlsEndpointAliases, string>> = {
  token: "token_endpoint",
  introspection: "introspection_endpoint",
  revocation: "revocation_endpoint",
};

/**
 * Validates `mtlsEndpointAliases` and resolves each alias to an absolute URL with
 * `resolveUrl` (the server's check of endpoint URLs). An alias needs its endpoint to be
 * served and the server to read client certificates (`clientCertificate`); an empty object
 * is refused (RFC 8414 s3.2 omits empty members; leave the option out).
 *
 * @example
 * ```ts
 * import { resolveMtlsEndpointAliases } from "./endpoint_aliases.ts";
 * const aliases = resolveMtlsEndpointAliases({ token: "https://mtls.as.example.com/token" }, {
 *   served: { token: true, introspection: true, revocation: true },
 *   readsCertificates: true,
 *   resolveUrl: (_name, url) => String(url),
 * });
 * aliases.token; // "https://mtls.as.example.com/token"
 * ```
 */
export function resolveMtlsEndpointAliases(
  value: unknown,
  config: {
    readonly served: Readonly<Record<keyof MtlsEndpointAliases, boolean>>;
    readonly readsCertificates: boolean;
    readonly resolveUrl: (name: string, url: unknown) => string;
  },
): Readonly<MtlsEndpointAliases> {
  if (value === undefined) return Object.freeze({});
  const at = "mtlsEndpointAliases";
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw problem(at, "must be an object");
  refuseUnknownKeys(value, Object.keys(ALIASED), at);
  const names = Object.keys(value) as (keyof MtlsEndpointAliases)[];
  // RFC 8414 s3.2: an empty member is omitted, so an empty object says nothing.
  if (names.length === 0) throw problem(at, "must not be empty (leave it out instead)");
  if (!config.readsCertificates) {
    throw problem(at, "needs the clientCertificate option (where the server reads TLS client certificates)");
  }
  const out: MtlsEndpointAliases = {};
  for (const name of names) {
    const path = `${at}.${name}`;
    if (!config.served[name]) throw new ConfigurationError(`${path}: the ${name} endpoint is not served`, path);
    try {
      out[name] = config.resolveUrl(path, (value as Record<string, unknown>)[name]);
    } catch (e) {
      // The server's URL check knows the name it was given, not always as a path.
      if (e instanceof ConfigurationError && e.path === undefined) throw new ConfigurationError(e.message, path);
      throw e;
    }
  }
  return Object.freeze(out);
}
