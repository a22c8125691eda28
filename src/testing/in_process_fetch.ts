/**
 * A `fetch` that answers from fetch handlers in the same process, chosen by the request's
 * origin: no socket, no port, no network.
 *
 * @module
 */

/**
 * A web-standard fetch handler, e.g. `server.fetch` or Hono's `app.fetch`.
 *
 * @example
 * ```ts
 * import type { FetchHandler } from "./in_process_fetch.ts";
 * const hello: FetchHandler = () => new Response("hello");
 * ```
 */
export type FetchHandler = (request: Request) => Response | Promise<Response>;

/**
 * The `fetch` signature that oauth4webapi's and openid-client's `customFetch`, the MCP SDK's
 * `fetch` option and jose's remote JWK Set accept: a URL (string or `URL`) or a `Request`,
 * and optional `RequestInit`.
 *
 * @example
 * ```ts
 * import type { InProcessFetch } from "./in_process_fetch.ts";
 * declare const fetch: InProcessFetch;
 * // oauth4webapi: { [customFetch]: fetch }; the MCP SDK: new StreamableHTTPClientTransport(url, { fetch })
 * ```
 */
export type InProcessFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * Builds a fetch that routes each request to the handler registered for its origin
 * (`https://auth.example.test`, `http://127.0.0.1:8080`, ...). A request for any other
 * origin is refused the way a real fetch refuses an unreachable host: the promise rejects
 * with a `TypeError` naming the origin, so a test can never reach the network by mistake.
 *
 * @example
 * ```ts
 * import { inProcessFetch } from "./in_process_fetch.ts";
 * const routes = new Map([["https://api.example.test", () => new Response("hi")]]);
 * const fetch = inProcessFetch(routes);
 * await (await fetch("https://api.example.test/hello")).text(); // "hi"
 * ```
 */
export function inProcessFetch(routes: ReadonlyMap<string, FetchHandler>): InProcessFetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const origin = new URL(request.url).origin;
    const handler = routes.get(origin);
    if (handler === undefined) {
      throw new TypeError(
        `in-process fetch: no handler for ${origin} (known: ${[...routes.keys()].join(", ")}); register one with route()`,
      );
    }
    return await handler(request);
  };
}
