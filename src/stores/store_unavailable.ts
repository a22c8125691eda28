/**
 * The one place a store that cannot serve now becomes an answer. A store that is full
 * ({@link StoreFullError}: a per-client cap, a bounded memory store, Redis refusing a write)
 * or that did not answer by its deadline (`stores/deadline.ts`) makes the request a 503
 * `temporarily_unavailable` (RFC 6749 s5.2 names the code; RFC 7009 s2.2.1 the 503), with
 * `Retry-After` (RFC 9110 s10.2.3) when the store knows when to come back. Any other
 * failure of a store is a fault of the server and stays one: `errorResponse` makes it a
 * bare 500 `server_error`.
 *
 * @module
 */

import { OAuthError } from "../errors.ts";
import { StoreFullError } from "./token_store.ts";

/**
 * A 503 `temporarily_unavailable` saying what the server cannot do now, with `Retry-After`
 * in seconds when `retryAfter` is known. `cause` is kept for logs and never sent.
 *
 * @example
 * ```ts
 * import { storeUnavailable } from "./store_unavailable.ts";
 * const e = storeUnavailable("the server cannot record more tokens now", 30);
 * e.status; // 503
 * e.headers; // { "retry-after": "30" }
 * ```
 */
export function storeUnavailable(description: string, retryAfter?: number, cause?: unknown): OAuthError {
  return new OAuthError("temporarily_unavailable", description, {
    status: 503,
    headers: retryAfter === undefined ? undefined : { "retry-after": String(retryAfter) },
    cause,
  });
}

/**
 * For a `catch` around a store call: a {@link StoreFullError} becomes
 * {@link storeUnavailable} with `description` and the store's own retry delay; anything
 * else is returned as it is, to be rethrown unchanged.
 *
 * @example
 * ```ts
 * import { storeFailure } from "./store_unavailable.ts";
 * import { StoreFullError } from "./token_store.ts";
 * const e = storeFailure(new StoreFullError("full", 5), "the server cannot record more tokens now");
 * // an OAuthError: 503 temporarily_unavailable, Retry-After: 5
 * ```
 */
export function storeFailure(error: unknown, description: string): unknown {
  return error instanceof StoreFullError ? storeUnavailable(description, error.retryAfter, error) : error;
}
