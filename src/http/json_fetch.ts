/**
 * Fetching a small JSON document from a URL the configuration names (a JWK Set, an OpenID
 * Connect discovery document), treating the answer as untrusted input: one deadline covers
 * the headers and the body, the body has a size cap (checked as it streams in, so a huge or
 * endless body is cut off), redirects are refused, the JSON is parsed strictly (no duplicate
 * members), and `Cache-Control` says how long the answer may be used (RFC 9111 s5.2.2).
 *
 * @module
 */

import { parseJsonObject } from "../jose/json.ts";
import type { FetchLike } from "./fetch.ts";

/** How {@link fetchJsonObject} fetches. */
export interface JsonFetchOptions {
  readonly fetch: FetchLike;
  /** Give up on the fetch (headers and body) after this long, in milliseconds. */
  readonly timeoutMs: number;
  /** Largest body accepted, in bytes. */
  readonly maxBytes: number;
  /** The `Accept` header. */
  readonly accept: string;
  /** How long the answer is used when it names no `max-age`, in milliseconds. */
  readonly defaultMaxAgeMs: number;
  /** Longest the answer is used, whatever `max-age` says, in milliseconds. */
  readonly maxAgeCapMs: number;
}

/** A JSON object fetched, and how long it may be used. */
export interface FetchedJson {
  readonly body: Record<string, unknown>;
  /** Milliseconds; 0 for `no-store` or `no-cache`. */
  readonly freshForMs: number;
}

/**
 * Reads a body of at most `maxBytes` bytes, refusing early on a larger `Content-Length`
 * and stopping the stream as soon as the cap is passed; rejects when `signal` aborts, so a
 * body trickled byte by byte cannot outlive the deadline.
 */
async function readCapped(response: Response, maxBytes: number, signal: AbortSignal): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new Error("the document is too large");
  const body = response.body;
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const aborted = new Promise<never>((_, reject) => {
    const fail = () => reject(signal.reason ?? new Error("the fetch timed out"));
    if (signal.aborted) fail();
    else signal.addEventListener("abort", fail, { once: true });
  });
  aborted.catch(() => {});
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), aborted]);
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) throw new Error("the document is too large");
      chunks.push(value);
    }
  } catch (e) {
    reader.cancel().catch(() => {});
    throw e;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** How long the answer may be used (RFC 9111 s5.2.2): `no-store`/`no-cache` mean not at all. */
function freshFor(cacheControl: string | null, fallbackMs: number, capMs: number): number {
  const cc = cacheControl ?? "";
  if (/(?:^|,)\s*no-(?:store|cache)\b/i.test(cc)) return 0;
  const maxAge = /(?:^|,)\s*max-age=(\d+)/i.exec(cc);
  return Math.min(maxAge === null ? fallbackMs : Number(maxAge[1]) * 1000, capMs);
}

/**
 * Fetches `url` and parses its body as one JSON object. Rejects (with an `Error` saying
 * why) on anything but a 200 with such a body within the deadline and the size cap.
 *
 * @example
 * ```ts
 * import { fetchJsonObject } from "./json_fetch.ts";
 * const { body } = await fetchJsonObject("https://issuer.example.com/.well-known/openid-configuration", {
 *   fetch: globalThis.fetch,
 *   timeoutMs: 5_000,
 *   maxBytes: 65_536,
 *   accept: "application/json",
 *   defaultMaxAgeMs: 300_000,
 *   maxAgeCapMs: 3_600_000,
 * });
 * ```
 */
export async function fetchJsonObject(url: string, options: JsonFetchOptions): Promise<FetchedJson> {
  // A timer of our own rather than AbortSignal.timeout: Node does not let that one keep
  // the process alive, and it is cleared as soon as the answer is in.
  const controller = new AbortController();
  const signal = controller.signal;
  const timer = setTimeout(() => controller.abort(new Error("the fetch timed out")), options.timeoutMs);
  try {
    const response = await options.fetch(url, { headers: { accept: options.accept }, redirect: "error", signal });
    if (response.status !== 200) {
      response.body?.cancel().catch(() => {});
      throw new Error(`${url} answered ${response.status}`);
    }
    const body = parseJsonObject(await readCapped(response, options.maxBytes, signal));
    if (body === undefined) throw new Error(`${url} did not answer with a JSON object`);
    return { body, freshForMs: freshFor(response.headers.get("cache-control"), options.defaultMaxAgeMs, options.maxAgeCapMs) };
  } finally {
    clearTimeout(timer);
  }
}
