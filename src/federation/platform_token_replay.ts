/**
 * Single use of platform tokens (RFC 7523 s3 item 7): a verified token from an issuer that
 * does not `allowReuse` is accepted once, by its `jti`, remembered in the replay store until
 * it can no longer pass (`exp` plus the clock tolerance). Called last, after every other
 * check of the caller, so a token refused for any other reason is not used up, and only
 * someone holding a validly signed token can use up its `jti`.
 *
 * @module
 */

import { sha256 } from "../crypto/sha256.ts";
import { encodeBase64Url } from "../encoding/base64.ts";
import { OAuthError, type OAuthErrorCode } from "../errors.ts";
import type { ReplayStore } from "../stores/replay_store.ts";
import { storeFailure } from "../stores/store_unavailable.ts";
import type { VerifiedPlatformToken } from "./verify_platform_token.ts";

/** The outcome: accepted, or refused with the reason. */
export type ReplayVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * The replay record of a token: per issuer (two issuers may use the same `jti`s), and
 * hashed, so that whatever an issuer puts in its `jti` reaches the store as 43 safe
 * characters. The prefix keeps these records apart from client assertions' and DPoP
 * proofs' in a shared store.
 */
function replayKey(token: VerifiedPlatformToken): string {
  const body = `${token.issuer.issuer.length}:${token.issuer.issuer}${token.jti}`;
  return `pt#${encodeBase64Url(sha256(new TextEncoder().encode(body)))}`;
}

/**
 * Accepts `token` once, unless its issuer allows reuse. A token without `jti` from an
 * issuer that does not allow reuse is refused: it could not be told from its replays.
 * Rejects only when the store does (a `StoreFullError`, a fault), for the caller to answer.
 *
 * @example
 * ```ts
 * import { rememberPlatformToken } from "./platform_token_replay.ts";
 * import type { VerifiedPlatformToken } from "./verify_platform_token.ts";
 * import type { ReplayStore } from "../stores/replay_store.ts";
 * declare const token: VerifiedPlatformToken;
 * declare const replayStore: ReplayStore;
 * const verdict = await rememberPlatformToken(token, replayStore, 30);
 * if (!verdict.ok) console.log(verdict.reason); // "the token was already used"
 * ```
 */
export async function rememberPlatformToken(
  token: VerifiedPlatformToken,
  replayStore: ReplayStore,
  clockTolerance: number,
): Promise<ReplayVerdict> {
  if (token.issuer.allowReuse) return { ok: true };
  if (token.jti === undefined) return { ok: false, reason: "the token has no jti, and its issuer does not allowReuse" };
  const first = await replayStore.remember(replayKey(token), Math.ceil(token.exp + clockTolerance));
  return first === true ? { ok: true } : { ok: false, reason: "the token was already used" };
}

/**
 * {@link rememberPlatformToken} for a grant: a token already used (or without `jti` from an
 * issuer that does not allow reuse) is refused with `refusal` (`invalid_grant` for the JWT
 * bearer grant, RFC 7523 s3.1; `invalid_request` for token exchange, RFC 8693 s2.2.2); a
 * full replay store is `503 temporarily_unavailable`; a store fault is rethrown.
 *
 * @example
 * ```ts
 * import { spendPlatformToken } from "./platform_token_replay.ts";
 * import type { VerifiedPlatformToken } from "./verify_platform_token.ts";
 * import type { ReplayStore } from "../stores/replay_store.ts";
 * declare const token: VerifiedPlatformToken;
 * declare const replayStore: ReplayStore;
 * await spendPlatformToken(token, replayStore, 30, "invalid_grant");
 * ```
 */
export async function spendPlatformToken(
  token: VerifiedPlatformToken,
  replayStore: ReplayStore,
  clockTolerance: number,
  refusal: OAuthErrorCode,
): Promise<void> {
  let verdict: ReplayVerdict;
  try {
    verdict = await rememberPlatformToken(token, replayStore, clockTolerance);
  } catch (e) {
    throw storeFailure(e, "the server cannot record more tokens now");
  }
  if (!verdict.ok) throw new OAuthError(refusal, `the token of ${token.issuer.issuer} is not acceptable: ${verdict.reason}`);
}
