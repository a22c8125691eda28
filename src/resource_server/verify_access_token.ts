/**
 * The resource-server helper: from a `Request` to a protected API, the verified claims of
 * its access token or a ready RFC 6750 refusal. It needs nothing but the Request, so it
 * works in Hono, Deno.serve, Bun.serve and Node fetch adapters alike.
 *
 * @module
 */

import { normalizeHtu } from "../dpop/htu.ts";
import { type CheckedDpopProof, checkDpopProof, rememberDpopProof } from "../dpop/proof.ts";
import { OAuthError } from "../errors.ts";
import { errorResponse } from "../http/response.ts";
import { findBearerToken, type TokenLocation, type TokenScheme } from "./bearer_token.ts";
import { noTokenResponse, refusal } from "./challenge.ts";
import { checkCertificateBinding } from "./certificate_binding.ts";
import { type AccessTokenClaims, tokenBinding } from "./claims.ts";
import { type ActorClaim, actorChain } from "../tokens/actor.ts";
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
  /** `dpop` when the token came with the DPoP scheme and a proof that passed (RFC 9449 s7.1), else `bearer`. */
  readonly scheme: TokenScheme;
  /**
   * The delegation chain of the token's `act` claim (RFC 8693 s4.1), the current actor
   * first: empty when the subject uses its own token. `actors[0]` is who is calling on the
   * subject's behalf; the others are informational only and, per s4.1, not for access control.
   */
  readonly actors: readonly ActorClaim[];
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

/**
 * RFC 9449 s7.1: the proof of a DPoP-scheme request, checked against the request's method
 * and the public URL it was made to (the configured origin plus the request's path; never
 * `Host` or `X-Forwarded-*`), and against the token (`ath`). Not yet recorded as used: that
 * waits until the token is verified.
 */
async function checkProof(request: Request, token: string, ctx: ResourceServerContext): Promise<CheckedDpopProof> {
  const proof = request.headers.get("dpop");
  if (proof === null) throw new OAuthError("invalid_dpop_proof", "the DPoP scheme needs a DPoP proof header");
  const htu = normalizeHtu(`${ctx.dpopOrigin}${new URL(request.url).pathname}`)!;
  return await checkDpopProof(proof, { method: request.method, htu, accessToken: token }, ctx.dpop!);
}

/** `state.scheme` is set once the token is found, so a refusal can challenge with that scheme. */
async function verify(
  request: Request,
  ctx: ResourceServerContext,
  needed: readonly string[],
  state: { scheme?: TokenScheme },
): Promise<AccessTokenVerification> {
  const found = await findBearerToken(request, ctx);
  if (found === undefined) return { ok: false, response: noTokenResponse(ctx), error: undefined };
  const scheme = state.scheme = found.scheme;
  // With DPoP required, a Bearer token is not accepted at all (RFC 9449 s7.2).
  if (scheme === "bearer" && ctx.dpop?.required) throw new OAuthError("invalid_token", "this resource accepts DPoP-bound tokens only");
  const proof = scheme === "dpop" ? await checkProof(request, found.token, ctx) : undefined;
  const claims = ctx.keys !== undefined && (isJwtShaped(found.token) || (ctx.tokenStore === undefined && ctx.introspect === undefined))
    ? await verifyJwtAccessToken(found.token, ctx, scheme)
    : await verifyOpaqueAccessToken(found.token, ctx, scheme);
  const binding = tokenBinding(claims);
  // RFC 9449 s7.1: the proof's key must be the key the token is bound to (cnf.jkt, s6).
  // Refused as invalid_token: a fresh proof by the same key cannot help, a new token can.
  if (proof !== undefined && binding.jkt !== proof.jkt) {
    throw new OAuthError("invalid_token", "the token is bound to another key than the DPoP proof's");
  }
  // RFC 8705 s3: a certificate-bound token only over a connection with that certificate
  // (both bindings, when a token has both).
  if (binding.x5t !== undefined) await checkCertificateBinding(request, binding.x5t, ctx);
  // RFC 9449 s11.1: only now is the proof recorded as used, so a caller without a valid token
  // bound to its key cannot write replay records.
  if (proof !== undefined) await rememberDpopProof(proof, ctx.dpop!);
  if (needed.length > 0) {
    const granted = new Set(claims.scope.split(" "));
    if (!needed.every((s) => granted.has(s))) {
      // RFC 6750 s3.1: 403 insufficient_scope, naming the scope needed.
      const e = new OAuthError("insufficient_scope", "the token lacks the scope this request needs");
      return { ok: false, ...refusal(ctx, e, needed.join(" "), scheme) };
    }
  }
  return { ok: true, claims, token: found.token, location: found.location, scheme, actors: actorChain(claims.act) };
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
 * With `dpop` on, `Authorization: DPoP <token>` with a `DPoP` proof is accepted too (RFC
 * 9449 s7): a bad proof is 401 `invalid_dpop_proof`, a missing or stale nonce (when
 * required) 401 `use_dpop_nonce` with `DPoP-Nonce`, a proof by another key than the
 * token's 401 `invalid_token`, and challenges use the `DPoP` scheme (see `challengeFor`).
 *
 * A token bound to a TLS client certificate (`cnf` `x5t#S256`, RFC 8705 s3) is accepted
 * only when the request's certificate (the `clientCertificate` option) is that one: without
 * a certificate, or with another, 401 `invalid_token`.
 *
 * With `metadata` set, every challenge names the RFC 9728 document (`resource_metadata`).
 *
 * @example Deno.serve (the same code runs in Bun.serve, Hono and Node fetch adapters)
 * ```ts
 * import { verifyAccessToken, type ResourceServerOptions } from "./mod.ts";
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
  const state: { scheme?: TokenScheme } = {};
  try {
    return await verify(request, ctx, required(requirements.scope), state);
  } catch (e) {
    if (e instanceof OAuthError) return { ok: false, ...refusal(ctx, e, undefined, state.scheme) };
    // A store or introspection call that failed: a fault of the server, 500.
    return { ok: false, response: errorResponse(e), error: undefined };
  }
}
