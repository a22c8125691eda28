/**
 * Validating a JWT access token at the resource server (RFC 9068 s4).
 *
 * @module
 */

import { OAuthError } from "../errors.ts";
import { isJwsAlgorithm } from "../jose/algorithms.ts";
import { parseJsonObject } from "../jose/json.ts";
import { parseCompact, verifySignature } from "../jose/jws.ts";
import { type AccessTokenClaims, checkClaims } from "./claims.ts";
import type { TokenScheme } from "./bearer_token.ts";
import type { KeySource, ResourceServerContext } from "./options.ts";
import { KeysUnavailableError } from "../jose/remote_jwks.ts";

function invalid(description: string): OAuthError {
  return new OAuthError("invalid_token", description);
}

/** RFC 9068 s4: `typ` is `at+jwt` or `application/at+jwt`, compared as a media type (case-insensitive). */
function isAccessTokenType(typ: unknown): boolean {
  if (typeof typ !== "string") return false;
  const t = typ.toLowerCase();
  return t === "at+jwt" || t === "application/at+jwt";
}

async function findKey(keys: KeySource, kid: string | undefined, alg: Parameters<KeySource["find"]>[1]): Promise<CryptoKey | undefined> {
  try {
    return await keys.find(kid, alg);
  } catch (e) {
    if (e instanceof KeysUnavailableError) {
      // Not the token's fault: the keys could not be fetched.
      throw new OAuthError("temporarily_unavailable", "the authorization server's keys are unavailable", {
        headers: { "retry-after": "30" },
        cause: e,
      });
    }
    throw e;
  }
}

/**
 * Verifies a JWT access token: `typ`, an allowed `alg` (never `none`) fixed by the key
 * found by `kid`, the signature, `iss` exactly, `aud` naming this resource, `exp`/`nbf`/
 * `iat` within the clock tolerance, the claims RFC 9068 s2.2 requires, and the revocation
 * list. Every failure is `invalid_token` (s4, RFC 6750 s3.1).
 *
 * @example
 * ```ts
 * import { verifyJwtAccessToken } from "./jwt_access_token.ts";
 * import type { TokenScheme } from "./bearer_token.ts";
 * import type { ResourceServerContext } from "./options.ts";
 * declare const ctx: ResourceServerContext;
 * declare const token: string;
 * // const claims = await verifyJwtAccessToken(token, ctx);
 * ```
 */
export async function verifyJwtAccessToken(token: string, ctx: ResourceServerContext, scheme: TokenScheme = "bearer"): Promise<AccessTokenClaims> {
  const keys = ctx.keys;
  if (keys === undefined) throw invalid("the token is not recognized");
  const jws = parseCompact(token);
  if (jws === undefined) throw invalid("the token is malformed");
  const { header } = jws;
  if (!isAccessTokenType(header.typ)) throw invalid("the token is not an access token (typ must be at+jwt)");
  const alg = header.alg;
  if (!isJwsAlgorithm(alg) || !ctx.algorithms.has(alg)) throw invalid("the token's alg is not accepted");
  if (header.kid !== undefined && typeof header.kid !== "string") throw invalid("the token's kid is malformed");
  const key = await findKey(keys, header.kid as string | undefined, alg);
  if (key === undefined) throw invalid("no known key verifies the token");
  // A token verified before by this very key skips the signature check only; see
  // verified_token_cache.ts for why that is sound. Every check below runs either way.
  const cache = ctx.verifiedTokens;
  const seen = cache?.lookup(token, key, Math.floor(ctx.clock() / 1000));
  if (seen?.hit !== true && !await verifySignature(alg, key, jws.signingInput, jws.signature)) {
    throw invalid("the token's signature is invalid");
  }
  const claims = parseJsonObject(jws.payload);
  if (claims === undefined) throw invalid("the token's claims are malformed");
  // RFC 9068 s4: iss MUST exactly match the issuer identifier.
  if (claims.iss !== ctx.issuer) throw invalid("the token is from another issuer");
  // RFC 9068 s2.2: these claims are REQUIRED.
  for (const name of ["sub", "client_id", "jti"]) {
    if (typeof claims[name] !== "string") throw invalid(`the token has no ${name}`);
  }
  if (typeof claims.iat !== "number") throw invalid("the token has no iat");
  await checkClaims(claims, ctx, true, scheme);
  if (seen !== undefined && !seen.hit) cache!.remember(seen.hash, key, (claims.exp as number) + ctx.clockTolerance);
  return { ...claims, scope: (claims.scope as string | undefined) ?? "" } as AccessTokenClaims;
}
