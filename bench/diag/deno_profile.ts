// A CPU profile of a bench/diag/variants.ts handler on Deno.serve under wrk load, taken over the
// inspector (Deno has no --cpu-prof), with self times by function and inclusive times for the
// library's functions. Usage: node --experimental-websocket --import tsx bench/diag/deno_profile.ts lib [seconds] [intervalUs]
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import process from "node:process";
import { profileOverInspector } from "../lib/inspector_profile.ts";

const [variant = "lib", seconds = "5", interval = "100"] = process.argv.slice(2);
const dir = new URL(".", import.meta.url).pathname;
const tmp = mkdtempSync(`${tmpdir()}/m2m-dprof-`);
const script = `${tmp}/token.lua`;
const AUTHORIZATION = `Basic ${btoa("bench-client:q7Vb2nR5tWmZ7cL1pD9sF4hG6aQeUiOyTrEwXkJ0Y3M")}`;
writeFileSync(script, `wrk.method = "POST"\nwrk.body = "grant_type=client_credentials&scope=read"\nwrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\nwrk.headers["Authorization"] = "${AUTHORIZATION}"\n`);
const child = spawn(`${dir}../../node_modules/.bin/deno`, ["run", "-A", "--inspect=127.0.0.1:0", `${dir}deno.ts`, variant], { stdio: ["ignore", "pipe", "pipe"] });
let out = "";
let err = "";
const port = await new Promise<number>((resolve) => child.stdout!.on("data", (d) => {
  out += d;
  const m = /LISTENING (\d+)/.exec(out);
  if (m) resolve(Number(m[1]));
}));
const ws = await new Promise<string>((resolve) => {
  const seen = () => {
    const m = /(ws:\/\/[^\s]+)/.exec(err);
    if (m) resolve(m[1]!);
  };
  child.stderr!.on("data", (d) => {
    err += d;
    seen();
  });
  seen();
});
const wrk = (s: number) => execFileSync("wrk", ["-t1", "-c32", `-d${s}s`, "-s", script, `http://127.0.0.1:${port}/token`], { encoding: "utf8" });
wrk(2);
const file = `${tmp}/server.cpuprofile`;
let summary = "";
await profileOverInspector(ws, async () => {
  summary = wrk(Number(seconds));
}, file, Number(interval));
child.kill();
const rps = /Requests\/sec:\s+([\d.]+)/.exec(summary)?.[1];
interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
const profile = JSON.parse(readFileSync(file, "utf8")) as { nodes: Node[]; samples: number[] };
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = (n: Node) => `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.replace(/^.*\/(src|bench)\//, "$1/")}:${n.callFrame.lineNumber + 1}`;
const self = new Map<string, number>();
const incl = new Map<string, number>();
let busy = 0;
for (const id of profile.samples) {
  const n = byId.get(id)!;
  if (n.callFrame.functionName === "(idle)") continue;
  busy++;
  self.set(name(n), (self.get(name(n)) ?? 0) + 1);
  const seen = new Set<string>();
  for (let c: number | undefined = id; c !== undefined; c = parent.get(c)) {
    const k = name(byId.get(c)!);
    if (seen.has(k)) continue;
    seen.add(k);
    incl.set(k, (incl.get(k) ?? 0) + 1);
  }
}
const total = profile.samples.length;
console.log(`${variant}: ${rps} req/s under the profiler; busy ${(100 * busy / total).toFixed(1)}% of ${total} samples`);
const top = (m: Map<string, number>, n: number, filter = (_: string) => true) =>
  [...m].filter(([k]) => filter(k)).sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${(100 * v / busy).toFixed(1).padStart(5)}% ${k}`).join("\n");
console.log("self (% of busy):\n" + top(self, 30));
console.log("inclusive, library (% of busy):\n" + top(incl, 30, (k) => / src\//.test(k)));
