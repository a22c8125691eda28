// Byte encodings and digests: base64/base64url (RFC 4648), SHA-256 against WebCrypto, and
// the Basic credential vectors of RFC 6749 App. B (RFC_CHECKLIST App. A.1).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { decodeBase64, decodeBase64Ascii, decodeBase64Url, encodeBase64, encodeBase64Url } from "../src/encoding/base64.ts";
import { sha256, sha256Text } from "../src/crypto/sha256.ts";
import { decodeBasicCredentials, encodeBasicCredentials } from "../mod.ts";

describe("base64", () => {
  test("round-trips every length from 0 to 70 against btoa", () => {
    for (let n = 0; n <= 70; n++) {
      const bytes = crypto.getRandomValues(new Uint8Array(n));
      const viaBtoa = btoa(String.fromCharCode(...bytes));
      assert.equal(encodeBase64(bytes), viaBtoa);
      assert.deepEqual(decodeBase64(viaBtoa), bytes);
      assert.deepEqual(decodeBase64(viaBtoa.replace(/=+$/, "")), bytes, "padding is optional");
      const url = encodeBase64Url(bytes);
      assert.equal(url, viaBtoa.replace(/=+$/, "").replaceAll("+", "-").replaceAll("/", "_"));
      assert.deepEqual(decodeBase64Url(url), bytes);
    }
  });

  test("long inputs, across the encoder's 4,096-character chunks, match btoa", () => {
    for (const n of [3069, 3071, 3072, 3073, 3074, 6144, 10_000]) {
      const bytes = crypto.getRandomValues(new Uint8Array(n));
      let binary = "";
      for (const b of bytes) binary += String.fromCharCode(b);
      const viaBtoa = btoa(binary);
      assert.equal(encodeBase64(bytes), viaBtoa, `length ${n}`);
      assert.equal(encodeBase64Url(bytes), viaBtoa.replace(/=+$/, "").replaceAll("+", "-").replaceAll("/", "_"), `length ${n}`);
    }
  });

  test("decodeBase64Ascii (the Basic credentials' fast path) answers as decodeBase64 does, for every input", () => {
    // The reference: the strict byte decoder, read as text only when every byte is ASCII.
    const reference = (input: string) => {
      const bytes = decodeBase64(input);
      return bytes === undefined || bytes.some((b) => b > 0x7f) ? undefined : String.fromCharCode(...bytes);
    };
    const inputs = ["", "=", "==", "YQ", "YQ=", "YQ==", "YR==", "YWI", "YWI=", "YWJ=", "YWJj", "YWJj=", "YWJj==", "Y", "YW Jj", "YWJj\n", " YWJj", "YWJ=j", "YWJj!", "é", "YW\u0100j", "gA==", "/w==", "w6k="];
    const pieces = ["A", "Q", "g", "w", "/", "+", "=", " ", "\n", "é", "-", "_", "YW"];
    for (let i = 0; i < 3000; i++) {
      let s = "";
      for (let n = i % 9; n > 0; n--) s += pieces[Math.floor(Math.random() * pieces.length)];
      inputs.push(s);
    }
    for (let n = 0; n <= 40; n++) {
      const bytes = crypto.getRandomValues(new Uint8Array(n));
      inputs.push(btoa(String.fromCharCode(...bytes)));
      inputs.push(btoa(String.fromCharCode(...bytes.map((b) => b & 0x7f))));
      inputs.push(btoa(String.fromCharCode(...bytes.map((b) => b & 0x7f))).replace(/=+$/, ""));
    }
    for (const input of inputs) assert.equal(decodeBase64Ascii(input), reference(input), JSON.stringify(input));
  });

  test("strict decoding refuses what atob would forgive", () => {
    for (const bad of ["YW Jj", "YWJj\n", "Y", "YWJ=j", "YQ=", "YR==", "YWJj!", "é"]) {
      assert.equal(decodeBase64(bad), undefined, bad);
    }
    for (const bad of ["YWJj=", "YW+j", "YW/j", "Y", "YR"]) assert.equal(decodeBase64Url(bad), undefined, bad);
  });
});

