// Runs one verifier's loop for a while and prints its rate: the workload the runner profiles.
// Usage: verify_loop.ts --verifier="m2m-oauth verifyAccessToken, JWT ES256" [--ms=3000]
import { runtime, verifiers } from "./contenders/index.ts";
import { opsPerSecond } from "./lib/harness.ts";

const argv = (globalThis as { process?: { argv: string[] } }).process?.argv.slice(2) ?? [];
const args = Object.fromEntries(argv.map((a) => a.replace(/^--/, "").split("="))) as Record<string, string>;
const verifier = verifiers.find((v) => v.name === args.verifier);
if (!verifier) throw new Error(`no verifier ${args.verifier}`);
const op = await verifier.create();
await opsPerSecond(op, 500);
const rate = await opsPerSecond(op, Number(args.ms ?? 3000));
console.log(JSON.stringify({ kind: "verify_loop", runtime, verifier: verifier.name, opsPerSecond: rate, usPerOp: 1e6 / rate }));
