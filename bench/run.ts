// The one command: every measurement, each in its own processes, then bench/RESULTS.md.
// `npm run bench` (in bench/ or, from the root, `npm run bench`); `--quick` for a short pass
// that checks the pipeline (it writes .tmp/RESULTS.quick.md, not RESULTS.md).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, freemem, loadavg, totalmem, tmpdir } from "node:os";
import { contenders, FLOOR, FLOOR_EDDSA, FLOOR_ES256, FLOOR_NODE, LIBRARY, LIBRARY_EDDSA, LIBRARY_ES256 } from "./contenders/index.ts";
import { summarise, type ProfileSummary } from "./lib/cpuprofile.ts";
import { fmt, median, ratio } from "./lib/harness.ts";
import { load } from "./lib/load.ts";
import { benchDir, hasWrk, type Runtime, runJson, startServer, version } from "./lib/processes.ts";

const quick = process.argv.includes("--quick");
const out = quick ? `${benchDir}../.tmp/RESULTS.quick.md` : `${benchDir}RESULTS.md`;
const runtimes: Runtime[] = ["node", "deno", "bun"];
const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);
const P = quick
  ? { ms: 100, rounds: 1, seconds: 1, warmup: 0, httpRounds: 1, scaleRounds: 1, bigClients: 10_000, bigTokens: 200_000, profileMs: 1000 }
  : { ms: 400, rounds: 5, seconds: 5, warmup: 1, httpRounds: 3, scaleRounds: 3, bigClients: 100_000, bigTokens: 1_000_000, profileMs: 4000 };

interface InProcess {
  runtime: Runtime;
  rows: Array<{ name: string; via: string; pending?: string; skipped?: string; sequential?: number; concurrent?: number; cpuUs?: number }>;
  verify: Array<{ name: string; opsPerSecond?: number; cpuUs?: number }>;
}
interface Http {
  rows: Array<{
    runtime: Runtime;
    server: string;
    contender: string;
    failed?: string;
    tool?: string;
    samples: number[];
    requestsPerSecond?: number;
    p50Ms?: number;
    p99Ms?: number;
    non2xx: number;
    errors: number;
  }>;
}
interface Memory {
  runtime: Runtime;
  rows: Array<{ tokens: number; bytesPerToken: number }>;
}
interface Scale {
  clients: number;
  liveTokens: number;
  library: number;
  floor: number;
  heapMB: number;
}
interface Stores {
  rows: Array<{ name: string; via: string; sequential: number; concurrent: number }>;
  skipped: string[];
}
interface Stages {
  runtime: Runtime;
  nsPerCall: Record<string, number>;
}

const started = new Date();
const loadAtStart = loadavg().map((x) => x.toFixed(1)).join(", ");
const machine = {
  nproc: execFileSync("nproc", { encoding: "utf8" }).trim(),
  cpu: cpus()[0]?.model ?? "unknown",
  memoryGiB: (totalmem() / 2 ** 30).toFixed(1),
  freeGiB: (freemem() / 2 ** 30).toFixed(1),
  kernel: execFileSync("uname", ["-sr"], { encoding: "utf8" }).trim(),
  versions: Object.fromEntries(runtimes.map((r) => [r, version(r)])),
  loadTool: hasWrk ? execFileSync("sh", ["-c", "wrk -v 2>&1 | head -1"], { encoding: "utf8" }).trim() : "autocannon",
  packages: Object.fromEntries(
    ["@node-oauth/oauth2-server", "@jmondi/oauth2-server", "oidc-provider", "@hono/node-server", "srvx", "light-my-request", "mitata"].map((p) => [
      p,
      (JSON.parse(readFileSync(`${benchDir}node_modules/${p}/package.json`, "utf8")) as { version: string }).version,
    ]),
  ),
};

// 1. In-process, each runtime in its own process.
const inprocess: InProcess[] = [];
for (const r of runtimes) {
  log(`in-process on ${r}`);
  inprocess.push(await runJson<InProcess>(r, "inprocess.ts", [`--ms=${P.ms}`, `--rounds=${P.rounds}`]));
}

