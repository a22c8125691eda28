// This library (m2m-oauth) from the repository source: opaque tokens in its default
// in-memory token store, the client registered with a SHA-256 secret hash.
import {
  type ClientRegistration,
  generateSigningKey,
  handleTokenRequest,
  KeySet,
  MemoryTokenStore,
  type TokenEndpointOptions,
} from "../../mod.ts";
import { CLIENT_ID, CLIENT_SECRET_SHA256, ORIGIN } from "../fixture.ts";

export const LIBRARY_CLIENT: ClientRegistration = {
  client_id: CLIENT_ID,
  client_secret_hash: CLIENT_SECRET_SHA256,
  grant_types: ["client_credentials"],
  scope: "read",
};

/** A token endpoint of the library as a fetch handler, with its own options and store. */
export function libraryFetch(overrides: Partial<TokenEndpointOptions> = {}): {
  fetch: (request: Request) => Promise<Response>;
  options: TokenEndpointOptions;
} {
  const options: TokenEndpointOptions = {
    issuer: ORIGIN,
    clients: [LIBRARY_CLIENT],
    // The bench's one client stands for every client of a busy server: over HTTP a fast
    // runtime issues more than the default per-client quota (100,000 live tokens) within one
    // sample, and the quota's 503s would be counted as (fast) answers.
    tokenStore: new MemoryTokenStore({ maxEntries: 2_000_000, maxEntriesPerClient: 2_000_000 }),
    ...overrides,
  };
  return { options, fetch: (request) => handleTokenRequest(request, options) };
}

/** The audience of the bench's JWT access tokens (the resource server's identifier). */
export const API = "https://api.example";

/** A token endpoint that issues RFC 9068 JWT access tokens signed with a fresh key of `alg`. */
export async function libraryJwtFetch(alg: "ES256" | "EdDSA"): Promise<{
  fetch: (request: Request) => Promise<Response>;
  options: TokenEndpointOptions;
  keys: KeySet;
}> {
  const keys = new KeySet({ active: await generateSigningKey(alg) });
  const { fetch, options } = libraryFetch({ accessTokenFormat: "jwt", signingKeys: keys, defaultResource: API });
  return { fetch, options, keys };
}
