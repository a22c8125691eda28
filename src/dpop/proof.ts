/**
 * Checking a DPoP proof (RFC 9449 s4.3): the checks the authorization server and the
 * resource server share. Every failure is an `OAuthError` `invalid_dpop_proof` (or
 * `use_dpop_nonce` with a `DPoP-Nonce` header); the caller decides the status (400 at the
 * token endpoint, s5; 401 with a challenge at a resource, s7.1).
 *
 * @module
 */

import { encodeBase64Url } from "../encoding/base64.ts";
import { OAuthError } from "../errors.ts";
import { isJwsAlgorithm, keyWeakness } from "../jose/algorithms.ts";
import { parseJsonObject } from "../jose/json.ts";
import { algorithmsOfJwk, importJwk, isPrivateJwk, type Jwk } from "../jose/jwk.ts";
import { parseCompact, verifySignature } from "../jose/jws.ts";
import { jwkThumbprint } from "../jose/thumbprint.ts";
import { storeFailure } from "../stores/store_unavailable.ts";
import { normalizeHtu } from "./htu.ts";
import type { DpopContext } from "./options.ts";

/** Far more than any proof with an RSA-4096 `jwk`; longer input is not parsed at all. */
const MAX_PROOF_LENGTH = 8_192;

/** What the proof must match: the request it came with. */
export interface DpopRequest {
  /** The request method; `htm` must equal it (s4.3 item 8). */
  readonly method: string;
  /**
   * The public URL the request was made to, already normalised (`normalizeHtu`); or the
   * URLs of one endpoint, when it is served at more than one (an RFC 8705 s5 mTLS alias).
   */
  readonly htu: string | readonly string[];
  /** At a resource server, the access token; the proof's `ath` must be its hash (s4.3 item 10). */
  readonly accessToken?: string;
}

/** A proof that passed every check. */
export interface VerifiedDpopProof {
  /** The RFC 7638 SHA-256 thumbprint of the proof's key: the `cnf.jkt` of a bound token (s6.1). */
  readonly jkt: string;
  /** The proof's `jti`. */
  readonly jti: string;
}

/** A proof that passed every check but the replay check, which {@link rememberDpopProof} makes. */
export interface CheckedDpopProof extends VerifiedDpopProof {
  /** The replay store key: a hash of `htu` and `jti`. */
  readonly replayKey: string;
  /** Until when (seconds since the epoch) the proof must be remembered. */
  readonly rememberUntil: number;
}

function invalid(description: string): OAuthError {
  return new OAuthError("invalid_dpop_proof", description);
}

const encoder = new TextEncoder();

async function sha256(ctx: DpopContext, text: string): Promise<string> {
  const d = ctx.crypto.digest("SHA-256", encoder.encode(text));
  return encodeBase64Url(d instanceof Uint8Array ? d : await d);
}

/** s4.3 items 5-7: an allowed asymmetric `alg`, a public `jwk` of the matching type, a signature it verifies. */
async function verifiedKey(header: Record<string, unknown>, signingInput: Uint8Array, signature: Uint8Array, ctx: DpopContext): Promise<Jwk> {
  // RFC 9864 s2.2 names EdDSA over Ed25519 "Ed25519" (fully specified), and clients such as
  // oauth4webapi send that name: it is accepted wherever EdDSA is.
  const alg = header.alg === "Ed25519" ? "EdDSA" : header.alg;
  // The allow-list never holds a MAC algorithm or none (s4.3 item 5; the options refuse them).
  if (!isJwsAlgorithm(alg) || !ctx.algorithms.has(alg)) throw invalid(`the proof's alg is not one of ${ctx.algs}`);
  const jwk = header.jwk;
  if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk)) throw invalid("the proof has no jwk header");
  // s4.3 item 6: the jwk MUST NOT hold a private key (nor a symmetric secret).
  if (isPrivateJwk(jwk as Jwk)) throw invalid("the proof's jwk holds private key material");
  // The key type fixes the algorithm, never the header alone (RFC 8725 s2.1).
  if (!algorithmsOfJwk(jwk as Jwk).includes(alg)) throw invalid("the proof's jwk does not fit its alg");
  let key: CryptoKey;
  try {
    key = await importJwk(jwk as Jwk, alg, "verify");
  } catch {
    throw invalid("the proof's jwk is not a valid public key");
  }
  if (keyWeakness(key) !== undefined) throw invalid("the proof's key is too weak");
  if (!await verifySignature(alg, key, signingInput, signature)) throw invalid("the proof's signature is invalid");
  return jwk as Jwk;
}

/**
 * Runs the RFC 9449 s4.3 checks on the value of a request's `DPoP` header and records the
 * proof as used:
 *
 * 1. one header (a comma means it was repeated, RFC 9449 s4.3 item 1), one compact JWS (items 1-3);
 * 2. `typ` `dpop+jwt` (item 4); `alg` in the allow-list (item 5); `jwk` a public key of the
 *    type `alg` needs, and the signature verifies with it (items 6, 7);
 * 3. `jti`, `htm`, `htu`, `iat` present; `htm` equals the method; `htu` equals the public URL
 *    after normalisation, query and fragment ignored (items 8, 9);
 * 4. a current server nonce, when nonces are on: else `use_dpop_nonce` + `DPoP-Nonce` (item 10, s8);
 * 5. `iat` no older than `maxAge` and no further ahead than `clockTolerance` (item 11);
 * 6. `ath` equals base64url(SHA-256(token)) when a token is presented (item 12, s7.1);
 * 7. the `jti` not seen before for this URL within the window (s11.1), through the replay store.
 *
 * @example
 * ```ts
 * import { verifyDpopProof } from "./proof.ts";
 * import { normalizeHtu } from "./htu.ts";
 * import type { DpopContext } from "./options.ts";
 * declare const ctx: DpopContext;
 * declare const request: Request;
 * // const { jkt } = await verifyDpopProof(request.headers.get("dpop")!, { method: "POST", htu: "https://as.example.com/token" }, ctx);
 * ```
 */
