/**
 * The resource server's side of m2m-oauth: verify the access tokens an authorization server
 * issued (RFC 9068 JWTs against its JWKS, opaque tokens by introspection, RFC 7662), enforce
 * scope, audience (RFC 8707), DPoP (RFC 9449) and certificate binding (RFC 8705), answer with
 * the RFC 6750 challenge, and publish protected resource metadata (RFC 9728). Import it from
 * `m2m-oauth/resource-server` (npm) or `@m2m/oauth/resource-server` (JSR). Shared building
 * blocks (key sets, stores, certificate sources) come from the main entry point.
 *
 * @example An API that accepts tokens for one scope
 * ```ts
 * import { type ResourceServerOptions, verifyAccessToken } from "./mod.ts";
 *
 * const rs: ResourceServerOptions = {
 *   resource: "https://api.example.com",
 *   issuer: "https://auth.example.com",
 *   jwksUri: "https://auth.example.com/jwks",
 * };
 * async function handle(request: Request): Promise<Response> {
 *   const result = await verifyAccessToken(request, rs, { scope: "invoices:read" });
 *   if (!result.ok) return result.response; // 401 or 403 with WWW-Authenticate
 *   return Response.json({ client: result.claims.client_id });
 * }
 * // Deno.serve(handle);
 * ```
 *
 * @module
 */

export {
  type AccessDenied,
  type AccessGranted,
  type AccessRequirements,
  type AccessTokenVerification,
  verifyAccessToken,
} from "./verify_access_token.ts";
export type { AccessTokenClaims } from "./claims.ts";
export type { TokenLocation, TokenScheme } from "./bearer_token.ts";
export type {
  IntrospectionResponse,
  ProtectedResourceMetadataOptions,
  ResourceServerDpopOptions,
  ResourceServerOptions,
} from "./options.ts";
export {
  handleProtectedResourceMetadataRequest,
  type ProtectedResourceMetadata,
  protectedResourceMetadata,
} from "./protected_resource_metadata.ts";
export { protectedResourceMetadataUrl } from "./metadata_url.ts";