// 1b. Issuance with the Redis and PostgreSQL token stores on loopback (Node; starts the servers).
log("token stores (redis-server, PostgreSQL)");
const stores = await runJson<Stores>("node", "stores.ts", [`--ms=${P.ms}`, `--rounds=${P.rounds}`]).catch((e: Error) => {
  log(`token stores failed: ${e.message.split("\n")[0]}`);
  return { rows: [], skipped: [e.message.split("\n")[0]!] } as Stores;
});

// 2. Stage costs, each runtime.
const stages: Stages[] = [];
for (const r of runtimes) {
  log(`stages on ${r}`);
  stages.push(await runJson<Stages>(r, "stages.ts", quick ? ["--quick"] : []));
}

// 2b. One JWS signature and verification per algorithm, each runtime: WebCrypto and node:crypto.
interface Algorithms {
  runtime: Runtime;
  rows: Array<{ name: string; alg: string; via: string; opsPerSecond: number; cpuUs?: number }>;
}
const algorithms: Algorithms[] = [];
for (const r of runtimes) {
  log(`signature algorithms on ${r}`);
  algorithms.push(await runJson<Algorithms>(r, "algorithms.ts", [`--ms=${quick ? 50 : 300}`, `--rounds=${quick ? 1 : P.rounds}`]));
}

// 3. Over HTTP (its own runner: servers and wrk in separate processes).
log("over HTTP (this takes a while)");
const http = await runJson<Http>("node", "http.ts", [`--seconds=${P.seconds}`, `--warmup=${P.warmup}`, `--rounds=${P.httpRounds}`], [], 3_600_000);

// 4. Memory per live token.
const memory: Memory[] = [];
for (const r of runtimes) {
  log(`memory on ${r}`);
  const flags = r === "node" ? ["--expose-gc"] : r === "deno" ? ["--v8-flags=--expose-gc"] : [];
  memory.push(await runJson<Memory>(r, "memory.ts", [`--tokens=100000,${P.bigTokens}`], flags));
}

// 5. Scale: small and large deployments in alternating processes (Node).
log("scale");
const small: Scale[] = [];
const large: Scale[] = [];
for (let i = 0; i < P.scaleRounds; i++) {
  small.push(await runJson<Scale>("node", "scale.ts", ["--clients=10", "--tokens=0", `--ms=${P.ms}`, `--rounds=${P.rounds}`]));
  large.push(await runJson<Scale>("node", "scale.ts", [`--clients=${P.bigClients}`, `--tokens=${P.bigTokens}`, `--ms=${P.ms}`, `--rounds=${P.rounds}`]));
}

