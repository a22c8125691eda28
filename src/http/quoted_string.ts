/**
 * The quoted-string of HTTP (RFC 9110 s5.6.4), for auth-param values in `WWW-Authenticate`
 * challenges (RFC 9110 s11.2): `"` and `\` escaped with a backslash.
 *
 * @module
 */

/**
 * `value` as an RFC 9110 s5.6.4 quoted-string.
 *
 * @example
 * ```ts
 * import { quotedString } from "./quoted_string.ts";
 * quotedString('say "hi"'); // "\"say \\\"hi\\\"\""
 * ```
 */
export function quotedString(value: string): string {
  return `"${value.replace(/[\\"]/g, "\\$&")}"`;
}
