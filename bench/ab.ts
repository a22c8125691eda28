// CPU µs per request of a few contenders, interleaved in one process (rounds rotate the
// order), medians: the load-insensitive figure for before/after comparisons of one change.
// Usage: ab.ts [--only=floor (fetch)|m2m-oauth, opaque|diag:rulesmap] [--ms=300] [--rounds=7]
import { type Contender, contenders, LIBRARY, runtime, sender } from "./contenders/index.ts";
import { libraryFetch } from "./contenders/library.ts";
import { measureOps, median } from "./lib/harness.ts";
import { variants } from "./diag/variants.ts";

const argv = (globalThis as { process?: { argv: string[] } }).process?.argv.slice(2) ?? [];
const args = Object.fromEntries(argv.map((a) => a.replace(/^--/, "").split("="))) as Record<string, string>;
const names = (args.only ?? "floor (fetch)|m2m-oauth, opaque|m2m-oauth, opaque, bruteForce: false").split("|");
const MS = Number(args.ms ?? 300);
const ROUNDS = Number(args.rounds ?? 7);
// Rows of this comparison only (not in the bench's tables): the library with a `callerKey`
// (one fixed caller), so the brute-force guard keeps its five keys per attempt, not one.
const extra: Contender[] = [
  { name: `${LIBRARY}, callerKey`, via: "fetch", fetch: async () => libraryFetch({ callerKey: () => "203.0.113.7" }).fetch },
  // And any handler of bench/diag/variants.ts by its name there (diag:rulesmap, diag:s2, ...).
  ...Object.keys(variants).map((v): Contender => ({ name: `diag:${v}`, via: "fetch", fetch: async () => variants[v]!() })),
];
const chosen = names.map((n) => {
  const c = [...contenders, ...extra].find((x) => x.name === n);
  if (!c) throw new Error(`no contender ${n}`);
  return c;
});
const cpu: number[][] = chosen.map(() => []);
// A fresh instance (fresh storage) per measurement, as inprocess.ts does: a store fills up.
const measureOne = async (i: number) => {
  const send = await sender(chosen[i]!);
  return measureOps(async () => {
    const a = await send();
    if (a.status !== 200) throw new Error(`${chosen[i]!.name}: ${a.status} ${a.text}`);
  }, MS);
};
for (let i = 0; i < chosen.length; i++) await measureOne(i);
for (let r = 0; r < ROUNDS; r++) {
  for (let k = 0; k < chosen.length; k++) {
    const i = (k + r) % chosen.length;
    const m = await measureOne(i);
    cpu[i]!.push(m.cpuUs ?? NaN);
  }
}
const floor = median(cpu[0]!);
console.log(JSON.stringify({ runtime, cpuUs: Object.fromEntries(chosen.map((c, i) => [c.name, +median(cpu[i]!).toFixed(2)])), vsFirst: Object.fromEntries(chosen.map((c, i) => [c.name, +(median(cpu[i]!) / floor).toFixed(3)])) }));
