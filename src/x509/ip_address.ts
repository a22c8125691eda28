/**
 * IP addresses as text and as the octets an X.509 iPAddress name holds (RFC 5280
 * s4.2.1.6): `tls_client_auth_san_ip` is compared in binary form (RFC 8705 s2.1.2, RFC 5952
 * s8), so `::1`, `0:0:0:0:0:0:0:1` and `::0:1` are one address.
 *
 * @module
 */

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    // Decimal only, no leading zero: "010" reads as octal in some parsers and decimal in others.
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

function parseIpv6(text: string): number[] | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === "") return [];
    const out: number[] = [];
    const pieces = part.split(":");
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      // RFC 4291 s2.2 form 3: the last 32 bits may be written as an IPv4 address.
      if (i === pieces.length - 1 && piece.includes(".")) {
        const v4 = parseIpv4(piece);
        if (v4 === undefined) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
        continue;
      }
      if (!/^[0-9A-Fa-f]{1,4}$/.test(piece)) return undefined;
      out.push(parseInt(piece, 16));
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (head === undefined || tail === undefined) return undefined;
  // An IPv4 tail may only end the address.
  if (halves.length === 2 && halves[0]!.includes(".")) return undefined;
  let all: number[];
  if (halves.length === 2) {
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return undefined;
    all = [...head, ...new Array<number>(missing).fill(0), ...tail];
  } else {
    all = head;
  }
  if (all.length !== 8) return undefined;
  const bytes: number[] = [];
  for (const g of all) bytes.push(g >> 8, g & 255);
  return bytes;
}

/**
 * The octets of an IPv4 address in dotted-decimal form (4 octets) or an IPv6 address in
 * any RFC 4291 s2.2 text form (16 octets), or `undefined` for anything else (a zone such
 * as `%eth0`, brackets, a prefix length, leading zeros in an IPv4 part).
 *
 * @example
 * ```ts
 * import { parseIpAddress } from "./ip_address.ts";
 * parseIpAddress("192.0.2.1"); // Uint8Array [192, 0, 2, 1]
 * parseIpAddress("2001:db8::1")?.length; // 16
 * parseIpAddress("::ffff:192.0.2.1")?.length; // 16: an IPv4-mapped IPv6 address is IPv6
 * ```
 */
export function parseIpAddress(text: string): Uint8Array | undefined {
  if (typeof text !== "string" || text.length > 45) return undefined;
  const bytes = text.includes(":") ? parseIpv6(text) : parseIpv4(text);
  return bytes === undefined ? undefined : new Uint8Array(bytes);
}

/**
 * An address's text form: dotted decimal for 4 octets, RFC 5952 s4 for 16 (lower case,
 * the longest run of two or more zero groups as `::`, the first such run on a tie).
 *
 * @example
 * ```ts
 * import { formatIpAddress } from "./ip_address.ts";
 * formatIpAddress(new Uint8Array([32, 1, 13, 184, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])); // "2001:db8::1"
 * ```
 */
export function formatIpAddress(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join(".");
  if (bytes.length !== 16) return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const text = groups.map((g) => g.toString(16));
  if (bestStart === -1) return text.join(":");
  return `${text.slice(0, bestStart).join(":")}::${text.slice(bestStart + bestLength).join(":")}`;
}

/** Whether two addresses are the same octets (RFC 5952 s8: compared in binary form). */
export function sameIpAddress(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
