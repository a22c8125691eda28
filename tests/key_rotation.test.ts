// Key rotation under continuous verification: publish next -> activate -> remove, while
// tokens are issued and verified all along (by our helper with a remote JWK Set cache and by
// jose's createRemoteJWKSet), with zero failed verifications.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as jose from "jose";
import { KeySet } from "../mod.ts";
import { type ResourceServerOptions, verifyAccessToken } from "../src/resource_server/mod.ts";
import { fakeClock } from "./helpers.ts";
import { API, apiRequest, decodeJwt, ISSUER, JWKS_URI, jwtServer, testKey } from "./rs_helpers.ts";

test("rotation with zero failed verifications: old tokens stay valid until they expire, new ones verify at once", async () => {
  const clock = fakeClock();
  const [a, b] = [await testKey("ES256", "rot-a"), await testKey("EdDSA", "rot-b")];
  const keys = new KeySet({ active: a, maxAge: 60 });
  const lifetime = 300;
  const as = await jwtServer(keys, { clock: clock.now, accessTokenLifetime: lifetime });
  const rs: ResourceServerOptions = { resource: API, issuer: ISSUER, jwksUri: JWKS_URI, fetch: as.fetch, clock: clock.now };
  // jose keeps its own cache (real time); it refetches on an unknown kid after its cooldown, set to 0 here.
  const joseJwks = jose.createRemoteJWKSet(new URL(JWKS_URI), { [jose.customFetch]: as.fetch as jose.FetchImplementation, cooldownDuration: 0 });

  const live: string[] = [];
  let verified = 0;
  const failures: string[] = [];
  const kidsSeen = new Set<unknown>();
  /** Issues a token, then verifies every token still within its lifetime, both ways. */
  async function tick(seconds: number): Promise<void> {
    clock.advance(seconds);
    live.push(await as.token());
    const now = clock.now() / 1000;
    for (const t of live.splice(0)) {
      const { claims, header } = decodeJwt(t);
      if ((claims.exp as number) <= now) continue; // expired on its own: not a rotation failure
      live.push(t);
      kidsSeen.add(header.kid);
      const ours = await verifyAccessToken(apiRequest(t), rs);
      if (!ours.ok) failures.push(`ours: ${header.kid} ${ours.response.headers.get("www-authenticate")}`);
      await jose.jwtVerify(t, joseJwks, { issuer: ISSUER, audience: API, typ: "at+jwt", currentDate: new Date(clock.now()) })
        .catch((e) => failures.push(`jose: ${header.kid} ${e}`));
      verified += 2;
    }
  }

  for (let i = 0; i < 10; i++) await tick(10);
  keys.publishNext(b); // step 1: publish; wait at least maxAge
  for (let i = 0; i < 10; i++) await tick(10);
  keys.activate("rot-b"); // step 2: switch; rot-a becomes retiring
  assert.deepEqual(keys.list().map((e) => e.status), ["retiring", "active"]);
  for (let i = 0; i < 35; i++) await tick(10); // longer than the token lifetime
  keys.remove("rot-a"); // step 3: retire
  for (let i = 0; i < 10; i++) await tick(10);

  assert.deepEqual(failures, []);
  assert.deepEqual([...kidsSeen].sort(), ["rot-a", "rot-b"]);
  assert.ok(verified > 300, `verified ${verified}`);
  assert.deepEqual(keys.jwks().keys.map((k) => k.kid), ["rot-b"]);
});

test("removing a key too early is what breaks its live tokens (the test above would catch it)", async () => {
  const clock = fakeClock();
  const [a, b] = [await testKey("ES256", "early-a"), await testKey("ES256", "early-b")];
  const keys = new KeySet({ active: a, next: [b] });
  const as = await jwtServer(keys, { clock: clock.now });
  const rs: ResourceServerOptions = { resource: API, issuer: ISSUER, jwks: keys, clock: clock.now };
  const old = await as.token();
  keys.activate("early-b");
  assert.ok((await verifyAccessToken(apiRequest(old), rs)).ok, "retiring keys still verify");
  keys.remove("early-a");
  assert.equal((await verifyAccessToken(apiRequest(old), rs)).ok, false);
  assert.ok((await verifyAccessToken(apiRequest(await as.token()), rs)).ok);
});
