/**
 * Strict JSON for JOSE headers and JWT claims sets.
 *
 * `JSON.parse` keeps the last of two members with the same name, so `{"alg":"ES256",
 * "alg":"none"}` would mean different things to different parsers. RFC 7515 s5.2 and
 * RFC 7519 s7.2 let a verifier reject such input; this parser does, and also caps nesting
 * depth so a hostile token cannot exhaust the stack.
 *
 * @module
 */

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const MAX_DEPTH = 32;

class Parser {
  readonly #text: string;
  #i = 0;

  constructor(text: string) {
    this.#text = text;
  }

  parse(): unknown {
    const value = this.#value(0);
    this.#space();
    if (this.#i !== this.#text.length) throw new SyntaxError("trailing characters");
    return value;
  }

  #space(): void {
    const t = this.#text;
    while (this.#i < t.length) {
      const c = t.charCodeAt(this.#i);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      this.#i++;
    }
  }

  #value(depth: number): unknown {
    if (depth > MAX_DEPTH) throw new SyntaxError("nested too deeply");
    this.#space();
    const c = this.#text[this.#i];
    if (c === "{") return this.#object(depth);
    if (c === "[") return this.#array(depth);
    if (c === '"') return this.#string();
    for (const [word, value] of [["true", true], ["false", false], ["null", null]] as const) {
      if (this.#text.startsWith(word, this.#i)) {
        this.#i += word.length;
        return value;
      }
    }
    NUMBER.lastIndex = this.#i;
    const m = NUMBER.exec(this.#text);
    if (m === null) throw new SyntaxError("unexpected character");
    this.#i += m[0].length;
    return Number(m[0]);
  }

  #string(): string {
    const t = this.#text;
    const start = this.#i;
    let i = start + 1;
    for (;;) {
      const c = t.charCodeAt(i);
      if (Number.isNaN(c)) throw new SyntaxError("unterminated string");
      if (c === 0x22) break;
      i += c === 0x5c ? 2 : 1;
    }
    this.#i = i + 1;
    // JSON.parse decodes the escapes and refuses control characters and bad escapes.
    return JSON.parse(t.slice(start, i + 1)) as string;
  }

  #expect(char: string): void {
    this.#space();
    if (this.#text[this.#i] !== char) throw new SyntaxError(`expected '${char}'`);
    this.#i++;
  }

  #object(depth: number): Record<string, unknown> {
    this.#i++;
    const out: Record<string, unknown> = {};
    const seen = new Set<string>();
    this.#space();
    if (this.#text[this.#i] === "}") {
      this.#i++;
      return out;
    }
    for (;;) {
      this.#space();
      if (this.#text[this.#i] !== '"') throw new SyntaxError("expected a member name");
      const name = this.#string();
      if (seen.has(name)) throw new SyntaxError(`duplicate member '${name}'`);
      seen.add(name);
      this.#expect(":");
      // defineProperty: a member named __proto__ is data, not a prototype change.
      Object.defineProperty(out, name, { value: this.#value(depth + 1), enumerable: true, writable: true, configurable: true });
      this.#space();
      const c = this.#text[this.#i++];
      if (c === "}") return out;
      if (c !== ",") throw new SyntaxError("expected ',' or '}'");
    }
  }

  #array(depth: number): unknown[] {
    this.#i++;
    const out: unknown[] = [];
    this.#space();
    if (this.#text[this.#i] === "]") {
      this.#i++;
      return out;
    }
    for (;;) {
      out.push(this.#value(depth + 1));
      this.#space();
      const c = this.#text[this.#i++];
      if (c === "]") return out;
      if (c !== ",") throw new SyntaxError("expected ',' or ']'");
    }
  }
}

/**
 * Parses UTF-8 bytes holding one JSON object, refusing duplicate member names, invalid
 * UTF-8, a byte order mark and anything but an object at the top; `undefined` on any fault.
 *
 * @example
 * ```ts
 * import { parseJsonObject } from "./json.ts";
 * const bytes = (s: string) => new TextEncoder().encode(s);
 * parseJsonObject(bytes('{"alg":"ES256"}')); // { alg: "ES256" }
 * parseJsonObject(bytes('{"alg":"ES256","alg":"none"}')); // undefined
 * ```
 */
export function parseJsonObject(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const value = new Parser(UTF8.decode(bytes)).parse();
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? value as Record<string, unknown>
      : undefined;
  } catch {
    return undefined;
  }
}