// 6. Profiles: the library in-process (Node, Bun) and over HTTP (Node's best adapter, Bun.serve).
const profDir = mkdtempSync(`${tmpdir()}/m2m-prof-`);
async function profileLoop(r: Runtime, contender: string): Promise<ProfileSummary & { usPerOp: number }> {
  const dir = mkdtempSync(`${profDir}/loop-`);
  const res = await runJson<{ usPerOp: number }>(r, "loop.ts", [`--contender=${contender}`, `--ms=${P.profileMs}`], ["--cpu-prof", `--cpu-prof-dir=${dir}`]);
  return { ...summarise(`${dir}/${readdirSync(dir)[0]}`), usPerOp: res.usPerOp };
}
async function profileVerify(r: Runtime, verifier: string): Promise<ProfileSummary & { usPerOp: number }> {
  const dir = mkdtempSync(`${profDir}/verify-`);
  const res = await runJson<{ usPerOp: number }>(r, "verify_loop.ts", [`--verifier=${verifier}`, `--ms=${P.profileMs}`], ["--cpu-prof", `--cpu-prof-dir=${dir}`]);
  return { ...summarise(`${dir}/${readdirSync(dir)[0]}`), usPerOp: res.usPerOp };
}
async function profileServer(r: Runtime, file: string, args: string[]): Promise<ProfileSummary & { requestsPerSecond: number }> {
  const dir = mkdtempSync(`${profDir}/server-`);
  const server = await startServer(r, file, args, ["--cpu-prof", `--cpu-prof-dir=${dir}`]);
  const result = await load(server.port, Math.max(1, Math.round(P.profileMs / 1000)));
  await server.stop();
  await new Promise((done) => setTimeout(done, 500));
  return { ...summarise(`${dir}/${readdirSync(dir)[0]}`), requestsPerSecond: result.requestsPerSecond };
}
async function profileDenoServer(): Promise<ProfileSummary & { requestsPerSecond: number }> {
  const { profileOverInspector } = await import("./lib/inspector_profile.ts");
  const server = await startServer("deno", "servers/deno.ts", [`--contender=${LIBRARY}`], ["--inspect=127.0.0.1:0"]);
  const ws = await new Promise<string>((resolve, reject) => {
    let err = "";
    const t = setTimeout(() => reject(new Error(`no inspector URL: ${err}`)), 10_000);
    const seen = (d: Buffer) => {
      err += d;
      const m = /(ws:\/\/[^\s]+)/.exec(err);
      if (m) {
        clearTimeout(t);
        resolve(m[1]!);
      }
    };
    seen(Buffer.from(server.stderr()));
    server.child.stderr!.on("data", seen);
  });
  const file = `${mkdtempSync(`${profDir}/deno-`)}/server.cpuprofile`;
  let rps = 0;
  await profileOverInspector(ws, async () => {
    rps = (await load(server.port, Math.max(1, Math.round(P.profileMs / 1000)))).requestsPerSecond;
  }, file);
  await server.stop();
  return { ...summarise(file), requestsPerSecond: rps };
}
const nodeHttp = http.rows.filter((x) => x.runtime === "node" && x.contender === LIBRARY && x.requestsPerSecond);
const bestAdapter = nodeHttp.sort((a, b) => b.requestsPerSecond! - a.requestsPerSecond!)[0]?.server ?? "hono";
log("profiles");
const profiles = {
  nodeLibrary: await profileLoop("node", LIBRARY),
  nodeFloor: await profileLoop("node", FLOOR),
  nodeJwt: await profileLoop("node", LIBRARY_ES256),
  nodeVerifyFirst: await profileVerify("node", "m2m-oauth verifyAccessToken, JWT ES256, first sight"),
  nodeVerifySeen: await profileVerify("node", "m2m-oauth verifyAccessToken, JWT ES256, token seen before"),
  bunLibrary: await profileLoop("bun", LIBRARY),
  nodeServer: await profileServer("node", "servers/node.ts", [`--contender=${LIBRARY}`, `--adapter=${bestAdapter}`]),
  bunServer: await profileServer("bun", "servers/bun.ts", [`--contender=${LIBRARY}`]),
  denoServer: await profileDenoServer(),
};

// ---- RESULTS.md
const ip = (r: Runtime) => inprocess.find((x) => x.runtime === r)!;
const ipRow = (r: Runtime, name: string) => ip(r).rows.find((x) => x.name === name);
const hRow = (runtime: Runtime, server: string, contender: string) =>
  http.rows.find((x) => x.runtime === runtime && x.server === server && x.contender === contender);
const us = (ops: number | undefined) => (ops ? (1e6 / ops).toFixed(1) : "—");
const lines: string[] = [];
const p = (s = "") => lines.push(s);

