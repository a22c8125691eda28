// The TLS rule of the credential-bearing endpoints (src/http/transport.ts), and the memo of
// the last loopback origin it keeps: a remembered origin never lets another host through.
import { test } from "node:test";
import assert from "node:assert/strict";
import { OAuthError } from "../mod.ts";
import { requireTls } from "../src/http/transport.ts";

const refused = (url: string) => assert.throws(() => requireTls(url, true), OAuthError, url);
const allowed = (url: string) => assert.doesNotThrow(() => requireTls(url, true), url);

test("http is refused on any host but loopback, before and after a loopback origin is remembered", () => {
  for (let round = 0; round < 2; round++) {
    allowed("http://127.0.0.1:8787/token");
    allowed("http://127.0.0.1:8787/token?x=1");
    refused("http://127.0.0.1.evil.example:8787/token");
    refused("http://127.0.0.1:8787@evil.example/token");
    refused("http://evil.example/token");
    refused("http:/\t/evil.example/token");
    allowed("http://localhost/token");
    allowed("http://[::1]:3000/token");
    refused("http://as.example.com/token");
    allowed("https://as.example.com/token");
  }
});

test("inputs the URL parser reads differently from their text are never remembered", () => {
  // "\t" is removed by the parser; userinfo and "\" change where the host starts or ends.
  allowed("http://127.0.0.1/token");
  refused("http://evil.example\t/token");
  refused("http://user@evil.example/token");
  allowed("http://127.0.0.1\\evil.example/token");
  refused("http://evil.example\\127.0.0.1/token");
  allowed("http://127.0.0.1/token");
});
