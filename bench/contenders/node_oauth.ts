// @node-oauth/oauth2-server 5: its own Request/Response objects and a model over an in-memory
// Map, as its docs describe (the model checks the secret; the server draws the token from
// crypto.randomBytes). On node:http the body is parsed the way a body parser would.
import type { IncomingMessage, ServerResponse } from "node:http";
import { timingSafeEqual } from "node:crypto";
import OAuth2Server from "@node-oauth/oauth2-server";
import { CLIENT_ID, CLIENT_SECRET, SCOPE } from "../fixture.ts";

const SECRET = Buffer.from(CLIENT_SECRET);

/** A server with its own in-memory model (tokens kept in a Map, as the docs' memory model does). */
export function createNodeOAuth(): OAuth2Server {
  const client = { id: CLIENT_ID, grants: ["client_credentials"], accessTokenLifetime: 600 };
  const tokens = new Map<string, unknown>();
  const model = {
    getClient(clientId: string, clientSecret: string) {
      const presented = Buffer.from(clientSecret ?? "");
      const ok = presented.length === SECRET.length && timingSafeEqual(presented, SECRET);
      return clientId === CLIENT_ID && ok ? client : false;
    },
    getUserFromClient(c: typeof client) {
      return { id: c.id };
    },
    validateScope(_user: unknown, _client: unknown, scope: string[] | undefined) {
      if (scope === undefined) return [SCOPE];
      return scope.every((s) => s === SCOPE) ? scope : false;
    },
    saveToken(token: { accessToken: string }, c: unknown, user: unknown) {
      const saved = { ...token, client: c, user };
      tokens.set(token.accessToken, saved);
      return saved;
    },
    getAccessToken(accessToken: string) {
      return tokens.get(accessToken);
    },
  };
  return new OAuth2Server({ model: model as never, accessTokenLifetime: 600 });
}

export interface PlainAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One token request through the library's own Request/Response objects (no HTTP, no fetch). */
export async function nodeOAuthAnswer(
  server: OAuth2Server,
  headers: Record<string, string | string[] | undefined>,
  body: string,
): Promise<PlainAnswer> {
  const request = new OAuth2Server.Request({
    method: "POST",
    headers: headers as Record<string, string>,
    query: {},
    body: Object.fromEntries(new URLSearchParams(body)),
  });
  const response = new OAuth2Server.Response({});
  try {
    await server.token(request, response);
  } catch {
    // the response carries the error
  }
  return {
    status: response.status ?? 500,
    headers: { "content-type": "application/json", ...response.headers },
    body: JSON.stringify(response.body),
  };
}

/** The server as a node:http request listener. */
export function nodeOAuthListener(server: OAuth2Server): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = chunks.length === 1 ? chunks[0]!.toString() : Buffer.concat(chunks).toString();
      nodeOAuthAnswer(server, req.headers, text).then((a) => res.writeHead(a.status, a.headers).end(a.body));
    });
  };
}
