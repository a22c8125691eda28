/**
 * JWT client assertions (RFC 7523 s2.2, s3; RFC 7521 s4.2): reading `client_assertion_type`
 * and `client_assertion` from the form, and every check that needs no key and no I/O. The
 * signature, the key lookup and the replay check come after these (see `authenticate.ts`),
 * so nothing is fetched or remembered for an assertion that is not well-formed.
 *
 * @module
 */

import type { TokenEndpointAuthMethod } from "../clients/registration.ts";
import { isJwsAlgorithm, type JwsAlgorithm } from "../jose/algorithms.ts";
import { parseJsonObject } from "../jose/json.ts";
import { type ParsedJws, parseCompact } from "../jose/jws.ts";
import type { FormParameters } from "../http/form.ts";
import type { AssertionSettings } from "./assertion_options.ts";

/** RFC 7523 s2.2: the one `client_assertion_type` this server understands. */
export const JWT_BEARER_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/** Why an assertion was refused; becomes the `cause` of the `invalid_client` answer. */
export class AssertionRejected extends Error {
  /**
   * Whether the refusal could be a guess at the client's credential, and so counts against
   * the caller in the brute-force guard (RFC 6749 s2.3.1). A replay of a validly signed
   * assertion guesses nothing; default true.
   */
  readonly guess: boolean;
  constructor(reason: string, guess = true) {
    super(reason);
    this.name = "AssertionRejected";
    this.guess = guess;
  }
}

/** An assertion taken apart: who it claims to be, and nothing verified yet. */
export interface PresentedAssertion {
  /** `iss` = `sub`: the client it claims to authenticate. */
  readonly client_id: string;
  /** The method its header claims: `client_secret_jwt` for HS256, `private_key_jwt` otherwise. */
  readonly method: TokenEndpointAuthMethod;
  readonly jws: ParsedJws;
  readonly claims: Record<string, unknown>;
}

/** An assertion whose claims passed every check; only its signature and `jti` are left. */
export interface CheckedAssertion extends PresentedAssertion {
  readonly alg: JwsAlgorithm;
  readonly kid: string | undefined;
  readonly jti: string;
  /** Seconds since the epoch. */
  readonly exp: number;
}

/** What a {@link readAssertion} failure still tells the event about the attempt. */
export interface PresentedParts {
  client_id?: string;
  method?: TokenEndpointAuthMethod;
}

/**
 * Reads the assertion parameters and takes the JWT apart. Throws {@link AssertionRejected}
 * for another assertion type (RFC 7523 s2.2), a missing parameter (RFC 7521 s4.2: both are
 * REQUIRED), anything but one compact JWS (strictly parsed, RFC 7515 s7.1), or an `iss`
 * and `sub` that are not both the client_id (RFC 7523 s3 items 1 and 2; OpenID Connect
 * Core s9), including a body `client_id` naming another client (RFC 7521 s4.2). `parts`
 * receives what could be read, for the `client_authentication_failed` event.
 */
export function readAssertion(form: FormParameters, parts: PresentedParts): PresentedAssertion {
  const type = form.get("client_assertion_type");
  const assertion = form.get("client_assertion");
  if (type !== JWT_BEARER_ASSERTION_TYPE) throw new AssertionRejected("client_assertion_type is not jwt-bearer");
  if (assertion === undefined) throw new AssertionRejected("client_assertion is missing");
  const jws = parseCompact(assertion);
  if (jws === undefined) throw new AssertionRejected("client_assertion is not one compact JWS");
  parts.method = /^HS\d+$/.test(jws.header.alg as string) ? "client_secret_jwt" : "private_key_jwt";
  const claims = parseJsonObject(jws.payload);
  if (claims === undefined) throw new AssertionRejected("the assertion's claims are not a JSON object");
  const bodyId = form.get("client_id");
  const { iss, sub } = claims;
  parts.client_id = bodyId ?? (typeof iss === "string" ? iss : typeof sub === "string" ? sub : undefined);
  if (typeof iss !== "string" || iss === "") throw new AssertionRejected("the assertion has no iss");
  if (typeof sub !== "string" || sub === "") throw new AssertionRejected("the assertion has no sub");
  if (iss !== sub) throw new AssertionRejected("the assertion's iss and sub differ");
  if (bodyId !== undefined && bodyId !== iss) throw new AssertionRejected("client_id differs from the assertion's iss");
  return { client_id: iss, method: parts.method, jws, claims };
}

