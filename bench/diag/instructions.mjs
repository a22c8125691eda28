// Instructions per request of the diagnostic handlers of variants.ts on @hono/node-server
// ("lib", "node:lib"), on Deno.serve ("deno:lib", the deno binary run as it is) or on Bun.serve
// ("bun:lib"), counted by
// valgrind's callgrind: unlike CPU time on a shared machine, the count repeats to within 0.1%
// from run to run (the floor: 148,466 and 148,550), so differences of a few thousand
// instructions (a timer, ten microtask turns) can be told apart. Each Node variant is bundled
// with esbuild (each Deno variant runs bench/diag/deno.ts), served under callgrind, warmed with
// `warm` requests, its counters zeroed, loaded with `n` more (8 keep-alive connections from a
// client in this process) and dumped. Instructions are not time (cache misses and system calls
// cost none here), so this attributes work, and the bench judges speed. About 80 s a variant.
// Linux and valgrind only.
// Usage: node bench/diag/instructions.mjs [warm] [n] floor lib deno:floor deno:lib ...
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { request, Agent } from "node:http";
import { tmpdir } from "node:os";

const args = process.argv.slice(2);
const warm = /^\d+$/.test(args[0] ?? "") ? Number(args.shift()) : 20_000;
const n = /^\d+$/.test(args[0] ?? "") ? Number(args.shift()) : 20_000;
const dir = new URL(".", import.meta.url).pathname;
// CACHE_SIM=1: callgrind also simulates the caches (the first level as this machine's, the
// last level CACHE_LL bytes, default 2 MiB: about a core's share of a shared L3), and each line
// gives the simulated misses per request too, as deterministic as the instruction count: a
// measure of the memory traffic that CPU time on this machine shows only as noise.
const cacheSim = process.env.CACHE_SIM === "1" ? ["--cache-sim=yes", `--LL=${process.env.CACHE_LL ?? 2 * 1024 * 1024},16,64`] : [];
const work = mkdtempSync(`${tmpdir()}/m2m-instr-`);
// In bench/diag so that @hono/node-server resolves from bench/node_modules.
const bundle = `${dir}.instructions_bundle.mjs`;
execFileSync(`${dir}../../node_modules/.bin/esbuild`, [`${dir}node.ts`, "--bundle", "--platform=node", "--format=esm", `--outfile=${bundle}`, "--external:@hono/node-server", "--log-level=warning"]);

const AUTHORIZATION = `Basic ${btoa("bench-client:q7Vb2nR5tWmZ7cL1pD9sF4hG6aQeUiOyTrEwXkJ0Y3M")}`;
const BODY = "grant_type=client_credentials&scope=read";

async function load(port, count) {
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  let sent = 0;
  const one = () =>
    new Promise((resolve, reject) => {
      const r = request({ host: "127.0.0.1", port, path: "/token", method: "POST", agent, headers: { "content-type": "application/x-www-form-urlencoded", authorization: AUTHORIZATION, "content-length": BODY.length } }, (res) => {
        if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
        res.resume();
        res.on("end", resolve);
      });
      r.on("error", reject);
      r.end(BODY);
    });
  const lane = async () => {
    while (sent < count) {
      sent++;
      await one();
    }
  };
  await Promise.all(Array.from({ length: 8 }, lane));
  agent.destroy();
}

// The bun binary itself (node_modules/.bin/bun may be a wrapper script valgrind would follow
// into a shell).
function bunBinary() {
  return execFileSync(`${dir}../../node_modules/.bin/bun`, ["-e", "console.log(process.execPath)"], { encoding: "utf8" }).trim();
}

async function measure(config) {
  const [runtime, variant] = config.includes(":") ? config.split(":") : ["node", config];
  const server = runtime === "deno"
    ? [`${dir}../../node_modules/.bin/deno`, "run", "-A", `${dir}deno.ts`, variant]
    : runtime === "bun"
    ? [bunBinary(), `${dir}bun.ts`, variant]
    : [process.execPath, bundle, variant];
  const out = `${work}/${runtime}-${variant}`;
  const child = spawn("valgrind", ["--tool=callgrind", "--smc-check=all", ...cacheSim, `--callgrind-out-file=${out}.%p.out`, ...server]);
  const port = await new Promise((resolve, reject) => {
    let text = "";
    child.stdout.on("data", (d) => {
      text += d;
      const m = /LISTENING (\d+)/.exec(text);
      if (m) resolve(Number(m[1]));
    });
    child.on("exit", (code) => reject(new Error(`${variant} exited ${code}`)));
  });
  await load(port, warm);
  execFileSync("callgrind_control", ["-z", String(child.pid)], { stdio: "ignore" });
  await load(port, n);
  execFileSync("callgrind_control", ["-d", String(child.pid)], { stdio: "ignore" });
  child.kill("SIGINT");
  await new Promise((resolve) => child.on("exit", resolve));
  // The dump taken after the zeroing is the file with a part number.
  const dump = readdirSync(work).filter((f) => f.startsWith(`${runtime}-${variant}.`) && /\.out\.\d+$/.test(f)).sort().at(-1);
  const text = readFileSync(`${work}/${dump}`, "utf8");
  const events = /^events: (.*)$/m.exec(text)[1].split(" ");
  const totals = /^(?:summary|totals): (.*)$/m.exec(text)[1].split(" ").map(Number);
  return Object.fromEntries(events.map((e, i) => [e, (totals[i] ?? 0) / n]));
}

for (const variant of args) {
  const per = await measure(variant);
  const misses = cacheSim.length === 0 ? "" : `; last-level misses/request: read ${per.DLmr.toFixed(1)}, write ${per.DLmw.toFixed(1)}, instruction ${per.ILmr.toFixed(1)}; L1 data misses ${Math.round(per.D1mr + per.D1mw)}`;
  console.log(`${variant.padEnd(20)} ${Math.round(per.Ir).toLocaleString("en-US").padStart(9)} instructions/request${misses} (warm ${warm}, counted ${n})`);
}
