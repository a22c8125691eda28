// The JOSE layer written here over WebCrypto: compact JWS for every algorithm, checked
// against the jose library in both directions; strict parsing; JWK and PEM import;
// RFC 7638 thumbprints (RFC_CHECKLIST App. A.3).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as jose from "jose";
import { exportJwk, importSigningKey, jwkThumbprint, publicJwk } from "../mod.ts";
import { encodeBase64, encodeBase64Url } from "../src/encoding/base64.ts";
import { importJwk } from "../src/jose/jwk.ts";
import { parseJsonObject } from "../src/jose/json.ts";
import { encodeProtectedHeader, parseCompact, signCompact, verifySignature } from "../src/jose/jws.ts";
import { importPem } from "../src/jose/pem.ts";
import { ALGORITHMS, b64json, testKey } from "./rs_helpers.ts";

const enc = new TextEncoder();
const bytes = (s: string) => enc.encode(s);

function pem(label: string, der: ArrayBuffer): string {
  return `-----BEGIN ${label}-----\n${encodeBase64(new Uint8Array(der)).replace(/.{64}/g, "$&\n")}\n-----END ${label}-----\n`;
}

describe("compact JWS", () => {
  for (const alg of ALGORITHMS) {
    test(`${alg}: our signature verifies with jose, and jose's with ours`, async () => {
      const key = await testKey(alg);
      const header = encodeProtectedHeader({ alg, kid: key.signer.kid });
      const ours = await signCompact(header, bytes('{"sub":"x"}'), key.signer);
      const verifyKey = alg === "HS256" ? key.privateKey : key.publicKey!;
      const { payload } = await jose.compactVerify(ours, verifyKey);
      assert.equal(new TextDecoder().decode(payload), '{"sub":"x"}');

      const theirs = await new jose.CompactSign(bytes('{"sub":"y"}')).setProtectedHeader({ alg }).sign(key.privateKey);
      const jws = parseCompact(theirs)!;
      const ourVerifyKey = alg === "HS256"
        ? await importJwk(await exportJwk(key.privateKey), alg, "verify")
        : await importJwk(key.publicJwk!, alg, "verify");
      assert.ok(await verifySignature(alg, ourVerifyKey, jws.signingInput, jws.signature));
    });
  }

  test("a signature made under one algorithm does not verify under another with the same key type", async () => {
    const rs = await testKey("RS256");
    const token = await signCompact(encodeProtectedHeader({ alg: "RS256" }), bytes("{}"), rs.signer);
    const jws = parseCompact(token)!;
    const asPss = await importJwk({ ...rs.publicJwk!, alg: undefined }, "PS256", "verify");
    assert.equal(await verifySignature("PS256", asPss, jws.signingInput, jws.signature), false);
  });

  test("strict parsing: wrong segment counts, empty segments, padding and non-canonical base64url are refused", async () => {
    const key = await testKey("ES256");
    const good = await signCompact(encodeProtectedHeader({ alg: "ES256" }), bytes("{}"), key.signer);
    const [h, p, s] = good.split(".");
    assert.ok(parseCompact(good));
    for (const bad of [`${h}.${p}`, `${h}.${p}.${s}.x`, `${h}..${s}`, `${h}.${p}.`, `.${p}.${s}`, `${h}=.${p}.${s}`, `${h}.${p}.${s}=`, `${h}.${p}+.${s}`, ` ${good}`]) {
      assert.equal(parseCompact(bad), undefined, bad);
    }
    // "e30" is {} ; "e31" decodes to the same bytes with non-zero trailing bits.
    assert.ok(parseCompact(`${b64json({ alg: "ES256" })}.e30.${s}`));
    assert.equal(parseCompact(`${b64json({ alg: "ES256" })}.e31.${s}`), undefined);
  });

  test("strict parsing: duplicate header members, a non-object header, no alg, and crit are refused", () => {
    const sig = encodeBase64Url(new Uint8Array(64));
    const raw = (json: string) => `${encodeBase64Url(bytes(json))}.e30.${sig}`;
    assert.ok(parseCompact(raw('{"alg":"ES256"}')));
    assert.equal(parseCompact(raw('{"alg":"ES256","alg":"none"}')), undefined);
    assert.equal(parseCompact(raw('["alg"]')), undefined);
    assert.equal(parseCompact(raw('{"typ":"JWT"}')), undefined);
    assert.equal(parseCompact(raw('{"alg":"ES256","crit":["exp"],"exp":1}')), undefined);
    assert.equal(parseCompact(raw('\ufeff{"alg":"ES256"}')), undefined);
  });

  test("strict JSON: duplicates at any depth, trailing data, deep nesting and bad UTF-8 are refused", () => {
    assert.deepEqual(parseJsonObject(bytes('{"a":[1,{"b":"\\u00e9"}],"c":null,"d":-1.5e2}')), { a: [1, { b: "é" }], c: null, d: -150 });
    assert.equal(parseJsonObject(bytes('{"a":{"b":1,"b":2}}')), undefined);
    assert.equal(parseJsonObject(bytes('{"a":1} x')), undefined);
    assert.equal(parseJsonObject(bytes('{"a":01}')), undefined);
    assert.equal(parseJsonObject(bytes("[".repeat(100) + "]".repeat(100))), undefined);
    assert.equal(parseJsonObject(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])), undefined);
    const proto = parseJsonObject(bytes('{"__proto__":{"admin":true}}'))!;
    assert.equal(({} as Record<string, unknown>).admin, undefined);
    assert.deepEqual(Object.keys(proto), ["__proto__"]);
  });
});