const libNode = ipRow("node", LIBRARY)?.sequential;
const floorNode = ipRow("node", FLOOR)?.sequential;
const libCpu = ipRow("node", LIBRARY)?.cpuUs;
const floorCpu = ipRow("node", FLOOR)?.cpuUs;
const costRatio = libCpu && floorCpu ? libCpu / floorCpu : undefined;
const wallRatio = libNode && floorNode ? floorNode / libNode : undefined;
const cpu = (x: number | undefined) => (x === undefined ? "—" : x.toFixed(1));
const bestLib = hRow("node", bestAdapter, LIBRARY)?.requestsPerSecond;
const oidc = hRow("node", "node:http", "oidc-provider")?.requestsPerSecond;
const nodeOAuth = hRow("node", "node:http", "@node-oauth/oauth2-server")?.requestsPerSecond;
const runtimeRatio = (r: Runtime, server: string) => {
  const lib = hRow(r, server, LIBRARY)?.requestsPerSecond;
  const floor = hRow(r, server, FLOOR)?.requestsPerSecond;
  return lib && floor ? lib / floor : undefined;
};
const mem = (r: Runtime, n: number) => memory.find((m) => m.runtime === r)?.rows.find((x) => x.tokens === n)?.bytesPerToken;
const smallLib = median(small.map((s) => s.library));
const largeLib = median(large.map((s) => s.library));
const met = (ok: boolean | undefined) => (ok === undefined ? "—" : ok ? "met" : "**not met**");
const x2 = (n: number | undefined) => (n === undefined ? "—" : `${n.toFixed(2)}x`);
const bigMem = Math.max(...[100_000, P.bigTokens].map((n) => mem("node", n) ?? Infinity));

