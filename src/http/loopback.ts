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
