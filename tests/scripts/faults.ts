// `npm run faults`: the long fault-injection run. FAULT_RUNS (default 2,000) fresh servers,
// each driven through random faults of its token store, client store, attempt store and
// crypto provider under bursts of parallel requests; every invariant is checked on every
// request and at the end of every run (see tests/support/chaos.ts).
import { chaosRuns } from "../support/chaos.ts";

const runs = Number(process.env.FAULT_RUNS ?? 2_000);
const seed = Number(process.env.FAULT_SEED ?? (Date.now() % 2 ** 31));
console.log(`faults: seed ${seed}, ${runs.toLocaleString("en")} runs`);
const started = performance.now();
const f = await chaosRuns(runs, seed);
const statuses = Object.entries(f.statuses).map(([k, v]) => `${k}: ${v}`).join(", ");
console.log(`  ${f.requests.toLocaleString("en")} requests, ${f.faultsInjected.toLocaleString("en")} faults injected`);
console.log(`  outcomes: ${statuses}`);
console.log(`  ${f.tokensIssued.toLocaleString("en")} tokens handed out, each found in the store; no record without a token handed out;`);
console.log(`  no token for a wrong secret; every error a JSON 4xx/5xx; recovery after every run`);
console.log(`faults: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
