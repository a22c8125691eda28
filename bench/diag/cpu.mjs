// Server CPU µs per request over loopback HTTP for the diagnostic handlers of variants.ts:
// each "runtime:variant" is served by bench/diag/{bun,deno,node}.ts (node: over
// @hono/node-server) and loaded by wrk (32
// connections); the CPU time of the server's threads (/proc/<pid>/task/*/schedstat) across the
// load, divided by the requests wrk completed. Interleaved rounds, medians. Linux and wrk only.
// "main" is the JavaScript thread, "all" every thread (the collector's helpers included).
// Usage: node bench/diag/cpu.mjs <rounds> <seconds> bun:floor bun:lib deno:floor node:lib ...
// A config prefixed "before:" (before:deno:lib) is served from the checkout in BEFORE_TREE
// (`git worktree add /tmp/before <commit>`, with node_modules and bench/node_modules linked
// from this one): a change measured against the code before it, interleaved on one machine.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";

const [rounds, seconds, ...configs] = process.argv.slice(2);
const here = new URL(".", import.meta.url).pathname;
const bin = (name) => `${here}../../node_modules/.bin/${name}`;
const script = `${mkdtempSync(`${tmpdir()}/m2m-diag-`)}/token.lua`;
const AUTHORIZATION = `Basic ${btoa("bench-client:q7Vb2nR5tWmZ7cL1pD9sF4hG6aQeUiOyTrEwXkJ0Y3M")}`;
writeFileSync(script, `wrk.method = "POST"
wrk.body = "grant_type=client_credentials&scope=read"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "${AUTHORIZATION}"
`);

function cpu(pid) {
  let main = 0;
  let all = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
      all += ns;
      if (tid === String(pid)) main = ns;
    } catch {
      // the thread exited meanwhile
    }
  }
  return { main, all };
}

function start(runtime, variant, tree) {
  const dir = tree === undefined ? here : `${tree}/bench/diag/`;
  return new Promise((resolve, reject) => {
    const child = runtime === "bun"
      ? spawn(bin("bun"), [`${dir}bun.ts`, variant])
      : runtime === "node"
      ? spawn(process.execPath, ["--import", "tsx", `${dir}node.ts`, variant])
      : spawn(bin("deno"), ["run", "-A", `${dir}deno.ts`, variant]);
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = /LISTENING (\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.stderr.on("data", (d) => process.stderr.write(d));
    child.on("exit", (code) => reject(new Error(`${runtime} ${variant} exited ${code}`)));
  });
}

function wrk(port, s) {
  const out = execFileSync("wrk", ["-t1", "-c32", `-d${s}s`, "-s", script, `http://127.0.0.1:${port}/token`], { encoding: "utf8" });
  if (/Non-2xx|Socket errors/.test(out)) throw new Error(out);
  return Number(/(\d+) requests in/.exec(out)[1]);
}

const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const results = Object.fromEntries(configs.map((c) => [c, { main: [], all: [], rps: [] }]));
for (let r = 0; r < Number(rounds); r++) {
  for (let k = 0; k < configs.length; k++) {
    const config = configs[(k + r) % configs.length];
    const parts = config.split(":");
    const before = parts[0] === "before" ? parts.shift() : undefined;
    if (before !== undefined && process.env.BEFORE_TREE === undefined) throw new Error("before: needs BEFORE_TREE");
    const [runtime, variant] = parts;
    const { child, port } = await start(runtime, variant, before === undefined ? undefined : process.env.BEFORE_TREE);
    try {
      wrk(port, 1);
      const before = cpu(child.pid);
      const requests = wrk(port, Number(seconds));
      const after = cpu(child.pid);
      results[config].main.push((after.main - before.main) / 1000 / requests);
      results[config].all.push((after.all - before.all) / 1000 / requests);
      results[config].rps.push(requests / Number(seconds));
    } finally {
      child.removeAllListeners("exit");
      child.kill("SIGKILL");
    }
  }
}
for (const c of configs) {
  const x = results[c];
  console.log(`${c.padEnd(20)} main ${median(x.main).toFixed(2)} all ${median(x.all).toFixed(2)} µs/req; req/s ${Math.round(median(x.rps))}; main samples ${x.main.map((v) => v.toFixed(1)).join(", ")}`);
}
