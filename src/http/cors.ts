/**
 * CORS (Fetch standard, "CORS protocol") for the endpoints a browser-based client reads:
 * the metadata document and the JWK Set, and, for clients that run in a browser page (an MCP
 * inspector, a developer console), the token endpoint. Off unless configured (RFC 9700 s2.6 and RFC 9449 s7.1 allow it; DPoP needs `DPoP-Nonce` and `WWW-Authenticate`
 * exposed).
 *
 * No credentials mode is ever allowed (`Access-Control-Allow-Credentials` is never sent):
 * client authentication travels in the request itself, never in cookies.
 *
 * @module
 */

import { checkObject, custom, type Describes, problem } from "../config/describe.ts";

/**
 * Which web origins may call the server from a browser: `"*"` for any, or a list of exact
 * origins (`https://inspector.example.com`, no path).
 *
 * @example
 * ```ts
 * import type { CorsOptions } from "./cors.ts";
 * const cors: CorsOptions = { origins: ["https://console.example.com"] };
 * ```
 */
export interface CorsOptions {
  origins: "*" | readonly string[];
}

/** The prepared policy. */
export interface CorsPolicy {
  /** The `Access-Control-Allow-Origin` value for a request from `origin`, or undefined. */
  allow(origin: string | null): string | undefined;
}

/**
 * Validates the `cors` option once.
 *
 * @example
 * ```ts
 * import { corsPolicy } from "./cors.ts";
 * corsPolicy({ origins: "*" })?.allow("https://a.example"); // "*"
 * ```
 */
export function corsPolicy(options: CorsOptions | undefined): CorsPolicy | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== "object" || options === null || Array.isArray(options)) throw problem("cors", "must be { origins }");
  const { origins } = checkObject(corsDescription, options, "cors");
  if (origins === "*") return { allow: (origin) => origin === null ? undefined : "*" };
  const allowed = new Set(origins);
  return { allow: (origin) => origin !== null && allowed.has(origin) ? origin : undefined };
}

/** An exact web origin, as the `Origin` header carries it (RFC 6454 s6.1): `scheme://host[:port]`. */
const origin = custom<string>("origin", "An origin: scheme://host[:port].", (value, path) => {
  let parsed: URL | undefined;
  try {
    parsed = new URL(value as string);
  } catch {
    parsed = undefined;
  }
  if (typeof value !== "string" || parsed === undefined || parsed.origin !== value) {
    throw problem(path, `${JSON.stringify(value)} is not an origin (scheme://host[:port])`);
  }
  return value;
});

/**
 * The description of {@link CorsOptions} (the `cors` option).
 *
 * @example
 * ```ts
 * import { corsDescription } from "./cors.ts";
 * corsDescription.origins.required; // true
 * ```
 */
export const corsDescription = {
  origins: custom<"*" | readonly string[], { required: true }>(
    "\"*\" or array of origins",
    "Which web origins may call the server from a browser.",
    (value, path) => {
      if (value === "*") return value;
      if (!Array.isArray(value) || value.length === 0) throw problem(path, "must be \"*\" or a list of origins");
      return value.map((o, i) => origin.check(o, `${path}[${i}]`));
    },
    { required: true },
  ),
} satisfies Describes<CorsOptions>;

/** Headers a browser may read from an answer: DPoP nonces and challenges (RFC 9449 s7.1, s8). */
const EXPOSED = "DPoP-Nonce, WWW-Authenticate, Retry-After";
/** Headers a browser may send: client authentication, the form, a DPoP proof. */
const ALLOWED_HEADERS = "Authorization, Content-Type, DPoP";

/**
 * Answers a preflight (`OPTIONS` with `Access-Control-Request-Method`) for a route that
 * accepts `methods`: 204 with the CORS headers when the origin is allowed, else 204 without
 * them (the browser then refuses, as it should).
 *
 * @example
 * ```ts
 * import { corsPolicy, preflight } from "./cors.ts";
 * const policy = corsPolicy({ origins: "*" })!;
 * preflight(new Request("https://as.example/token", { method: "OPTIONS", headers: { origin: "https://a.example" } }), ["POST"], policy).status; // 204
 * ```
 */
export function preflight(request: Request, methods: readonly string[], policy: CorsPolicy): Response {
  const allowOrigin = policy.allow(request.headers.get("origin"));
  // Vary: Origin whatever the origin: the answer depends on it (RFC 9110 s12.5.5).
  const headers: Record<string, string> = { allow: [...methods, "OPTIONS"].join(", "), vary: "Origin" };
  if (allowOrigin !== undefined) {
    headers["access-control-allow-origin"] = allowOrigin;
    headers["access-control-allow-methods"] = methods.join(", ");
    headers["access-control-allow-headers"] = ALLOWED_HEADERS;
    headers["access-control-max-age"] = "600";
  }
  return new Response(null, { status: 204, headers });
}

/** Adds `Origin` to a `Vary` header unless it (or `*`) is already there. */
function varyOnOrigin(headers: Headers): void {
  const vary = headers.get("vary");
  if (vary === null) headers.set("vary", "Origin");
  else if (!vary.split(",").some((v) => ["origin", "*"].includes(v.trim().toLowerCase()))) headers.set("vary", `${vary}, Origin`);
}

/**
 * Adds the CORS headers of an actual request to `response` when its origin is allowed, and
 * `Vary: Origin` to every answer, allowed origin, other origin or none: with CORS on, an
 * answer's headers depend on the request's `Origin`, so a cache (the JWK Set is cacheable)
 * must not hand one origin's answer to another (Fetch standard, "CORS protocol and HTTP
 * caches").
 *
 * @example
 * ```ts
 * import { corsPolicy, withCors } from "./cors.ts";
 * const policy = corsPolicy({ origins: "*" })!;
 * declare const request: Request;
 * const response = withCors(request, Response.json({}), policy);
 * ```
 */
export function withCors(request: Request, response: Response, policy: CorsPolicy): Response {
  const allowOrigin = policy.allow(request.headers.get("origin"));
  const headers = new Headers(response.headers);
  if (allowOrigin !== undefined) {
    headers.set("access-control-allow-origin", allowOrigin);
    headers.set("access-control-expose-headers", EXPOSED);
  }
  varyOnOrigin(headers);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
