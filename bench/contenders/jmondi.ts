// @jmondi/oauth2-server 4 through its "vanilla" (fetch) adapter, with in-memory repositories
// as its docs describe. It has no opaque access-token mode: the token id that the token
// repository issues (32 random bytes, base64url) and persists in a Map is wrapped in an
// HS256 JWT by the library, so it does one HMAC more than the others.
import { timingSafeEqual } from "node:crypto";
import {
  AuthorizationServer,
  DateInterval,
  type OAuthClient,
  type OAuthClientRepository,
  type OAuthScope,
  type OAuthScopeRepository,
  type OAuthToken,
  type OAuthTokenRepository,
} from "@jmondi/oauth2-server";
import { handleVanillaError, requestFromVanilla, responseToVanilla } from "@jmondi/oauth2-server/vanilla";
import { CLIENT_ID, CLIENT_SECRET, SCOPE } from "../fixture.ts";

const SECRET = new TextEncoder().encode(CLIENT_SECRET);

/** A fetch handler of a fresh authorization server with its own in-memory repositories. */
export function createJmondi(): (request: Request) => Promise<Response> {
  const scope: OAuthScope = { name: SCOPE };
  const client: OAuthClient = {
    id: CLIENT_ID,
    name: "bench",
    secret: CLIENT_SECRET,
    redirectUris: [],
    allowedGrants: ["client_credentials"],
    scopes: [scope],
  };
  const tokens = new Map<string, OAuthToken>();
  const clients: OAuthClientRepository = {
    async getByIdentifier(clientId) {
      if (clientId !== CLIENT_ID) throw new Error("unknown client");
      return client;
    },
    async isClientValid(grantType, c, clientSecret) {
      const presented = new TextEncoder().encode(clientSecret ?? "");
      const ok = presented.length === SECRET.length && timingSafeEqual(presented, SECRET);
      return ok && c.allowedGrants.includes(grantType);
    },
  };
  const scopes: OAuthScopeRepository = {
    async getAllByIdentifiers(names) {
      return names.filter((n) => n === SCOPE).map(() => scope);
    },
    async finalize(requested) {
      return requested.length === 0 ? [scope] : requested;
    },
  };
  const tokenRepository: OAuthTokenRepository = {
    async issueToken(c, s, user) {
      const bytes = crypto.getRandomValues(new Uint8Array(32));
      return {
        accessToken: Buffer.from(bytes).toString("base64url"),
        accessTokenExpiresAt: new Date(Date.now() + 600_000),
        client: c,
        user,
        scopes: s,
      };
    },
    async persist(token) {
      tokens.set(token.accessToken, token);
    },
    async issueRefreshToken(token) {
      return token;
    },
    async revoke(token) {
      tokens.delete(token.accessToken);
    },
    async isRefreshTokenRevoked() {
      return true;
    },
    async getByRefreshToken() {
      throw new Error("no refresh tokens");
    },
    async getByAccessToken(accessToken) {
      const t = tokens.get(accessToken);
      if (t === undefined) throw new Error("unknown token");
      return t;
    },
  };
  const server = new AuthorizationServer(clients, tokenRepository, scopes, "bench-hs256-secret-bench-hs256-secret-32");
  server.enableGrantType("client_credentials", new DateInterval("10m"));
  return async (request) => {
    try {
      return responseToVanilla(await server.respondToAccessTokenRequest(await requestFromVanilla(request)));
    } catch (e) {
      return responseToVanilla(handleVanillaError(e));
    }
  };
}
