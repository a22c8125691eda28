/**
 * Where a protected resource's metadata lives (RFC 9728 s3.1).
 *
 * @module
 */

/** The well-known suffix registered by RFC 9728 s8.1. */
export const PROTECTED_RESOURCE_WELL_KNOWN = "/.well-known/oauth-protected-resource";

/**
 * The URL of the RFC 9728 metadata of `resource`: the well-known path is inserted between
 * the host and the resource's path (any terminating `/` of the path removed first), as
 * RFC 8414 does for authorization servers; a query is kept at the end (RFC 9728 s3.1).
 *
 * @example
 * ```ts
 * import { protectedResourceMetadataUrl } from "./metadata_url.ts";
 * protectedResourceMetadataUrl("https://api.example.com");
 * // "https://api.example.com/.well-known/oauth-protected-resource"
 * protectedResourceMetadataUrl("https://api.example.com/mcp/");
 * // "https://api.example.com/.well-known/oauth-protected-resource/mcp"
 * ```
 */
export function protectedResourceMetadataUrl(resource: string): string {
  const url = new URL(resource);
  const path = url.pathname === "/" ? "" : url.pathname.replace(/\/$/, "");
  return `${url.origin}${PROTECTED_RESOURCE_WELL_KNOWN}${path}${url.search}`;
}
