// The Deno KV stores against Deno's own KV (a SQLite file in a temporary directory), under
// Deno. Two handles opened on the same file act as two server instances (the exported
// conformance kit makes one store per handle for every test), so the atomic checks are
// exercised across connections, not only within one.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigurationError, hashClientSecret } from "../mod.ts";
import {
  DenoKvAttemptStore,
  DenoKvClientStore,
  type DenoKvLike,
  DenoKvReplayStore,
  DenoKvRevocationStore,
  type DenoKvStoreOptions,
  DenoKvTokenStore,
} from "../src/stores/deno_kv/mod.ts";
import { fakeClock } from "./support/fixtures.ts";
import { testAttemptStore, testClientStore, testReplayStore, testRevocationStore, testTokenStore } from "../src/testing/mod.ts";
import { fuzzHostileClientIds, REAL_ID, SECRET as HOSTILE_SECRET } from "./support/fuzz_client_ids.ts";

type Kv = DenoKvLike & { close(): void };
// Typed here rather than through the Deno namespace, so tsc checks this file too.
const deno = (globalThis as unknown as { Deno?: { openKv?: (path?: string) => Promise<Kv> } }).Deno;

const skip = deno === undefined
  ? "Deno KV runs under Deno only (npm run test:deno runs these tests)"
  : typeof deno.openKv !== "function"
  ? "Deno.openKv is missing: run deno test with --unstable-kv"
  : false;
if (skip && deno !== undefined) console.warn(`SKIPPED: ${skip}`);

function storeSet(kv: DenoKvLike, options?: DenoKvStoreOptions) {
  return {
    tokens: new DenoKvTokenStore(kv, options),
    replay: new DenoKvReplayStore(kv, options),
    revocation: new DenoKvRevocationStore(kv, options),
    attempts: new DenoKvAttemptStore(kv, options),
  };
}

/** A kit factory: each call makes a store on the next handle, so a test's two instances are the two handles. */
function eachHandle<S>(handles: () => Kv[], make: (kv: DenoKvLike, options: DenoKvStoreOptions) => S) {
  let i = 0;
  return ({ clock }: { clock: () => number }) => {
    const all = handles();
    return make(all[i++ % all.length]!, { clock });
  };
}

describe("Deno KV stores on Deno KV", { skip }, () => {
  let dir = "";
  let handles: Kv[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "m2m-kv-"));
    const path = join(dir, "kv.sqlite3");
    handles = [await deno!.openKv!(path), await deno!.openKv!(path)];
  });
  after(() => {
    for (const kv of handles) kv.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe("the exported conformance kit, two handles on one KV file as two instances", () => {
    // The KV stores decide expiry by the clock they are given (KV deletes late), so the kit
    // moves that clock instead of waiting.
    const all = () => handles;
    const options = { instances: 2 };
    testTokenStore(eachHandle(all, (kv, o) => new DenoKvTokenStore(kv, o)), test, { ...options, name: "DenoKvTokenStore" });
    testReplayStore(eachHandle(all, (kv, o) => new DenoKvReplayStore(kv, o)), test, { ...options, name: "DenoKvReplayStore" });
    testRevocationStore(eachHandle(all, (kv, o) => new DenoKvRevocationStore(kv, o)), test, {
      ...options,
      name: "DenoKvRevocationStore",
    });
    testAttemptStore(eachHandle(all, (kv, o) => new DenoKvAttemptStore(kv, o)), test, {
      ...options,
      name: "DenoKvAttemptStore",
    });
    testClientStore(eachHandle(all, (kv, o) => new DenoKvClientStore(kv, o)), test, {
      ...options,
      name: "DenoKvClientStore",
      sameObjectWhileUnchanged: true,
    });
  });

  test("an entry past its expiry that KV still holds is not returned, and its replay key can be re-taken", async () => {
    const kv = handles[0]!;
    const clock = fakeClock(Date.now());
    const options = { prefix: ["clocked"], clock: clock.now };
    const s = storeSet(kv, options);
    const exp = Math.floor(clock.now() / 1000) + 3600; // KV keeps these an hour
    await s.tokens.save("k", { client_id: "c", scope: "", iat: exp - 3600, exp });
    await s.revocation.revoke("j", exp);
    assert.equal(await s.replay.remember("r", exp), true);
    await s.attempts.increment(["a"], exp - clock.now() / 1000); // its window ends at exp too
    clock.set(exp * 1000); // the stores' clock reaches exp; KV's expiry has not run
    assert.notEqual((await kv.get(["clocked", "token", "k"])).versionstamp, null, "KV still holds the entry");
    assert.equal(await s.tokens.find("k"), undefined);
    assert.equal(await s.revocation.isRevoked("j"), false);
    assert.equal(await s.tokens.revoke("k"), false, "nothing live was revoked");
    assert.deepEqual(await s.attempts.get(["a"]), [undefined]);
    await s.attempts.increment(["a"], 60);
    assert.equal((await s.attempts.get(["a"]))[0]?.count, 1, "an expired counter starts again");
    assert.equal(await s.replay.remember("r", exp + 60), true);
    assert.equal(await s.replay.remember("r", exp + 60), false);
  });

  test("fuzz: client_ids Deno KV cannot hold (over its key size, NUL, lone surrogates) are unknown clients, never a 5xx", async () => {
    const clients = new DenoKvClientStore(handles[0]!, { prefix: ["fuzz"] });
    await clients.saveClient({ client_id: REAL_ID, client_secret_hash: await hashClientSecret(HOSTILE_SECRET), grant_types: ["client_credentials"] });
    await fuzzHostileClientIds(clients, new DenoKvAttemptStore(handles[1]!, { prefix: ["fuzz"] }), 60, 20261201);
  });

  test("prefixes keep deployments apart in one KV", async () => {
    const exp = Math.floor(Date.now() / 1000) + 60;
    const a = new DenoKvReplayStore(handles[0]!, { prefix: ["a"] });
    const b = new DenoKvReplayStore(handles[1]!, { prefix: ["b"] });
    assert.equal(await a.remember("same-jti", exp), true);
    assert.equal(await b.remember("same-jti", exp), true);
    assert.equal(await a.remember("same-jti", exp), false);
  });

  test("something other than a KV database, or a bad prefix, is a ConfigurationError", () => {
    assert.throws(() => new DenoKvTokenStore({} as DenoKvLike), /openKv/);
    assert.throws(() => new DenoKvTokenStore(handles[0]!, { prefix: "x" as unknown as string[] }), ConfigurationError);
  });
});
