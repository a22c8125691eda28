// RFC 9110 s5.6.4: a quoted-string escapes DQUOTE and backslash; the Basic realm of the token
// endpoint and the Bearer realm of the resource server both go through it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { quotedString } from "../src/http/quoted_string.ts";
import { handleTokenRequest } from "../mod.ts";
import { BASIC_CLIENT, ISSUER, tokenRequest } from "./helpers.ts";

test("quotedString escapes \" and \\ and nothing else", () => {
  assert.equal(quotedString("plain"), '"plain"');
  assert.equal(quotedString('a "b" \\c'), '"a \\"b\\" \\\\c"');
  assert.equal(quotedString("é, ;="), '"é, ;="');
});

test("a realm with a quote is escaped in the token endpoint's Basic challenge", async () => {
  const res = await handleTokenRequest(tokenRequest({ basic: [BASIC_CLIENT.client_id, "wrong"] }), {
    issuer: ISSUER,
    clients: [BASIC_CLIENT],
    realm: 'the "as"',
  });
  assert.equal(res.status, 401);
  assert.equal(res.headers.get("www-authenticate"), 'Basic realm="the \\"as\\""');
});
