/**
 * JWTs of trusted external issuers as subject and actor tokens of a token exchange (RFC 8693
 * s2.1, type `urn:ietf:params:oauth:token-type:jwt`): the second implementation of the
 * subject-token seam, after this server's own tokens. A GitHub Actions job's OIDC token, a
 * Kubernetes service account token, any OpenID provider's JWT listed in `trustedIssuers`
 * is verified by the federation module exactly as for client authentication
 * (`verifyPlatformToken`: issuer pinned, algorithm fixed by the key, times, lifetime,
 * audience, signature), with a plain JWT `typ` (so an ID-JAG, meant for the JWT bearer
 * grant, is not read here).
 *
 * Who may present one is the `tokenExchangePolicy`'s to decide: the token is not this
 * server's, so no client owns it; the policy sees its issuer, subject and claims. Its `jti`
 * is used up (unless its issuer `allowReuse`s tokens) only once the exchange is allowed,
 * with {@link spendExternalTokens}, so a refused exchange does not burn it.
 *
 * @module
 */

import { spendPlatformToken } from "../federation/platform_token_replay.ts";
import { type VerifiedPlatformToken, verifyPlatformToken } from "../federation/verify_platform_token.ts";
import type { ServerConfig } from "../config/server_config.ts";
import { readActorClaim, readMayActClaim } from "../tokens/actor.ts";
import type { ExchangedToken, SubjectTokenVerifier } from "./exchanged_token.ts";
import { JWT_TOKEN_TYPE } from "./token_types.ts";

/** The verified platform token behind each exchanged token this module produced. */
const verified = new WeakMap<ExchangedToken, VerifiedPlatformToken>();

/**
 * The verifier of trusted issuers' JWTs, for type `jwt`; answers `undefined` for every
 * token when the server trusts no issuer.
 *
 * @example
 * ```ts
 * import { externalJwts } from "./external_tokens.ts";
 * import type { ServerConfig } from "../config/server_config.ts";
 * declare const ctx: ServerConfig;
 * const verifier = externalJwts(ctx);
 * verifier.tokenTypes.has("urn:ietf:params:oauth:token-type:jwt"); // true
 * ```
 */
export function externalJwts(ctx: ServerConfig): SubjectTokenVerifier {
  return {
    tokenTypes: new Set([JWT_TOKEN_TYPE]),
    async verify(token) {
      const issuers = ctx.federation?.issuers;
      if (issuers === undefined) return undefined;
      const result = await verifyPlatformToken(token, issuers, {
        nowMs: ctx.clock(),
        clockTolerance: ctx.clientAssertion.clockTolerance,
        profile: "jwt",
      });
      if (!result.ok) return undefined;
      const { claims } = result;
      const act = readActorClaim(claims.act);
      const may_act = readMayActClaim(claims.may_act);
      const aud = claims.aud as string | string[];
      const exchanged: ExchangedToken = {
        iss: result.issuer.issuer,
        sub: result.subject,
        // Another issuer's scope is not this server's: the client's registration bounds it.
        aud,
        exp: result.exp,
        ...(act === undefined ? {} : { act }),
        ...(may_act === undefined ? {} : { may_act }),
        claims,
      };
      verified.set(exchanged, result);
      return exchanged;
    },
  };
}

/**
 * Uses up the `jti` of every external token among `tokens` (RFC 7523 s3 item 7, as for
 * client authentication): called once the exchange is allowed. A token already used is
 * `invalid_request` (RFC 8693 s2.2.2: an invalid subject or actor token); a full replay
 * store is `temporarily_unavailable`; a store fault is rethrown.
 *
 * @example
 * ```ts
 * import { spendExternalTokens } from "./external_tokens.ts";
 * import type { ExchangedToken } from "./exchanged_token.ts";
 * import type { ServerConfig } from "../config/server_config.ts";
 * declare const ctx: ServerConfig;
 * declare const subject: ExchangedToken;
 * await spendExternalTokens([subject, undefined], ctx);
 * ```
 */
export async function spendExternalTokens(tokens: readonly (ExchangedToken | undefined)[], ctx: ServerConfig): Promise<void> {
  for (const exchanged of tokens) {
    const token = exchanged === undefined ? undefined : verified.get(exchanged);
    if (token === undefined) continue;
    await spendPlatformToken(token, ctx.replayStore, ctx.clientAssertion.clockTolerance, "invalid_request");
  }
}
