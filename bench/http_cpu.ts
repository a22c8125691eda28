// Server CPU µs per request over loopback HTTP: the server process's CPU time (every thread,
// from /proc/<pid>/task/*/schedstat, in ns) across one wrk load, divided by the requests wrk
// completed. Unlike req/s, this moves little when other work shares the machine, so it is
// the figure for before/after comparisons of a change on Bun.serve and Deno.serve (req/s
// from bench/http.ts stays the target's measure). Interleaved rounds, medians. Linux only.
// Usage: tsx http_cpu.ts [--runtimes=bun,deno] [--only=floor (fetch)|m2m-oauth, opaque]
//        [--seconds=3] [--rounds=3] [--connections=32]
import { readdirSync, readFileSync } from "node:fs";
import { AUTHORIZATION, BODY, checkTokenAnswer, CONTENT_TYPE, TOKEN_PATH } from "./fixture.ts";
import { median } from "./lib/harness.ts";
import { load } from "./lib/load.ts";
import { type Runtime, startServer } from "./lib/processes.ts";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("="))) as Record<string, string>;
const runtimes = (args.runtimes ?? "bun,deno").split(",") as Runtime[];
const names = (args.only ?? "floor (fetch)|m2m-oauth, opaque").split("|");
const SECONDS = Number(args.seconds ?? 3);
const ROUNDS = Number(args.rounds ?? 3);
const CONNECTIONS = Number(args.connections ?? 32);

/** CPU ns of every thread of a process so far (threads that exited are not counted). */
function cpuNs(pid: number): number {
  let total = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // the thread exited meanwhile
    }
  }
  return total;
}

async function check(port: number): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${port}${TOKEN_PATH}`, {
    method: "POST",
    headers: { "content-type": CONTENT_TYPE, authorization: AUTHORIZATION },
    body: BODY,
  });
  const wrong = checkTokenAnswer(res.status, (n) => res.headers.get(n), await res.text());
  if (wrong) throw new Error(wrong);
}

const configs = runtimes.flatMap((runtime) => names.map((contender) => ({ runtime, contender })));
const cpu = configs.map((): number[] => []);
const rps = configs.map((): number[] => []);
for (let r = 0; r < ROUNDS; r++) {
  for (let k = 0; k < configs.length; k++) {
    const i = (k + r) % configs.length;
    const c = configs[i]!;
    const server = await startServer(c.runtime, `servers/${c.runtime}.ts`, [`--contender=${c.contender}`]);
    try {
      await check(server.port);
      await load(server.port, 1, CONNECTIONS);
      const pid = server.child.pid!;
      const before = cpuNs(pid);
      const t0 = performance.now();
      const result = await load(server.port, SECONDS, CONNECTIONS);
      const after = cpuNs(pid);
      const seconds = (performance.now() - t0) / 1000;
      // wrk's own duration is the load's; requests = rate x duration, close enough for a ratio.
      const requests = result.requestsPerSecond * Math.min(seconds, SECONDS);
      if (result.non2xx + result.errors > 0) throw new Error(`${c.runtime} ${c.contender}: ${result.non2xx} non-2xx, ${result.errors} errors`);
      cpu[i]!.push((after - before) / 1000 / requests);
      rps[i]!.push(result.requestsPerSecond);
      process.stderr.write(`${r + 1}/${ROUNDS} ${c.runtime} ${c.contender}: ${((after - before) / 1000 / requests).toFixed(2)} µs CPU/req, ${Math.round(result.requestsPerSecond)} req/s\n`);
    } finally {
      await server.stop();
    }
  }
}
console.log(JSON.stringify({
  kind: "http_cpu",
  seconds: SECONDS,
  rounds: ROUNDS,
  connections: CONNECTIONS,
  rows: configs.map((c, i) => ({ ...c, serverCpuUsPerRequest: +median(cpu[i]!).toFixed(2), requestsPerSecond: Math.round(median(rps[i]!)), samples: cpu[i]!.map((x) => +x.toFixed(2)) })),
}));
