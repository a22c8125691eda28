// `npm run load`: LOAD_REQUESTS (default 100,000) token requests from LOAD_CLIENTS (default
// 200) concurrent clients, in-process and over loopback HTTP (srvx on node:http), with
// throughput, latency percentiles and heap figures: the baseline, with every token live, and
// after the tokens expired and a little new traffic (2% of the run) pushed them out. Run under Node with --expose-gc
// (the npm script does) so heap figures are taken after a full collection.
import { checkAllStored, inProcess, loadSetup, overLoopback, runLoad, type Send } from "../support/load.ts";

const requests = Number(process.env.LOAD_REQUESTS ?? 100_000);
const clients = Number(process.env.LOAD_CLIENTS ?? 200);
const gc = (globalThis as { gc?: () => void }).gc;

function heapMB(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed / 1_048_576;
}

function timed(send: Send, latencies: number[]): Send {
  return async (a, p, b) => {
    const t0 = performance.now();
    const r = await send(a, p, b);
    latencies.push(performance.now() - t0);
    return r;
  };
}

function pct(sorted: number[], p: number): string {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!.toFixed(2);
}

console.log(`load: ${requests.toLocaleString("en")} requests from ${clients} concurrent clients (${gc ? "gc exposed" : "no --expose-gc: heap figures are rough"})`);
for (const transport of ["in-process", "loopback HTTP (srvx, node:http client)"]) {
  const setup = await loadSetup(clients, transport === "in-process" ? "https://as.example.com" : "http://127.0.0.1");
  const server = transport === "in-process" ? undefined : await overLoopback(setup);
  const send = server?.send ?? inProcess(setup);
  await runLoad(setup, 2_000, send); // warm-up
  setup.clock.advance(601);
  await runLoad(setup, 1_000, send); // drop the warm-up tokens
  setup.clock.advance(601);
  const baseline = heapMB();
  const latencies: number[] = [];
  const result = await runLoad(setup, requests, timed(send, latencies));
  const failed = result.failures.length;
  await checkAllStored(setup, result);
  const distinct = result.tokens.size;
  result.tokens.clear(); // the harness's own copy, not the server's memory
  latencies.sort((a, b) => a - b);
  const p50 = pct(latencies, 0.5);
  const p99 = pct(latencies, 0.99);
  latencies.length = 0;
  const loaded = heapMB();
  const live = setup.store.size;
  // Every token expires; fresh traffic pushes the expired records out.
  setup.clock.advance(601);
  const churn = Math.max(1_000, Math.ceil(requests / 50));
  await runLoad(setup, churn, send);
  const churned = heapMB();
  await server?.close();
  console.log(`  ${transport}:`);
  console.log(
    `    ${result.requests.toLocaleString("en")} requests in ${(result.ms / 1000).toFixed(2)} s = ` +
      `${Math.round(result.requests / (result.ms / 1000)).toLocaleString("en")} req/s; ` +
      `latency p50 ${p50} ms, p99 ${p99} ms`,
  );
  console.log(
    `    ${distinct.toLocaleString("en")} distinct tokens, ${failed} failures, all ${distinct.toLocaleString("en")} found in the store`,
  );
  console.log(
    `    heap: baseline ${baseline.toFixed(1)} MB; ${live.toLocaleString("en")} live tokens ${loaded.toFixed(1)} MB ` +
      `(${Math.round(((loaded - baseline) * 1_048_576) / live)} B/token); after expiry and ${churn.toLocaleString("en")} new tokens ` +
      `${churned.toFixed(1)} MB (store holds ${setup.store.size.toLocaleString("en")})`,
  );
  if (failed > 0) throw new Error(`${failed} failures, e.g. ${result.failures[0]}`);
}
