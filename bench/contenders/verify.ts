// The resource-server rows: one call of the library's verifyAccessToken, for a token the
// library issued through its own token endpoint. The `Request` is built once: it is the
// server adapter's object, and every resource-server handler gets one whatever it verifies
// with (the bare rows are handed the token string).
import { type ResourceServerOptions, verifyAccessToken } from "../../src/resource_server/mod.ts";
import { ORIGIN, tokenRequest } from "../fixture.ts";
import { API, libraryFetch, libraryJwtFetch } from "./library.ts";

async function issue(fetch: (request: Request) => Promise<Response>): Promise<string> {
  const res = await fetch(tokenRequest());
  const body = (await res.json()) as { access_token?: string };
  if (res.status !== 200 || typeof body.access_token !== "string") throw new Error(`no token: ${JSON.stringify(body)}`);
  return body.access_token;
}

function verifier(token: string, options: ResourceServerOptions): () => Promise<unknown> {
  const request = new Request(`${API}/invoices`, { headers: { authorization: `Bearer ${token}` } });
  return async () => {
    const result = await verifyAccessToken(request, options, { scope: "read" });
    if (!result.ok) throw new Error(`refused: ${result.error?.message ?? result.response.status}`);
    return result.claims;
  };
}

/** verifyAccessToken for a JWT access token, with the authorization server's KeySet as `jwks`. */
export async function jwtVerifier(alg: "ES256" | "EdDSA", extra: Partial<ResourceServerOptions> = {}): Promise<() => Promise<unknown>> {
  const { fetch, keys } = await libraryJwtFetch(alg);
  return verifier(await issue(fetch), { resource: API, issuer: ORIGIN, jwks: keys, ...extra });
}

/** verifyAccessToken for an opaque token, looked up in the token endpoint's own MemoryTokenStore. */
export async function opaqueVerifier(): Promise<() => Promise<unknown>> {
  const { fetch, options } = libraryFetch({ defaultResource: API });
  return verifier(await issue(fetch), { resource: API, tokenStore: options.tokenStore! });
}
