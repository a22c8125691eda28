/**
 * Strict reading of `application/x-www-form-urlencoded` request bodies (RFC 6749 s3.2,
 * App. B; WHATWG URL s5.1).
 *
 * `request.formData()` would also accept multipart, and `URLSearchParams` silently replaces
 * invalid percent-escapes and invalid UTF-8; neither caps size or time. This reader enforces
 * the media type and charset, a byte cap (checked as a streamed body arrives, or against the
 * declared Content-Length and again once read), a deadline for the whole body, UTF-8
 * validity, well-formed percent-escapes, and the rule that parameters appear at most once
 * (RFC 6749 s3.2; RFC 8707 s2 lets `resource` repeat).
 *
 * @module
 */

import { type Deadline, deadlines } from "../deadline_scheduler.ts";
import { OAuthError } from "../errors.ts";
import { runtimeAgent } from "../runtime_agent.ts";
import { SettleBudget } from "./settle_budget.ts";

/** The parameters of a form body. Empty values are treated as absent (RFC 6749 s3.2). */
export interface FormParameters {
  /** The single value of `name`, or `undefined` when absent or empty. */
  get(name: string): string | undefined;
  /** Every non-empty value of `name`, for the parameters allowed to repeat. */
  getAll(name: string): readonly string[];
  /** Whether `name` was sent, even with an empty value. */
  has(name: string): boolean;
}

/** Limits for {@link readForm}. */
export interface FormLimits {
  /** Largest body accepted, in bytes. */
  maxBytes: number;
  /** Longest time the body may take to arrive, in milliseconds. */
  timeoutMs: number;
  /** Names that may appear more than once. */
  repeatable?: ReadonlySet<string>;
}

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const NONE: readonly string[] = Object.freeze([]);

class Form implements FormParameters {
  readonly #values = new Map<string, string | string[]>();

  get(name: string): string | undefined {
    const v = this.#values.get(name);
    return v === undefined || v === "" ? undefined : typeof v === "string" ? v : v[0];
  }

  getAll(name: string): readonly string[] {
    const v = this.#values.get(name);
    if (v === undefined || v === "") return NONE;
    return typeof v === "string" ? [v] : v.filter((x) => x !== "");
  }

  has(name: string): boolean {
    return this.#values.has(name);
  }

  add(name: string, value: string, repeatable: ReadonlySet<string> | undefined): void {
    const prev = this.#values.get(name);
    if (prev === undefined) {
      this.#values.set(name, value);
    } else if (repeatable?.has(name)) {
      if (typeof prev === "string") this.#values.set(name, [prev, value]);
      else prev.push(value);
    } else {
      throw new OAuthError("invalid_request", `parameter '${name}' is repeated`);
    }
  }
}

function decodeComponent(raw: string): string {
  if (raw.indexOf("%") === -1 && raw.indexOf("+") === -1) return raw;
  try {
    // decodeURIComponent throws on a malformed escape and on escapes that are not UTF-8.
    return decodeURIComponent(raw.replaceAll("+", " "));
  } catch {
    throw new OAuthError("invalid_request", "the request body has a malformed percent-escape");
  }
}

/**
 * Parses a form-encoded string: `&`-separated `name=value` pairs, `+` for space, strict
 * percent-decoding to UTF-8.
 *
 * @example
 * ```ts
 * import { parseForm } from "./form.ts";
 * parseForm("grant_type=client_credentials&scope=a+b").get("scope"); // "a b"
 * ```
 */