p("# Benchmark results");
p();
p(`Generated by \`npm run bench\` (bench/run.ts)${quick ? " in **quick mode** (too short to quote)" : ""}, ${started.toISOString().slice(0, 16).replace("T", " ")} UTC,`);
p("in one run: every table below comes from that run, and every ratio compares figures of that run.");
p();
p("## Machine");
p();
p(`- ${machine.nproc} cores (\`nproc\`), ${machine.cpu}, ${machine.memoryGiB} GiB memory; ${machine.kernel}`);
p(`- Node ${machine.versions.node}, ${machine.versions.deno}, Bun ${machine.versions.bun}`);
p(`- load generator: ${machine.loadTool}, 1 thread, 64 connections, on 127.0.0.1`);
p(`- peers: ${Object.entries(machine.packages).map(([k, v]) => `${k} ${v}`).join(", ")}`);
p("- The machine is shared and has two cores: the server gets one, the load generator the other. Runs are");
p("  interleaved (each round visits every contender in a rotated order) and the tables give medians.");
p(`- Load average (1, 5, 15 min) at the start of the run: ${loadAtStart}; at the end: ${loadavg().map((x) => x.toFixed(1)).join(", ")}.`);
p("  Other work on the machine (what the load average shows) moves wall-clock figures between");
p("  runs; in-process costs are also given as CPU µs per request (process.cpuUsage, every thread of the process),");
p("  which move much less, and the in-process targets are judged on them.");
p();
p("## Targets");
p();
p("| target | figure (this run) | |");
p("|---|---|---|");
p(`| in-process opaque issuance, cost per request <= 1.2x the floor's (Node) | ${x2(costRatio)} CPU (${cpu(libCpu)} vs ${cpu(floorCpu)} µs); wall ${x2(wallRatio)} (${us(libNode)} vs ${us(floorNode)} µs) | ${met(costRatio === undefined ? undefined : costRatio <= 1.2)} |`);
p(`| over HTTP on Node >= 1.5x oidc-provider (library on ${bestAdapter}) | ${x2(bestLib && oidc ? bestLib / oidc : undefined)} (${fmt(bestLib)} vs ${fmt(oidc)} req/s) | ${met(bestLib && oidc ? bestLib / oidc >= 1.5 : undefined)} |`);
p(`| over HTTP on Node >= 1.0x @node-oauth/oauth2-server | ${x2(bestLib && nodeOAuth ? bestLib / nodeOAuth : undefined)} (${fmt(bestLib)} vs ${fmt(nodeOAuth)} req/s) | ${met(bestLib && nodeOAuth ? bestLib / nodeOAuth >= 1 : undefined)} |`);
// Issue 15's targets over HTTP: req/s ratios of one run, each to the fetch floor of the same server.
const httpTarget = (what: string, runtime: Runtime, server: string, lib: string, floor: string, min?: number) => {
  const l = hRow(runtime, server, lib)?.requestsPerSecond;
  const f = hRow(runtime, server, floor)?.requestsPerSecond;
  const r = l && f ? l / f : undefined;
  p(`| ${what} | ${x2(r)} (${fmt(l)} vs ${fmt(f)} req/s) | ${min === undefined ? "—" : met(r === undefined ? undefined : r >= min)} |`);
};
httpTarget("Deno.serve, opaque, brute-force guard on: >= 0.8x the Deno fetch floor over HTTP", "deno", "Deno.serve", LIBRARY, FLOOR, 0.8);
httpTarget("Bun.serve, opaque, brute-force guard on: >= 0.8x the Bun fetch floor over HTTP", "bun", "Bun.serve", LIBRARY, FLOOR, 0.8);
httpTarget("Node over HTTP on @hono/node-server, opaque: >= 0.85x the fetch floor on that adapter", "node", "hono", LIBRARY, FLOOR, 0.85);
httpTarget("JWT EdDSA issuance on Deno.serve: >= 0.8x (floor + one bare EdDSA sign) over HTTP", "deno", "Deno.serve", LIBRARY_EDDSA, FLOOR_EDDSA, 0.8);
httpTarget("JWT EdDSA issuance on Bun.serve: >= 0.8x (floor + one bare EdDSA sign) over HTTP", "bun", "Bun.serve", LIBRARY_EDDSA, FLOOR_EDDSA, 0.8);
httpTarget("(no target; for comparison) JWT ES256 issuance on Deno.serve vs (floor + one bare ES256 sign)", "deno", "Deno.serve", LIBRARY_ES256, FLOOR_ES256);
httpTarget("(no target; for comparison) JWT ES256 issuance on Bun.serve vs (floor + one bare ES256 sign)", "bun", "Bun.serve", LIBRARY_ES256, FLOOR_ES256);
p(`| <= 300 bytes of heap per live opaque token (Node, 100k and ${fmt(P.bigTokens)}) | ${fmt(mem("node", 100_000))} / ${fmt(mem("node", P.bigTokens))} B | ${met(Number.isFinite(bigMem) ? bigMem <= 300 : undefined)} |`);
p(`| cost per request must not grow: ${fmt(P.bigClients)} clients + ${fmt(P.bigTokens)} live tokens vs 10 clients | ${x2(smallLib && largeLib ? smallLib / largeLib : undefined)} of the small deployment's cost | see [Scale](#scale) |`);
for (const [lib, ref, target] of [[LIBRARY_ES256, FLOOR_ES256, 1.3], [LIBRARY_EDDSA, FLOOR_EDDSA, undefined]] as const) {
  const l = ipRow("node", lib);
  const f = ipRow("node", ref);
  const r = l?.cpuUs && f?.cpuUs ? l.cpuUs / f.cpuUs : undefined;
  const w = l?.sequential && f?.sequential ? f.sequential / l.sequential : undefined;
  const what = target === undefined
    ? `(no target; for comparison) JWT EdDSA issuance vs floor + one WebCrypto EdDSA sign (Node)`
    : `JWT ES256 issuance, cost per request <= ${target}x (floor + one WebCrypto ES256 sign) (Node)`;
  p(`| ${what} | ${x2(r)} CPU (${cpu(l?.cpuUs)} vs ${cpu(f?.cpuUs)} µs); wall ${x2(w)} (${us(l?.sequential)} vs ${us(f?.sequential)} µs) | ${target === undefined ? "—" : met(r === undefined ? undefined : r <= target)} |`);
}
for (const v of ip("node").verify.filter((v) => v.name.startsWith("m2m-oauth verifyAccessToken, JWT"))) {
  const perCore = v.cpuUs ? 1e6 / v.cpuUs : undefined;
  p(`| JWT verification >= 20,000/s in-process on one core (Node): ${v.name.replace("m2m-oauth verifyAccessToken, ", "")} | ${fmt(perCore)}/s per CPU-second (${cpu(v.cpuUs)} µs CPU); wall ${fmt(v.opsPerSecond)}/s | ${met(perCore === undefined ? undefined : perCore >= 20_000)} |`);
}
p();

