/**
 * RFC 6750 s3 and RFC 9449 s7.1 challenges: the `WWW-Authenticate` header of a refusal
 * (`Bearer ...`, `DPoP ...`, or both), and the refusal itself.
 *
 * @module
 */

import { OAuthError } from "../errors.ts";
import { errorResponse } from "../http/response.ts";
import type { TokenScheme } from "./bearer_token.ts";
import type { ResourceServerContext } from "./options.ts";
import { quotedString } from "../http/quoted_string.ts";

/** The auth-params of a challenge that reports an error (RFC 6750 s3, RFC 9449 s7.1). */
export interface ChallengeParams {
  error?: string;
  error_description?: string;
  scope?: string;
}

/**
 * A Bearer challenge with `realm`, then, when given, `error`, `error_description` and
 * `scope` (each at most once, RFC 6750 s3), then `resource_metadata` (RFC 9728 s5.1).
 *
 * @example
 * ```ts
 * import { bearerChallenge } from "./challenge.ts";
 * import type { ResourceServerContext } from "./options.ts";
 * declare const ctx: ResourceServerContext;
 * bearerChallenge(ctx, { error: "invalid_token", error_description: "the token has expired" });
 * // 'Bearer realm="https://api.example.com", error="invalid_token", error_description="the token has expired"'
 * ```
 */
export function bearerChallenge(ctx: ResourceServerContext, params: ChallengeParams = {}): string {
  let header = `Bearer realm=${quotedString(ctx.realm)}`;
  if (params.error !== undefined) header += `, error=${quotedString(params.error)}`;
  if (params.error_description !== undefined) header += `, error_description=${quotedString(params.error_description)}`;
  if (params.scope !== undefined) header += `, scope=${quotedString(params.scope)}`;
  if (ctx.metadataUrl !== undefined) header += `, resource_metadata=${quotedString(ctx.metadataUrl)}`;
  return header;
}

/**
 * A DPoP challenge (RFC 9449 s7.1): `realm`, `algs` (the accepted proof algorithms,
 * space-separated), then `error`, `error_description` and `scope` when given, then
 * `resource_metadata` (RFC 9728 s5.1).
 *
 * @example
 * ```ts
 * import { dpopChallenge } from "./challenge.ts";
 * import type { ResourceServerContext } from "./options.ts";
 * declare const ctx: ResourceServerContext; // with dpop on
 * dpopChallenge(ctx, { error: "invalid_dpop_proof", error_description: "the proof is too old" });
 * // 'DPoP realm="https://api.example.com", algs="ES256 ES384 EdDSA RS256 PS256", error="invalid_dpop_proof", ...'
 * ```
 */
export function dpopChallenge(ctx: ResourceServerContext, params: ChallengeParams = {}): string {
  let header = `DPoP realm=${quotedString(ctx.realm)}, algs=${quotedString(ctx.dpop?.algs ?? "")}`;
  if (params.error !== undefined) header += `, error=${quotedString(params.error)}`;
  if (params.error_description !== undefined) header += `, error_description=${quotedString(params.error_description)}`;
  if (params.scope !== undefined) header += `, scope=${quotedString(params.scope)}`;
  if (ctx.metadataUrl !== undefined) header += `, resource_metadata=${quotedString(ctx.metadataUrl)}`;
  return header;
}

/**
 * The `WWW-Authenticate` value for a refusal of a token sent with `scheme` (`undefined`:
 * no token). Bearer only while DPoP is off (RFC 6750 s3). With DPoP required, a DPoP
 * challenge alone. With both accepted, the error goes in the challenge of the scheme the
 * client used, and the other scheme is offered without error information; with no
 * credentials neither challenge has an error (RFC 9449 s7.1, s7.2):
 * `Bearer realm="...", DPoP algs="..."`.
 *
 * @example
 * ```ts
 * import { challengeFor } from "./challenge.ts";
 * import type { ResourceServerContext } from "./options.ts";
 * declare const ctx: ResourceServerContext;
 * challengeFor(ctx, undefined); // 'Bearer realm="https://api.example.com", DPoP algs="ES256 ..."' with DPoP on
 * ```
 */
export function challengeFor(ctx: ResourceServerContext, scheme: TokenScheme | undefined, params: ChallengeParams = {}): string {
  const dpop = ctx.dpop;
  if (dpop === undefined) return bearerChallenge(ctx, params);
  if (scheme === "dpop" || dpop.required) return dpopChallenge(ctx, params);
  return `${bearerChallenge(ctx, params)}, DPoP algs=${quotedString(dpop.algs)}`;
}

/**
 * The answer to a request without any token: 401 with a challenge that carries no error
 * code (RFC 6750 s3.1: no error information when no credentials were sent). The body is
 * empty: there is no OAuth error to report.
 *
 * @example
 * ```ts
 * import { noTokenResponse } from "./challenge.ts";
 * import type { ResourceServerContext } from "./options.ts";
 * declare const ctx: ResourceServerContext;
 * noTokenResponse(ctx).status; // 401
 * ```
 */
export function noTokenResponse(ctx: ResourceServerContext): Response {
  return new Response(null, {
    status: 401,
    headers: { "www-authenticate": challengeFor(ctx, undefined), "cache-control": "no-store" },
  });
}

/** RFC 6750 s3.1 and RFC 9449 s7.1: the status of each error a challenge reports. */
const CHALLENGE_STATUS: Readonly<Record<string, number>> = {
  invalid_request: 400,
  invalid_token: 401,
  invalid_dpop_proof: 401,
  use_dpop_nonce: 401,
  insufficient_scope: 403,
};

/**
 * Adds the challenge to a refusal (RFC 6750 s3: the error travels in the header; the JSON
 * body repeats it) and makes it a Response through the one error path. `invalid_request`
 * is 400; `invalid_token`, `invalid_dpop_proof` and `use_dpop_nonce` (with its
 * `DPoP-Nonce` header, RFC 9449 s9) 401; `insufficient_scope` 403 with the scope needed
 * (s3.1). The challenge is for the scheme the token came with (see {@link challengeFor}).
 * Faults of the server keep their status and get no challenge.
 *
 * @example
 * ```ts
 * import { refusal } from "./challenge.ts";
 * import { OAuthError } from "../errors.ts";
 * import type { ResourceServerContext } from "./options.ts";
 * declare const ctx: ResourceServerContext;
 * const { response } = refusal(ctx, new OAuthError("invalid_token", "the token has expired"));
 * response.status; // 401
 * ```
 */
export function refusal(
  ctx: ResourceServerContext,
  e: OAuthError,
  scope?: string,
  scheme?: TokenScheme,
): { error: OAuthError; response: Response } {
  const status = CHALLENGE_STATUS[e.error];
  if (status === undefined) return { error: e, response: errorResponse(e) };
  const challenge = challengeFor(ctx, scheme, { error: e.error, error_description: e.error_description, scope });
  const error = new OAuthError(e.error, e.error_description, {
    status,
    headers: { ...e.headers, "www-authenticate": challenge },
    cause: e.cause,
  });
  return { error, response: errorResponse(error) };
}
