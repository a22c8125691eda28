/**
 * One fetch handler for the whole authorization server: it routes requests to the token,
 * introspection, revocation, metadata and JWK Set endpoints by path.
 *
 * @module
 */

import { authorizationEndpoint } from "./authorization_endpoint.ts";
import { OAuthError } from "./errors.ts";
import { preflight, withCors } from "./http/cors.ts";
import { errorResponse } from "./http/response.ts";
import { introspectionEndpoint } from "./introspection.ts";
import { handleJwksRequest } from "./jwks.ts";
import { type AuthorizationServerMetadata, buildMetadata, metadataEndpoint } from "./metadata.ts";
import { revocationEndpoint } from "./revocation.ts";
import { resolveServerConfig, type ServerConfig } from "./config/server_config.ts";
import { routedPaths, type ServerEndpoints, type ServerOptions } from "./server_options.ts";
import { tokenEndpoint } from "./token_endpoint.ts";

/**
 * The server: an object with a `fetch` method, the shape Deno, Bun, Cloudflare Workers and
 * Hono all accept, plus what it is serving.
 *
 * @example
 * ```ts
 * import { createAuthorizationServer } from "./server.ts";
 * const server = createAuthorizationServer({ issuer: "https://auth.example.com", clients: [] });
 * server.endpoints.metadata; // "https://auth.example.com/.well-known/oauth-authorization-server"
 * const res = await server.fetch(new Request(server.endpoints.metadata));
 * ```
 */
export interface AuthorizationServer {
  /**
   * Answers a request; never throws. Unknown paths get 404 and wrong methods 405 with
   * `Allow`, as JSON like every other answer. A bound function: pass it around freely.
   */
  readonly fetch: (request: Request) => Promise<Response>;
  /** The issuer identifier, exactly as configured. */
  readonly issuer: string;
  /** The public URLs the server answers at. */
  readonly endpoints: ServerEndpoints;
  /** The metadata document served at `endpoints.metadata` (RFC 8414). */
  readonly metadata: AuthorizationServerMetadata;
}

interface Route {
  /** Methods answered; the first is what `Allow` lists first. */
  readonly methods: readonly string[];
  readonly handle: (request: Request) => Promise<Response>;
}

/** The path of a `Request.url` (always absolute and normalised), without parsing a URL. */
function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start === -1) return "/";
  let end = url.length;
  const q = url.indexOf("?", start);
  if (q !== -1) end = q;
  const h = url.indexOf("#", start);
  if (h !== -1 && h < end) end = h;
  return url.slice(start, end);
}

function routeTable(config: ServerConfig, metadata: AuthorizationServerMetadata): Map<string, Route> {
  const post = ["POST"];
  const token: Route = { methods: post, handle: (r) => tokenEndpoint(r, config) };
  const introspection: Route = { methods: post, handle: (r) => introspectionEndpoint(r, config) };
  const revocation: Route = { methods: post, handle: (r) => revocationEndpoint(r, config) };
  const aliases = config.endpointAliases;
  const entries: [string | undefined, Route][] = [
    [config.endpoints.token, token],
    [config.endpoints.introspection, introspection],
    [config.endpoints.revocation, revocation],
    // RFC 8705 s5: the mTLS aliases are the same endpoints at other URLs.
    [aliases.token, token],
    [aliases.introspection, introspection],
    [aliases.revocation, revocation],
    [
      config.endpoints.metadata,
      { methods: ["GET", "HEAD"], handle: (r) => Promise.resolve(metadataEndpoint(r, metadata)) },
    ],
  ];
  if (config.endpoints.authorization !== undefined) {
    entries.push([config.endpoints.authorization, { methods: ["GET", "POST"], handle: authorizationEndpoint }]);
  }
  const keys = config.signingKeys;
  if (config.endpoints.jwks !== undefined && keys !== undefined) {
    entries.push([config.endpoints.jwks, { methods: ["GET", "HEAD"], handle: (r) => handleJwksRequest(r, keys) }]);
  }
  const routes = new Map<string, Route>();
  for (const [url, route] of entries) {
    if (url === undefined) continue;
    // Behind a host that strips the mount prefix (Hono's app.mount), an endpoint is reached
    // without it too. The paths were checked distinct at start-up.
    for (const path of routedPaths(url, config.mountPath)) routes.set(path, route);
  }
  return routes;
}

