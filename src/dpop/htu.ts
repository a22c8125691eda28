/**
 * The `htu` of a DPoP proof (RFC 9449 s4.2, s4.3): the HTTP target URI without query and
 * fragment, compared after normalisation (RFC 3986 s6.2.2, s6.2.3), against the public URL
 * the server was configured with, never one built from `Host` or `X-Forwarded-*` headers
 * (RFC 9700 s4.13): a proxy rewrites those, and a client can forge them.
 *
 * @module
 */

/** RFC 3986 s2.3 unreserved characters: their percent-encoded form means the same. */
const UNRESERVED = /[A-Za-z0-9\-._~]/;

/**
 * RFC 3986 s6.2.2.1 and s6.2.2.2 for a path: hex digits of percent-encodings in upper case,
 * percent-encoded unreserved characters decoded. (Case of scheme and host, dot segments,
 * the default port and the empty path, s6.2.2.1, s6.2.2.3 and s6.2.3, are the `URL`
 * parser's work.)
 */
function normalizePath(path: string): string {
  return path.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => {
    const c = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(c) ? c : `%${hex.toUpperCase()}`;
  });
}

/**
 * The normal form of an `htu` value or of a configured URL: `scheme://host[:port]/path`
 * with query and fragment dropped, scheme and host in lower case, the default port
 * removed, an empty path made `/`, dot segments resolved, percent-encodings normalised.
 * `undefined` when `uri` is not an absolute `http` or `https` URI, or carries user
 * information (no URL this server answers at does).
 *
 * @example
 * ```ts
 * import { normalizeHtu } from "./htu.ts";
 * normalizeHtu("HTTPS://AS.Example.com:443/%7etoken?x=1#f"); // "https://as.example.com/~token"
 * normalizeHtu("/token"); // undefined: not absolute
 * ```
 */
export function normalizeHtu(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return undefined;
  if (url.username !== "" || url.password !== "") return undefined;
  return `${url.protocol}//${url.host}${normalizePath(url.pathname)}`;
}
