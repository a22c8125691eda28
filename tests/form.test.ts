// The strict form parser (RFC 6749 s3.2, App. B).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseForm, readForm, settleBudget } from "../src/http/form.ts";
import { OAuthError } from "../mod.ts";

const LIMITS = { maxBytes: 8192, timeoutMs: 5000, repeatable: new Set(["resource"]) };

function formRequest(body: BodyInit, contentType = "application/x-www-form-urlencoded"): Request {
  return new Request("https://as.example/token", { method: "POST", headers: { "content-type": contentType }, body });
}

/**
 * The parser as it was (split on "&", then on the first "="), the reference that the in-place
 * scan of parseForm must agree with on every body.
 */
function referenceParse(body: string, repeatable?: ReadonlySet<string>): Map<string, string | string[]> {
  const values = new Map<string, string | string[]>();
  const decode = (raw: string) => {
    if (raw.indexOf("%") === -1 && raw.indexOf("+") === -1) return raw;
    try {
      return decodeURIComponent(raw.replaceAll("+", " "));
    } catch {
      throw new OAuthError("invalid_request", "the request body has a malformed percent-escape");
    }
  };
  if (body === "") return values;
  for (const pair of body.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const name = decode(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? "" : decode(pair.slice(eq + 1));
    const prev = values.get(name);
    if (prev === undefined) values.set(name, value);
    else if (repeatable?.has(name)) values.set(name, typeof prev === "string" ? [prev, value] : [...prev, value]);
    else throw new OAuthError("invalid_request", `parameter '${name}' is repeated`);
  }
  return values;
}

describe("parseForm", () => {
  test("the in-place scan agrees with split-then-parse on every body of a small alphabet", () => {
    let seed = 7;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const alphabet = ["a", "b", "=", "&", "&", "+", "%41", "%", "%C3%A9", "%FF", "r"];
    const repeatable = new Set(["r", "a"]);
    for (let n = 0; n < 20_000; n++) {
      let body = "";
      const length = Math.floor(next() * 9);
      for (let i = 0; i < length; i++) body += alphabet[Math.floor(next() * alphabet.length)];
      for (const rep of [undefined, repeatable]) {
        let expected: Map<string, string | string[]> | OAuthError;
        try {
          expected = referenceParse(body, rep);
        } catch (e) {
          expected = e as OAuthError;
        }
        let form: ReturnType<typeof parseForm> | OAuthError;
        try {
          form = parseForm(body, rep);
        } catch (e) {
          form = e as OAuthError;
        }
        if (expected instanceof OAuthError || form instanceof OAuthError) {
          assert.ok(expected instanceof OAuthError && form instanceof OAuthError, body);
          assert.equal(form.error_description, expected.error_description, body);
          continue;
        }
        // Every name the reference found, and every substring of the body as a name.
        const names = new Set(expected.keys());
        for (let i = 0; i < body.length; i++) for (let j = i; j <= body.length; j++) names.add(body.slice(i, j));
        for (const name of names) {
          const want = expected.get(name);
          assert.equal(form.has(name), want !== undefined, `${body}: has ${name}`);
          const all: string[] = want === undefined ? [] : (typeof want === "string" ? [want] : want).filter((v) => v !== "");
          assert.deepEqual(form.getAll(name), all, `${body}: getAll ${name}`);
          const first: string | undefined = want === undefined || want === "" ? undefined : typeof want === "string" ? want : want[0];
          assert.equal(form.get(name), first, `${body}: get ${name}`);
        }
      }
    }
  });

  test("a body of many pairs without \"=\" is read in one pass (8,192 bytes of \"a&\")", () => {
    const form = parseForm("a&".repeat(4095) + "b=1", new Set(["a"]));
    assert.equal(form.get("b"), "1");
    assert.equal(form.has("a"), true);
  });

  test("decodes + as space and percent-escapes as UTF-8, in names and values", () => {
    const form = parseForm("a+b=c+d&%C3%A9=%E2%82%AC&x=1%2B1");
    assert.equal(form.get("a b"), "c d");
    assert.equal(form.get("é"), "€");
    assert.equal(form.get("x"), "1+1");
  });

  test("empty values are absent but recorded as sent", () => {
    const form = parseForm("scope=&grant_type");
    assert.equal(form.get("scope"), undefined);
    assert.equal(form.get("grant_type"), undefined);
    assert.equal(form.has("scope"), true);
  });

  test("repeats are refused except for repeatable names", () => {
    assert.throws(() => parseForm("a=1&a=2"), (e) => e instanceof OAuthError && e.error === "invalid_request");
    const form = parseForm("resource=x&resource=y&resource=", new Set(["resource"]));
    assert.deepEqual(form.getAll("resource"), ["x", "y"]);
    assert.deepEqual(form.getAll("nothing"), []);
  });

  test("a value may contain '='", () => {
    assert.equal(parseForm("a=b=c").get("a"), "b=c");
  });

  test("1,001 and more parameters are all read (no silent cap)", () => {
    const body = Array.from({ length: 1500 }, (_, i) => `p${i}=${i}`).join("&");
    assert.equal(parseForm(body).get("p1499"), "1499");
  });

  test("__proto__ and constructor are ordinary names", () => {
    const form = parseForm("__proto__=a&constructor=b&hasOwnProperty=c");
    assert.equal(form.get("__proto__"), "a");
    assert.equal(form.get("constructor"), "b");
    assert.equal(form.get("toString"), undefined);
  });

  for (const bad of ["a=%", "a=%4", "a=%zz", "%zz=a", "a=%C3", "a=%ED%A0%80"]) {
    test(`malformed escape ${bad} -> invalid_request`, () => {
      assert.throws(() => parseForm(bad), (e) => e instanceof OAuthError && e.error === "invalid_request");
    });
  }
});

describe("readForm", () => {
  test("reads a multi-chunk body", async () => {
    const chunks = ["grant_type=cli", "ent_credentials&sco", "pe=a"];
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (const chunk of chunks) c.enqueue(new TextEncoder().encode(chunk));
        c.close();
      },
    });
    const req = new Request("https://as.example/token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    const form = await readForm(req, LIMITS);
    assert.equal(form.get("grant_type"), "client_credentials");
    assert.equal(form.get("scope"), "a");
  });

  test("a body exactly at the cap is read; one byte over is 413", async () => {
    const exact = "a=" + "b".repeat(98);
    assert.equal((await readForm(formRequest(exact), { ...LIMITS, maxBytes: 100 })).get("a")?.length, 98);
    await assert.rejects(readForm(formRequest(exact + "c"), { ...LIMITS, maxBytes: 100 }), (e) =>
      e instanceof OAuthError && e.status === 413);
  });

  test("a declared Content-Length over the cap is refused without reading", async () => {
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        c.enqueue(new Uint8Array(10));
      },
    });
    const req = new Request("https://as.example/token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "content-length": "1000000" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    if (req.headers.get("content-length") === null) return; // a runtime that drops the header
    await assert.rejects(readForm(req, LIMITS), (e) => e instanceof OAuthError && e.status === 413);
    assert.ok(pulled <= 1);
  });

  test("a body stream of strings or other non-byte chunks -> 400 invalid_request, not a 500 (found by fuzzing)", async () => {
    for (const chunks of [["grant_type=", "client_credentials"], ["a=b"], [new Uint8Array([97]), "b"], [1, 2], [{}]]) {
      const req = new Request("https://as.example/token", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new ReadableStream({
          start(c) {
            for (const x of chunks) c.enqueue(x as never);
            c.close();
          },
        }),
        duplex: "half",
      } as RequestInit);
      await assert.rejects(readForm(req, LIMITS), (e) => e instanceof OAuthError && e.status === 400, JSON.stringify(chunks));
    }
  });

  test("a declared Content-Length within the cap: read in one call, still capped and timed", async () => {
    const declared = (body: BodyInit, length: number) =>
      new Request("https://as.example/token", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "content-length": String(length) },
        body,
        duplex: "half",
      } as RequestInit);
    const ok = declared("grant_type=client_credentials", 29);
    if (ok.headers.get("content-length") === null) return; // a runtime that drops the header
    assert.equal((await readForm(ok, LIMITS)).get("grant_type"), "client_credentials");
    // A Request built by hand may carry more than it declares: counted once read.
    await assert.rejects(readForm(declared("a=" + "b".repeat(200), 10), { ...LIMITS, maxBytes: 100 }), (e) =>
      e instanceof OAuthError && e.status === 413);
    // A declared body that never finishes arriving meets the deadline.
    const stalled = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode("grant_type="));
      },
    });
    const started = Date.now();
    await assert.rejects(readForm(declared(stalled, 29), { ...LIMITS, timeoutMs: 100 }), (e) =>
      e instanceof OAuthError && e.status === 408);
    assert.ok(Date.now() - started < 2000);
    // A declared body still arriving after the first microtask turns (the deadline timer is
    // armed only for those) is read whole, or refused as unreadable when its stream fails.
    const later = (fail: boolean) =>
      new ReadableStream<Uint8Array>({
        async pull(c) {
          await new Promise((done) => setTimeout(done, 20));
          if (fail) c.error(new Error("connection reset"));
          else {
            c.enqueue(new TextEncoder().encode("grant_type=client_credentials"));
            c.close();
          }
        },
      });
    assert.equal((await readForm(declared(later(false), 29), LIMITS)).get("grant_type"), "client_credentials");
    await assert.rejects(readForm(declared(later(true), 29), LIMITS), (e) =>
      e instanceof OAuthError && e.status === 400 && /could not be read/.test(e.error_description ?? ""));
  });

  test("no body is an empty form", async () => {
    const req = new Request("https://as.example/token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    const form = await readForm(req, LIMITS);
    assert.equal(form.get("grant_type"), undefined);
  });

  test("a UTF-8 BOM is not stripped into a parameter name silently", async () => {
    const body = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode("a=1")]);
    const form = await readForm(formRequest(body), LIMITS);
    assert.equal(form.get("a"), undefined);
    assert.equal(form.get("\ufeffa"), "1");
  });
});

test("a body the runtime already holds is read without arming the deadline timer (Node's undici settles in eight turns, Deno in two)", async () => {
  const onBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";
  const body = "grant_type=client_credentials";
  const request = new Request("https://as.example/token", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "content-length": String(body.length) },
    body,
  });
  // As in a new process: earlier reads of this one may have taught the budget to skip the turns.
  settleBudget.reset();
  const real = globalThis.setTimeout;
  let armed = 0;
  globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
    armed++;
    return real(...args);
  }) as typeof setTimeout;
  try {
    assert.equal((await readForm(request, LIMITS)).get("grant_type"), "client_credentials");
  } finally {
    globalThis.setTimeout = real;
  }
  // Bun's in-process bodies may take longer, and its timers are cheap: only the others are held to it.
  if (!onBun) assert.equal(armed, 0);
});
