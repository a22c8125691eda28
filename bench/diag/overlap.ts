// In-process CPU per token request when the waits of many requests overlap: `inflight` requests
// go through one library endpoint at once, over a token store whose save answers only when the
// harness releases every waiting save together (one network round trip for the lot, a stand-in
// for Redis or PostgreSQL), so `inflight` store deadlines are pending at once. Prints the median
// µs of CPU (process.cpuUsage) per request over `rounds` windows of `batches` batches.
// Usage: npx tsx bench/diag/overlap.ts [inflight=32] [rounds=7] [batches=300]
// (or npx deno run -A ..., npx bun ...). Run it from two trees alternately to compare them.
import process from "node:process";
import { libraryFetch } from "../contenders/library.ts";
import { tokenRequest } from "../fixture.ts";

const [inflight = 32, rounds = 7, batches = 300] = process.argv.slice(2).filter((a) => /^\d+$/.test(a)).map(Number);
const records = new Map<string, unknown>();
let waiting: Array<() => void> = [];
const answer = <T>(value: T) => new Promise<T>((resolve) => waiting.push(() => resolve(value)));
const { fetch } = libraryFetch({
  tokenStore: {
    save: (key: string, record: unknown) => (records.set(key, record), answer(undefined)),
    find: (key: string) => answer(records.get(key)),
    revoke: (key: string) => answer(records.delete(key)),
  } as never,
});
const macrotask = () => new Promise((resolve) => setTimeout(resolve, 0));

async function batch(): Promise<void> {
  const answers = Array.from({ length: inflight }, () => fetch(tokenRequest()));
  while (waiting.length < inflight) await macrotask();
  const release = waiting;
  waiting = [];
  for (const r of release) r();
  for (const response of await Promise.all(answers)) {
    if (response.status !== 200) throw new Error(`status ${response.status}`);
    await response.arrayBuffer();
  }
  records.clear();
}

for (let i = 0; i < 50; i++) await batch();
const samples: number[] = [];
for (let r = 0; r < rounds; r++) {
  const before = process.cpuUsage();
  for (let i = 0; i < batches; i++) await batch();
  const used = process.cpuUsage(before);
  samples.push((used.user + used.system) / (batches * inflight));
}
samples.sort((a, b) => a - b);
console.log(`overlap inflight ${inflight}: ${samples[samples.length >> 1]!.toFixed(2)} µs CPU/request (samples ${samples.map((s) => s.toFixed(1)).join(", ")})`);
