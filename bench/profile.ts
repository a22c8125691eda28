// CPU profile of one contender's in-process loop on Node (the V8 sampling profiler through
// node:inspector, the same data `node --cpu-prof` writes), summarised as the functions with
// the most self time, grouped by where they live. Prints one JSON line.
// Usage: tsx profile.ts --contender="m2m-oauth, opaque" [--ms=3000] [--top=15]
import { Session } from "node:inspector/promises";
import { contenders, sender } from "./contenders/index.ts";
import { opsPerSecond } from "./lib/harness.ts";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("="))) as Record<string, string>;
const name = args.contender ?? "m2m-oauth, opaque";
const ms = Number(args.ms ?? 3000);
const top = Number(args.top ?? 15);
const contender = contenders.find((c) => c.name === name);
if (!contender) throw new Error(`no contender ${name}`);

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
  children?: number[];
}

const send = await sender(contender);
const op = async () => {
  const a = await send();
  if (a.status !== 200) throw new Error(`status ${a.status}`);
};
await opsPerSecond(op, 500, Number(args.concurrency ?? 1));
const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 50 });
await session.post("Profiler.start");
const rate = await opsPerSecond(op, ms, Number(args.concurrency ?? 1));
const { profile } = (await session.post("Profiler.stop")) as { profile: { nodes: Node[] } };
session.disconnect();

/** Where a function lives: the library's file, a package, node internals or V8. */
function area(url: string): string {
  if (url === "") return "(native/V8)";
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1]!;
  if (url.startsWith("node:")) return url;
  const i = url.indexOf("/src/");
  if (i !== -1 && !url.includes("/bench/")) return `src/${url.slice(i + 5)}`;
  const b = url.indexOf("/bench/");
  return b !== -1 ? url.slice(b + 1) : url;
}

const total = profile.nodes.reduce((s, n) => s + n.hitCount, 0);
const byFunction = new Map<string, number>();
const byArea = new Map<string, number>();
for (const n of profile.nodes) {
  const f = n.callFrame;
  const key = `${f.functionName || "(anonymous)"} ${area(f.url)}${f.url ? `:${f.lineNumber + 1}` : ""}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + n.hitCount);
  const a = f.functionName === "(garbage collector)" ? "(garbage collector)" : f.functionName === "(idle)" ? "(idle)" : area(f.url);
  byArea.set(a, (byArea.get(a) ?? 0) + n.hitCount);
}
const pct = (h: number) => Math.round((1000 * h) / total) / 10;
const sorted = (m: Map<string, number>, k: number) =>
  [...m].sort((a, b) => b[1] - a[1]).slice(0, k).map(([what, h]) => ({ what, percent: pct(h) }));
console.log(JSON.stringify({
  kind: "profile",
  contender: name,
  opsPerSecond: rate,
  usPerOp: 1e6 / rate,
  functions: sorted(byFunction, top),
  areas: sorted(byArea, top),
}));
