/**
 * Verifying a JWT from a trusted external issuer (a platform token: a GitHub Actions OIDC
 * token, a Kubernetes service account token, a SPIFFE JWT-SVID) against the
 * `trustedIssuers` configuration: the one place a foreign token's signature and claims are
 * checked, for client authentication today and for the JWT bearer grant (RFC 7523 s2.1) and
 * token exchange subject tokens (RFC 8693) alike. It knows nothing of clients.
 *
 * In order, all but the key lookup without I/O: the compact JWS is parsed strictly; the
 * issuer is picked by `iss`, compared exactly (or, for a JWT-SVID, by the trust domain of
 * its `sub`); `alg` must be one the issuer allows, `typ` a plain JWT; `sub` present; `aud`
 * only this issuer's audiences; `exp` present and not past, `nbf` and `iat` not in the
 * future (each within the clock tolerance), the lifetime within the issuer's
 * `maxLifetime`; then the key is found by `kid` with the algorithm fixed by the key
 * (RFC 8725 s2.1), fetched if need be, and the signature verified. A token naming no
 * trusted issuer has its signature checked against a decoy key all the same, so that
 * failure costs what a bad signature costs.
 *
 * Replay (the `jti`) is the caller's to decide, after its own checks: see
 * `platform_token_replay.ts`.
 *
 * @module
 */

import { decoyVerify } from "../client_auth/decoy_keys.ts";
import { isJwsAlgorithm, type JwsAlgorithm } from "../jose/algorithms.ts";
import { parseJsonObject } from "../jose/json.ts";
import { parseCompact, verifySignature } from "../jose/jws.ts";
import { KeysUnavailableError } from "../jose/remote_jwks.ts";
import { parseSpiffeId } from "./spiffe_id.ts";
import type { ResolvedTrustedIssuer, TrustedIssuerSet } from "./trusted_issuer.ts";

/**
 * How a token names its issuer: `jwt`, by `iss` (RFC 7523 s3 item 1); `jwt-svid`, a SPIFFE
 * JWT-SVID, by the trust domain of its `sub` (`iss` is optional there).
 */
export type PlatformTokenProfile = "jwt" | "jwt-svid";

/** How {@link verifyPlatformToken} checks a token. */
export interface PlatformTokenCheck {
  /** Milliseconds since the epoch. */
  readonly nowMs: number;
  /** Allowed clock difference for `exp`, `nbf` and `iat`, in seconds. */
  readonly clockTolerance: number;
  /** Default `jwt`. */
  readonly profile?: PlatformTokenProfile;
  /**
   * The `typ` header values accepted (compared case-insensitively, an `application/` prefix
   * ignored); a token without `typ` is always accepted. Default `JWT` and `JOSE` (what
   * GitHub and SPIFFE send; Kubernetes sends none). A profile with its own media type (an
   * identity assertion, `oauth-id-jag+jwt`) passes its own.
   */
  readonly types?: readonly string[];
  /** Whether a token without `typ` is refused; default false. A profile whose `typ` is REQUIRED (ID-JAG) sets it. */
  readonly typeRequired?: boolean;
}

/** A token that passed every check. */
export interface VerifiedPlatformToken {
  readonly ok: true;
  /** The trusted issuer it came from. */
  readonly issuer: ResolvedTrustedIssuer;
  /** Its `sub`: the workload, in the issuer's words. */
  readonly subject: string;
  /** Every claim, as signed. */
  readonly claims: Readonly<Record<string, unknown>>;
  /** Its `jti`, when it has one. */
  readonly jti: string | undefined;
  /** Seconds since the epoch. */
  readonly exp: number;
  readonly alg: JwsAlgorithm;
}

/** A token refused, and why (for logs: never for the caller, who gets one answer for all). */
export interface RejectedPlatformToken {
  readonly ok: false;
  readonly reason: string;
  /** The trusted issuer the token named, when it named one. */
  readonly issuer: string | undefined;
  /** The issuer's keys could not be obtained: its fault, not the presenter's. */
  readonly keysUnavailable: boolean;
  /**
   * Refused at the signature (no key verifies it, or a decoy check for an unknown issuer):
   * the only failure that could be a guess at a workload's credential, and so the only one a
   * brute-force guard should count. Every earlier refusal (malformed, bad claims, wrong
   * audience, expired) is junk anyone can send.
   */
  readonly atSignature: boolean;
  readonly cause?: unknown;
}