p("## In-process throughput");
p();
p("One token request per operation, built and answered in the same process: fetch contenders get a new");
p("`Request` (with the headers a server adapter gives it) and their `Response` is read; @node-oauth/oauth2-server");
p("gets its own request objects; node:http contenders are reached through light-my-request's fake socket (its");
p(`cost is in their figures). ${P.rounds} interleaved rounds of ${P.ms} ms each, fresh storage per sample; medians.`);
p("Ratios are to the fetch floor of the same runtime (ops/s ratios: higher is better; `CPU vs floor` is a cost");
p("ratio: lower is better). wall µs = 1/(sequential ops/s); CPU µs = process CPU time per sequential operation.");
for (const r of runtimes) {
  const floor = ipRow(r, FLOOR);
  p();
  p(`### ${r === "node" ? "Node" : r === "deno" ? "Deno" : "Bun"}`);
  p();
  p("| contender | via | sequential ops/s | wall µs | vs floor | CPU µs | CPU vs floor | 64 in flight ops/s | vs floor |");
  p("|---|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const row of ip(r).rows) {
    if (row.pending || row.skipped) {
      p(`| ${row.name} | ${row.via} | ${row.pending ? `TODO: ${row.pending}` : `skipped: ${row.skipped}`} | | | | | | |`);
      continue;
    }
    p(`| ${row.name} | ${row.via} | ${fmt(row.sequential)} | ${us(row.sequential)} | ${ratio(row.sequential, floor?.sequential)} | ${cpu(row.cpuUs)} | ${ratio(row.cpuUs, floor?.cpuUs)} | ${fmt(row.concurrent)} | ${ratio(row.concurrent, floor?.concurrent)} |`);
  }
}
p();
p("### Resource-server verification (ops/s of one verify call)");
p();
p("One call at a time, in-process; the `Request` (what a server adapter hands the handler) is built once, the");
p("bare rows get the token string. Each verifyAccessToken row checks the token as a resource server must (typ, alg");
p("from the key, signature, iss, aud, exp/nbf/iat, required claims, scope `read`) or looks the opaque token up.");
p("In brackets: the ratio to the bare WebCrypto verification of the same algorithm in the same run, and the CPU µs");
p("per verification (the whole process; 1,000,000 / CPU µs is what one core does).");
p();
p(`| verifier | ${runtimes.join(" | ")} |`);
p(`|---|${runtimes.map(() => "---:").join("|")}|`);
for (const v of ip("node").verify) {
  p(`| ${v.name} | ${runtimes.map((r) => {
    const x = ip(r).verify.find((y) => y.name === v.name);
    const alg = /EdDSA/.test(v.name) ? "EdDSA" : /ES256/.test(v.name) ? "ES256" : undefined;
    const bare = alg && !v.name.startsWith("bare") ? ip(r).verify.find((y) => y.name === `bare ${alg} verify (WebCrypto)`)?.opsPerSecond : undefined;
    const c = x?.cpuUs === undefined ? "" : `; ${cpu(x.cpuUs)} µs CPU`;
    return bare ? `${fmt(x?.opsPerSecond)} (${ratio(x?.opsPerSecond, bare)}${c})` : `${fmt(x?.opsPerSecond)}${c ? ` (${c.slice(2)})` : ""}`;
  }).join(" | ")} |`);
}
p();
p("### Issuance with shared token stores (Node)");
p();
p("The library's opaque issuance with each token store, against redis-server and PostgreSQL started by the bench on");
p("127.0.0.1 (no persistence, fsync off), next to the in-memory store and the floor of the same run. Every token costs");
p("one write (Redis `SET ... EXAT`, PostgreSQL `INSERT`); interleaved rounds, medians.");
p();
p("| contender | via | sequential ops/s | cost µs | vs in-memory | 64 in flight ops/s | vs in-memory |");
p("|---|---|---:|---:|---:|---:|---:|");
const memRow = stores.rows.find((x) => x.name === LIBRARY);
for (const row of stores.rows) {
  p(`| ${row.name} | ${row.via} | ${fmt(row.sequential)} | ${us(row.sequential)} | ${ratio(row.sequential, memRow?.sequential)} | ${fmt(row.concurrent)} | ${ratio(row.concurrent, memRow?.concurrent)} |`);
}
for (const why of stores.skipped) p(`\nSkipped: ${why}`);
p();

