/**
 * JSON responses that never get cached, and the single place where an error becomes a
 * `Response`.
 *
 * @module
 */

import { OAuthError } from "../errors.ts";
import { runtimeAgent } from "../runtime_agent.ts";

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
 * How the three headers get onto a Response, chosen once at module load. Both shapes make the
 * same Response (the same status, header list and body); they differ only in cost, and each
 * runtime makes a different one cheap:
 * - `init`: the headers as a plain object in the constructor's init. `@hono/node-server` keeps
 *   that object and writes it to the socket as it is, without building a `Headers`; Node's
 *   own (undici) `Response` is also cheaper this way (about 5.2 against 6.7 µs).
 * - `set`: `headers.set` after construction. Deno converts an init record through WebIDL at
 *   about 1.8 µs against 0.8 µs for the three `set` calls (1.2 µs of CPU per token request,
 *   bench/ab.ts). Bun costs the same either way (0.44 against 0.38 µs in-process, no
 *   difference over Bun.serve), so it keeps `init`.
 * Deno says who it is in `navigator.userAgent` (see `runtime_agent.ts`): any other runtime
 * keeps `init`, the shape of every earlier release.
 */
const SET_AFTER: boolean = runtimeAgent.startsWith("Deno/");

/**
 * Builds the Response in the given shape (see {@link SET_AFTER}). Extra headers (an error's
 * `WWW-Authenticate`, a DPoP nonce) always take the `init` shape, whose merging of names
 * (a later key of the same name wins, different spellings are both appended) `set` would
 * not copy exactly. Exported for the test that drives both shapes with the same answers.
 *
 * @example
 * ```ts
 * import { buildJsonResponse } from "./response.ts";
 * const res = buildJsonResponse("{}", 200, undefined, true);
 * res.headers.get("pragma"); // "no-cache"
 * ```
 */
export function buildJsonResponse(text: string, status: number, headers: Record<string, string> | undefined, setAfter: boolean): Response {
  if (headers !== undefined) return new Response(text, { status, headers: { ...NO_STORE_JSON, ...headers } });
  if (!setAfter) return new Response(text, { status, headers: NO_STORE_JSON });
  const response = new Response(text, { status });
  const h = response.headers;
  // Replaces the text/plain type a string body gets, in the same place of the header list.
  h.set("content-type", NO_STORE_JSON["content-type"]);
  h.set("cache-control", NO_STORE_JSON["cache-control"]);
  h.set("pragma", NO_STORE_JSON["pragma"]);
  return response;
}

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
  return buildJsonResponse(JSON.stringify(body), status, headers, SET_AFTER);
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
