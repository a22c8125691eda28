// In-process cost of bounded waits (ns per case, medians, interleaved; bench/diag/micro.ts):
// setTimeout/clearTimeout pairs against deadlines of the shared scheduler
// (src/deadline_scheduler.ts), for one wait alone (the scheduler then arms and clears a timer
// too) and for two overlapping waits (the second shares the first one's timer).
// Usage: npx tsx bench/diag/micro_deadlines.ts (or npx deno run -A ..., npx bun ...)
import { micro } from "./micro.ts";
import { deadlines } from "../../src/deadline_scheduler.ts";

const f = () => {};
const cases: Record<string, () => unknown> = {
  "one timer pair": () => clearTimeout(setTimeout(f, 10_000)),
  "one deadline": () => deadlines.schedule(10_000, f).cancel(),
  "two overlapping timer pairs": () => {
    const a = setTimeout(f, 10_000);
    const b = setTimeout(f, 10_000);
    clearTimeout(b);
    clearTimeout(a);
  },
  "two overlapping deadlines": () => {
    const a = deadlines.schedule(10_000, f);
    const b = deadlines.schedule(10_000, f);
    b.cancel();
    a.cancel();
  },
};
for (const [name, ns] of Object.entries(await micro(cases, { batch: 20_000 }))) console.log(`${name.padEnd(28)} ${ns} ns`);
