// Reference rows for JWT access tokens: the floor plus one bare WebCrypto signature (ES256,
// the yardstick for JWT issuance, and EdDSA), and one bare WebCrypto verification.
import { CLIENT_ID, ORIGIN } from "../fixture.ts";
import { base64url, makeFloor, randomToken } from "./floor.ts";

const encoder = new TextEncoder();
export type BareAlg = "ES256" | "EdDSA";
const GENERATE = { ES256: { name: "ECDSA", namedCurve: "P-256" }, EdDSA: { name: "Ed25519" } } as const;
const SIGN = { ES256: { name: "ECDSA", hash: "SHA-256" }, EdDSA: { name: "Ed25519" } } as const;
const HEADER = {
  ES256: base64url(encoder.encode(JSON.stringify({ alg: "ES256", typ: "at+jwt", kid: "k1" }))),
  EdDSA: base64url(encoder.encode(JSON.stringify({ alg: "EdDSA", typ: "at+jwt", kid: "k1" }))),
};

async function keyPair(alg: BareAlg): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(GENERATE[alg], false, ["sign", "verify"])) as CryptoKeyPair;
}

async function signJwt(alg: BareAlg, key: CryptoKey, scope: string): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  const claims = { iss: ORIGIN, sub: CLIENT_ID, aud: "https://api.example", client_id: CLIENT_ID, scope, iat, exp: iat + 600, jti: randomToken() };
  const input = `${HEADER[alg]}.${base64url(encoder.encode(JSON.stringify(claims)))}`;
  const sig = new Uint8Array(await crypto.subtle.sign(SIGN[alg], key, encoder.encode(input)));
  return `${input}.${base64url(sig)}`;
}

/** The floor whose token is a JWT signed by one bare WebCrypto call. */
export function floorSignedFetch(alg: BareAlg): () => Promise<(request: Request) => Promise<Response>> {
  return async () => {
    const { privateKey } = await keyPair(alg);
    return makeFloor((scope) => signJwt(alg, privateKey, scope));
  };
}

/** The ES256 reference row (kept for the runner's name). */
export const floorEs256Fetch: () => Promise<(request: Request) => Promise<Response>> = floorSignedFetch("ES256");

function decodeBase64Url(s: string): Uint8Array {
  const b = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
  const out = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i++) out[i] = b.charCodeAt(i);
  return out;
}

/** One bare verification: split, one WebCrypto verify, parse the claims, check exp. */
export async function bareVerify(alg: BareAlg): Promise<() => Promise<unknown>> {
  const { privateKey, publicKey } = await keyPair(alg);
  const jwt = await signJwt(alg, privateKey, "read");
  return async () => {
    const [h, p, s] = jwt.split(".") as [string, string, string];
    const ok = await crypto.subtle.verify(SIGN[alg], publicKey, decodeBase64Url(s) as Uint8Array<ArrayBuffer>, encoder.encode(`${h}.${p}`));
    const claims = JSON.parse(new TextDecoder().decode(decodeBase64Url(p))) as { exp: number };
    if (!ok || claims.exp <= Date.now() / 1000) throw new Error("verification failed");
    return claims;
  };
}

export const bareEs256Verify = (): Promise<() => Promise<unknown>> => bareVerify("ES256");