p("## Over HTTP");
p();
p(`wrk (or autocannon) in its own process, ${P.seconds} s per sample after a ${P.warmup} s warm-up, 64 connections,`);
p(`${P.httpRounds} interleaved rounds, medians; each server is checked for a correct token before it is loaded, and any`);
p("non-2xx answer or socket error is counted below. `vs node:http floor` compares with the floor written on node:http");
p("(Node's ceiling); `vs fetch floor` with the fetch floor on the same server.");
p();
p("| runtime | server | contender | req/s | vs node:http floor | vs fetch floor | p50 ms | p99 ms | non-2xx/errors | samples |");
p("|---|---|---|---:|---:|---:|---:|---:|---:|---|");
const nodeFloor = hRow("node", "node:http", FLOOR_NODE)?.requestsPerSecond;
for (const row of http.rows) {
  if (row.failed) {
    p(`| ${row.runtime} | ${row.server} | ${row.contender} | failed: ${row.failed} | | | | | | |`);
    continue;
  }
  const fetchFloor = hRow(row.runtime, row.server, FLOOR)?.requestsPerSecond;
  p(`| ${row.runtime} | ${row.server} | ${row.contender} | ${fmt(row.requestsPerSecond)} | ${row.runtime === "node" ? ratio(row.requestsPerSecond, nodeFloor) : "—"} | ${row.contender === FLOOR_NODE ? "—" : ratio(row.requestsPerSecond, fetchFloor)} | ${row.p50Ms?.toFixed(2)} | ${row.p99Ms?.toFixed(2)} | ${row.non2xx}/${row.errors} | ${row.samples.map(fmt).join(", ")} |`);
}
p();

p("## Memory per live opaque token");
p();
p("Heap growth after a full GC, divided by the tokens held, with tokens issued by the library's own issuing code");
p("(each record holds what a served request leaves: its key, client_id, scope, iat, exp).");
p();
p(`| runtime | 100,000 tokens | ${fmt(P.bigTokens)} tokens |`);
p("|---|---:|---:|");
for (const m of memory) p(`| ${m.runtime} | ${fmt(m.rows[0]?.bytesPerToken)} B | ${fmt(m.rows[1]?.bytesPerToken)} B |`);
p();

p("## Scale");
p();
p(`Node, in-process, sequential; requests rotate over every registered client. The large deployment has ${fmt(P.bigClients)}`);
p(`registered clients and ${fmt(P.bigTokens)} live tokens issued before measuring (store bound raised above the default`);
p(`1,000,000 so that it is not full). ${P.scaleRounds} alternating process pairs; medians. The floor runs in the same process.`);
p();
p("| deployment | library ops/s | cost µs | floor ops/s | library vs floor | heap MB |");
p("|---|---:|---:|---:|---:|---:|");
for (const [name, runs] of [["10 clients, empty store", small], [`${fmt(P.bigClients)} clients, ${fmt(P.bigTokens)} live tokens`, large]] as const) {
  const lib = median(runs.map((s) => s.library));
  const floor = median(runs.map((s) => s.floor));
  p(`| ${name} | ${fmt(lib)} | ${us(lib)} | ${fmt(floor)} | ${ratio(lib, floor)} | ${fmt(median(runs.map((s) => s.heapMB)))} |`);
}
p();

p("## Stage costs");
p();
p("mitata, median ns per call turned into µs: what the fetch objects cost every fetch-style handler, and each step");
p("of the library's path (readForm includes building the Request it reads).");
p();
p(`| stage | ${runtimes.join(" | ")} |`);
p(`|---|${runtimes.map(() => "---:").join("|")}|`);
for (const k of Object.keys(stages[0]!.nsPerCall)) {
  p(`| ${k} | ${runtimes.map((r) => ((stages.find((s) => s.runtime === r)!.nsPerCall[k] ?? NaN) / 1000).toFixed(2)).join(" | ")} |`);
}
p();

