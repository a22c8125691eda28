// The resource server's memo of verified JWT signatures (src/resource_server/verified_token_cache.ts):
// a token seen before skips only its signature check; expiry, revocation, key removal, the
// audience and the scope are checked on every request as if the token were new.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type AccessTokenVerification, type ResourceServerOptions, verifyAccessToken } from "../src/resource_server/mod.ts";
import { generateSigningKey, KeySet, MemoryRevocationStore } from "../mod.ts";
import { resolveResourceServerOptions } from "../src/resource_server/options.ts";
import { VerifiedTokenCache } from "../src/resource_server/verified_token_cache.ts";
import { fakeClock } from "./helpers.ts";
import { API, apiRequest, decodeJwt, ISSUER, jwtServer, OTHER_API } from "./rs_helpers.ts";

function errorOf(result: AccessTokenVerification): string | undefined {
  return result.ok ? undefined : result.error?.message;
}

/** A server with its own ES256 key set, and an RS that verifies with that key set. */
async function setup(rs: Partial<ResourceServerOptions> = {}, clock = fakeClock()) {
  const keys = new KeySet({ active: await generateSigningKey("ES256", { kid: "k1" }) });
  const as = await jwtServer(keys, { clock: clock.now });
  const options: ResourceServerOptions = { resource: API, issuer: ISSUER, jwks: keys, clock: clock.now, ...rs };
  return { as, keys, options, clock, cache: () => resolveResourceServerOptions(options).verifiedTokens };
}

describe("verified-token cache of the resource server", () => {
  test("on by default: a token verified once is remembered, by hash only", async () => {
    const { as, options, cache } = await setup();
    const token = await as.token();
    assert.equal((await verifyAccessToken(apiRequest(token), options)).ok, true);
    assert.equal(cache()?.size, 1);
    const second = await verifyAccessToken(apiRequest(token), options, { scope: "read" });
    assert.equal(second.ok, true);
    assert.equal(second.ok && second.claims.client_id, decodeJwt(token).claims.client_id);
    assert.equal(cache()?.size, 1);
  });

  test("verifiedTokenCache: 0 turns it off; a bad value is a configuration error", async () => {
    const { as, options, cache } = await setup({ verifiedTokenCache: 0 });
    assert.equal((await verifyAccessToken(apiRequest(await as.token()), options)).ok, true);
    assert.equal(cache(), undefined);
    for (const bad of [-1, 1.5, "10" as unknown as number]) {
      assert.throws(() => resolveResourceServerOptions({ resource: API, issuer: ISSUER, jwks: { keys: [] }, verifiedTokenCache: bad }), /verifiedTokenCache/);
    }
  });

  test("a remembered token that expires is refused (exp is checked on every hit)", async () => {
    const { as, options, clock } = await setup();
    const token = await as.token();
    assert.equal((await verifyAccessToken(apiRequest(token), options)).ok, true);
    const exp = decodeJwt(token).claims.exp as number;
    clock.set((exp + 5) * 1000);
    assert.match(errorOf(await verifyAccessToken(apiRequest(token), options)) ?? "", /expired/);
  });

  test("a remembered token that is revoked afterwards is refused", async () => {
    const clock = fakeClock();
    const revocationStore = new MemoryRevocationStore({ clock: clock.now });
    const { as, options } = await setup({ revocationStore }, clock);
    const token = await as.token();
    assert.equal((await verifyAccessToken(apiRequest(token), options)).ok, true);
    const { jti, exp } = decodeJwt(token).claims as { jti: string; exp: number };
    await revocationStore.revoke(jti, exp);
    assert.match(errorOf(await verifyAccessToken(apiRequest(token), options)) ?? "", /revoked/);
  });

  test("a remembered token whose key was removed, or replaced under the same kid, is refused", async () => {
    const { as, keys, options } = await setup();
    const token = await as.token();
    assert.equal((await verifyAccessToken(apiRequest(token), options)).ok, true);
    keys.publishNext(await generateSigningKey("ES256", { kid: "k2" }));
    keys.activate("k2");
    // Still published (retiring): still accepted, now verified with the rebuilt index.
    assert.equal((await verifyAccessToken(apiRequest(token), options)).ok, true);
    keys.remove("k1");
    assert.equal((await verifyAccessToken(apiRequest(token), options)).ok, false);
    // Another key under the old kid: the remembered signature was made by a different key.
    keys.publishNext(await generateSigningKey("ES256", { kid: "k1" }));
    assert.match(errorOf(await verifyAccessToken(apiRequest(token), options)) ?? "", /signature/);
  });

  test("audience and scope are checked on a hit as on a miss", async () => {
    const { as, options } = await setup();
    const token = await as.token();
    assert.equal((await verifyAccessToken(apiRequest(token), options)).ok, true);
    const other = await verifyAccessToken(apiRequest(token), { ...options, resource: OTHER_API });
    assert.match(errorOf(other) ?? "", /not for this resource/);
    const scope = await verifyAccessToken(apiRequest(token), options, { scope: "write" });
    assert.equal(scope.ok, false);
    assert.equal(!scope.ok && scope.response.status, 403);
  });

  test("a tampered copy of a remembered token is verified, and refused", async () => {
    const { as, options } = await setup();
    const token = await as.token();
    assert.equal((await verifyAccessToken(apiRequest(token), options)).ok, true);
    const [h, p, s] = token.split(".") as [string, string, string];
    const flipped = `${h}.${p}.${s.slice(0, -2)}${s.endsWith("AA") ? "BA" : "AA"}`;
    assert.match(errorOf(await verifyAccessToken(apiRequest(flipped), options)) ?? "", /signature/);
    const { claims } = decodeJwt(token);
    const payload = btoa(JSON.stringify({ ...claims, scope: "read write" })).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    assert.match(errorOf(await verifyAccessToken(apiRequest(`${h}.${payload}.${s}`), options)) ?? "", /signature/);
  });

  test("bounded: the oldest entry goes first; a different key never hits; expired entries go", async () => {
    const cache = new VerifiedTokenCache(2);
    const [k1, k2] = await Promise.all([1, 2].map(async () => (await generateSigningKey("ES256", { extractable: true })).privateKey));
    for (const t of ["a", "b", "c"]) cache.remember(cache.lookup(t, k1!, 0).hash, k1!, 100);
    assert.equal(cache.size, 2);
    assert.equal(cache.lookup("a", k1!, 0).hit, false);
    assert.equal(cache.lookup("c", k1!, 0).hit, true);
    assert.equal(cache.lookup("c", k2!, 0).hit, false);
    assert.equal(cache.lookup("c", k1!, 100).hit, false);
    assert.equal(cache.size, 1);
  });
});
