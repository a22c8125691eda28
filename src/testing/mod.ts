/**
 * Test helpers for services protected by m2m-oauth: an in-memory authorization server made
 * by the production `createAuthorizationServer`, with a known client, a fake clock, real
 * tokens minted in process and a fetch that needs no port; and the store conformance kits,
 * the contract tests every built-in store passes, to run against a store of your own. Import
 * it from `m2m-oauth/testing` (npm) or `@m2m/oauth/testing` (JSR), in test code only.
 *
 * @example In node:test, deno test or bun test
 * ```ts
 * import { createTestAuthorizationServer } from "./mod.ts";
 * import { verifyAccessToken } from "../resource_server/mod.ts";
 *
 * const as = await createTestAuthorizationServer({ scope: "invoices:read" });
 * const rs = as.resourceServerOptions("https://api.example.test");
 * const token = await as.mintAccessToken({ scope: "invoices:read" });
 * const result = await verifyAccessToken(
 *   new Request("https://api.example.test/invoices", { headers: { authorization: `Bearer ${token}` } }),
 *   rs,
 * );
 * result.ok; // true
 * ```
 *
 * @example A store of your own passes the same contract as the built-in ones
 * ```ts
 * import { test } from "node:test";
 * import { MemoryTokenStore } from "../../mod.ts";
 * import { testTokenStore } from "./mod.ts";
 *
 * testTokenStore(({ clock }) => new MemoryTokenStore({ clock }), test);
 * ```
 *
 * @module
 */

export {
  createTestAuthorizationServer,
  type MintAccessTokenOptions,
  type TestAuthorizationServer,
  type TestAuthorizationServerOptions,
  type TestClient,
} from "./test_authorization_server.ts";
export { createFakeClock, type FakeClock } from "./fake_clock.ts";
export { type FetchHandler, inProcessFetch, type InProcessFetch } from "./in_process_fetch.ts";

// Store conformance kits: the contract every store passes, for a user's own store.
export type { ConformanceOptions, StoreFactory, StoreTestContext, TestRegistrar } from "../stores/conformance/kit.ts";
export { testTokenStore } from "../stores/conformance/token_store.ts";
export { testReplayStore } from "../stores/conformance/replay_store.ts";
export { testRevocationStore } from "../stores/conformance/revocation_store.ts";
export { testAttemptStore } from "../stores/conformance/attempt_store.ts";
export { type ClientStoreConformanceOptions, testClientStore } from "../stores/conformance/client_store.ts";