export function parseForm(body: string, repeatable?: ReadonlySet<string>): FormParameters {
  const form = new Form();
  // The pairs between "&"s, scanned in place (no array of pairs); empty ones are skipped. The
  // next "=" is remembered across pairs, so a body of many pairs without one is still read in
  // one pass.
  let start = 0;
  let nextEq = -2;
  while (start <= body.length) {
    let end = body.indexOf("&", start);
    if (end === -1) end = body.length;
    if (end !== start) {
      if (nextEq !== -1 && nextEq < start) nextEq = body.indexOf("=", start);
      const eq = nextEq !== -1 && nextEq < end ? nextEq : -1;
      const name = decodeComponent(eq === -1 ? body.slice(start, end) : body.slice(start, eq));
      const value = eq === -1 ? "" : decodeComponent(body.slice(eq + 1, end));
      form.add(name, value, repeatable);
    }
    start = end + 1;
  }
  return form;
}

const FORM_TYPE = "application/x-www-form-urlencoded";

/**
 * Checks the content type: `application/x-www-form-urlencoded`, compared case-insensitively;
 * a `charset` parameter, if any, must name UTF-8 (the only encoding App. B allows).
 */
function checkContentType(contentType: string | null): void {
  if (contentType === FORM_TYPE) return;
  const semi = contentType === null ? -1 : contentType.indexOf(";");
  const type = contentType === null ? "" : (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") {
    throw new OAuthError("invalid_request", "the request body must be application/x-www-form-urlencoded");
  }
  if (semi === -1) return;
  for (const param of contentType!.slice(semi + 1).split(";")) {
    const eq = param.indexOf("=");
    if (eq === -1) continue;
    if (param.slice(0, eq).trim().toLowerCase() !== "charset") continue;
    const charset = param.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1").toLowerCase();
    if (charset !== "utf-8" && charset !== "utf8") {
      throw new OAuthError("invalid_request", "the request body must be encoded in UTF-8");
    }
  }
}

function tooLarge(maxBytes: number): OAuthError {
  return new OAuthError("invalid_request", `the request body exceeds ${maxBytes} bytes`, { status: 413 });
}

function tooSlow(): OAuthError {
  return new OAuthError("invalid_request", "the request body took too long to arrive", { status: 408 });
}

function unreadable(): OAuthError {
  return new OAuthError("invalid_request", "the request body could not be read");
}

/** A Content-Length value as HTTP defines it (RFC 9110 s8.6): digits only. */
const CONTENT_LENGTH = /^[0-9]{1,16}$/;

/**
 * How many microtask turns a declared body may take to arrive before its deadline is scheduled
 * (`deadline_scheduler.ts`, which arms a runtime timer whenever no other deadline is pending,
 * as between requests), while bodies do arrive within them. A body the server already holds
 * then costs no timer: Deno 2.9's `setTimeout` and `clearTimeout` cost about 1.2 µs a request,
 * more than the rest of reading the form, and Node's about as much. Deno.serve and in-process
 * Requests on Deno settle `arrayBuffer()` within two turns; Node's fetch (undici) within eight,
 * so ten there. A body still on the wire needs I/O, which no microtask turn performs, so it
 * always gets a deadline, scheduled at most these few turns later. Bun's timers are cheap, so
 * Bun starts from three turns (see `runtime_agent.ts`: the choice changes what a read costs,
 * never what it answers). Hosts whose bodies never settle within the turns (`@hono/node-server`,
 * Bun.serve) stop being given them: see `settle_budget.ts`.
 */
const SETTLE_TURNS: number = runtimeAgent.startsWith("Bun/") ? 3 : 10;

/**
 * The turns given to each declared body read in this process (see `settle_budget.ts`).
 * Exported for the tests, which start each case from a fresh budget.
 */
export const settleBudget: SettleBudget = new SettleBudget(SETTLE_TURNS);

/**
 * Reads a body whose length was declared within the cap in one call to `arrayBuffer()`,
 * under the deadline. HTTP/1.1 and HTTP/2 servers frame the body by that length, so it
 * cannot grow past it on the wire; the length is checked again once read, for Requests
 * built by hand. This is the path server adapters make cheap: `@hono/node-server` and srvx
 * answer `arrayBuffer()` from the socket without building a fetch Request, and Deno and Bun
 * without a JavaScript stream, where `request.body` would build one.
 */
