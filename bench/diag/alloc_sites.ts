// Where the bytes a request allocates come from, in-process on Deno (or Node): V8's sampling
// heap profiler (every 32 bytes) over 20,000 requests of one handler of variants.ts, each
// allocation charged to the nearest frame in src/ (or in the bench's contenders) on its stack.
// Usage: deno run -A bench/diag/alloc_sites.ts lib
import { Session } from "node:inspector/promises";
import { variants } from "./variants.ts";
import { AUTHORIZATION, BODY, CONTENT_TYPE, ORIGIN, TOKEN_PATH } from "../fixture.ts";
const handler = variants[(globalThis as { Deno?: { args: string[] } }).Deno?.args[0] ?? "lib"]!();
const mk = () => new Request(`${ORIGIN}${TOKEN_PATH}`, { method: "POST", headers: { "content-type": CONTENT_TYPE, authorization: AUTHORIZATION, "content-length": String(BODY.length) }, body: BODY });
for (let i = 0; i < 5000; i++) await (await handler(mk())).text();
const s = new Session(); s.connect();
await s.post("HeapProfiler.startSampling", { samplingInterval: 32, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
const N = 20000;
for (let i = 0; i < N; i++) await (await handler(mk())).text();
const { profile } = await s.post("HeapProfiler.stopSampling") as { profile: { head: Node } };
interface Node { callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; selfSize: number; children: Node[] }
const by = new Map<string, number>();
const walk = (n: Node, stack: string[]) => {
  const here = `${n.callFrame.functionName || "(anon)"} ${n.callFrame.url.replace(/^.*\/work\/main\//, "")}:${n.callFrame.lineNumber + 1}:${n.callFrame.columnNumber + 1}`;
  // attribute to the nearest src/ frame in the stack
  const mine = (u: string) => u.includes("/src/") || u.includes("/contenders/"); const srcFrame = mine(n.callFrame.url) ? here : stack.findLast((f) => f.includes(" src/") || f.includes("contenders/")) ?? "(outside src)";
  by.set(srcFrame, (by.get(srcFrame) ?? 0) + n.selfSize);
  for (const c of n.children) walk(c, [...stack, here]);
};
walk(profile.head, []);
const rows = [...by].sort((a, b) => b[1] - a[1]);
let total = 0; for (const [, v] of rows) total += v;
console.log(`total ${Math.round(total / N)} B/request`);
for (const [k, v] of rows.slice(0, 30)) console.log(`${String(Math.round(v / N)).padStart(6)}  ${k}`);
