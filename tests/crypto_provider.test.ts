// The crypto option is the one used; the clock option is the one used.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type CryptoProvider, encodeBasicCredentials, MemoryTokenStore, timingSafeEqual, webCrypto } from "../mod.ts";
import { tokenRequest } from "./helpers.ts";
import { BASIC_CLIENT, fakeClock, SECRET, testServer } from "./support/fixtures.ts";

test("a custom crypto provider supplies the token bytes and the digests", async () => {
  const calls: string[] = [];
  const fixed: CryptoProvider = {
    randomBytes(length) {
      calls.push(`random:${length}`);
      return new Uint8Array(length).fill(7);
    },
    digest(alg, data) {
      calls.push(`digest:${alg}`);
      return webCrypto.digest(alg, data);
    },
    pbkdf2Sha256: webCrypto.pbkdf2Sha256,
    timingSafeEqual(a, b) {
      calls.push("compare");
      return timingSafeEqual(a, b);
    },
  };
  const { fetch } = testServer({ crypto: fixed }, [BASIC_CLIENT]);
  const res = await fetch(tokenRequest({ basic: [BASIC_CLIENT.client_id, SECRET] }));
  const body = await res.json() as { access_token: string };
  // 32 bytes of 7s, base64url.
  assert.equal(body.access_token, "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc");
  assert.ok(calls.includes("random:32"));
  assert.ok(calls.includes("compare"));
  assert.ok(calls.filter((c) => c === "digest:SHA-256").length >= 2, calls.join());
});

test("timingSafeEqual compares content and length", () => {
  assert.equal(timingSafeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3])), true);
  assert.equal(timingSafeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4])), false);
  assert.equal(timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 3])), false);
});

test("the injected clock decides iat and exp", async () => {
  const clock = fakeClock(Date.UTC(2030, 0, 1));
  const store = new MemoryTokenStore({ clock: clock.now });
  const records: number[] = [];
  const { fetch } = testServer({
    clock: clock.now,
    tokenStore: { ...store, save: (k: string, r: { iat: number }) => (records.push(r.iat), Promise.resolve()), find: () => Promise.resolve(undefined), revoke: () => Promise.resolve(false) },
  }, [BASIC_CLIENT]);
  const req = new Request("https://as.example.com/token", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${encodeBasicCredentials(BASIC_CLIENT.client_id, SECRET)}` },
    body: "grant_type=client_credentials",
  });
  assert.equal((await fetch(req)).status, 200);
  assert.deepEqual(records, [Date.UTC(2030, 0, 1) / 1000]);
});
