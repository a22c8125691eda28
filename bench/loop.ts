// Runs one contender's in-process loop for a while and prints its rate: the workload that the
// runner profiles with `node --cpu-prof` / `bun --cpu-prof`.
// Usage: loop.ts --contender="m2m-oauth, opaque" [--ms=3000] [--concurrency=1]
import { contenders, runtime, sender } from "./contenders/index.ts";
import { opsPerSecond } from "./lib/harness.ts";

const argv = (globalThis as { process?: { argv: string[] } }).process?.argv.slice(2) ?? [];
const args = Object.fromEntries(argv.map((a) => a.replace(/^--/, "").split("="))) as Record<string, string>;
const contender = contenders.find((c) => c.name === (args.contender ?? "m2m-oauth, opaque"));
if (!contender) throw new Error(`no contender ${args.contender}`);
// A fresh instance every 50,000 requests: the library's store holds at most 100,000 live
// tokens per client by default, and a fast runtime issues that many in a second or two.
let send = await sender(contender);
let sent = 0;
const op = async () => {
  if (++sent % 50_000 === 0) send = await sender(contender);
  const a = await send();
  if (a.status !== 200) throw new Error(`status ${a.status}`);
};
const concurrency = Number(args.concurrency ?? 1);
await opsPerSecond(op, 500, concurrency);
const rate = await opsPerSecond(op, Number(args.ms ?? 3000), concurrency);
console.log(JSON.stringify({ kind: "loop", runtime, contender: contender.name, opsPerSecond: rate, usPerOp: 1e6 / rate }));
