// The brute-force guard's success path alone (begin, succeeded, end), ns per attempt: this
// tree against a copy of another commit's src (`--base=DIR`), with and without a caller.
// With --guards=N each case takes turns over N guards, as a process that makes many (tests,
// the benches' fresh instance per measurement) does.
// Usage: micro_guard.ts [--base=DIR] [--guards=1]
import { micro } from "./micro.ts";
import { createBruteForceGuard } from "../../src/client_auth/brute_force.ts";

const argv = (globalThis as { process?: { argv: string[] } }).process?.argv.slice(2) ?? [];
const args = Object.fromEntries(argv.map((a) => a.replace(/^--/, "").split("="))) as Record<string, string>;
type Create = typeof createBruteForceGuard;
const baseCreate: Create | undefined = args.base === undefined
  ? undefined
  : (await import(new URL(`file://${args.base.replace(/\/$/, "")}/src/client_auth/brute_force.ts`).href)).createBruteForceGuard;

const GUARDS = Number(args.guards ?? 1);
function attempt(create: Create, caller: string | undefined): () => unknown {
  const guards = Array.from({ length: GUARDS }, () => create(undefined, Date.now, 5_000)!);
  let turn = 0;
  return () => {
    const a = guards[turn++ % GUARDS]!.begin("the-client", caller);
    if (a instanceof Promise) throw new Error("the common path made a promise");
    const r = a.succeeded();
    a.end();
    return r;
  };
}
const cases: Record<string, () => unknown> = {
  "new, no caller": attempt(createBruteForceGuard, undefined),
  "new, caller": attempt(createBruteForceGuard, "203.0.113.7"),
};
if (baseCreate !== undefined) {
  cases["base, no caller"] = attempt(baseCreate, undefined);
  cases["base, caller"] = attempt(baseCreate, "203.0.113.7");
}
console.log(JSON.stringify(await micro(cases, { batch: 20_000, rounds: 15 })));
