/**
 * Checking an opaque access token at the resource server: a lookup in the shared token
 * store, or a call to a user-supplied introspection function (RFC 7662).
 *
 * @module
 */

import { OAuthError } from "../errors.ts";
import { tokenKey } from "../tokens/opaque.ts";
import { type AccessTokenClaims, checkClaims } from "./claims.ts";
import type { TokenScheme } from "./bearer_token.ts";
import type { ResourceServerContext } from "./options.ts";

function invalid(description: string): OAuthError {
  return new OAuthError("invalid_token", description);
}

/**
 * Looks an opaque token up (token store first, else introspection) and applies the same
 * checks as for a JWT: active, not expired, `aud` naming this resource (a token without an
 * audience is refused: least privilege, RFC 9700 s2.3), `iss` when known, not revoked.
 *
 * @example
 * ```ts
 * import { verifyOpaqueAccessToken } from "./opaque_access_token.ts";
 * import type { ResourceServerContext } from "./options.ts";
 * declare const ctx: ResourceServerContext;
 * // const claims = await verifyOpaqueAccessToken("Q2xpZW50...", ctx);
 * ```
 */
export async function verifyOpaqueAccessToken(
  token: string,
  ctx: ResourceServerContext,
  scheme: TokenScheme = "bearer",
): Promise<AccessTokenClaims> {
  let claims: Record<string, unknown>;
  if (ctx.tokenStore !== undefined) {
    const record = await ctx.tokenStore.find(await tokenKey(token, ctx.crypto));
    if (record === undefined) throw invalid("the token is unknown, expired or revoked");
    claims = { ...record };
    if (ctx.issuer !== undefined) claims.iss = ctx.issuer;
    claims.sub ??= record.client_id;
  } else if (ctx.introspect !== undefined) {
    const answer = await ctx.introspect(token);
    if (typeof answer !== "object" || answer === null || answer.active !== true) throw invalid("the token is not active");
    claims = { ...answer };
    delete claims.active;
    if (ctx.issuer !== undefined && claims.iss !== undefined && claims.iss !== ctx.issuer) {
      throw invalid("the token is from another issuer");
    }
    if (typeof claims.client_id !== "string") throw invalid("the token has no client_id");
    claims.sub ??= claims.client_id;
  } else {
    throw invalid("the token is not recognized");
  }
  await checkClaims(claims, ctx, false, scheme);
  return { ...claims, scope: (claims.scope as string | undefined) ?? "" } as AccessTokenClaims;
}
