/**
 * Test helpers for services protected by m2m-oauth: an in-memory authorization server made
 * by the production `createAuthorizationServer`, with a known client, a fake clock, real
 * tokens minted in process and a fetch that needs no port. Import it from
 * `m2m-oauth/testing` (npm) or `@m2m/oauth/testing` (JSR), in test code only.
 *
 * @example In node:test, deno test or bun test
 * ```ts
 * import { createTestAuthorizationServer } from "./testing.ts";
 * import { verifyAccessToken } from "./mod.ts";
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
 * @module
 */

export {
  createTestAuthorizationServer,
  type MintAccessTokenOptions,
  type TestAuthorizationServer,
  type TestAuthorizationServerOptions,
  type TestClient,
} from "./src/testing/test_authorization_server.ts";
export { createFakeClock, type FakeClock } from "./src/testing/fake_clock.ts";
export { type FetchHandler, inProcessFetch, type InProcessFetch } from "./src/testing/in_process_fetch.ts";
