// A small DER writer for tests (ITU-T X.690): enough to build X.509 certificates at test
// time, and deliberately malformed ones. Test code only; the library only reads DER.

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The length octets of `n` in the shortest form (X.690 s10.1). */
export function lengthOctets(n: number): Uint8Array {
  if (n < 0x80) return new Uint8Array([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 255);
  return new Uint8Array([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, content: Uint8Array): Uint8Array {
  return concat(new Uint8Array([tag]), lengthOctets(content.length), content);
}

export const seq = (...items: Uint8Array[]): Uint8Array => tlv(0x30, concat(...items));
export const set = (...items: Uint8Array[]): Uint8Array => tlv(0x31, concat(...items));
export const explicit = (n: number, ...items: Uint8Array[]): Uint8Array => tlv(0xa0 | n, concat(...items));
export const implicit = (n: number, content: Uint8Array): Uint8Array => tlv(0x80 | n, content);
export const nul = (): Uint8Array => new Uint8Array([0x05, 0x00]);
export const bool = (v: boolean): Uint8Array => new Uint8Array([0x01, 0x01, v ? 0xff : 0x00]);
export const octets = (b: Uint8Array): Uint8Array => tlv(0x04, b);
export const bitString = (b: Uint8Array, unusedBits = 0): Uint8Array => tlv(0x03, concat(new Uint8Array([unusedBits]), b));
export const utf8 = (s: string): Uint8Array => tlv(0x0c, new TextEncoder().encode(s));
export const printable = (s: string): Uint8Array => tlv(0x13, new TextEncoder().encode(s));
export const ia5 = (s: string): Uint8Array => tlv(0x16, new TextEncoder().encode(s));

/** A non-negative INTEGER from its big-endian magnitude, minimal, with a sign octet if needed. */
export function uint(magnitude: Uint8Array | number): Uint8Array {
  let bytes: number[];
  if (typeof magnitude === "number") {
    bytes = [];
    for (let v = magnitude; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 255);
    if (bytes.length === 0) bytes = [0];
  } else {
    bytes = Array.from(magnitude);
    while (bytes.length > 1 && bytes[0] === 0) bytes.shift();
    if (bytes.length === 0) bytes = [0];
  }
  if (bytes[0]! >= 0x80) bytes.unshift(0);
  return tlv(0x02, new Uint8Array(bytes));
}

export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split(".").map(Number);
  const values = [arcs[0]! * 40 + arcs[1]!, ...arcs.slice(2)];
  const out: number[] = [];
  for (const v of values) {
    const chunk: number[] = [v & 0x7f];
    for (let rest = Math.floor(v / 128); rest > 0; rest = Math.floor(rest / 128)) chunk.unshift((rest & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, new Uint8Array(out));
}

const two = (n: number) => String(n).padStart(2, "0");

/** UTCTime for years 1950-2049, GeneralizedTime otherwise (RFC 5280 s4.1.2.5). */
export function time(date: Date): Uint8Array {
  const y = date.getUTCFullYear();
  const rest = `${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}Z`;
  return y >= 1950 && y < 2050
    ? tlv(0x17, new TextEncoder().encode(`${two(y % 100)}${rest}`))
    : tlv(0x18, new TextEncoder().encode(`${y}${rest}`));
}
