// Client secret generation and hashing (RFC 6749 s10.10; RFC_CHECKLIST CA-5, S-1).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ConfigurationError, generateClientId, generateClientSecret, hashClientSecret } from "../mod.ts";
import { parseSecretHash, verifySecret } from "../src/clients/secrets.ts";
import { webCrypto } from "../mod.ts";

describe("secrets", () => {
  test("generated secrets carry 256 bits in the base64url alphabet and do not repeat", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const s = generateClientSecret();
      assert.match(s, /^[A-Za-z0-9_-]{43}$/);
      seen.add(s);
    }
    assert.equal(seen.size, 1000);
    assert.match(generateClientId(), /^[A-Za-z0-9_-]{22}$/);
  });

  test("sha256 hashes verify the secret and nothing else", async () => {
    const secret = generateClientSecret();
    const hash = await hashClientSecret(secret);
    assert.match(hash, /^\$sha256\$[A-Za-z0-9_-]{43}$/);
    const parsed = [parseSecretHash(hash)];
    assert.equal(await verifySecret(secret, parsed, webCrypto), true);
    assert.equal(await verifySecret(secret + "x", parsed, webCrypto), false);
    assert.equal(await verifySecret("", parsed, webCrypto), false);
  });

  test("a short secret is refused for the fast hash", async () => {
    await assert.rejects(hashClientSecret("hunter2"), ConfigurationError);
  });

  test("pbkdf2 hashes are salted: the same secret hashes differently", async () => {
    const a = await hashClientSecret("hunter2", { algorithm: "pbkdf2-sha256", iterations: 10 });
    const b = await hashClientSecret("hunter2", { algorithm: "pbkdf2-sha256", iterations: 10 });
    assert.notEqual(a, b);
    assert.match(a, /^\$pbkdf2-sha256\$i=10\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    assert.equal(await verifySecret("hunter2", [parseSecretHash(a), parseSecretHash(b)], webCrypto), true);
  });

  test("default PBKDF2 iterations are 600,000", async () => {
    const hash = await hashClientSecret("x", { algorithm: "pbkdf2-sha256" });
    assert.match(hash, /\$i=600000\$/);
  });

  test("malformed hash strings are configuration errors", () => {
    for (const bad of ["plain", "$sha256$", "$sha256$abc", "$md5$abc", "$pbkdf2-sha256$i=0$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA", "$pbkdf2-sha256$10$a$b"]) {
      assert.throws(() => parseSecretHash(bad), ConfigurationError, bad);
    }
  });

  test("every stored hash is compared, even after a match (no early exit)", async () => {
    let compares = 0;
    const counting = { ...webCrypto, timingSafeEqual: (a: Uint8Array, b: Uint8Array) => (compares++, webCrypto.timingSafeEqual(a, b)) };
    const s1 = generateClientSecret();
    const hashes = [parseSecretHash(await hashClientSecret(s1)), parseSecretHash(await hashClientSecret(generateClientSecret()))];
    assert.equal(await verifySecret(s1, hashes, counting), true);
    assert.equal(compares, 2);
  });
  test("default provider: SHA-256 hashes answer synchronously, a PBKDF2 one among them by a promise; every hash is compared", async () => {
    const s1 = generateClientSecret();
    const s2 = generateClientSecret();
    const sha = [parseSecretHash(await hashClientSecret(s1)), parseSecretHash(await hashClientSecret(s2))];
    const pbkdf2 = parseSecretHash(await hashClientSecret(s2, { algorithm: "pbkdf2-sha256", iterations: 10 }));
    const original = webCrypto.timingSafeEqual;
    let compares = 0;
    (webCrypto as { timingSafeEqual: typeof original }).timingSafeEqual = (a, b) => (compares++, original(a, b));
    try {
      for (const [presented, expected] of [[s1, true], [s2, true], ["x".repeat(43), false]] as const) {
        compares = 0;
        const fast = verifySecret(presented, sha, webCrypto);
        assert.equal(typeof fast, "boolean", "no promise for SHA-256 hashes with the default provider");
        assert.equal(fast, expected);
        assert.equal(compares, 2, "both hashes compared");
        compares = 0;
        const mixed = verifySecret(presented, [sha[0]!, pbkdf2], webCrypto);
        assert.ok(mixed instanceof Promise, "a PBKDF2 hash is checked asynchronously");
        assert.equal(await mixed, presented !== "x".repeat(43));
        assert.equal(compares, 2, "the SHA-256 and the PBKDF2 hash compared");
      }
      assert.equal(verifySecret(s1, [], webCrypto), false, "no hash: no match");
    } finally {
      (webCrypto as { timingSafeEqual: typeof original }).timingSafeEqual = original;
    }
  });
});