/**
 * RFC 7523 s3 item 3: whether `aud` names this server. Strict: exactly
 * the issuer, as a single string (draft-ietf-oauth-rfc7523bis). Otherwise a string or a
 * non-empty array whose every value is one of `accepted` (the issuer and this server's
 * endpoint URLs): an array that also names another party is refused, since that other
 * party could present the same assertion here (the audience injection rfc7523bis fixes).
 */
function audienceAccepted(aud: unknown, issuer: string, accepted: ReadonlySet<string>, strict: boolean): boolean {
  if (strict) return aud === issuer;
  const values = typeof aud === "string" ? [aud] : Array.isArray(aud) ? aud : [];
  return values.length > 0 && values.every((a) => typeof a === "string" && accepted.has(a));
}

/**
 * `typ` (RFC 7515 s4.1.9) is optional; when present it must say this is a client
 * authentication JWT (draft-ietf-oauth-rfc7523bis) or a plain JWT, so an access token,
 * a DPoP proof or an ID token can never pass as an assertion.
 */
function acceptableType(typ: unknown): boolean {
  if (typ === undefined) return true;
  if (typeof typ !== "string") return false;
  const t = typ.toLowerCase().replace(/^application\//, "");
  return t === "jwt" || t === "client-authentication+jwt";
}

const isTime = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/**
 * The checks of RFC 7523 s3 that need neither a key nor I/O: `alg` a supported one (never
 * `none`), `typ`, `kid`, `aud`, `exp` present and not past, a lifetime within
 * `maxLifetime`, `nbf` and `iat` not in the future, and a `jti`. Throws
 * {@link AssertionRejected}.
 */
export function checkAssertionClaims(
  presented: PresentedAssertion,
  settings: AssertionSettings,
  issuer: string,
  audiences: ReadonlySet<string>,
  nowMs: number,
): CheckedAssertion {
  const { header } = presented.jws;
  const claims = presented.claims;
  // RFC 9864 s2.2: "Ed25519" is the fully-specified name of EdDSA over Ed25519, and what
  // oauth4webapi sends; it verifies exactly as EdDSA with an Ed25519 key does.
  const alg = header.alg === "Ed25519" ? "EdDSA" : header.alg;
  // RFC 7523 s3 item 9 and RFC 8725 s3.1: signed or MACed; `none` is not a supported alg.
  if (!isJwsAlgorithm(alg)) throw new AssertionRejected("the assertion's alg is not supported");
  if (!acceptableType(header.typ)) throw new AssertionRejected("the assertion's typ is not a JWT");
  if (header.kid !== undefined && typeof header.kid !== "string") throw new AssertionRejected("the assertion's kid is not a string");
  if (!audienceAccepted(claims.aud, issuer, audiences, settings.strictAudience)) {
    throw new AssertionRejected("the assertion's aud does not name this server");
  }
  const now = nowMs / 1000;
  const skew = settings.clockTolerance;
  const { exp, iat, nbf, jti } = claims;
  // RFC 7523 s3 item 4: exp is required, and the assertion is refused once it has passed.
  if (!isTime(exp)) throw new AssertionRejected("the assertion has no exp");
  if (now >= exp + skew) throw new AssertionRejected("the assertion has expired");
  // RFC 7523 s3 items 5 and 6.
  if (nbf !== undefined && (!isTime(nbf) || nbf > now + skew)) throw new AssertionRejected("the assertion is not valid yet");
  if (iat !== undefined && (!isTime(iat) || iat > now + skew)) throw new AssertionRejected("the assertion was issued in the future");
  // RFC 7523 s3 item 4: an exp unreasonably far in the future may be refused. The lifetime
  // also bounds how long its jti must be remembered.
  if (exp - ((iat as number | undefined) ?? now) > settings.maxLifetime || exp - now > settings.maxLifetime + skew) {
    throw new AssertionRejected("the assertion lives longer than allowed");
  }
  // RFC 7523 s3 item 7 with OpenID Connect Core s9: jti is required so replays can be refused.
  if (typeof jti !== "string" || jti === "") throw new AssertionRejected("the assertion has no jti");
  return { ...presented, alg, kid: header.kid as string | undefined, jti, exp };
}
