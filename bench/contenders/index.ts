// Every contender, as the in-process runner, the HTTP servers and the smoke test see it.
//
// A contender is a fetch handler (Request -> Response) or a node:http listener; either way
// it is built fresh (its own storage) by `fetch()` / `listener()`. `send` wraps it for
// in-process runs: one token request for the fixture, answered as status, headers and text.
// Fetch contenders get a new `Request` with the headers an adapter would give it and return
// a `Response` whose body is read: the work a fetch adapter does is included.
import type { IncomingMessage, ServerResponse } from "node:http";
import { AUTHORIZATION, BODY, CONTENT_TYPE, TOKEN_PATH, tokenRequest } from "../fixture.ts";
import { floorFetch } from "./floor.ts";
import { floorEs256Fetch } from "./floor_jwt.ts";
import { libraryFetch } from "./library.ts";

export type FetchHandler = (request: Request) => Promise<Response>;
export type NodeListener = (req: IncomingMessage, res: ServerResponse) => void;

export interface Answer {
  status: number;
  header(name: string): string | null | undefined;
  text: string;
}

export type Send = (authorization?: string) => Promise<Answer>;

export interface Contender {
  /** Row name in the tables. */
  name: string;
  /** How a request reaches it in-process. */
  via: string;
  /** Set when the row waits for something that does not exist yet; no numbers are made up. */
  pending?: string;
  /** Needs node:http (skipped, with a message, under Deno and Bun). */
  nodeOnly?: boolean;
  /** A reference row: it answers the fixture, but its token is not an opaque one. */
  reference?: boolean;
  /** A fresh fetch handler. */
  fetch?: () => Promise<FetchHandler>;
  /** A fresh node:http listener. */
  listener?: () => Promise<NodeListener>;
  /** In-process sending through the contender's own objects, when that is its API. */
  send?: () => Promise<Send>;
}

export const runtime: "node" | "deno" | "bun" = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined"
  ? "bun"
  : typeof (globalThis as { Deno?: unknown }).Deno !== "undefined"
  ? "deno"
  : "node";

export const FLOOR = "floor (fetch)";
export const FLOOR_NODE = "floor (node:http)";
export const LIBRARY = "m2m-oauth, opaque";
const JWT_PENDING = "waits for issue 3 (JWT access tokens): mod.ts does not export JWT issuance yet";
const VERIFY_PENDING = "waits for issue 3: mod.ts does not export the resource-server verifier yet";

export const contenders: Contender[] = [
  { name: FLOOR, via: "fetch", fetch: async () => floorFetch },
  { name: LIBRARY, via: "fetch", fetch: async () => libraryFetch().fetch },
  {
    name: "@jmondi/oauth2-server",
    via: "fetch (its vanilla adapter)",
    fetch: async () => (await import("./jmondi.ts")).createJmondi(),
  },
  {
    name: "@node-oauth/oauth2-server",
    via: "its own Request/Response",
    nodeOnly: true,
    listener: async () => {
      const { createNodeOAuth, nodeOAuthListener } = await import("./node_oauth.ts");
      return nodeOAuthListener(createNodeOAuth());
    },
    send: async () => {
      const { createNodeOAuth, nodeOAuthAnswer } = await import("./node_oauth.ts");
      const server = createNodeOAuth();
      return async (authorization = AUTHORIZATION) => {
        // Headers as node:http gives them (type-is wants content-length to see a body).
        const headers = { "content-type": CONTENT_TYPE, "content-length": String(BODY.length), authorization };
        const a = await nodeOAuthAnswer(server, headers, BODY);
        return { status: a.status, header: (n) => a.headers[n], text: a.body };
      };
    },
  },
  {
    name: FLOOR_NODE,
    via: "node:http (light-my-request)",
    nodeOnly: true,
    listener: async () => (await import("./floor_node.ts")).floorNode,
  },
  {
    name: "oidc-provider",
    via: "node:http (light-my-request)",
    nodeOnly: true,
    listener: async () => (await import("./oidc.ts")).createOidcProvider(),
  },
  // JWT rows. The reference is the floor plus one bare WebCrypto ES256 signature (the issue's
  // yardstick for JWT issuance). TODO(issue 3): once mod.ts exports JWT issuance, give the two
  // rows below a `fetch` like LIBRARY's (libraryFetch with the JWT options) and drop `pending`.
  { name: "floor + ES256 sign (WebCrypto)", via: "fetch", reference: true, fetch: floorEs256Fetch },
  { name: "m2m-oauth, JWT ES256", via: "fetch", pending: JWT_PENDING },
  { name: "m2m-oauth, JWT EdDSA", via: "fetch", pending: JWT_PENDING },
];

/** The in-process sender of a contender: its own API, a fetch call, or light-my-request. */
export async function sender(c: Contender): Promise<Send> {
  if (c.send) return c.send();
  if (c.fetch) {
    const handler = await c.fetch();
    return async (authorization) => {
      const res = await handler(tokenRequest(authorization));
      const text = await res.text();
      return { status: res.status, header: (n) => res.headers.get(n), text };
    };
  }
  if (c.listener) {
    const listener = await c.listener();
    const { inject } = await import("light-my-request");
    return async (authorization = AUTHORIZATION) => {
      const res = await inject(listener as never, {
        method: "POST",
        url: TOKEN_PATH,
        headers: { "content-type": CONTENT_TYPE, authorization, host: "127.0.0.1:8787" },
        payload: BODY,
      });
      return { status: res.statusCode, header: (n) => res.headers[n] as string | undefined, text: res.payload };
    };
  }
  throw new Error(c.pending ?? `${c.name} has no way in`);
}

/** Verification rows (resource server): operations per second of one verify call. */
export interface Verifier {
  name: string;
  pending?: string;
  create?: () => Promise<() => Promise<unknown>>;
}

export const verifiers: Verifier[] = [
  { name: "bare ES256 verify (WebCrypto)", create: async () => (await import("./floor_jwt.ts")).bareEs256Verify() },
  // TODO(issue 3): wire verifyAccessToken here once mod.ts exports it.
  { name: "m2m-oauth verifyAccessToken, ES256", pending: VERIFY_PENDING },
  { name: "m2m-oauth verifyAccessToken, EdDSA", pending: VERIFY_PENDING },
];