/**
 * Creates the authorization server: the token endpoint (RFC 6749), introspection (RFC
 * 7662), revocation (RFC 7009) and metadata (RFC 8414), routed by the paths of their
 * configured public URLs. Options are validated here, once: a bad option throws a
 * `ConfigurationError` naming it.
 *
 * @example Deno, Bun, Cloudflare Workers, Hono
 * ```ts
 * import { createAuthorizationServer } from "./server.ts";
 *
 * const server = createAuthorizationServer({
 *   issuer: "https://auth.example.com",
 *   clients: [{
 *     client_id: "billing",
 *     client_secret_hash: "$sha256$Z2yN1q0o0mRlJ1uWjQk0t8eN7w5h5u4Qm6kH9rVb1aY",
 *     grant_types: ["client_credentials"],
 *     scope: "invoices:read",
 *   }],
 * });
 * // Deno.serve(server.fetch);
 * // Bun.serve(server);
 * // export default server;             (Cloudflare Workers)
 * // app.mount("/oauth", server.fetch); (Hono, with mountPath: "/oauth")
 * ```
 *
 * @example The token server of an MCP server: metadata the MCP SDK accepts
 * ```ts
 * import { createAuthorizationServer } from "./server.ts";
 * import { KeySet } from "./crypto/key_set.ts";
 * import { generateSigningKey } from "./crypto/signing_key.ts";
 *
 * const server = createAuthorizationServer({
 *   issuer: "https://auth.example.com",
 *   profile: "mcp", // authorization_endpoint (refusing) and response_types_supported
 *   accessTokenFormat: "jwt",
 *   signingKeys: new KeySet({ active: await generateSigningKey("ES256") }),
 *   clients: [{
 *     client_id: "agent",
 *     client_secret_hash: "$sha256$Z2yN1q0o0mRlJ1uWjQk0t8eN7w5h5u4Qm6kH9rVb1aY",
 *     grant_types: ["client_credentials"],
 *     scope: "mcp:tools",
 *     allowed_resources: ["https://mcp.example.com/mcp"],
 *   }],
 * });
 * server.metadata.authorization_endpoint; // "https://auth.example.com/authorize"
 * ```
 */
export function createAuthorizationServer(options: ServerOptions): AuthorizationServer {
  const config = resolveServerConfig(options);
  const metadata = buildMetadata(config);
  const routes = routeTable(config, metadata);

  const cors = config.cors;
  const answer = (request: Request): Promise<Response> => {
    try {
      const route = routes.get(pathOf(request.url));
      if (route === undefined) {
        throw new OAuthError("invalid_request", "there is no endpoint at this path", { status: 404 });
      }
      if (cors !== undefined && request.method === "OPTIONS") return Promise.resolve(preflight(request, route.methods, cors));
      if (!route.methods.includes(request.method)) {
        // RFC 9110 s15.5.6: a 405 lists the methods the resource supports.
        throw new OAuthError("invalid_request", `this endpoint accepts ${route.methods.join(" and ")} only`, {
          status: 405,
          headers: { allow: route.methods.join(", ") },
        });
      }
      return route.handle(request).catch(errorResponse);
    } catch (e) {
      return Promise.resolve(errorResponse(e));
    }
  };
  const fetch = cors === undefined
    ? answer
    : (request: Request): Promise<Response> => answer(request).then((response) => withCors(request, response, cors));

  return Object.freeze({ fetch, issuer: config.issuer, endpoints: config.endpoints, metadata });
}