describe("sha256", () => {
  test("matches WebCrypto for lengths 0..300 and across block boundaries", async () => {
    for (let n = 0; n <= 300; n++) {
      const data = crypto.getRandomValues(new Uint8Array(n));
      const expected = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
      assert.deepEqual(sha256(data), expected, `length ${n}`);
    }
  });

  test("sha256Text matches WebCrypto on the UTF-8 bytes: ASCII of lengths 0..300, non-ASCII anywhere", async () => {
    const out = new Uint8Array(32);
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_~%+ ";
    const texts: string[] = [];
    for (let n = 0; n <= 300; n++) {
      let t = "";
      for (let i = 0; i < n; i++) t += alphabet[(i * 7 + n) % alphabet.length];
      texts.push(t);
      // A non-ASCII character late in the string: the direct copy stops and must leave no trace.
      if (n > 0) texts.push(t.slice(0, n - 1) + "é", "€" + t, t + "\u{1F600}");
    }
    for (const t of texts) {
      const expected = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(t)));
      assert.deepEqual(sha256Text(t, out), expected, JSON.stringify(t));
      // And the reused buffers are clean for the next caller.
      assert.deepEqual(sha256(new TextEncoder().encode(t)), expected, JSON.stringify(t));
    }
  });

  test("FIPS 180-4 vector: abc", () => {
    const hex = [...sha256(new TextEncoder().encode("abc"))].map((b) => b.toString(16).padStart(2, "0")).join("");
    assert.equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});

describe("Basic credentials (RFC 6749 s2.3.1, App. B)", () => {
  test("RFC 6749 example encodes to the RFC's header value", () => {
    assert.equal(encodeBasicCredentials("s6BhdRkqt3", "7Fjfp0ZBr1KtDRbnfVdmIw"), "czZCaGRSa3F0Mzo3RmpmcDBaQnIxS3REUmJuZlZkbUl3");
  });

  test("RFC_CHECKLIST App. A.1: my:client / p@ss w+rd%/é encodes and decodes", () => {
    const header = "bXklM0FjbGllbnQ6cCU0MHNzK3clMkJyZCUyNSUyRiVDMyVBOQ==";
    assert.equal(encodeBasicCredentials("my:client", "p@ss w+rd%/é"), header);
    assert.deepEqual(decodeBasicCredentials(header), { client_id: "my:client", client_secret: "p@ss w+rd%/é" });
  });

  test("decode side: a+b:c%2Bd -> 'a b' and 'c+d'", () => {
    assert.deepEqual(decodeBasicCredentials("YStiOmMlMkJk"), { client_id: "a b", client_secret: "c+d" });
  });

  test("negative: the raw form splits at the first colon, and its bare % is a malformed escape", () => {
    // my:client:p@ss w+rd%/é unencoded: the id would be "my", and "%/" cannot be decoded.
    assert.equal(decodeBasicCredentials("bXk6Y2xpZW50OnBAc3MgdytyZCUvw6k="), undefined);
    assert.deepEqual(decodeBasicCredentials(btoa("my:client:secret")), { client_id: "my", client_secret: "client:secret" });
  });

  test("UTF-8 beyond ASCII without the App. B encoding still decodes; bytes that are not UTF-8 or malformed base64 do not", () => {
    const utf8 = (text: string) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));
    assert.deepEqual(decodeBasicCredentials(utf8("clïent:sécret")), { client_id: "clïent", client_secret: "sécret" });
    assert.equal(decodeBasicCredentials(btoa("id:\xff\xfe")), undefined, "not UTF-8");
    assert.equal(decodeBasicCredentials(`${btoa("id:secret")}\n`), undefined, "whitespace atob would forgive");
    assert.equal(decodeBasicCredentials("aWQ6c2VjcmV0="), undefined, "a padding the length does not allow");
    assert.deepEqual(decodeBasicCredentials("YTo="), { client_id: "a", client_secret: "" });
    assert.deepEqual(decodeBasicCredentials("YTo"), { client_id: "a", client_secret: "" }, "padding is optional");
    assert.equal(decodeBasicCredentials("YTp="), undefined, "non-canonical trailing bits");
  });
});
