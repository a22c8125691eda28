/**
 * A strict DER reader (ITU-T X.690 s8, s10): tag-length-value elements read one level at a
 * time, every length checked against the bytes that are really there, and nothing but
 * the distinguished encoding accepted: definite lengths only, each length in its shortest
 * form, single-byte tags, minimal INTEGERs and OIDs, BOOLEANs of 0x00 or 0xFF.
 *
 * The reader never recurses: a caller descends into a constructed element by making a
 * reader over its contents, as deep as the structure it expects and no deeper, so hostile
 * nesting costs nothing. Every failure is a {@link CertificateError}.
 *
 * @module
 */

import { CertificateError } from "./certificate_error.ts";

/** Universal tags (X.690 s8.1.2; X.680 s8.4), with the constructed bit where DER sets it. */
export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  TELETEX_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** One element: its identifier octet and where its header and contents lie in `bytes`. */
export interface Tlv {
  /** The identifier octet: class, constructed bit and tag number (X.690 s8.1.2). */
  readonly tag: number;
  /** The buffer the element lies in. */
  readonly bytes: Uint8Array;
  /** Offset of the identifier octet. */
  readonly start: number;
  /** Offset of the first content octet. */
  readonly contentStart: number;
  /** Offset just past the last content octet. */
  readonly end: number;
}

function fail(message: string): never {
  throw new CertificateError(`DER: ${message}`);
}

/** The contents of an element (no copy). */
export function contentOf(tlv: Tlv): Uint8Array {
  return tlv.bytes.subarray(tlv.contentStart, tlv.end);
}

/** The whole encoding of an element, header included (no copy). */
export function encodingOf(tlv: Tlv): Uint8Array {
  return tlv.bytes.subarray(tlv.start, tlv.end);
}

/** Whether the identifier octet says "constructed" (X.690 s8.1.2.5). */
export function isConstructed(tag: number): boolean {
  return (tag & 0x20) !== 0;
}

/**
 * Reads the elements of one level, left to right, between `start` and `end` of `bytes`.
 *
 * @example
 * ```ts
 * import { DerReader, TAG } from "./der.ts";
 * const r = new DerReader(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x05]));
 * const seq = r.expect(TAG.SEQUENCE, "a sequence");
 * r.finish("the input");
 * DerReader.inside(seq).expect(TAG.INTEGER, "an integer"); // contents: [5]
 * ```
 */
export class DerReader {
  readonly #bytes: Uint8Array;
  #pos: number;
  readonly #end: number;

  constructor(bytes: Uint8Array, start = 0, end: number = bytes.length) {
    if (!(bytes instanceof Uint8Array)) fail("input is not bytes");
    if (!(start >= 0 && start <= end && end <= bytes.length)) fail("bad bounds");
    this.#bytes = bytes;
    this.#pos = start;
    this.#end = end;
  }

  /** A reader over the contents of a constructed element. */
  static inside(tlv: Tlv): DerReader {
    if (!isConstructed(tlv.tag)) fail(`element 0x${tlv.tag.toString(16)} is not constructed`);
    return new DerReader(tlv.bytes, tlv.contentStart, tlv.end);
  }

  /** Whether every element of this level has been read. */
  get done(): boolean {
    return this.#pos >= this.#end;
  }

  /** The identifier octet of the next element, or `undefined` at the end. */
  peek(): number | undefined {
    return this.#pos < this.#end ? this.#bytes[this.#pos] : undefined;
  }

  /** Reads the next element, whatever its tag. */
  next(what: string): Tlv {
    const bytes = this.#bytes;
    const end = this.#end;
    const start = this.#pos;
    if (start >= end) fail(`${what}: missing`);
    const tag = bytes[start]!;
    // X.690 s8.1.2.4: tag numbers above 30 take further octets; nothing in a certificate
    // needs one, so the form is refused rather than parsed.
    if ((tag & 0x1f) === 0x1f) fail(`${what}: multi-byte tags are not supported`);
    let pos = start + 1;
    if (pos >= end) fail(`${what}: truncated before its length`);
    const first = bytes[pos++]!;
    let length: number;
    if (first < 0x80) {
      length = first;
    } else {
      const count = first & 0x7f;
      // X.690 s10.1: DER uses the definite form only.
      if (count === 0) fail(`${what}: indefinite length`);
      if (count === 0x7f) fail(`${what}: reserved length octet`);
      if (count > 4) fail(`${what}: length of ${count} octets is too long`);
      if (pos + count > end) fail(`${what}: truncated in its length`);
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + bytes[pos++]!;
      // X.690 s10.1: the minimum number of octets; the long form only from 128 up.
      if (length < 0x80 || (count > 1 && bytes[pos - count] === 0)) fail(`${what}: length not in its shortest form`);
    }
    const contentStart = pos;
    if (length > end - contentStart) fail(`${what}: length ${length} runs past the end`);
    this.#pos = contentStart + length;
    return { tag, bytes, start, contentStart, end: contentStart + length };
  }

  /** Reads the next element, which must have this identifier octet. */
  expect(tag: number, what: string): Tlv {
    const next = this.peek();
    if (next !== tag) fail(`${what}: expected tag 0x${tag.toString(16)}, found ${next === undefined ? "the end" : `0x${next.toString(16)}`}`);
    return this.next(what);
  }

  /** Reads the next element if it has this identifier octet. */
  optional(tag: number, what: string): Tlv | undefined {
    return this.peek() === tag ? this.next(what) : undefined;
  }

