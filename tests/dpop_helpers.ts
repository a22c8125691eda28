// Helpers for the DPoP tests (RFC 9449): client keys, proofs crafted with jose (valid or
// hostile), and token requests carrying them.
import * as jose from "jose";
import { encodeBasicCredentials } from "../mod.ts";
import { BASIC_CLIENT, SECRET, TOKEN_URL } from "./helpers.ts";

export type ProofAlg = "ES256" | "ES384" | "EdDSA" | "RS256" | "PS256";

export interface DpopKey {
  alg: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** The public JWK, as a proof's header carries it. */
  jwk: jose.JWK;
  /** Its RFC 7638 thumbprint, computed by jose. */
  jkt: string;
}

const keys = new Map<string, Promise<DpopKey>>();

async function makeKey(alg: string): Promise<DpopKey> {
  // Cast: under Deno, jose's types name node:crypto's CryptoKey rather than the global one.
  const { privateKey, publicKey } = await jose.generateKeyPair(alg, { extractable: true }) as unknown as CryptoKeyPair;
  const jwk = await jose.exportJWK(publicKey);
  return { alg, privateKey, publicKey, jwk, jkt: await jose.calculateJwkThumbprint(jwk, "sha256") };
}

/** A client key for `alg`; `name` gives another key of the same kind. Cached: RSA generation is slow. */
export function dpopKey(alg: ProofAlg = "ES256", name = "a"): Promise<DpopKey> {
  const id = `${alg}/${name}`;
  let key = keys.get(id);
  if (key === undefined) {
    key = makeKey(alg);
    keys.set(id, key);
  }
  return key;
}

/** base64url(SHA-256(token)): a proof's ath (RFC 9449 s4.2). */
export async function ath(token: string): Promise<string> {
  return jose.base64url.encode(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token))));
}

export interface ProofInit {
  htm?: string;
  htu?: string;
  /** Seconds; default `now`. */
  iat?: number;
  jti?: string;
  nonce?: string;
  ath?: string;
  /** Claims to drop (to test that each is required). */
  omit?: string[];
  /** Header members to set or replace (typ, alg, jwk...). */
  header?: Record<string, unknown>;
  /** Sign with this key instead of the one whose jwk is in the header. */
  signingKey?: CryptoKey | Uint8Array;
}

/** A DPoP proof signed with `key`, for the request `init` describes; every member can be overridden. */
export async function proof(key: DpopKey, now: number, init: ProofInit = {}): Promise<string> {
  const claims: Record<string, unknown> = {
    jti: init.jti ?? crypto.randomUUID(),
    htm: init.htm ?? "POST",
    htu: init.htu ?? "https://as.example.com/token",
    iat: init.iat ?? Math.floor(now / 1000),
  };
  if (init.nonce !== undefined) claims.nonce = init.nonce;
  if (init.ath !== undefined) claims.ath = init.ath;
  for (const name of init.omit ?? []) delete claims[name];
  const header = { alg: key.alg, typ: "dpop+jwt", jwk: key.jwk, ...init.header } as jose.JWTHeaderParameters;
  return new jose.SignJWT(claims).setProtectedHeader(header).sign(init.signingKey ?? key.privateKey);
}

/** A Basic-authenticated client credentials request with `dpop` headers (each one a separate header). */
export function dpopTokenRequest(
  dpop: string | string[] | undefined,
  init: { client?: [string, string]; body?: Record<string, string>; url?: string; headers?: Record<string, string> } = {},
): Request {
  const headers = new Headers({ "content-type": "application/x-www-form-urlencoded", ...init.headers });
  const [id, secret] = init.client ?? [BASIC_CLIENT.client_id, SECRET];
  headers.set("authorization", `Basic ${encodeBasicCredentials(id, secret)}`);
  for (const value of [dpop ?? []].flat()) headers.append("dpop", value);
  return new Request(init.url ?? TOKEN_URL, {
    method: "POST",
    headers,
    body: new URLSearchParams(init.body ?? { grant_type: "client_credentials" }).toString(),
  });
}
