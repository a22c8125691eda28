// CPU µs per request in windows of 50,000 requests through one instance of a variants.ts handler
// whose token store grows (in-process). Usage: bun bench/diag/grow.ts lib | libnullstore | libgen ...
import process from "node:process";
import { variants } from "./variants.ts";
import { tokenRequest } from "../fixture.ts";
const v = process.argv[2] ?? "lib";
const handler = variants[v]!();
const out: number[] = [];
for (let w = 0; w < 8; w++) {
  const c0 = process.cpuUsage();
  for (let i = 0; i < 50_000; i++) {
    const r = await handler(tokenRequest());
    if (r.status !== 200) throw new Error(String(r.status));
    await r.text();
  }
  const c = process.cpuUsage(c0);
  out.push(+((c.user + c.system) / 50_000).toFixed(2));
}
console.log(v, JSON.stringify(out));
