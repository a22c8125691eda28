// In-process throughput of every contender on the runtime this runs on: operations per
// second, sequential and with 64 in flight; rounds interleaved, medians, ratios to the floor.
// Prints one JSON line (the runner collects it). Usage: inprocess.ts [--ms=400] [--rounds=5]
import { type Contender, contenders, FLOOR, runtime, sender, verifiers } from "./contenders/index.ts";
import { checkTokenAnswer } from "./fixture.ts";
import { measureOps, median, opsPerSecond } from "./lib/harness.ts";

const args = Object.fromEntries(
  (globalThis as { process?: { argv: string[] } }).process?.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")) ?? [],
) as Record<string, string>;
const MS = Number(args.ms ?? 400);
const ROUNDS = Number(args.rounds ?? 5);
const ONLY = args.only;

export interface InProcessRow {
  name: string;
  via: string;
  pending?: string;
  skipped?: string;
  sequential?: number;
  concurrent?: number;
  /** CPU µs per operation, sequentially (the whole process, every thread). */
  cpuUs?: number;
}

const rows = new Map<string, InProcessRow & { seq: number[]; conc: number[]; cpu: number[] }>();
const active: Contender[] = [];
for (const c of contenders) {
  if (ONLY && !c.name.includes(ONLY) && c.name !== FLOOR) continue;
  const row = { name: c.name, via: c.via, seq: [] as number[], conc: [] as number[], cpu: [] as number[] } as InProcessRow & { seq: number[]; conc: number[]; cpu: number[] };
  rows.set(c.name, row);
  if (c.pending) row.pending = c.pending;
  else {
    try {
      const send = await sender(c);
      const a = await send();
      const wrong = c.reference ? undefined : checkTokenAnswer(a.status, a.header, a.text);
      if (wrong) throw new Error(wrong);
      active.push(c);
    } catch (e) {
      row.skipped = `failed on ${runtime}: ${(e as Error).message.split("\n")[0]}`;
    }
  }
}

// Warm-up, then interleaved rounds; a fresh instance (fresh storage) per measurement.
async function measure(c: Contender, ms: number, concurrency: number): Promise<{ opsPerSecond: number; cpuUs?: number }> {
  const send = await sender(c);
  return measureOps(async () => {
    const a = await send();
    if (a.status !== 200) throw new Error(`${c.name}: status ${a.status}`);
  }, ms, concurrency);
}
for (const c of active) await measure(c, MS, 1);
for (let r = 0; r < ROUNDS; r++) {
  const order = active.map((_, i) => active[(i + r) % active.length]!);
  for (const c of order) {
    const row = rows.get(c.name)!;
    const seq = await measure(c, MS, 1);
    row.seq.push(seq.opsPerSecond);
    if (seq.cpuUs !== undefined) row.cpu.push(seq.cpuUs);
    row.conc.push((await measure(c, MS, 64)).opsPerSecond);
  }
}

const verify: Array<{ name: string; opsPerSecond?: number; cpuUs?: number }> = [];
const verifyOps = ONLY ? [] : await Promise.all(verifiers.map((v) => v.create()));
for (const op of verifyOps) await opsPerSecond(op, MS);
const vRate: number[][] = verifyOps.map(() => []);
const vCpu: number[][] = verifyOps.map(() => []);
for (let r = 0; r < ROUNDS; r++) {
  for (let i = 0; i < verifyOps.length; i++) {
    const m = await measureOps(verifyOps[i]!, MS);
    vRate[i]!.push(m.opsPerSecond);
    if (m.cpuUs !== undefined) vCpu[i]!.push(m.cpuUs);
  }
}
verifyOps.forEach((_, i) => {
  verify.push({ name: verifiers[i]!.name, opsPerSecond: median(vRate[i]!), ...(vCpu[i]!.length ? { cpuUs: median(vCpu[i]!) } : {}) });
});

const out: InProcessRow[] = [...rows.values()].map(({ seq, conc, cpu, ...row }) =>
  seq.length === 0 ? row : { ...row, sequential: median(seq), concurrent: median(conc), ...(cpu.length ? { cpuUs: median(cpu) } : {}) }
);
console.log(JSON.stringify({ kind: "inprocess", runtime, ms: MS, rounds: ROUNDS, rows: out, verify }));
