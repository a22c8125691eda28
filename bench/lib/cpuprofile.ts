// Summarises a V8 .cpuprofile (what `node --cpu-prof` and `bun --cpu-prof` write): self time
// by function and by where the code lives (a file of the library, a package, the runtime).
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

export interface ProfileSummary {
  samples: number;
  functions: Array<{ what: string; percent: number }>;
  areas: Array<{ what: string; percent: number }>;
}

/** Where a function lives: a library file, a package, the runtime's internals or the engine. */
export function area(url: string, functionName: string): string {
  if (functionName === "(garbage collector)" || functionName === "(idle)" || functionName === "(program)") return functionName;
  if (url === "") return "(engine/native)";
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1]!;
  if (url.startsWith("node:") || url.startsWith("ext:")) return url.replace(/^(node:internal\/[^/]+|ext:[^/]+).*$/, "$1");
  const b = url.indexOf("/bench/");
  if (b !== -1) return url.slice(b + 1).replace(/\?.*$/, "");
  const i = url.lastIndexOf("/src/");
  if (i !== -1) return `src/${url.slice(i + 5)}`.replace(/\?.*$/, "");
  return url.replace(/^.*\//, "");
}

export function summarise(file: string, top = 12): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as { nodes: ProfileNode[]; samples?: number[] };
  const hits = new Map<number, number>();
  if (profile.samples) for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  let total = 0;
  for (const n of profile.nodes) {
    const h = profile.samples ? hits.get(n.id) ?? 0 : n.hitCount ?? 0;
    if (h === 0) continue;
    total += h;
    const f = n.callFrame;
    const where = area(f.url, f.functionName);
    const key = `${f.functionName || "(anonymous)"} — ${where}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + h);
    byArea.set(where, (byArea.get(where) ?? 0) + h);
  }
  const sorted = (m: Map<string, number>) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([what, h]) => ({ what, percent: Math.round((1000 * h) / total) / 10 }));
  return { samples: total, functions: sorted(byFunction), areas: sorted(byArea) };
}
