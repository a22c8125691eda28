/**
 * Decoy verification of a client assertion whose client cannot be used (unknown, another
 * method, an algorithm it is not registered for): the signature is checked anyway, against
 * a fixed key of the assertion's algorithm, so that such a failure costs what a bad
 * signature of a real client costs and timing does not tell the cases apart.
 *
 * The keys are public keys whose private halves were thrown away when they were made; a
 * decoy check can never succeed on purpose, and its result is ignored anyway. Fixed, not
 * generated: options are often resolved at a module's top level, where Cloudflare Workers
 * forbid generating keys or random values.
 *
 * @module
 */

import type { JwsAlgorithm } from "../jose/algorithms.ts";
import { importJwk, type Jwk } from "../jose/jwk.ts";
import { verifySignature } from "../jose/jws.ts";

const RSA: Jwk = {
  kty: "RSA",
  n: "5p-Auh_AIMZDZHo8LgMa10tVU8xzb3h11Ob9toxsxMJOURCQ4f08y1-KO0XJlfrJrkGTt2DkazTDyvbw_C-cgOfxkBd81C-g2GxfCp6EOI2BpR8xuZKihFXzu2STkDqzk7Mv7niHuoyTUVVPyFugyl4FFJ_WpLePx_G7TyBbB9ZIH2U-qxnld-GUIs2pNzM-1JSSh45yhomo7lo5j3Feg_wKlOooOVbh8gqATM-UXAGPSBOoX0UD4liVlW2GG1ObkA0rP0Z__ycrh1HAxJKgRsc-RC-Lg2y3whTqTQ_M5pO7sOmPlDiYblQTC6LTOKMmZ2G-D7xO6zJ1QvpH2Dwi2w",
  e: "AQAB",
};

const DECOYS: Readonly<Record<JwsAlgorithm, Jwk>> = {
  ES256: {
    kty: "EC",
    crv: "P-256",
    x: "3SAm-6vDLqQgMyBPrGj5qbd4ZzDvQo4ZlffclW_D8PE",
    y: "kKld8SbLZ6MZjSX_ftQGDNIMlxLv4Jyzmq45vB2XgQ0",
  },
  ES384: {
    kty: "EC",
    crv: "P-384",
    x: "zBMsq6LYVf-vRNUDkkpBMrlIPZpK66-pZrzQJpxAEtDqZv85tIwGrn1-tZ20RFA2",
    y: "Mn7LIib4BW7E11LTsj7Zxn9ORVEfwgx0nCJdJj4WHDhYhtEgsLL0yFN8PdOM1RKB",
  },
  EdDSA: { kty: "OKP", crv: "Ed25519", x: "JWpcfzike1gmGAWaeFz0tDMOZCGXc63ZBumQcXqzMhc" },
  RS256: RSA,
  PS256: RSA,
  // 32 zero bytes: an HMAC key for the cost of an HS256 check, never a secret of anyone's.
  HS256: { kty: "oct", k: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
};

const imported = new Map<JwsAlgorithm, Promise<CryptoKey | undefined>>();

/**
 * Verifies `signature` over `signingInput` with the decoy key of `alg`, for its cost only.
 * Never throws.
 *
 * @example
 * ```ts
 * import { decoyVerify } from "./decoy_keys.ts";
 * await decoyVerify("ES256", new Uint8Array(10), new Uint8Array(64)); // same work as a real check
 * ```
 */
export async function decoyVerify(alg: JwsAlgorithm, signingInput: Uint8Array, signature: Uint8Array): Promise<void> {
  let key = imported.get(alg);
  if (key === undefined) {
    key = importJwk(DECOYS[alg], alg, "verify").catch(() => undefined);
    imported.set(alg, key);
  }
  const k = await key;
  if (k !== undefined) await verifySignature(alg, k, signingInput, signature);
}