export async function verifyDpopProof(value: string, expected: DpopRequest, ctx: DpopContext): Promise<VerifiedDpopProof> {
  const checked = await checkDpopProof(value, expected, ctx);
  await rememberDpopProof(checked, ctx);
  return { jkt: checked.jkt, jti: checked.jti };
}

/**
 * Every check of {@link verifyDpopProof} (items 1-6) but the last: the proof is not yet
 * recorded as used. A resource server records it with {@link rememberDpopProof} only once
 * the access token it came with has been verified, so an anonymous caller with a proof of
 * its own key and a made-up token cannot write replay records (RFC 9449 s11.1).
 *
 * @example
 * ```ts
 * import { checkDpopProof, rememberDpopProof } from "./proof.ts";
 * import type { DpopContext } from "./options.ts";
 * declare const ctx: DpopContext;
 * declare const proof: string;
 * const checked = await checkDpopProof(proof, { method: "GET", htu: "https://api.example.com/x", accessToken: "..." }, ctx);
 * // ... verify the access token, then:
 * await rememberDpopProof(checked, ctx);
 * ```
 */
export async function checkDpopProof(value: string, expected: DpopRequest, ctx: DpopContext): Promise<CheckedDpopProof> {
  // Headers.get() joins repeated headers with ", "; a compact JWS has no comma (s4.3 item 1).
  if (value.includes(",")) throw invalid("the DPoP header is repeated");
  if (value.length > MAX_PROOF_LENGTH) throw invalid("the DPoP proof is too large");
  const jws = parseCompact(value);
  if (jws === undefined) throw invalid("the DPoP proof is not a compact JWS");
  const { header } = jws;
  // s4.3 item 4 (and RFC 8725 s3.11: explicit typing keeps other JWTs from passing as proofs).
  if (header.typ !== "dpop+jwt") throw invalid("the proof's typ is not dpop+jwt");
  const jwk = await verifiedKey(header, jws.signingInput, jws.signature, ctx);
  const claims = parseJsonObject(jws.payload);
  if (claims === undefined) throw invalid("the proof's claims are malformed");
  const { jti, htm, htu, iat } = claims;
  if (typeof jti !== "string" || jti === "") throw invalid("the proof has no jti");
  if (typeof htm !== "string") throw invalid("the proof has no htm");
  if (typeof htu !== "string") throw invalid("the proof has no htu");
  if (typeof iat !== "number" || !Number.isFinite(iat)) throw invalid("the proof has no iat");
  if (htm !== expected.method) throw invalid("the proof's htm does not match the request method");
  // s4.3 item 9: the query and fragment are ignored; the comparison is after s6.2.2/s6.2.3 normalisation.
  const target = normalizeHtu(htu);
  if (target === undefined || (typeof expected.htu === "string" ? target !== expected.htu : !expected.htu.includes(target))) {
    throw invalid("the proof's htu does not match this URL");
  }
  if (ctx.nonces !== undefined && !await ctx.nonces.accepts(claims.nonce)) {
    throw new OAuthError("use_dpop_nonce", "a current DPoP nonce is required", { headers: { "dpop-nonce": await ctx.nonces.current() } });
  }
  const now = ctx.clock() / 1000;
  if (iat < now - ctx.maxAge) throw invalid("the proof is too old");
  if (iat > now + ctx.clockTolerance) throw invalid("the proof was issued in the future");
  if (expected.accessToken !== undefined) {
    if (typeof claims.ath !== "string") throw invalid("the proof has no ath");
    if (claims.ath !== await sha256(ctx, expected.accessToken)) throw invalid("the proof's ath does not match the access token");
  }
  const jkt = await jwkThumbprint(jwk, ctx.crypto);
  // s11.1: a proof is single-use per target URI. The key is a hash, so a long jti costs the
  // store nothing; the prefix keeps DPoP entries apart from client assertions' in a shared store.
  const replayKey = `dpop:${await sha256(ctx, JSON.stringify([target, jti]))}`;
  return { jkt, jti, replayKey, rememberUntil: Math.ceil(iat) + ctx.maxAge + 1 };
}

/**
 * Step 7 of {@link verifyDpopProof}: records a checked proof as used, or throws
 * `invalid_dpop_proof` when it was used before (RFC 9449 s11.1), or `temporarily_unavailable`
 * (503 with `Retry-After`) when the replay store is full.
 *
 * @example
 * ```ts
 * import { type CheckedDpopProof, rememberDpopProof } from "./proof.ts";
 * import type { DpopContext } from "./options.ts";
 * declare const ctx: DpopContext;
 * declare const checked: CheckedDpopProof;
 * await rememberDpopProof(checked, ctx);
 * ```
 */
export async function rememberDpopProof(checked: CheckedDpopProof, ctx: DpopContext): Promise<void> {
  let first: boolean;
  try {
    first = await ctx.replayStore.remember(checked.replayKey, checked.rememberUntil);
  } catch (e) {
    throw storeFailure(e, "the server cannot record more DPoP proofs now");
  }
  if (!first) throw invalid("the DPoP proof has been used before");
}