describe("keys", () => {
  test("RFC 7638 thumbprint: the RFC_CHECKLIST App. A.3 vector", async () => {
    assert.equal(
      await jwkThumbprint({
        crv: "P-256",
        kty: "EC",
        x: "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs",
        y: "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA",
      }),
      "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I",
    );
  });

  test("thumbprints ignore private and optional members, and agree with jose for every key type", async () => {
    for (const alg of ALGORITHMS) {
      const key = await testKey(alg);
      const priv = await exportJwk(key.privateKey);
      const ours = await jwkThumbprint({ ...priv, kid: "x", alg: "y" });
      assert.equal(ours, await jose.calculateJwkThumbprint(priv as jose.JWK, "sha256"), alg);
      if (alg !== "HS256") assert.equal(ours, await jwkThumbprint(key.publicJwk!), alg);
    }
  });

  test("the default kid is the thumbprint of the public key", async () => {
    const { generateSigningKey } = await import("../mod.ts");
    const key = await generateSigningKey("ES256");
    assert.equal(key.signer.kid, await jwkThumbprint(key.publicJwk!));
  });

  test("publicJwk keeps only public members; exportJwk of a public key has no private member", async () => {
    for (const alg of ALGORITHMS.filter((a) => a !== "HS256")) {
      const key = await testKey(alg);
      const priv = await exportJwk(key.privateKey);
      assert.ok(priv.d !== undefined);
      const pub = publicJwk({ ...priv, kid: "k" })!;
      for (const m of ["d", "p", "q", "dp", "dq", "qi", "k"]) assert.equal(pub[m], undefined, `${alg} ${m}`);
      assert.equal(pub.kid, "k");
      const exported = await exportJwk(key.publicKey!);
      assert.equal(exported.d, undefined);
    }
    assert.equal(publicJwk({ kty: "oct", k: "c2VjcmV0" }), undefined, "a secret has no public part");
  });

  test("PEM: a PKCS#8 private key imports as a signing key whose public JWK matches; SPKI imports for verifying", async () => {
    for (const alg of ["ES256", "EdDSA", "PS256"] as const) {
      const key = await testKey(alg);
      const imported = await importSigningKey(pem("PRIVATE KEY", await crypto.subtle.exportKey("pkcs8", key.privateKey)), { alg, kid: key.signer.kid });
      assert.deepEqual(imported.publicJwk, key.publicJwk, alg);
      const spki = await importPem(pem("PUBLIC KEY", await crypto.subtle.exportKey("spki", key.publicKey!)), alg);
      assert.equal(spki.type, "public");
    }
  });

  test("PEM: legacy PKCS#1/SEC1 labels, garbage, and a PEM without alg are configuration errors", async () => {
    await assert.rejects(importSigningKey("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----", { alg: "RS256" }), /PKCS#8/);
    await assert.rejects(importSigningKey("not a pem", { alg: "ES256" }), /PEM/);
    const key = await testKey("ES256");
    await assert.rejects(importSigningKey(pem("PRIVATE KEY", await crypto.subtle.exportKey("pkcs8", key.privateKey))), /alg/);
  });

  test("JWK import: the key type fixes the algorithm; mismatches and mismatched pairs are refused", async () => {
    const es = await testKey("ES256");
    const priv = await exportJwk(es.privateKey);
    await assert.rejects(importSigningKey(priv, { alg: "ES384" }), /curve/);
    await assert.rejects(importSigningKey(priv, { alg: "RS256" }), /kty/);
    await assert.rejects(importSigningKey({ ...priv, alg: "ES384" }), /./);
    await assert.rejects(importSigningKey(es.publicJwk!), /private/);
    const other = await exportJwk((await testKey("ES256", "other")).privateKey);
    await assert.rejects(importSigningKey({ ...priv, x: other.x, y: other.y }), /./, "public members of another key");
    const rsa = await exportJwk((await testKey("RS256")).privateKey);
    await assert.rejects(importSigningKey(rsa), /which algorithm/, "RS256 or PS256 must be said");
    assert.equal((await importSigningKey(rsa, { alg: "PS256" })).signer.alg, "PS256");
  });

  test("weak keys are refused: RSA under 2048 bits, HMAC under 256 bits", async () => {
    const { cryptoKeySigner } = await import("../mod.ts");
    const small = await crypto.subtle.generateKey(
      { name: "RSASSA-PKCS1-v1_5", modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
      false,
      ["sign", "verify"],
    ) as CryptoKeyPair;
    assert.throws(() => cryptoKeySigner(small.privateKey, { kid: "k" }), /2048/);
    const hmac = await crypto.subtle.importKey("raw", new Uint8Array(16), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    assert.throws(() => cryptoKeySigner(hmac, { kid: "k" }), /256/);
    await assert.rejects(importSigningKey({ kty: "oct", k: encodeBase64Url(new Uint8Array(16)) }, { alg: "HS256" }), /256/);
  });
});
