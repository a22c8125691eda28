// Diagnostic fetch handlers, each one piece of a token request, for attributing what a request
// costs over Bun.serve and Deno.serve (bench/diag/cpu.mjs serves them and measures the server's
// CPU per request). Not part of `npm run bench`; the figures they gave are in bench/ANALYSIS.md
// ("Issue 15, 2026-12-04, second pass"). Every handler answers the bench's token request with a
// 200, most with a fixed body: they measure a cost, they are not token endpoints.
//   floor, lib, libnoguard: the bench's contenders (floor, library, library without the guard)
//   text, ab, bytes: read the body with text(), arrayBuffer() + strict UTF-8, bytes() + strict UTF-8
//   abtimer: ab under a setTimeout deadline (Promise.race), as readForm did on Bun.serve
//   abset, absched: ab with a setTimeout armed and cleared around it, or a deadline of the
//   shared scheduler (src/deadline_scheduler.ts) scheduled and cancelled; abref: ab with one
//   timer kept across requests, ref'd while a body is read and unref'd between
//   readform: the library's readForm; jsonresp: text() + the library's jsonResponse
//   readformarms: readForm, reporting on stderr how many runtime timers it armed per request
//   respobj, respset: a Response with the headers in its init, or set after construction
//   url, hdrs, hdrs3: text() + request.url, + one header, + four headers
//   turns: answers how many microtask turns (and macrotasks) arrayBuffer() took to settle
//   libold: the library with MemoryTokenStore as it was at d5d17f8 (tests/support/memory_token_store_reference.ts)
//   libnullstore: the library with a token store that keeps nothing (what keeping tokens costs)
//   libmap, libexpmap: the library storing into one Map, or one ExpiringMap (no per-client shares)
//   libgen: the library storing into Maps of 16,384 entries, sealed once full (newest first)
//   libyo: a young Map merged into one old Map every 16,384 entries; libhash: 64 Maps by key
//   libslowstore: the library over a token store that answers after a 1 ms timer, a stand-in for
//   a network store (Redis, PostgreSQL): the waits of concurrent requests overlap
//   libkeymap: one Map of key -> number (no record kept); libpacked, libpackedpre: an open-addressing
//   table over typed arrays (no heap cell per token), growing or preallocated; libnoop, libtouch,
//   libloop: stores that keep nothing, read their arguments, or hash the key; libcopy, libcopysmall,
//   libcopyint: the key's characters (or constants) written into a large or a small Uint8Array
//   ballastbytes (BALLAST_MB, default 96), ballastwasm, ballastwasmnobuf, ballastsab, ballastresizable(0),
//   ballastobjs, floorballast: libnoop (or the floor) beside memory it never touches (ANALYSIS, third pass)
//   rfturns, rfparse, rfhdr: ab after ten settle turns, + parseForm, + two header reads;
//   rfdl, rfdl0, rfdlnod, rfall: readForm's declared read with ten or no turns, without the
//   deadline, or with the headers and parse around it (ANALYSIS, 2026-12-04 evening)
//   budgetprobe: the library, reporting whether readForm's settle budget skips the turns
//   rndprobe: the library, reporting what its crypto.getRandomValues calls cost in the server
//   libnoopx: a store that keeps nothing, as a MemoryTokenStore instance, so without the store
//   deadline that libnoop and libnullstore get (ANALYSIS, 2026-12-06: what keeping tokens costs on V8)
//   xmap, xkeymap, xrecs, xkeys, xexp, xseg, xsegonly, xpacked, xflat: stores without the deadline
//   that keep a Map of records, a Map of numbers, only the records, only the keys, an ExpiringMap
//   (one Map, or segments of 16,384), segments without a lookup, Bun's PackedTokenStore, or the
//   key and exp in preallocated typed arrays (one random cache line a save)
//   rulesnone, rulesmap, rulesstore: the floor plus, hand-written, what the rules add (the secret's
//   hash compared, the token's key), keeping no record, one in a Map, or one in MemoryTokenStore
//   s1..s5: the library's steps cut after each stage; floorjunk, floorjunk8: the floor plus about
//   2 KB or 8 KB of short-lived garbage a request (bench/diag/alloc.ts measures bytes per request)
import { floorFetch, makeFloor, randomToken } from "../contenders/floor.ts";
import { sha256Text } from "../../src/crypto/sha256.ts";
import { encodeBase64Url } from "../../src/encoding/base64.ts";
import { CLIENT_ID, CLIENT_SECRET } from "../fixture.ts";
import { libraryFetch } from "../contenders/library.ts";
import { deadlines } from "../../src/deadline_scheduler.ts";
import { parseForm, readForm, settleBudget } from "../../src/http/form.ts";
import { jsonResponse } from "../../src/http/response.ts";
import { MemoryTokenStore } from "../../src/stores/memory_token_store.ts";
import { resolveServerConfig } from "../../src/config/server_config.ts";
import { authenticateClient } from "../../src/client_auth/authenticate.ts";
import { validateGrant } from "../../src/grants/registry.ts";
import { issueAccessToken } from "../../src/tokens/access_token.ts";
import { PackedTokenStore } from "../../src/stores/packed_token_store.ts";
import { ExpiringMap } from "../../src/stores/expiring_map.ts";
import { ReferenceMemoryTokenStore } from "../../tests/support/memory_token_store_reference.ts";
const storeOver = (m: { set(k: string, v: unknown): unknown; get(k: string): unknown }) => ({ save: (k: string, r: unknown) => { m.set(k, r); return Promise.resolve(); }, find: (k: string) => Promise.resolve(m.get(k)), revoke: () => Promise.resolve(false) }) as never;

