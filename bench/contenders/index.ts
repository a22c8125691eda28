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
import { floorSignedFetch } from "./floor_jwt.ts";
import { libraryFetch, libraryJwtFetch } from "./library.ts";

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
export const LIBRARY_NO_GUARD = "m2m-oauth, opaque, bruteForce: false";
export const LIBRARY_ES256 = "m2m-oauth, JWT ES256";
export const LIBRARY_EDDSA = "m2m-oauth, JWT EdDSA";
export const FLOOR_ES256 = "floor + ES256 sign (WebCrypto)";
export const FLOOR_EDDSA = "floor + EdDSA sign (WebCrypto)";

/**
 * Loads a module that needs bench/'s own peer packages (installed by `npm run bench` only) by
 * a computed specifier, so the suite's type checks (tsc, deno) do not follow it into packages
 * that may be absent: `npm test` runs offline without them.
 */
// deno-lint-ignore no-explicit-any
function peerModule(specifier: string): Promise<any> {
  return import(specifier.startsWith(".") ? new URL(specifier, import.meta.url).href : specifier);
}

export const contenders: Contender[] = [
  { name: FLOOR, via: "fetch", fetch: async () => floorFetch },
  { name: LIBRARY, via: "fetch", fetch: async () => libraryFetch().fetch },
  // A reference row, not a recommended setting: what the brute-force guard (on by default,
  // RFC 6749 s2.3.1) costs per request, measured next to the default.
  { name: LIBRARY_NO_GUARD, via: "fetch", fetch: async () => libraryFetch({ bruteForce: false }).fetch },
  {
    name: "@jmondi/oauth2-server",
    via: "fetch (its vanilla adapter)",
    fetch: async () => (await peerModule("./jmondi.ts")).createJmondi(),
  },
  {
    name: "@node-oauth/oauth2-server",
    via: "its own Request/Response",
    nodeOnly: true,
    listener: async () => {
      const { createNodeOAuth, nodeOAuthListener } = await peerModule("./node_oauth.ts");
      return nodeOAuthListener(createNodeOAuth());
    },
    send: async () => {
      const { createNodeOAuth, nodeOAuthAnswer } = await peerModule("./node_oauth.ts");
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
    listener: async () => (await peerModule("./oidc.ts")).createOidcProvider(),
  },
  // JWT rows. The references are the floor plus one bare WebCrypto signature (ES256 is the
  // issue's yardstick for JWT issuance); the library's rows sign with a KeySet's active key.
  { name: FLOOR_ES256, via: "fetch", reference: true, fetch: floorSignedFetch("ES256") },
  { name: FLOOR_EDDSA, via: "fetch", reference: true, fetch: floorSignedFetch("EdDSA") },
  { name: LIBRARY_ES256, via: "fetch", fetch: async () => (await libraryJwtFetch("ES256")).fetch },
  { name: LIBRARY_EDDSA, via: "fetch", fetch: async () => (await libraryJwtFetch("EdDSA")).fetch },
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
    const { inject } = await peerModule("light-my-request");
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
  /** A fresh verification: each call verifies one token and resolves with its claims. */
  create: () => Promise<() => Promise<unknown>>;
}

export const verifiers: Verifier[] = [
  { name: "bare ES256 verify (WebCrypto)", create: async () => (await import("./floor_jwt.ts")).bareVerify("ES256") },
  { name: "bare EdDSA verify (WebCrypto)", create: async () => (await import("./floor_jwt.ts")).bareVerify("EdDSA") },
  // A token seen for the first time (the memo of verified tokens off: every call checks the
  // signature), and the same token presented again (the default memo).
  { name: "m2m-oauth verifyAccessToken, JWT ES256, first sight", create: async () => (await import("./verify.ts")).jwtVerifier("ES256", { verifiedTokenCache: 0 }) },
  { name: "m2m-oauth verifyAccessToken, JWT EdDSA, first sight", create: async () => (await import("./verify.ts")).jwtVerifier("EdDSA", { verifiedTokenCache: 0 }) },
  { name: "m2m-oauth verifyAccessToken, JWT ES256, token seen before", create: async () => (await import("./verify.ts")).jwtVerifier("ES256") },
  { name: "m2m-oauth verifyAccessToken, JWT EdDSA, token seen before", create: async () => (await import("./verify.ts")).jwtVerifier("EdDSA") },
  { name: "m2m-oauth verifyAccessToken, opaque (MemoryTokenStore)", create: async () => (await import("./verify.ts")).opaqueVerifier() },
];
