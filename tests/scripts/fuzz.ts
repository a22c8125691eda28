// `npm run fuzz`: the long fuzz run. FUZZ_CASES (default 100,000) cases of the whole token
// endpoint under random and mutated requests, plus a share of that for each other property;
// FUZZ_SEED picks the seed (default: a new one, printed, so a failure can be replayed).
import { PROPERTIES } from "../support/fuzz_properties.ts";

const total = Number(process.env.FUZZ_CASES ?? 100_000);
const seed = Number(process.env.FUZZ_SEED ?? (Date.now() % 2 ** 31));
const share: Record<string, number> = {
  "token endpoint: random and mutated requests": 1,
  "token endpoint: well-formed requests (token iff right secret and method)": 0.2,
  "brute-force guard: matches a model of its rules": 0.02,
  "client_ids no store can hold: unknown clients, never a 5xx (in-memory stores)": 0.05,
  "JWT readers: verifyAccessToken and introspection under mutated tokens": 0.1,
  "client assertions: mutated private_key_jwt assertions at the token endpoint": 0.1,
  "federation: mutated platform tokens at the token endpoint": 0.1,
  "JWT bearer grant: mutated ID-JAGs at the token endpoint": 0.1,
  "X.509 reader: mutated certificates, deep nesting, bad lengths and tags, random bytes": 1,
  "X.509 text forms: PEM and RFC 9440 byte sequences, damaged and random": 0.2,
  "RFC 4514 names: subject text round-trips to a matching name; random text parses or is refused": 0.1,
  "IP addresses: format and parse round-trip; random text parses or is refused": 0.1,
  "mTLS token endpoint: mutated and random client certificates": 0.1,
  "token exchange: generated and damaged exchange requests (a token iff the exchange is valid)": 0.2,
};

console.log(`fuzz: seed ${seed}, ${total.toLocaleString("en")} endpoint cases`);
let cases = 0;
const started = performance.now();
for (const property of PROPERTIES) {
  const runs = Math.max(100, Math.round(total * (share[property.name] ?? 0.1)));
  const t0 = performance.now();
  const figures = await property.run(runs, seed);
  cases += figures.cases;
  const statuses = Object.entries(figures.statuses).sort().map(([k, v]) => `${k}: ${v}`).join(", ");
  console.log(
    `  ${property.name}: ${figures.cases.toLocaleString("en")} cases in ${((performance.now() - t0) / 1000).toFixed(1)} s` +
      `\n    outcomes: ${statuses}${figures.notes ? `\n    ${figures.notes}` : ""}`,
  );
}
console.log(`fuzz: ${cases.toLocaleString("en")} cases, 0 failures, ${((performance.now() - started) / 1000).toFixed(1)} s`);
