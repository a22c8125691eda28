// Property-based fuzzing with fast-check, a small seeded set (the long run is `npm run fuzz`):
// the whole token endpoint under random and mutated requests never answers a 5xx, never
// throws, never hangs and never issues a token without the right secret; the brute-force
// guard follows its rules; token exchange issues a token exactly for a valid exchange, never
// a wider one; every parser (form, Basic, scope, base64, JSON, JWS) either parses
// or refuses with the documented error; mutated JWTs are never accepted; the X.509 reader
// returns a certificate or a CertificateError for any bytes.
import { describe, test } from "node:test";
import { PROPERTIES } from "./support/fuzz_properties.ts";

/** Cases per property in the suite; the script runs thousands. */
const RUNS: Record<string, number> = {
  "token endpoint: random and mutated requests": 1500,
  "token endpoint: well-formed requests (token iff right secret and method)": 300,
  "brute-force guard: matches a model of its rules": 60,
  "client_ids no store can hold: unknown clients, never a 5xx (in-memory stores)": 200,
  "JWT readers: verifyAccessToken and introspection under mutated tokens": 300,
  "client assertions: mutated private_key_jwt assertions at the token endpoint": 300,
  "federation: mutated platform tokens at the token endpoint": 300,
  "JWT bearer grant: mutated ID-JAGs at the token endpoint": 300,
  "X.509 reader: mutated certificates, deep nesting, bad lengths and tags, random bytes": 2000,
  "RFC 4514 names: subject text round-trips to a matching name; random text parses or is refused": 300,
  "mTLS token endpoint: mutated and random client certificates": 300,
  "token exchange: generated and damaged exchange requests (a token iff the exchange is valid)": 500,
};

describe("fuzz (seeded)", () => {
  for (const property of PROPERTIES) {
    test(property.name, async () => {
      await property.run(RUNS[property.name] ?? 500, 20261125);
    });
  }
});
