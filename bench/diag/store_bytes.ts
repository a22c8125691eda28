// Bytes of heap per live token in the in-memory token store, after a full collection
// (bun:jsc heapSize, array buffers included; elsewhere process.memoryUsage().heapUsed + arrayBuffers;
// run with --expose-gc on Node / --v8-flags=--expose-gc on Deno). Usage:
//   bun bench/diag/store_bytes.ts new|old [tokens]
import process from "node:process";
import { MemoryTokenStore } from "../../src/stores/memory_token_store.ts";
import { ReferenceMemoryTokenStore } from "../../tests/support/memory_token_store_reference.ts";
const which = process.argv[2] ?? "new";
const n = Number(process.argv[3] ?? 500_000);
const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";
const jsc = isBun ? await import("bun:jsc") : undefined;
const gc = (globalThis as { gc?: () => void }).gc;
function heap(): number {
  if (jsc) { jsc.fullGC(); const s = jsc.heapStats(); return s.heapSize; }
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}
const options = { maxEntries: 2 * n, maxEntriesPerClient: 2 * n };
const hk = heap();
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const keys = Array.from({ length: n }, (_, i) => { let x = i * 2654435761; return Array.from({ length: 43 }, () => { x = (Math.imul(x, 1103515245) + 12345) | 0; return B64[(x >>> 16) & 63]; }).join(""); });
let sink = 0;
for (const k of keys) sink += k.charCodeAt(42);
const h0 = heap();
const keyBytes = Math.round((h0 - hk) / n);
const store = which === "old" ? new ReferenceMemoryTokenStore(options) : new MemoryTokenStore(options);
const now = Math.floor(Date.now() / 1000);
for (let i = 0; i < n; i++) await store.save(keys[i]!, { client_id: "bench-client", scope: `read${""}`, iat: now, exp: now + 600 });
const h1 = heap();
console.log(which, n, sink > 0 ? "" : "-", "tokens:", Math.round((h1 - h0) / n), "B per token beside the key strings (which the caller made:", keyBytes, "B each, kept alive by the old store only)", store.size);