const exempt = (methods: object) => Object.assign(new MemoryTokenStore(), methods) as never;
function junk(objects: number): (r: Request) => Promise<Response> {
  // A young chain of small objects, its head kept until the next request (one old-to-young
  // pointer a request, as a handler's own garbage has few): nothing else is kept alive.
  const held: { last: unknown } = { last: null };
  return async (r) => {
    let chain: unknown = null;
    for (let i = 0; i < objects; i++) chain = { a: i, b: chain, c: null, d: null };
    held.last = chain;
    return await floorFetch(r);
  };
}
function stages(upTo: number): (r: Request) => Promise<Response> {
  const { options } = libraryFetch({ tokenStore: exempt({ save: () => Promise.resolve(), find: () => Promise.resolve(undefined), revoke: () => Promise.resolve(false) }) });
  const ctx = resolveServerConfig(options);
  return async (r) => {
    const form = await readForm(r, ctx.form);
    if (upTo < 2) return ok();
    const { client } = await authenticateClient(r, form, ctx, "token");
    if (upTo < 3) return ok();
    const decided = validateGrant(form, client, ctx);
    const decision = decided instanceof Promise ? await decided : decided;
    if (upTo < 4) return ok();
    const token = await issueAccessToken(decision.grant, ctx);
    if (upTo < 5) return ok();
    return jsonResponse(200, { access_token: token.access_token, token_type: token.token_type, expires_in: token.expires_in, scope: token.scope });
  };
}
// The floor plus, hand-written with nothing of the library's path, the work the RFCs and the
// non-negotiables add to it: the presented secret hashed and compared with a stored hash, the
// new token's store key (SHA-256, base64url), and, by `keep`, a record of the token kept in a
// Map or in the library's MemoryTokenStore (awaited before the answer). What is left between
// these and the library is the library's own overhead; between them and the floor, the rules'.
function floorRules(keep: "none" | "map" | "store"): (r: Request) => Promise<Response> {
  const stored = sha256Text(CLIENT_SECRET, new Uint8Array(32)).slice();
  const presented = new Uint8Array(32);
  const keyDigest = new Uint8Array(32);
  const map = new Map<string, unknown>();
  const store = new MemoryTokenStore({ maxEntries: 2_000_000, maxEntriesPerClient: 2_000_000 });
  return makeFloor(async (scope) => {
    // The floor compared the plain secret already; the hash compare is what rules add.
    sha256Text(CLIENT_SECRET, presented);
    let diff = 0;
    for (let i = 0; i < 32; i++) diff |= presented[i]! ^ stored[i]!;
    if (diff !== 0) throw new Error("unreachable: the bench's secret");
    const token = randomToken();
    const key = encodeBase64Url(sha256Text(token, keyDigest));
    const iat = Math.floor(Date.now() / 1000);
    const record = { client_id: CLIENT_ID, scope, iat, exp: iat + 600 };
    if (keep === "map") map.set(key, record);
    else if (keep === "store") await store.save(key, record);
    return token;
  });
}
const HEADERS = { "content-type": "application/json", "cache-control": "no-store", pragma: "no-cache" };
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const limits = { maxBytes: 8192, timeoutMs: 10_000 };
const ok = () => new Response(JSON.stringify({ access_token: "x".repeat(43), token_type: "Bearer", expires_in: 600, scope: "read" }), { status: 200, headers: HEADERS });

