/**
 * RFC 6750 s3 challenges: the `WWW-Authenticate: Bearer ...` header of a refusal, and the
 * refusal itself.
 *
 * @module
 */

import { OAuthError } from "../errors.ts";
import { errorResponse } from "../http/response.ts";
import type { ResourceServerContext } from "./options.ts";

/** RFC 9110 s11.2 quoted-string, escaping `"` and `\`. */
function quoted(value: string): string {
  return `"${value.replace(/[\\"]/g, "\\$&")}"`;
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
export function bearerChallenge(
  ctx: ResourceServerContext,
  params: { error?: string; error_description?: string; scope?: string } = {},
): string {
  let header = `Bearer realm=${quoted(ctx.realm)}`;
  if (params.error !== undefined) header += `, error=${quoted(params.error)}`;
  if (params.error_description !== undefined) header += `, error_description=${quoted(params.error_description)}`;
  if (params.scope !== undefined) header += `, scope=${quoted(params.scope)}`;
  if (ctx.metadataUrl !== undefined) header += `, resource_metadata=${quoted(ctx.metadataUrl)}`;
  return header;
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
    headers: { "www-authenticate": bearerChallenge(ctx), "cache-control": "no-store" },
  });
}

/**
 * Adds the Bearer challenge to a refusal (RFC 6750 s3: the error travels in the header;
 * the JSON body repeats it) and makes it a Response through the one error path.
 * `invalid_request` is 400, `invalid_token` 401, `insufficient_scope` 403 with the scope
 * needed (s3.1); faults of the server keep their status and get no challenge.
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
export function refusal(ctx: ResourceServerContext, e: OAuthError, scope?: string): { error: OAuthError; response: Response } {
  if (e.error !== "invalid_request" && e.error !== "invalid_token" && e.error !== "insufficient_scope") {
    return { error: e, response: errorResponse(e) };
  }
  const status = e.error === "invalid_request" ? 400 : e.error === "invalid_token" ? 401 : 403;
  const challenge = bearerChallenge(ctx, { error: e.error, error_description: e.error_description, scope });
  const error = new OAuthError(e.error, e.error_description, { status, headers: { "www-authenticate": challenge }, cause: e.cause });
  return { error, response: errorResponse(error) };
}
