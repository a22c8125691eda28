// Issuance with the shared token stores against the in-memory one (Node, in-process): what
// the round trip to Redis or PostgreSQL on loopback costs per token. Starts redis-server and
// PostgreSQL itself. Prints one JSON line. Usage: tsx stores.ts [--ms=400] [--rounds=5]
import { type Contender, FLOOR, LIBRARY, contenders, sender } from "./contenders/index.ts";
import { startStores } from "./contenders/stores.ts";
import { checkTokenAnswer } from "./fixture.ts";
import { median, opsPerSecond } from "./lib/harness.ts";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("="))) as Record<string, string>;
const MS = Number(args.ms ?? 400);
const ROUNDS = Number(args.rounds ?? 5);

const stores = await startStores();
try {
  const active: Contender[] = [...contenders.filter((c) => c.name === FLOOR || c.name === LIBRARY), ...stores.contenders];
  for (const c of active) {
    const a = await (await sender(c))();
    const wrong = checkTokenAnswer(a.status, a.header, a.text);
    if (wrong) throw new Error(`${c.name}: ${wrong}`);
  }
  async function measure(c: Contender, concurrency: number): Promise<number> {
    const send = await sender(c);
    return opsPerSecond(async () => {
      const a = await send();
      if (a.status !== 200) throw new Error(`${c.name}: status ${a.status} ${a.text}`);
    }, MS, concurrency);
  }
  for (const c of active) await measure(c, 1);
  const seq = new Map<string, number[]>();
  const conc = new Map<string, number[]>();
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < active.length; i++) {
      const c = active[(i + r) % active.length]!;
      seq.set(c.name, [...(seq.get(c.name) ?? []), await measure(c, 1)]);
      conc.set(c.name, [...(conc.get(c.name) ?? []), await measure(c, 64)]);
    }
  }
  const rows = active.map((c) => ({ name: c.name, via: c.via, sequential: median(seq.get(c.name)!), concurrent: median(conc.get(c.name)!) }));
  console.log(JSON.stringify({ kind: "stores", rows, skipped: stores.skipped }));
} finally {
  await stores.close();
}
