// grow.ts with the split of each window's CPU: user / system (process.cpuUsage), the JavaScript
// thread against every other thread (/proc/self/task/*/schedstat), minor page faults
// (/proc/self/stat), RSS growth, and on Bun the collector's counts (bun:jsc memoryUsage /
// heapStats). Usage: bun bench/diag/grow_detail.ts lib | libnullstore | ... [windows]
import process from "node:process";
import { readdirSync, readFileSync } from "node:fs";
import { variants } from "./variants.ts";
import { tokenRequest } from "../fixture.ts";
const v = process.argv[2] ?? "lib";
const windows = Number(process.argv[3] ?? 8);
const N = 50_000;
const handler = variants[v]!();
const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";
const jsc = isBun ? await import("bun:jsc") : undefined;
function threads(): { main: number; other: number } {
  let main = 0, other = 0;
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      const ns = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, "utf8").split(" ")[0]);
      if (tid === String(process.pid)) main += ns; else other += ns;
    } catch { /* gone */ }
  }
  return { main, other };
}
function faults(): { min: number; maj: number } {
  const f = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
  return { min: Number(f[7]), maj: Number(f[9]) };
}
const rows: unknown[] = [];
for (let w = 0; w < windows; w++) {
  const c0 = process.cpuUsage(), t0 = threads(), f0 = faults(), r0 = process.memoryUsage.rss();
  const g0 = jsc?.heapStats();
  for (let i = 0; i < N; i++) {
    const r = await handler(tokenRequest());
    if (r.status !== 200) throw new Error(String(r.status));
    await r.text();
  }
  const c = process.cpuUsage(c0), t1 = threads(), f1 = faults(), r1 = process.memoryUsage.rss();
  const g1 = jsc?.heapStats();
  rows.push({
    w,
    user: +(c.user / N).toFixed(2), sys: +(c.system / N).toFixed(2),
    main: +((t1.main - t0.main) / 1000 / N).toFixed(2), other: +((t1.other - t0.other) / 1000 / N).toFixed(2),
    minflt: +((f1.min - f0.min) / N).toFixed(3), rssMB: +(r1 / 2 ** 20).toFixed(0), drssKB: +((r1 - r0) / 1024).toFixed(0),
    ...(g1 ? { heapMB: +(g1.heapSize / 2 ** 20).toFixed(1), extraMB: +(g1.extraMemorySize / 2 ** 20).toFixed(1), objects: g1.objectCount } : {}),
  });
}
console.log(v);
console.table(rows);
