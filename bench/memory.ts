// Heap per live opaque token in the library's in-memory store, at 100k and 1M tokens. Tokens
// are issued by the library's own issuing code with a grant decided from a freshly parsed
// form each time, so every record holds exactly what a served request would leave behind.
// Prints one JSON line. Node: run with --expose-gc; Deno: --v8-flags=--expose-gc.
import process from "node:process";
import { clientStoreFromArray } from "../src/clients/client_store.ts";
import { clientCredentialsGrant } from "../src/grants/client_credentials.ts";
import { parseForm } from "../src/http/form.ts";
import { resolveServerConfig } from "../src/config/server_config.ts";
import { MemoryTokenStore } from "../src/stores/memory_token_store.ts";
import { issueAccessToken } from "../src/tokens/access_token.ts";
import { runtime } from "./contenders/index.ts";
import { LIBRARY_CLIENT } from "./contenders/library.ts";
import { BODY, CLIENT_ID, ORIGIN } from "./fixture.ts";

function collect(): void {
  const g = globalThis as { gc?: () => void; Bun?: { gc(force: boolean): void } };
  if (g.Bun) g.Bun.gc(true);
  else if (g.gc) {
    g.gc();
    g.gc();
  } else throw new Error("no gc(): run node with --expose-gc, deno with --v8-flags=--expose-gc");
}

// The store keeps its records in typed arrays, whose bytes V8 (Node, Deno) counts in
// `external`, not in `heapUsed`; JavaScriptCore (Bun) counts them in `heapUsed` (and again in
// `external`, so only heapUsed there).
const heap = () => {
  const m = process.memoryUsage();
  return "Bun" in globalThis ? m.heapUsed : m.heapUsed + m.external;
};

async function perToken(count: number): Promise<{ tokens: number; bytesPerToken: number; storeSize: number }> {
  const store = new MemoryTokenStore({ maxEntries: count, maxEntriesPerClient: count });
  const ctx = resolveServerConfig({ issuer: ORIGIN, clients: clientStoreFromArray([LIBRARY_CLIENT]), tokenStore: store });
  const client = (await ctx.findClient(CLIENT_ID))!;
  collect();
  const before = heap();
  for (let i = 0; i < count; i++) await issueAccessToken(clientCredentialsGrant(parseForm(BODY), client, ctx.resources), ctx);
  collect();
  const after = heap();
  if (store.size !== count) throw new Error(`store holds ${store.size}, expected ${count}`);
  return { tokens: count, bytesPerToken: (after - before) / count, storeSize: store.size };
}

const arg = process.argv.find((a) => a.startsWith("--tokens="));
const counts = arg ? arg.slice(9).split(",").map(Number) : [100_000, 1_000_000];
const rows = [];
for (const n of counts) rows.push(await perToken(n));
console.log(JSON.stringify({ kind: "memory", runtime, rows }));
