/**
 * The fetch the library calls out with (a client's `jwks_uri`, an authorization server's
 * JWK Set): any function of this shape, such as `globalThis.fetch` on every runtime, a fetch
 * that refuses internal addresses, or an in-process router in tests.
 *
 * It is not `typeof globalThis.fetch`: on some runtimes that type carries extra members
 * (Bun's `fetch.preconnect`) that a user's own function need not have.
 *
 * @module
 */

/**
 * A fetch-shaped function.
 *
 * @example
 * ```ts
 * import type { FetchLike } from "./fetch.ts";
 * const allowList = new Set(["keys.example.com"]);
 * const guarded: FetchLike = (input, init) =>
 *   allowList.has(new URL(input instanceof Request ? input.url : input).hostname)
 *     ? fetch(input, init)
 *     : Promise.reject(new TypeError("host not allowed"));
 * ```
 */
export type FetchLike = (input: Request | URL | string, init?: RequestInit) => Promise<Response>;
