/**
 * Loopback hosts: the one place plain `http` is allowed (RFC 8252 s8.3 treats loopback
 * as local to the machine; RFC 6749 s3.1, s3.2 otherwise ask for TLS).
 *
 * @module
 */

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/**
 * Whether `hostname` (as `URL.hostname` gives it) names the local machine.
 *
 * @example
 * ```ts
 * import { isLoopbackHost } from "./loopback.ts";
 * isLoopbackHost("127.0.0.1"); // true
 * isLoopbackHost("example.com"); // false
 * ```
 */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK.test(hostname);
}

/**
 * Whether a configured URL is one the library may use: `https`, or plain `http` on a
 * loopback host only.
 *
 * @example
 * ```ts
 * import { isHttpsOrLoopback } from "./loopback.ts";
 * isHttpsOrLoopback(new URL("http://127.0.0.1:8787/jwks")); // true
 * isHttpsOrLoopback(new URL("http://as.example.com/jwks")); // false
 * ```
 */
export function isHttpsOrLoopback(url: URL): boolean {
  return url.protocol === "https:" || (url.protocol === "http:" && isLoopbackHost(url.hostname));
}