  /** Fails unless every element of this level has been read. */
  finish(what: string): void {
    if (!this.done) fail(`${what}: unexpected data after its last element`);
  }
}

/** Reads exactly one element filling all of `bytes`. */
export function readSingle(bytes: Uint8Array, tag: number, what: string): Tlv {
  const reader = new DerReader(bytes);
  const tlv = reader.expect(tag, what);
  reader.finish(what);
  return tlv;
}

/**
 * The contents of an INTEGER (X.690 s8.3), two's complement, checked minimal (s8.3.2: the
 * first nine bits are never all zeros or all ones).
 */
export function readInteger(tlv: Tlv, what: string): Uint8Array {
  if (tlv.tag !== TAG.INTEGER) fail(`${what}: not an INTEGER`);
  const c = contentOf(tlv);
  if (c.length === 0) fail(`${what}: empty INTEGER`);
  if (c.length > 1 && ((c[0] === 0x00 && c[1]! < 0x80) || (c[0] === 0xff && c[1]! >= 0x80))) {
    fail(`${what}: INTEGER not in its shortest form`);
  }
  return c;
}

/** A non-negative INTEGER as its big-endian magnitude, without the sign octet. */
export function readUnsignedInteger(tlv: Tlv, what: string): Uint8Array {
  const c = readInteger(tlv, what);
  if (c[0]! >= 0x80) fail(`${what}: negative INTEGER`);
  return c[0] === 0 && c.length > 1 ? c.subarray(1) : c;
}

/** A small non-negative INTEGER (at most 2^31 - 1) as a number. */
export function readSmallInteger(tlv: Tlv, what: string): number {
  const c = readUnsignedInteger(tlv, what);
  if (c.length > 4 || (c.length === 4 && c[0]! >= 0x80)) fail(`${what}: INTEGER too large`);
  let n = 0;
  for (const b of c) n = n * 256 + b;
  return n;
}

/** A BOOLEAN (X.690 s11.1: DER writes TRUE as 0xFF). */
export function readBoolean(tlv: Tlv, what: string): boolean {
  if (tlv.tag !== TAG.BOOLEAN) fail(`${what}: not a BOOLEAN`);
  const c = contentOf(tlv);
  if (c.length !== 1 || (c[0] !== 0x00 && c[0] !== 0xff)) fail(`${what}: BOOLEAN is not 0x00 or 0xFF`);
  return c[0] === 0xff;
}

/**
 * A BIT STRING (X.690 s8.6, s11.2): the count of unused bits (0 to 7, 0 when empty) and
 * the octets, unused bits zero. `tag` allows an IMPLICIT tag in place of the universal one.
 */
export function readBitString(tlv: Tlv, what: string, tag: number = TAG.BIT_STRING): { unusedBits: number; bytes: Uint8Array } {
  if (tlv.tag !== tag) fail(`${what}: not a BIT STRING`);
  const c = contentOf(tlv);
  if (c.length === 0) fail(`${what}: BIT STRING without its unused-bits octet`);
  const unusedBits = c[0]!;
  if (unusedBits > 7 || (c.length === 1 && unusedBits !== 0)) fail(`${what}: bad unused-bits count`);
  if (unusedBits > 0 && (c[c.length - 1]! & ((1 << unusedBits) - 1)) !== 0) fail(`${what}: unused bits are not zero`);
  return { unusedBits, bytes: c.subarray(1) };
}

/** A BIT STRING that holds whole octets (a signature, a public key). */
export function readOctetBitString(tlv: Tlv, what: string): Uint8Array {
  const { unusedBits, bytes } = readBitString(tlv, what);
  if (unusedBits !== 0) fail(`${what}: BIT STRING is not a whole number of octets`);
  return bytes;
}

/** NULL (X.690 s8.8): no contents. */
export function readNull(tlv: Tlv, what: string): void {
  if (tlv.tag !== TAG.NULL || tlv.end !== tlv.contentStart) fail(`${what}: not NULL`);
}

/**
 * An OBJECT IDENTIFIER (X.690 s8.19) in dotted form. Each subidentifier is minimal (no
 * leading 0x80 octet) and at most 2^53 - 1; the first octet carries the first two arcs.
 */
export function readOid(tlv: Tlv, what: string): string {
  if (tlv.tag !== TAG.OID) fail(`${what}: not an OBJECT IDENTIFIER`);
  const c = contentOf(tlv);
  if (c.length === 0) fail(`${what}: empty OBJECT IDENTIFIER`);
  const arcs: number[] = [];
  let value = 0;
  let octets = 0;
  for (let i = 0; i < c.length; i++) {
    const b = c[i]!;
    if (octets === 0 && b === 0x80) fail(`${what}: OBJECT IDENTIFIER arc not in its shortest form`);
    if (++octets > 7) fail(`${what}: OBJECT IDENTIFIER arc too large`);
    value = value * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      if (arcs.length === 0) {
        // s8.19.4: the first subidentifier is 40 * X + Y, X in 0..2.
        if (value < 80) arcs.push(Math.floor(value / 40), value % 40);
        else arcs.push(2, value - 80);
      } else {
        arcs.push(value);
      }
      value = 0;
      octets = 0;
    }
  }
  if (octets !== 0) fail(`${what}: OBJECT IDENTIFIER ends inside an arc`);
  if (!arcs.every(Number.isSafeInteger)) fail(`${what}: OBJECT IDENTIFIER arc too large`);
  return arcs.join(".");
}