/** The outcome of {@link verifyPlatformToken}. */
export type PlatformTokenResult = VerifiedPlatformToken | RejectedPlatformToken;

/** Longer than any platform token we know of (GitHub's are about 1.2 KB), far below a form's cap. */
export const MAX_PLATFORM_TOKEN_LENGTH = 16_384;

const isTime = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

function typeAccepted(typ: unknown, accepted: readonly string[]): boolean {
  if (typ === undefined) return true;
  if (typeof typ !== "string") return false;
  const t = typ.toLowerCase().replace(/^application\//, "");
  return accepted.some((a) => a.toLowerCase() === t);
}

/**
 * Every `aud` value must be one of the issuer's audiences: an audience array that also
 * names another party means that party could present the same token here.
 */
function audienceAccepted(aud: unknown, accepted: ReadonlySet<string>): boolean {
  const values = typeof aud === "string" ? [aud] : Array.isArray(aud) ? aud : [];
  return values.length > 0 && values.every((a) => typeof a === "string" && accepted.has(a));
}

/** The issuer a token names: by `iss`, or for a JWT-SVID by its `sub`'s trust domain. */
function issuerOf(claims: Record<string, unknown>, issuers: TrustedIssuerSet, profile: PlatformTokenProfile): ResolvedTrustedIssuer | undefined {
  if (profile === "jwt") return typeof claims.iss === "string" ? issuers.byIssuer(claims.iss) : undefined;
  const id = typeof claims.sub === "string" ? parseSpiffeId(claims.sub) : undefined;
  return id === undefined || id.path === "" ? undefined : issuers.byTrustDomain(id.trustDomain);
}

/** What a token says about itself before anything is verified. */
export interface PresentedPlatformToken {
  /** The trusted issuer it names. */
  readonly issuer: ResolvedTrustedIssuer;
  /** Its `sub`, when it is a string. */
  readonly subject: string | undefined;
}

/**
 * The trusted issuer a token names, read without verifying anything: what decides whether a
 * client assertion is a platform token at all. `undefined` for anything that is not a JWS
 * naming a trusted issuer.
 *
 * @example
 * ```ts
 * import { presentedPlatformToken } from "./verify_platform_token.ts";
 * import type { TrustedIssuerSet } from "./trusted_issuer.ts";
 * declare const issuers: TrustedIssuerSet;
 * declare const assertion: string;
 * presentedPlatformToken(assertion, issuers, "jwt")?.issuer.issuer; // "https://token.actions.githubusercontent.com"
 * ```
 */
export function presentedPlatformToken(
  token: string,
  issuers: TrustedIssuerSet,
  profile: PlatformTokenProfile,
): PresentedPlatformToken | undefined {
  if (token.length > MAX_PLATFORM_TOKEN_LENGTH) return undefined;
  const jws = parseCompact(token);
  const claims = jws === undefined ? undefined : parseJsonObject(jws.payload);
  const issuer = claims === undefined ? undefined : issuerOf(claims, issuers, profile);
  return issuer === undefined ? undefined : { issuer, subject: typeof claims!.sub === "string" ? claims!.sub : undefined };
}

/**
 * Verifies a platform token against the trusted issuers. Never throws for anything the
 * token or the issuer does: the answer is a {@link VerifiedPlatformToken} or a
 * {@link RejectedPlatformToken} with the reason.
 *
 * @example
 * ```ts
 * import { verifyPlatformToken } from "./verify_platform_token.ts";
 * import type { TrustedIssuerSet } from "./trusted_issuer.ts";
 * declare const issuers: TrustedIssuerSet;
 * declare const token: string;
 * const result = await verifyPlatformToken(token, issuers, { nowMs: Date.now(), clockTolerance: 30 });
 * if (result.ok) console.log(result.issuer.issuer, result.subject);
 * ```
 */
export async function verifyPlatformToken(token: string, issuers: TrustedIssuerSet, check: PlatformTokenCheck): Promise<PlatformTokenResult> {
  const profile = check.profile ?? "jwt";
  let named: string | undefined;
  const reject = (reason: string, keysUnavailable = false, cause?: unknown, atSignature = false): RejectedPlatformToken => ({
    ok: false,
    reason,
    issuer: named,
    keysUnavailable,
    atSignature,
    ...(cause === undefined ? {} : { cause }),
  });
  if (typeof token !== "string" || token.length > MAX_PLATFORM_TOKEN_LENGTH) return reject("the token is too large");
  const jws = parseCompact(token);
  if (jws === undefined) return reject("the token is not one compact JWS");
  const claims = parseJsonObject(jws.payload);
  if (claims === undefined) return reject("the token's claims are not a JSON object");
  const { header } = jws;
  // RFC 9864 s2.2: "Ed25519" is the fully-specified name of EdDSA over Ed25519.
  const alg = header.alg === "Ed25519" ? "EdDSA" : header.alg;
  // RFC 8725 s3.1: never `none`, never a MAC with a public key.
  if (!isJwsAlgorithm(alg) || alg === "HS256") return reject("the token's alg is not supported");

  const issuer = issuerOf(claims, issuers, profile);
  if (issuer === undefined) {
    // A signature check all the same, so that this failure takes as long as a bad signature.
    await decoyVerify(alg, jws.signingInput, jws.signature);
    const reason = profile === "jwt" ? "the token's iss is not a trusted issuer" : "the token's sub is not a SPIFFE ID of a trusted trust domain";
    return reject(reason, false, undefined, true);
  }
  named = issuer.issuer;
  if (!issuer.algorithms.has(alg)) return reject("the token's alg is not allowed for its issuer");
  if (!typeAccepted(header.typ, check.types ?? ["jwt", "jose"]) || (check.typeRequired === true && header.typ === undefined)) {
    return reject(check.types === undefined ? "the token's typ is not a JWT" : `the token's typ is not ${check.types.join(" or ")}`);
  }
  if (header.kid !== undefined && typeof header.kid !== "string") return reject("the token's kid is not a string");
  const { sub, aud, exp, nbf, iat, jti } = claims;
  // RFC 7523 s3 item 2: a subject is required; it is what a registration's rules are about.
  if (typeof sub !== "string" || sub === "") return reject("the token has no sub");
  // RFC 7523 s3 item 3 (and draft-ietf-oauth-rfc7523bis): this server, and only it.
  if (!audienceAccepted(aud, issuer.audiences)) return reject("the token's aud is not this server's");
  const now = check.nowMs / 1000;
  const skew = check.clockTolerance;
  // RFC 7523 s3 items 4 to 6.
  if (!isTime(exp)) return reject("the token has no exp");
  if (now >= exp + skew) return reject("the token has expired");
  if (nbf !== undefined && (!isTime(nbf) || nbf > now + skew)) return reject("the token is not valid yet");
  if (iat !== undefined && (!isTime(iat) || iat > now + skew)) return reject("the token was issued in the future");
  // RFC 7523 s3 item 4: an exp unreasonably far ahead may be refused; the lifetime also
  // bounds how long a jti must be remembered.
  if (exp - ((iat as number | undefined) ?? now) > issuer.maxLifetime || exp - now > issuer.maxLifetime + skew) {
    return reject("the token lives longer than its issuer's maxLifetime");
  }
  if (jti !== undefined && (typeof jti !== "string" || jti === "")) return reject("the token's jti is not a string");

  let key: CryptoKey | undefined;
  try {
    key = await issuer.keys.find(header.kid as string | undefined, alg);
  } catch (e) {
    if (e instanceof KeysUnavailableError) return reject("the issuer's keys could not be obtained", true, e);
    throw e;
  }
  if (key === undefined) return reject("no key of the issuer verifies the token", false, undefined, true);
  if (!await verifySignature(alg, key, jws.signingInput, jws.signature)) {
    return reject("the token's signature is invalid", false, undefined, true);
  }
  return { ok: true, issuer, subject: sub, claims, jti: jti as string | undefined, exp, alg };
}
