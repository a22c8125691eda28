/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728): the document that tells a client which
 * authorization servers issue tokens for this resource, as MCP clients look it up.
 *
 * @module
 */

import { ConfigurationError, OAuthError } from "../errors.ts";
import { errorResponse } from "../http/response.ts";
import { type ProtectedResourceMetadataOptions, type ResourceServerOptions, resolveResourceServerOptions } from "./options.ts";

/** An RFC 9728 s2 metadata document. */
export interface ProtectedResourceMetadata extends ProtectedResourceMetadataOptions {
  /** The resource identifier; identical to the one the document's URL was built from (s3.3). */
  resource: string;
}

const cache = new WeakMap<ResourceServerOptions, string>();

/**
 * The RFC 9728 document of a resource server: `resource`, `authorization_servers` (the
 * issuer), `bearer_methods_supported` (the ways the helper accepts tokens), then the
 * members given in `metadata`; members with empty arrays are left out. Throws a
 * `ConfigurationError` when `metadata` is not set in the options.
 *
 * @example
 * ```ts
 * import { protectedResourceMetadata } from "./protected_resource_metadata.ts";
 * protectedResourceMetadata({
 *   resource: "https://api.example.com/mcp",
 *   issuer: "https://auth.example.com",
 *   jwksUri: "https://auth.example.com/jwks",
 *   metadata: { scopes_supported: ["tools:call"] },
 * });
 * // { resource: "https://api.example.com/mcp", authorization_servers: ["https://auth.example.com"],
 * //   bearer_methods_supported: ["header"], scopes_supported: ["tools:call"] }
 * ```
 */
export function protectedResourceMetadata(options: ResourceServerOptions): ProtectedResourceMetadata {
  const ctx = resolveResourceServerOptions(options);
  if (ctx.metadata === undefined) throw new ConfigurationError("metadata is not enabled in these options", "metadata");
  const methods = ["header", ...(ctx.allowFormToken ? ["body"] : []), ...(ctx.allowQueryToken ? ["query"] : [])];
  const doc: Record<string, unknown> = {
    resource: ctx.resource,
    ...(ctx.issuer === undefined ? {} : { authorization_servers: [ctx.issuer] }),
    bearer_methods_supported: methods,
    // RFC 9728 s2: the DPoP proof algorithms accepted, and whether DPoP is required.
    ...(ctx.dpop === undefined ? {} : { dpop_signing_alg_values_supported: [...ctx.dpop.algorithms] }),
    ...(ctx.dpop?.required ? { dpop_bound_access_tokens_required: true } : {}),
    // RFC 9728 s2: certificate-bound tokens (RFC 8705) are checked when certificates are read.
    ...(ctx.clientCertificates === undefined ? {} : { tls_client_certificate_bound_access_tokens: true }),
    ...ctx.metadata,
  };
  for (const [name, value] of Object.entries(doc)) {
    if (value === undefined || (Array.isArray(value) && value.length === 0)) delete doc[name];
  }
  return doc as ProtectedResourceMetadata;
}

/**
 * Answers a request for the RFC 9728 document: `GET`/`HEAD` -> 200 JSON, cacheable
 * (`Cache-Control: public, max-age=300`) and readable cross-origin (browser-based MCP
 * clients fetch it); other methods -> 405. Route it at
 * `protectedResourceMetadataUrl(resource)`.
 *
 * @example
 * ```ts
 * import { handleProtectedResourceMetadataRequest } from "./protected_resource_metadata.ts";
 * import { protectedResourceMetadataUrl } from "./metadata_url.ts";
 * import type { ResourceServerOptions } from "./options.ts";
 * declare const rs: ResourceServerOptions; // with metadata: true
 * const path = new URL(protectedResourceMetadataUrl(rs.resource)).pathname;
 * const fetch = (request: Request) =>
 *   new URL(request.url).pathname === path ? handleProtectedResourceMetadataRequest(request, rs) : new Response(null, { status: 404 });
 * ```
 */
export function handleProtectedResourceMetadataRequest(request: Request, options: ResourceServerOptions): Promise<Response> {
  if (request.method !== "GET" && request.method !== "HEAD") {
    const e = new OAuthError("invalid_request", "the metadata accepts GET only", { status: 405, headers: { allow: "GET, HEAD" } });
    return Promise.resolve(errorResponse(e));
  }
  let body = cache.get(options);
  if (body === undefined) {
    try {
      body = JSON.stringify(protectedResourceMetadata(options));
    } catch (e) {
      return Promise.resolve(errorResponse(e));
    }
    cache.set(options, body);
  }
  return Promise.resolve(
    new Response(request.method === "HEAD" ? null : body, {
      status: 200,
      headers: {
        "content-type": "application/json",
        "cache-control": "public, max-age=300",
        "access-control-allow-origin": "*",
      },
    }),
  );
}
