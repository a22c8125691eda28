/**
 * The resource-server helper: from a `Request` to a protected API, the verified claims of
 * its access token or a ready RFC 6750 refusal. It needs nothing but the Request, so it
 * works in Hono, Deno.serve, Bun.serve and Node fetch adapters alike.
 *
 * @module
 */

import { OAuthError } from "../errors.ts";
import { errorResponse } from "../http/response.ts";
import { type TokenLocation, findBearerToken } from "./bearer_token.ts";
import { noTokenResponse, refusal } from "./challenge.ts";
import type { AccessTokenClaims } from "./claims.ts";
import { verifyJwtAccessToken } from "./jwt_access_token.ts";
import { verifyOpaqueAccessToken } from "./opaque_access_token.ts";
import { type ResourceServerContext, type ResourceServerOptions, resolveResourceServerOptions } from "./options.ts";

/** What a route requires of a token besides being valid for this resource. */
export interface AccessRequirements {
  /** Scope tokens that must all have been granted: a space-separated string or a list. */
  scope?: string | readonly string[];
}

/** A token that passed every check. */
export interface AccessGranted {
  readonly ok: true;
  /** The token's claims. */
  readonly claims: AccessTokenClaims;
  /** The access token as sent. */
  readonly token: string;
  /** Where the token was found; answer a `query` token with `Cache-Control: private` (RFC 6750 s2.3). */
  readonly location: TokenLocation;
}

/** A refusal, ready to send. */
export interface AccessDenied {
  readonly ok: false;
  /** The RFC 6750 answer: 401, 400 or 403 with its `WWW-Authenticate` challenge. */
  readonly response: Response;
  /** The error as data; `undefined` when the request carried no token (a bare challenge). */
  readonly error: OAuthError | undefined;
}

/** The outcome of {@link verifyAccessToken}. */
export type AccessTokenVerification = AccessGranted | AccessDenied;

function required(scope: string | readonly string[] | undefined): readonly string[] {
  if (scope === undefined) return [];
  return typeof scope === "string" ? scope.split(" ").filter((s) => s !== "") : scope;
}

function isJwtShaped(token: string): boolean {
  const first = token.indexOf(".");
  return first !== -1 && token.indexOf(".", first + 1) !== -1;
}

async function verify(request: Request, ctx: ResourceServerContext, needed: readonly string[]): Promise<AccessTokenVerification> {
  const found = await findBearerToken(request, ctx);
  if (found === undefined) return { ok: false, response: noTokenResponse(ctx), error: undefined };
  const claims = ctx.keys !== undefined && (isJwtShaped(found.token) || (ctx.tokenStore === undefined && ctx.introspect === undefined))
    ? await verifyJwtAccessToken(found.token, ctx)
    : await verifyOpaqueAccessToken(found.token, ctx);
  if (needed.length > 0) {
    const granted = new Set(claims.scope.split(" "));
    if (!needed.every((s) => granted.has(s))) {
      // RFC 6750 s3.1: 403 insufficient_scope, naming the scope needed.
      return { ok: false, ...refusal(ctx, new OAuthError("insufficient_scope", "the token lacks the scope this request needs"), needed.join(" ")) };
    }
  }
  return { ok: true, claims, token: found.token, location: found.location };
}

/**
 * Checks the access token of a request to a protected resource and answers with its
 * claims, or with the refusal to send back (errors as data; it never throws):
 *
 * | request | `response` |
 * |---|---|
 * | no token | 401, `WWW-Authenticate: Bearer realm="..."` with no error (RFC 6750 s3.1) |
 * | bad, expired, revoked or other-audience token | 401, `error="invalid_token"` |
 * | token lacks a required scope | 403, `error="insufficient_scope"`, `scope="..."` |
 * | token sent two ways, repeated `Authorization` | 400, `error="invalid_request"` |
 * | remote keys unreachable | 503 `temporarily_unavailable` |
 *
 * With `metadata` set, every challenge names the RFC 9728 document (`resource_metadata`).
 *
 * @example Deno.serve (the same code runs in Bun.serve, Hono and Node fetch adapters)
 * ```ts
 * import { verifyAccessToken, type ResourceServerOptions } from "../../mod.ts";
 *
 * const rs: ResourceServerOptions = {
 *   resource: "https://api.example.com",
 *   issuer: "https://auth.example.com",
 *   jwksUri: "https://auth.example.com/jwks",
 * };
 * async function handler(request: Request): Promise<Response> {
 *   const result = await verifyAccessToken(request, rs, { scope: "invoices:read" });
 *   if (!result.ok) return result.response;
 *   return Response.json({ hello: result.claims.client_id });
 * }
 * // Deno.serve(handler);
 * ```
 */
export async function verifyAccessToken(
  request: Request,
  options: ResourceServerOptions,
  requirements: AccessRequirements = {},
): Promise<AccessTokenVerification> {
  let ctx: ResourceServerContext;
  try {
    ctx = resolveResourceServerOptions(options);
  } catch (e) {
    return { ok: false, response: errorResponse(e), error: undefined };
  }
  try {
    return await verify(request, ctx, required(requirements.scope));
  } catch (e) {
    if (e instanceof OAuthError) return { ok: false, ...refusal(ctx, e) };
    // A store or introspection call that failed: a fault of the server, 500.
    return { ok: false, response: errorResponse(e), error: undefined };
  }
}
