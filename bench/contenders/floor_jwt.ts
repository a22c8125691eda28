// Reference rows for JWT access tokens: the floor plus one bare WebCrypto ES256 signature
// (the yardstick for JWT issuance), and one bare WebCrypto ES256 verification.
import { CLIENT_ID, ORIGIN } from "../fixture.ts";
import { base64url, makeFloor, randomToken } from "./floor.ts";

const encoder = new TextEncoder();
const ES256 = { name: "ECDSA", namedCurve: "P-256" } as const;
const SIGN = { name: "ECDSA", hash: "SHA-256" } as const;
const HEADER = base64url(encoder.encode(JSON.stringify({ alg: "ES256", typ: "at+jwt", kid: "k1" })));

async function es256Key(): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(ES256, false, ["sign", "verify"])) as CryptoKeyPair;
}

async function signJwt(key: CryptoKey, scope: string): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  const claims = { iss: ORIGIN, sub: CLIENT_ID, aud: "https://api.example", client_id: CLIENT_ID, scope, iat, exp: iat + 600, jti: randomToken() };
  const input = `${HEADER}.${base64url(encoder.encode(JSON.stringify(claims)))}`;
  const sig = new Uint8Array(await crypto.subtle.sign(SIGN, key, encoder.encode(input)));
  return `${input}.${base64url(sig)}`;
}

/** The floor whose token is an ES256 JWT signed by WebCrypto. */
export async function floorEs256Fetch(): Promise<(request: Request) => Promise<Response>> {
  const { privateKey } = await es256Key();
  return makeFloor((scope) => signJwt(privateKey, scope));
}

function decodeBase64Url(s: string): Uint8Array {
  const b = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
  const out = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i++) out[i] = b.charCodeAt(i);
  return out;
}

/** One bare verification: split, WebCrypto ES256 verify, parse the claims, check exp. */
export async function bareEs256Verify(): Promise<() => Promise<unknown>> {
  const { privateKey, publicKey } = await es256Key();
  const jwt = await signJwt(privateKey, "read");
  return async () => {
    const [h, p, s] = jwt.split(".") as [string, string, string];
    const ok = await crypto.subtle.verify(SIGN, publicKey, decodeBase64Url(s) as Uint8Array<ArrayBuffer>, encoder.encode(`${h}.${p}`));
    const claims = JSON.parse(new TextDecoder().decode(decodeBase64Url(p))) as { exp: number };
    if (!ok || claims.exp <= Date.now() / 1000) throw new Error("verification failed");
    return claims;
  };
}
