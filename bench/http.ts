// Over HTTP: every contender on every server it runs on, loaded from a separate process on
// 127.0.0.1, rounds interleaved, medians. Prints one JSON line.
// Usage: tsx http.ts [--seconds=5] [--warmup=1] [--rounds=3] [--only=substring]
import { AUTHORIZATION, BODY, checkTokenAnswer, CONTENT_TYPE, TOKEN_PATH } from "./fixture.ts";
import { contenders, FLOOR, FLOOR_EDDSA, FLOOR_ES256, FLOOR_NODE, LIBRARY, LIBRARY_EDDSA, LIBRARY_ES256 } from "./contenders/index.ts";
import { median } from "./lib/harness.ts";
import { load, type LoadResult } from "./lib/load.ts";
import { type Runtime, startServer } from "./lib/processes.ts";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("="))) as Record<string, string>;
const SECONDS = Number(args.seconds ?? 5);
const WARMUP = Number(args.warmup ?? 1);
const ROUNDS = Number(args.rounds ?? 3);

export interface HttpConfig {
  runtime: Runtime;
  server: string;
  contender: string;
}

const JMONDI = "@jmondi/oauth2-server";
const configs: HttpConfig[] = [];
for (const adapter of ["bridge", "srvx", "hono"]) {
  for (const contender of [FLOOR, LIBRARY]) configs.push({ runtime: "node", server: adapter, contender });
}
configs.push({ runtime: "node", server: "hono", contender: JMONDI });
for (const contender of [LIBRARY_ES256, LIBRARY_EDDSA]) configs.push({ runtime: "node", server: "hono", contender });
for (const c of contenders.filter((c) => c.listener && !c.pending)) configs.push({ runtime: "node", server: "node:http", contender: c.name });
for (const runtime of ["deno", "bun"] as const) {
  // The floor plus one bare signature is the yardstick of JWT issuance over HTTP (issue 15).
  for (const contender of [FLOOR, LIBRARY, FLOOR_ES256, LIBRARY_ES256, FLOOR_EDDSA, LIBRARY_EDDSA, JMONDI]) configs.push({ runtime, server: runtime === "deno" ? "Deno.serve" : "Bun.serve", contender });
}
const selected = configs.filter((c) => !args.only || `${c.runtime} ${c.server} ${c.contender}`.includes(args.only));

async function start(c: HttpConfig) {
  const contender = `--contender=${c.contender}`;
  if (c.runtime === "node") return startServer("node", "servers/node.ts", [contender, `--adapter=${c.server}`]);
  return startServer(c.runtime, `servers/${c.runtime}.ts`, [contender]);
}

async function check(port: number): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${port}${TOKEN_PATH}`, {
    method: "POST",
    headers: { "content-type": CONTENT_TYPE, authorization: AUTHORIZATION },
    body: BODY,
  });
  const text = await res.text();
  const wrong = checkTokenAnswer(res.status, (n) => res.headers.get(n), text);
  if (wrong) throw new Error(wrong);
}

const samples = new Map<HttpConfig, LoadResult[]>();
const failures = new Map<HttpConfig, string>();
for (let r = 0; r < ROUNDS; r++) {
  const order = selected.map((_, i) => selected[(i + r * 3) % selected.length]!);
  for (const c of order) {
    if (failures.has(c)) continue;
    const server = await start(c).catch((e: Error) => {
      failures.set(c, e.message.split("\n")[0]!);
      return undefined;
    });
    if (!server) continue;
    try {
      await check(server.port);
      if (WARMUP > 0) await load(server.port, WARMUP);
      const result = await load(server.port, SECONDS);
      samples.set(c, [...(samples.get(c) ?? []), result]);
      process.stderr.write(`http ${r + 1}/${ROUNDS} ${c.runtime} ${c.server} ${c.contender}: ${Math.round(result.requestsPerSecond)} req/s\n`);
    } catch (e) {
      failures.set(c, (e as Error).message.split("\n")[0]!);
    } finally {
      await server.stop();
    }
  }
}

const rows = selected.map((c) => {
  const s = samples.get(c) ?? [];
  return {
    ...c,
    failed: failures.get(c),
    tool: s[0]?.tool,
    samples: s.map((x) => Math.round(x.requestsPerSecond)),
    requestsPerSecond: s.length ? median(s.map((x) => x.requestsPerSecond)) : undefined,
    p50Ms: s.length ? median(s.map((x) => x.p50Ms)) : undefined,
    p99Ms: s.length ? median(s.map((x) => x.p99Ms)) : undefined,
    non2xx: s.reduce((n, x) => n + x.non2xx, 0),
    errors: s.reduce((n, x) => n + x.errors, 0),
  };
});
console.log(JSON.stringify({ kind: "http", seconds: SECONDS, rounds: ROUNDS, connections: 64, rows, floorNames: [FLOOR, FLOOR_NODE] }));