async function readDeclaredBody(request: Request, limits: FormLimits): Promise<Uint8Array> {
  let deadline: Deadline | undefined;
  const read = request.arrayBuffer();
  const outcome: { buffer?: ArrayBuffer; failed?: true } = {};
  read.then((buffer) => {
    outcome.buffer = buffer;
  }, () => {
    outcome.failed = true;
  });
  try {
    const turns = settleBudget.turns();
    for (let turn = 0; turn < turns && outcome.buffer === undefined && outcome.failed === undefined; turn++) await undefined;
    settleBudget.record(turns, outcome.buffer !== undefined || outcome.failed !== undefined);
    // Still arriving (or failed): the deadline races the read, with one reaction on `read`
    // rather than Promise.race's array and two; the deadline is one entry of the shared
    // scheduler, not a timer of its own.
    const buffer = outcome.buffer ?? await new Promise<ArrayBuffer>((resolve, reject) => {
      deadline = deadlines.schedule(limits.timeoutMs, () => reject(tooSlow()));
      read.then(resolve, reject);
    });
    if (buffer.byteLength > limits.maxBytes) throw tooLarge(limits.maxBytes);
    return new Uint8Array(buffer);
  } catch (e) {
    if (e instanceof OAuthError) throw e;
    throw unreadable();
  } finally {
    deadline?.cancel();
  }
}

/**
 * Reads a body without a declared length (chunked or streamed), counting the bytes as they
 * arrive, refusing once it passes `maxBytes` or `timeoutMs`.
 */
async function readStreamedBody(request: Request, limits: FormLimits): Promise<Uint8Array> {
  const body = request.body;
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  let deadline: Deadline | undefined;
  const expired = new Promise<never>((_, reject) => {
    deadline = deadlines.schedule(limits.timeoutMs, () => reject(tooSlow()));
  });
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), expired]);
      if (done) break;
      // A host can build a Request over a stream of strings (or anything); only bytes are a body.
      if (!(value instanceof Uint8Array)) throw new OAuthError("invalid_request", "the request body could not be read");
      total += value.byteLength;
      if (total > limits.maxBytes) throw tooLarge(limits.maxBytes);
      chunks.push(value);
    }
  } catch (e) {
    // Stop the transfer: an oversized or trickled body is not read any further.
    reader.cancel().catch(() => {});
    if (e instanceof OAuthError) throw e;
    throw unreadable();
  } finally {
    deadline!.cancel();
  }
  if (chunks.length === 1) return chunks[0]!;
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  return bytes;
}

/**
 * Reads and parses a form-encoded request body under the given limits. Every refusal is an
 * `invalid_request` {@link OAuthError} (413 for size, 408 for time).
 *
 * @example
 * ```ts
 * import { readForm } from "./form.ts";
 * const request = new Request("https://as.example/token", {
 *   method: "POST",
 *   headers: { "content-type": "application/x-www-form-urlencoded" },
 *   body: "grant_type=client_credentials",
 * });
 * const form = await readForm(request, { maxBytes: 8192, timeoutMs: 10_000 });
 * form.get("grant_type"); // "client_credentials"
 * ```
 */
export async function readForm(request: Request, limits: FormLimits): Promise<FormParameters> {
  const headers = request.headers;
  checkContentType(headers.get("content-type"));
  const declared = headers.get("content-length");
  if (declared !== null && Number(declared) > limits.maxBytes) throw tooLarge(limits.maxBytes);
  // One async step per body, not a wrapper around it: a declared length within the cap is
  // read in one call, anything else as a stream.
  const bytes = declared !== null && CONTENT_LENGTH.test(declared)
    ? await readDeclaredBody(request, limits)
    : await readStreamedBody(request, limits);
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw new OAuthError("invalid_request", "the request body is not valid UTF-8");
  }
  return parseForm(text, limits.repeatable);
}
