// Load: 10,000 token requests from 100 concurrent clients against one server, in-process and
// over loopback HTTP (srvx). All succeed with distinct tokens, every issued token is found in
// the store afterwards, and what the server holds returns to its baseline once the tokens
// expire. Bigger runs with heap figures: `npm run load`.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { tokenKey, webCrypto } from "../mod.ts";
import { checkAllStored, inProcess, loadSetup, overLoopback, runLoad } from "./support/load.ts";

const REQUESTS = 10_000;
const CLIENTS = 100;
/**
 * A time budget, not a speed claim (those are in bench/): on a loaded two-core machine Bun's
 * default of 5 s per test was close to what 10,000 loopback requests take.
 */
const BUDGET = { timeout: 60_000 };

describe("load", () => {
  test("in-process: 10,000 requests from 100 concurrent clients all get distinct, stored tokens; expiry frees them", BUDGET, async () => {
    const setup = await loadSetup(CLIENTS);
    const send = inProcess(setup);
    const result = await runLoad(setup, REQUESTS, send);
    assert.deepEqual(result.failures.slice(0, 3), []);
    assert.equal(result.tokens.size, REQUESTS);
    await checkAllStored(setup, result);
    assert.equal(setup.store.size, REQUESTS);

    // Once every token has expired, new traffic clears them out: the store holds only live ones.
    setup.clock.advance(601);
    const churn = await runLoad(setup, 6_000, send);
    assert.deepEqual(churn.failures.slice(0, 3), []);
    assert.equal(setup.store.size, 6_000, "only the live tokens are held");
    const [first] = result.tokens.keys();
    assert.equal(await setup.store.find(await tokenKey(first!, webCrypto)), undefined);
    assert.equal(setup.attempts.size, CLIENTS, "one known-caller mark per client, no failure counters");
  });

  test("over loopback HTTP (srvx): 10,000 requests from 100 concurrent clients all get distinct, stored tokens", BUDGET, async () => {
    const setup = await loadSetup(CLIENTS, "http://127.0.0.1");
    const server = await overLoopback(setup);
    try {
      const result = await runLoad(setup, REQUESTS, server.send);
      assert.deepEqual(result.failures.slice(0, 3), []);
      assert.equal(result.tokens.size, REQUESTS);
      await checkAllStored(setup, result);
      assert.equal(setup.store.size, REQUESTS);
      // Every client was seen at 127.0.0.1 (srvx's request.ip): one known mark per client.
      assert.equal(setup.attempts.size, CLIENTS);
    } finally {
      await server.close();
    }
  });
});