// readForm's declared-length read (src/http/form.ts), with its settle turns and its deadline as knobs.
async function declared(request: Request, turns: number, withDeadline: boolean): Promise<Uint8Array> {
  let deadline: { cancel(): void } | undefined;
  const read = request.arrayBuffer();
  const outcome: { buffer?: ArrayBuffer; failed?: true } = {};
  read.then((buffer) => { outcome.buffer = buffer; }, () => { outcome.failed = true; });
  try {
    for (let turn = 0; turn < turns && outcome.buffer === undefined && outcome.failed === undefined; turn++) await undefined;
    const buffer = outcome.buffer ?? await new Promise<ArrayBuffer>((resolve, reject) => {
      if (withDeadline) deadline = deadlines.schedule(limits.timeoutMs, () => reject(new Error("slow")));
      read.then(resolve, reject);
    });
    return new Uint8Array(buffer);
  } finally {
    deadline?.cancel();
  }
}

export const variants: Record<string, () => (r: Request) => Promise<Response>> = {
  floor: () => floorFetch,
  rulesnone: () => floorRules("none"), rulesmap: () => floorRules("map"), rulesstore: () => floorRules("store"),
  text: () => async (r) => { await r.text(); return ok(); },
  ab: () => async (r) => { UTF8.decode(new Uint8Array(await r.arrayBuffer())); return ok(); },
  bytes: () => async (r) => { UTF8.decode(await r.bytes()); return ok(); },
  abtimer: () => async (r) => {
    let t;
    const b = await Promise.race([r.arrayBuffer(), new Promise<never>((_, rej) => { t = setTimeout(() => rej(new Error("slow")), 10_000); })]);
    clearTimeout(t);
    UTF8.decode(new Uint8Array(b));
    return ok();
  },
  abset: () => async (r) => {
    const t = setTimeout(() => {}, 10_000);
    UTF8.decode(new Uint8Array(await r.arrayBuffer()));
    clearTimeout(t);
    return ok();
  },
  absched: () => async (r) => {
    const d = deadlines.schedule(10_000, () => {});
    UTF8.decode(new Uint8Array(await r.arrayBuffer()));
    d.cancel();
    return ok();
  },
  abref: () => {
    // One timer kept across requests, unref'd while idle (what an idle-unref scheduler costs).
    let t: { ref(): void; unref(): void } | undefined;
    const fire = () => { t = undefined; };
    return async (r) => {
      if (t === undefined) t = setTimeout(fire, 10_000) as never;
      else t.ref();
      UTF8.decode(new Uint8Array(await r.arrayBuffer()));
      t?.unref();
      return ok();
    };
  },
  readform: () => async (r) => { await readForm(r, limits); return ok(); },
  readformarms: () => {
    const real = globalThis.setTimeout;
    let arms = 0;
    let n = 0;
    globalThis.setTimeout = ((...a: Parameters<typeof setTimeout>) => (arms++, real(...a))) as typeof setTimeout;
    return async (r) => {
      await readForm(r, limits);
      if (++n % 50_000 === 0) console.error(`readformarms: ${arms} timers armed in ${n} requests`);
      return ok();
    };
  },
  jsonresp: () => async (r) => { await r.text(); return jsonResponse(200, { access_token: "x".repeat(43), token_type: "Bearer", expires_in: 600, scope: "read" }); },
  respobj: () => async (r) => { await r.text(); return new Response(JSON.stringify({ access_token: "x".repeat(43), token_type: "Bearer", expires_in: 600, scope: "read" }), { status: 200, headers: HEADERS }); },
  respset: () => async (r) => { await r.text(); const res = new Response(JSON.stringify({ access_token: "x".repeat(43), token_type: "Bearer", expires_in: 600, scope: "read" }), { status: 200 }); const h = res.headers; h.set("content-type", "application/json"); h.set("cache-control", "no-store"); h.set("pragma", "no-cache"); return res; },
  libnullstore: () => libraryFetch({ tokenStore: { save: () => Promise.resolve(), find: () => Promise.resolve(undefined), revoke: () => Promise.resolve(false) } as never }).fetch,
  libexpmap: () => libraryFetch({ tokenStore: storeOver(new ExpiringMap((r: { exp: number }) => r.exp, { maxEntries: 2_000_000 })) }).fetch,
  libgen: () => {
    const segs: Map<string, unknown>[] = [new Map()];
    return libraryFetch({ tokenStore: storeOver({
      set(k: string, v: unknown) { let m = segs[segs.length - 1]!; if (m.size >= 16384) segs.push(m = new Map()); m.set(k, v); },
      get(k: string) { for (let i = segs.length - 1; i >= 0; i--) { const v = segs[i]!.get(k); if (v !== undefined) return v; } return undefined; },
    }) }).fetch;
  },
  libyo: () => {
    let young = new Map<string, unknown>(); const old = new Map<string, unknown>();
    return libraryFetch({ tokenStore: storeOver({
      set(k: string, v: unknown) { if (old.has(k)) { old.set(k, v); return; } young.set(k, v); if (young.size >= 16384) { for (const [a, b] of young) old.set(a, b); young = new Map(); } },
      get(k: string) { return young.get(k) ?? old.get(k); },
    }) }).fetch;
  },
  libhash: () => {
    const shards = Array.from({ length: 64 }, () => new Map<string, unknown>());
    return libraryFetch({ tokenStore: storeOver({
      set(k: string, v: unknown) { shards[k.charCodeAt(0) & 63]!.set(k, v); },
      get(k: string) { return shards[k.charCodeAt(0) & 63]!.get(k); },
    }) }).fetch;
  },
  libkeymap: () => { const m = new Map<string, number>(); let n = 0; return libraryFetch({ tokenStore: storeOver({ set(k: string) { m.set(k, n++); }, get(k: string) { return m.get(k); } }) }).fetch; },
  libpacked: () => {
    // Open addressing over typed arrays: no heap cell per token (what a packed store would cost).
    let cap = 1 << 16; let table = new Int32Array(cap).fill(-1); let keys = new Uint8Array(cap * 44); let exp = new Float64Array(cap); let n = 0;
    const hash = (k: string) => { let h = 0x811c9dc5; for (let i = 0; i < k.length; i++) h = Math.imul(h ^ k.charCodeAt(i), 0x01000193); return h >>> 0; };
    const same = (slot: number, k: string) => { const o = slot * 44; if (keys[o] !== k.length) return false; for (let i = 0; i < k.length; i++) if (keys[o + 1 + i] !== k.charCodeAt(i)) return false; return true; };
    const place = (slot: number, h: number) => { let i = h & (cap - 1); while (table[i] !== -1) i = (i + 1) & (cap - 1); table[i] = slot; };
    const grow = () => { const old = keys; cap *= 2; table = new Int32Array(cap).fill(-1); keys = new Uint8Array(cap * 44); keys.set(old); const e = new Float64Array(cap); e.set(exp); exp = e;
      for (let s = 0; s < n; s++) { let h = 0x811c9dc5; const o = s * 44; for (let i = 0; i < keys[o]!; i++) h = Math.imul(h ^ keys[o + 1 + i]!, 0x01000193); place(s, h >>> 0); } };
    return libraryFetch({ tokenStore: storeOver({
      set(k: string, v: unknown) { if (2 * n >= cap) grow(); const o = n * 44; keys[o] = k.length; for (let i = 0; i < k.length; i++) keys[o + 1 + i] = k.charCodeAt(i); exp[n] = (v as { exp: number }).exp; place(n++, hash(k)); },
      get(k: string) { let i = hash(k) & (cap - 1); for (;;) { const s = table[i]!; if (s === -1) return undefined; if (same(s, k)) return { exp: exp[s] }; i = (i + 1) & (cap - 1); } },
    }) }).fetch;
  },
  libpackedpre: () => {
    // Open addressing over typed arrays: no heap cell per token (what a packed store would cost).
    let cap = 1 << 21; let table = new Int32Array(cap).fill(-1); let keys = new Uint8Array(cap * 44); let exp = new Float64Array(cap); let n = 0;
    const hash = (k: string) => { let h = 0x811c9dc5; for (let i = 0; i < k.length; i++) h = Math.imul(h ^ k.charCodeAt(i), 0x01000193); return h >>> 0; };
    const same = (slot: number, k: string) => { const o = slot * 44; if (keys[o] !== k.length) return false; for (let i = 0; i < k.length; i++) if (keys[o + 1 + i] !== k.charCodeAt(i)) return false; return true; };
    const place = (slot: number, h: number) => { let i = h & (cap - 1); while (table[i] !== -1) i = (i + 1) & (cap - 1); table[i] = slot; };
    const grow = () => { const old = keys; cap *= 2; table = new Int32Array(cap).fill(-1); keys = new Uint8Array(cap * 44); keys.set(old); const e = new Float64Array(cap); e.set(exp); exp = e;
      for (let s = 0; s < n; s++) { let h = 0x811c9dc5; const o = s * 44; for (let i = 0; i < keys[o]!; i++) h = Math.imul(h ^ keys[o + 1 + i]!, 0x01000193); place(s, h >>> 0); } };
    return libraryFetch({ tokenStore: storeOver({
      set(k: string, v: unknown) { if (2 * n >= cap) grow(); const o = n * 44; keys[o] = k.length; for (let i = 0; i < k.length; i++) keys[o + 1 + i] = k.charCodeAt(i); exp[n] = (v as { exp: number }).exp; place(n++, hash(k)); },
      get(k: string) { let i = hash(k) & (cap - 1); for (;;) { const s = table[i]!; if (s === -1) return undefined; if (same(s, k)) return { exp: exp[s] }; i = (i + 1) & (cap - 1); } },
    }) }).fetch;
  },
  libtouch: () => { let sink = 0; return libraryFetch({ tokenStore: storeOver({ set(k: string, v: unknown) { sink ^= k.charCodeAt(42) + (v as { exp: number }).exp; }, get() { return sink; } }) }).fetch; },
  libloop: () => { let sink = 0; return libraryFetch({ tokenStore: storeOver({ set(k: string) { let h = 0; for (let i = 0; i < k.length; i++) h = Math.imul(h ^ k.charCodeAt(i), 0x01000193); sink ^= h; }, get() { return sink; } }) }).fetch; },
  libcopy: () => { const keys = new Uint8Array((1 << 21) * 44); let n = 0; return libraryFetch({ tokenStore: storeOver({ set(k: string) { const o = (n++ & ((1 << 21) - 1)) * 44; for (let i = 0; i < k.length; i++) keys[o + 1 + i] = k.charCodeAt(i); }, get() { return keys[0]; } }) }).fetch; },
  libplace: () => { const cap = 1 << 21; const table = new Int32Array(cap).fill(-1); let n = 0; return libraryFetch({ tokenStore: storeOver({ set(k: string) { let h = 0x811c9dc5; for (let i = 0; i < k.length; i++) h = Math.imul(h ^ k.charCodeAt(i), 0x01000193); let i = h & (cap - 1); while (table[i] !== -1) i = (i + 1) & (cap - 1); table[i] = n++; }, get() { return table[0]; } }) }).fetch; },
  libcopysmall: () => { const keys = new Uint8Array((1 << 10) * 44); let n = 0; return libraryFetch({ tokenStore: storeOver({ set(k: string) { const o = (n++ & ((1 << 10) - 1)) * 44; for (let i = 0; i < k.length; i++) keys[o + 1 + i] = k.charCodeAt(i); }, get() { return keys[0]; } }) }).fetch; },
  libcopyint: () => { const keys = new Uint8Array((1 << 21) * 44); let n = 0; return libraryFetch({ tokenStore: storeOver({ set(k: string) { const o = (n++ & ((1 << 21) - 1)) * 44; for (let i = 0; i < 43; i++) keys[o + 1 + i] = i; }, get() { return keys[0]; } }) }).fetch; },
  // libnoop beside 96 MiB of ballast that the store never touches, held in a Uint8Array (filled), a
  // WebAssembly.Memory (filled), or 1,000,000 small objects: whether the cost of a large store
  // comes from the heap it holds rather than from the work of storing (ANALYSIS, issue 15 third pass).
  ballastbytes: () => { const b = new Uint8Array(Number(globalThis.process?.env.BALLAST_MB ?? 96) << 20).fill(1); (globalThis as { ballast?: unknown }).ballast = b; return variants.libnoop!(); },
  ballastwasm: () => { const m = new WebAssembly.Memory({ initial: (96 << 20) >> 16 }); new Uint8Array(m.buffer).fill(1); (globalThis as { ballast?: unknown }).ballast = m; return variants.libnoop!(); },
  ballastwasmnobuf: () => { const m = new WebAssembly.Memory({ initial: (96 << 20) >> 16 }); (globalThis as { ballast?: unknown }).ballast = m; return variants.libnoop!(); },
  ballastobjs: () => { const a = Array.from({ length: 1_000_000 }, (_, i) => ({ client_id: "c", scope: "read", iat: i, exp: i + 600 })); (globalThis as { ballast?: unknown }).ballast = a; return variants.libnoop!(); },
  ballastsab: () => { const b = new Uint8Array(new SharedArrayBuffer(96 << 20)).fill(1); (globalThis as { ballast?: unknown }).ballast = b; return variants.libnoop!(); },
  ballastresizable: () => { const ab = new (ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ArrayBuffer & { resize(n: number): void })(0, { maxByteLength: 256 << 20 }); ab.resize(96 << 20); const b = new Uint8Array(ab).fill(1); (globalThis as { ballast?: unknown }).ballast = b; return variants.libnoop!(); },
  ballastresizable0: () => { const ab = new (ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ArrayBuffer & { resize(n: number): void })(0, { maxByteLength: 256 << 20 }); const b = new Uint8Array(ab); ab.resize(96 << 20); b.fill(1); (globalThis as { ballast?: unknown }).ballast = b; return variants.libnoop!(); },
  // The floor beside the same 96 MiB ballast (a Uint8Array it never touches).
  floorballast: () => { const b = new Uint8Array(96 << 20).fill(1); (globalThis as { ballast?: unknown }).ballast = b; return floorFetch; },
  // libnoopx: a store that keeps nothing, as a MemoryTokenStore instance (so it gets no store
  // deadline, as the library's own store does not): what keeping the tokens costs, unconfounded.
  libnoopx: () => { const s = new MemoryTokenStore(); Object.assign(s, { save: () => Promise.resolve(), find: () => Promise.resolve(undefined), revoke: () => Promise.resolve(false) }); return libraryFetch({ tokenStore: s }).fetch; },
  // x*: token stores as MemoryTokenStore instances (no store deadline, as the library's own):
  // a plain Map of records, a Map of numbers, and the typed-array store Bun uses.
  xmap: () => { const m = new Map<string, unknown>(); return libraryFetch({ tokenStore: exempt({ save: (k: string, r: unknown) => { m.set(k, r); return Promise.resolve(); }, find: (k: string) => Promise.resolve(m.get(k)), revoke: () => Promise.resolve(false) }) }).fetch; },
  xkeymap: () => { const m = new Map<string, number>(); let n = 0; return libraryFetch({ tokenStore: exempt({ save: (k: string) => { m.set(k, n++); return Promise.resolve(); }, find: () => Promise.resolve(undefined), revoke: () => Promise.resolve(false) }) }).fetch; },
  xrecs: () => { const a: unknown[] = []; return libraryFetch({ tokenStore: exempt({ save: (_k: string, r: unknown) => { a.push(r); return Promise.resolve(); }, find: () => Promise.resolve(undefined), revoke: () => Promise.resolve(false) }) }).fetch; },
  xkeys: () => { const a: unknown[] = []; return libraryFetch({ tokenStore: exempt({ save: (k: string) => { a.push(k); return Promise.resolve(); }, find: () => Promise.resolve(undefined), revoke: () => Promise.resolve(false) }) }).fetch; },
  xpacked: () => { const p = new PackedTokenStore({ maxEntries: 2_000_000, maxEntriesPerClient: 2_000_000 }); return libraryFetch({ tokenStore: exempt({ save: (k: string, r: unknown) => p.save(k, r as never), find: (k: string) => p.find(k), revoke: (k: string) => p.revoke(k) }) }).fetch; },
  xexp: () => { const m = new ExpiringMap((r: { exp: number }) => r.exp, { maxEntries: 2_000_000 }); return libraryFetch({ tokenStore: exempt({ save: (k: string, r: unknown) => { m.set(k, r as never); return Promise.resolve(); }, find: (k: string) => Promise.resolve(m.get(k)), revoke: () => Promise.resolve(false) }) }).fetch; },
  xseg: () => { const m = new ExpiringMap((r: { exp: number }) => r.exp, { maxEntries: 2_000_000 }, undefined, 16_384); return libraryFetch({ tokenStore: exempt({ save: (k: string, r: unknown) => { m.set(k, r as never); return Promise.resolve(); }, find: (k: string) => Promise.resolve(m.get(k)), revoke: () => Promise.resolve(false) }) }).fetch; },
  xsegonly: () => { const segs = [new Map<string, unknown>()]; return libraryFetch({ tokenStore: exempt({ save: (k: string, r: unknown) => { let m = segs[segs.length - 1]!; if (m.size >= 16384) segs.push(m = new Map()); m.set(k, r); return Promise.resolve(); }, find: () => Promise.resolve(undefined), revoke: () => Promise.resolve(false) }) }).fetch; },
  xflat: () => {
    // Open addressing over preallocated typed arrays, hashed by the key's own first characters
    // (base64url of a SHA-256: already uniform), a fingerprint beside each slot number, so an
    // absent key costs one random cache line: no heap object per token survives.
    const cap = 1 << 22; const index = new Int32Array(cap * 2).fill(-1); const keys = new Uint8Array((1 << 21) * 43); const exp = new Float64Array(1 << 21); let n = 0;
    const B64 = new Int8Array(128).fill(-1); "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".split("").forEach((c, i) => { B64[c.charCodeAt(0)] = i; });
    const hash = (k: string) => (B64[k.charCodeAt(0)]! << 24 | B64[k.charCodeAt(1)]! << 18 | B64[k.charCodeAt(2)]! << 12 | B64[k.charCodeAt(3)]! << 6 | B64[k.charCodeAt(4)]!) ^ (B64[k.charCodeAt(5)]! << 28);
    return libraryFetch({ tokenStore: exempt({
      save: (k: string, r: unknown) => { const h = hash(k); let i = h & (cap - 1); while (index[2 * i] !== -1) { if (index[2 * i + 1] === h) { /* compare the key */ } i = (i + 1) & (cap - 1); } const o = n * 43; for (let j = 0; j < 43; j++) keys[o + j] = k.charCodeAt(j); exp[n] = (r as { exp: number }).exp; index[2 * i] = n++; index[2 * i + 1] = h; return Promise.resolve(); },
      find: () => Promise.resolve(undefined), revoke: () => Promise.resolve(false) }) }).fetch;
  },
  // s1..s5: the library's steps cut after each stage (for bench/diag/alloc.ts and
  // instructions.mjs): read the form; + authenticate the client; + validate the grant;
  // + issue (into a store that keeps nothing); + the library's JSON answer.
  s1: () => stages(1), s2: () => stages(2), s3: () => stages(3), s4: () => stages(4), s5: () => stages(5),
  // floorjunk: the floor plus about 2 KB of short-lived objects per request (what 2 KB of
  // garbage costs a request over a server); floorjunk8: 8 KB.
  floorjunk: () => junk(40), floorjunk8: () => junk(160),
  libnoop: () => libraryFetch({ tokenStore: storeOver({ set() {}, get() { return undefined; } }) }).fetch,
  libmap: () => libraryFetch({ tokenStore: storeOver(new Map()) }).fetch,
  libslowstore: () => { const m = new Map<string, unknown>(); const later = <T>(v: T) => new Promise<T>((res) => setTimeout(() => res(v), 1)); return libraryFetch({ tokenStore: { save: (k: string, r: unknown) => { m.set(k, r); return later(undefined); }, find: (k: string) => later(m.get(k)), revoke: () => later(false) } as never }).fetch; },
  turns: () => async (r) => {
    let done = false; const p = r.arrayBuffer().then(() => { done = true; });
    let n = 0; for (; n < 50 && !done; n++) await undefined;
    const macro = done ? 0 : await new Promise<number>((res) => { let m = 0; const tick = () => done ? res(m) : (m++, setTimeout(tick, 0)); tick(); });
    await p; return new Response(JSON.stringify({ turns: n, macro }));
  },
  url: () => async (r) => { await r.text(); if (r.url.length < 5) throw 0; return ok(); },
  hdrs: () => async (r) => { await r.text(); if (r.headers.get("authorization") === null) throw 0; return ok(); },
  hdrs3: () => async (r) => { await r.text(); const h = r.headers; if (h.get("authorization") === null || h.get("content-type") === null || h.get("content-length") === null || h.get("dpop") !== null) throw 0; return ok(); },
  lib: () => libraryFetch().fetch,
  budgetprobe: () => {
    // The library, reporting on stderr whether readForm's settle budget is skipping the turns.
    const lib = libraryFetch().fetch;
    let n = 0;
    return async (r) => {
      const res = await lib(r);
      if (++n % 20_000 === 0) console.error(`budgetprobe: ${n} requests, skipping ${settleBudget.skipping}`);
      return res;
    };
  },
  rndprobe: () => {
    // The library, reporting on stderr what its crypto.getRandomValues calls cost in the server.
    const real = crypto.getRandomValues.bind(crypto);
    let calls = 0;
    let ms = 0;
    let bytes = 0;
    (crypto as { getRandomValues: unknown }).getRandomValues = <T extends ArrayBufferView>(a: T): T => {
      const t = performance.now();
      const r = real(a as never) as T;
      ms += performance.now() - t;
      bytes += a.byteLength;
      if (++calls % 500 === 0) console.error(`rndprobe: ${calls} calls, ${(bytes / calls).toFixed(0)} B each, ${(ms * 1000 / calls).toFixed(2)} µs each`);
      return r;
    };
    return libraryFetch().fetch;
  },
  rfdl: () => async (r) => { await declared(r, 10, true); return ok(); },
  rfdl0: () => async (r) => { await declared(r, 0, true); return ok(); },
  rfdlnod: () => async (r) => { await declared(r, 10, false); return ok(); },
  rfall: () => async (r) => { const h = r.headers; if (h.get("content-type") === null || h.get("content-length") === null) throw 0; parseForm(UTF8.decode(await declared(r, 10, true))); return ok(); },
  rfturns: () => async (r) => {
    const p = r.arrayBuffer(); let done = false; p.then(() => { done = true; }, () => {});
    for (let n = 0; n < 10 && !done; n++) await undefined;
    UTF8.decode(new Uint8Array(await p)); return ok();
  },
  rfparse: () => async (r) => { parseForm(UTF8.decode(new Uint8Array(await r.arrayBuffer()))); return ok(); },
  rfhdr: () => async (r) => { const h = r.headers; if (h.get("content-type") === null || h.get("content-length") === null) throw 0; UTF8.decode(new Uint8Array(await r.arrayBuffer())); return ok(); },
  // The library with MemoryTokenStore as it was at d5d17f8 (a Map of record objects on every runtime).
  libold: () => libraryFetch({ tokenStore: new ReferenceMemoryTokenStore({ maxEntries: 2_000_000, maxEntriesPerClient: 2_000_000 }) }).fetch,
  libnoguard: () => libraryFetch({ bruteForce: false }).fetch,
};
