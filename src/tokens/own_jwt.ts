/**
 * Reading back a JWT access token this server signed (RFC 9068), for introspection and
 * revocation: the authorization server's side of the JWT seam in `lookup.ts`.
 *
 * The checks are those of a resource server (RFC 9068 s4) minus the audience, which is the
 * introspection policy's business: `typ`, an `alg` that one of the server's own keys has,
 * the signature, `iss` exactly, the required claims, and `exp`. No clock leeway: the server
 * that set `exp` is the authority on it.
 *
 * @module
 */

import type { KeySet } from "../crypto/key_set.ts";
import type { CryptoProvider } from "../crypto/provider.ts";
import { isJwsAlgorithm, type JwsAlgorithm } from "../jose/algorithms.ts";
import { parseJsonObject } from "../jose/json.ts";
import { parseCompact, verifySignature } from "../jose/jws.ts";
import { keySetIndex } from "../jose/key_index.ts";
import type { TokenConfirmation, TokenRecord } from "../stores/token_store.ts";
import { readActorClaim, readMayActClaim } from "./actor.ts";

/** What reading a JWT back needs from the server's configuration. */
export interface OwnJwtContext {
  readonly issuer: string;
  readonly signingKeys: KeySet | undefined;
  readonly crypto: CryptoProvider;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
}

/** A verified JWT access token, as the record an opaque token would have had. */
export interface OwnJwt {
  readonly jti: string;
  readonly record: TokenRecord & { jti: string };
}

/**
 * HS256 keys are never published, so they are checked by signing again with the key's own
 * signer (HMAC is deterministic) and comparing in constant time. A retiring HS256 key has
 * no signer left, and its tokens then read as unknown.
 */
async function verifyHmac(keys: KeySet, kid: unknown, input: Uint8Array, signature: Uint8Array, crypto: CryptoProvider): Promise<boolean> {
  const entry = keys.list().find((e) => e.kid === kid && e.signer?.alg === "HS256");
  if (entry?.signer === undefined) return false;
  const expected = await entry.signer.sign(input);
  return crypto.timingSafeEqual(expected, signature);
}

async function verified(token: string, ctx: OwnJwtContext, keys: KeySet): Promise<Record<string, unknown> | undefined> {
  const jws = parseCompact(token);
  if (jws === undefined) return undefined;
  const { header } = jws;
  if (header.typ !== "at+jwt") return undefined;
  const alg = header.alg;
  if (!isJwsAlgorithm(alg) || typeof header.kid !== "string") return undefined;
  let ok: boolean;
  if (alg === "HS256") {
    ok = await verifyHmac(keys, header.kid, jws.signingInput, jws.signature, ctx.crypto);
  } else {
    const key = await keySetIndex(keys).find(header.kid, alg as JwsAlgorithm);
    ok = key !== undefined && await verifySignature(alg, key, jws.signingInput, jws.signature);
  }
  return ok ? parseJsonObject(jws.payload) : undefined;
}

/**
 * Verifies a JWT access token this server issued and returns it as a token record, or
 * `undefined` when it is not one (wrong shape, unknown key, bad signature, another
 * issuer, missing claims) or has expired. Revocation is the caller's check.
 *
 * @example
 * ```ts
 * import { readOwnJwt } from "./own_jwt.ts";
 * import type { OwnJwtContext } from "./own_jwt.ts";
 * declare const ctx: OwnJwtContext;
 * const found = await readOwnJwt("eyJ...", ctx); // undefined: not a JWT this server signed
 * ```
 */
export async function readOwnJwt(token: string, ctx: OwnJwtContext): Promise<OwnJwt | undefined> {
  const keys = ctx.signingKeys;
  if (keys === undefined) return undefined;
  const claims = await verified(token, ctx, keys);
  if (claims === undefined || claims.iss !== ctx.issuer) return undefined;
  const { client_id, sub, jti, iat, exp, scope, aud, cnf, act, may_act } = claims;
  if (typeof client_id !== "string" || typeof sub !== "string" || typeof jti !== "string") return undefined;
  if (typeof iat !== "number" || typeof exp !== "number") return undefined;
  if (!(exp > ctx.clock() / 1000)) return undefined;
  const record: TokenRecord & { jti: string } = {
    client_id,
    scope: typeof scope === "string" ? scope : "",
    iat,
    exp,
    sub,
    jti,
  };
  if (typeof aud === "string" || (Array.isArray(aud) && aud.every((a) => typeof a === "string"))) record.aud = aud;
  if (typeof cnf === "object" && cnf !== null) {
    // The bindings this server writes (RFC 9449 s6.1, RFC 8705 s3.1), and nothing else.
    const { jkt, "x5t#S256": x5t } = cnf as { jkt?: unknown; "x5t#S256"?: unknown };
    const confirmation: TokenConfirmation = {};
    if (typeof jkt === "string") confirmation.jkt = jkt;
    if (typeof x5t === "string") confirmation["x5t#S256"] = x5t;
    if (confirmation.jkt !== undefined || confirmation["x5t#S256"] !== undefined) record.cnf = confirmation;
  }
  // RFC 8693 s4.1, s4.4: delegation claims are kept; a malformed one makes the token unknown,
  // since who may act with it could not be told.
  if (act !== undefined) {
    const actor = readActorClaim(act);
    if (actor === undefined) return undefined;
    record.act = actor;
  }
  if (may_act !== undefined) {
    const allowed = readMayActClaim(may_act);
    if (allowed === undefined) return undefined;
    record.may_act = allowed;
  }
  return { jti, record };
}
