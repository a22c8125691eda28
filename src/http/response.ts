/**
 * JSON responses that never get cached, and the single place where an error becomes a
 * `Response`.
 *
 * @module
 */

import { OAuthError } from "../errors.ts";

/**
 * RFC 6749 s5.1: responses carrying tokens or credentials MUST send `Cache-Control: no-store`
 * and `Pragma: no-cache`. Sent on error responses too, so no intermediary keeps any answer.
 */
const NO_STORE_JSON = {
  "content-type": "application/json",
  "cache-control": "no-store",
  "pragma": "no-cache",
} as const;

/**
 * A JSON response with `Cache-Control: no-store` and `Pragma: no-cache`.
 *
 * @example
 * ```ts
 * import { jsonResponse } from "./response.ts";
 * const res = jsonResponse(200, { active: false });
 * res.headers.get("cache-control"); // "no-store"
 * ```
 */
export function jsonResponse(status: number, body: unknown, headers?: Record<string, string>): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: headers === undefined ? NO_STORE_JSON : { ...NO_STORE_JSON, ...headers },
  });
}

/**
 * Turns any thrown value into a JSON error response. An {@link OAuthError} keeps its code,
 * status and headers; anything else is a fault of the server (a store that failed, a bug)
 * and becomes a bare 500 `server_error` that reveals nothing about the fault.
 */
export function errorResponse(error: unknown): Response {
  const e = error instanceof OAuthError ? error : new OAuthError("server_error", undefined, { cause: error });
  return jsonResponse(e.status, e.toJSON(), e.headers);
}