p("## Signature algorithms");
p();
p("One JWS signature (or verification) of a 300-byte signing input, CPU µs of the whole process per operation");
p("(a WebCrypto call may run on a thread pool), sequential, interleaved rounds, medians. WebCrypto is what the");
p("library's default signer and verifier use; `node:crypto` (synchronous) is what a `Signer` written on the");
p("runtime's own primitives would use (runtime code: never in src/). RSA keys are 2048 bits.");
p();
p(`| operation | via | ${runtimes.join(" | ")} |`);
p(`|---|---|${runtimes.map(() => "---:").join("|")}|`);
const algKey = (row: { name: string; via: string }) => `${row.name}|${row.via.startsWith("node:crypto") ? "node:crypto (sync)" : row.via}`;
for (const key of [...new Set(algorithms.flatMap((a) => a.rows.map(algKey)))]) {
  const [name, via] = key.split("|");
  p(`| ${name} | ${via} | ${runtimes.map((r) => {
    const row = algorithms.find((a) => a.runtime === r)?.rows.find((x) => algKey(x) === key);
    return row === undefined ? "—" : row.via.includes("unavailable") ? "unavailable" : `${cpu(row.cpuUs)} µs`;
  }).join(" | ")} |`);
}
p();

p("## Profiles");
p();
p("Self time from the V8/JSC sampling profiler (`node --cpu-prof`, `bun --cpu-prof`), grouped by function and by");
p("where the code lives (`(engine/native)` is the runtime's built-ins: Request, Response, streams, encoders).");
const profileTable = (title: string, s: ProfileSummary, extra: string) => {
  p();
  p(`### ${title}`);
  p();
  p(extra);
  p();
  p("| self % | function | | self % | area |");
  p("|---:|---|---|---:|---|");
  for (let i = 0; i < Math.max(s.functions.length, s.areas.length); i++) {
    const f = s.functions[i];
    const a = s.areas[i];
    p(`| ${f ? f.percent : ""} | ${f ? f.what.replace(/\|/g, "\\|") : ""} | | ${a ? a.percent : ""} | ${a ? a.what : ""} |`);
  }
};
profileTable("Library in-process, Node", profiles.nodeLibrary, `${profiles.nodeLibrary.usPerOp.toFixed(1)} µs per request under the profiler.`);
profileTable("Floor in-process, Node", profiles.nodeFloor, `${profiles.nodeFloor.usPerOp.toFixed(1)} µs per request under the profiler.`);
profileTable("Library JWT ES256 issuance in-process, Node", profiles.nodeJwt, `${profiles.nodeJwt.usPerOp.toFixed(1)} µs per request under the profiler.`);
profileTable("verifyAccessToken, JWT ES256, first sight, Node", profiles.nodeVerifyFirst, `${profiles.nodeVerifyFirst.usPerOp.toFixed(1)} µs per verification under the profiler (wall).`);
profileTable("verifyAccessToken, JWT ES256, token seen before, Node", profiles.nodeVerifySeen, `${profiles.nodeVerifySeen.usPerOp.toFixed(1)} µs per verification under the profiler (wall).`);
profileTable("Library in-process, Bun", profiles.bunLibrary, `${profiles.bunLibrary.usPerOp.toFixed(1)} µs per request under the profiler.`);
profileTable(`Library server on Node (${bestAdapter}) under load`, profiles.nodeServer, `${fmt(profiles.nodeServer.requestsPerSecond)} req/s under the profiler.`);
profileTable("Library server on Bun.serve under load", profiles.bunServer, `${fmt(profiles.bunServer.requestsPerSecond)} req/s under the profiler.`);
profileTable("Library server on Deno.serve under load (inspector)", profiles.denoServer, `${fmt(profiles.denoServer.requestsPerSecond)} req/s under the profiler.`);
p();
p(readFileSync(`${benchDir}ANALYSIS.md`, "utf8").trim());
p();

mkdirSync(`${benchDir}../.tmp`, { recursive: true });
writeFileSync(out, lines.join("\n"));
writeFileSync(`${benchDir}../.tmp/bench-results.json`, JSON.stringify({ machine, inprocess, stores, stages, algorithms, http, memory, small, large, profiles }, null, 1));
log(`wrote ${out}`);
void contenders;
