// Scope (RFC 6749 s3.3): grantScope's path for a single scope-token answers exactly as the
// general path (parse, check each token, join) does, for the same requests.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { OAuthError } from "../src/errors.ts";
import { grantScope, parseScope } from "../src/scope.ts";

/** The general path alone: what grantScope answered before its single-token path. */
function reference(requested: string | undefined, registered: ReadonlySet<string>, defaultScope: string): string {
  if (requested === undefined) return defaultScope;
  const tokens = parseScope(requested);
  for (const t of tokens) {
    if (!registered.has(t)) throw new OAuthError("invalid_scope", `scope '${t}' is not allowed for this client`);
  }
  return tokens.join(" ");
}

function outcome(f: () => string): unknown {
  try {
    return { granted: f() };
  } catch (e) {
    assert.ok(e instanceof OAuthError, String(e));
    return { error: e.error, description: e.error_description, status: e.status };
  }
}

describe("scope", () => {
  test("a single scope-token and the general path give the same answer for every request", () => {
    const registered = new Set(["read", "write", "a:b", "x/y", "!#[]~"]);
    const requests: (string | undefined)[] = [
      undefined, "", " ", "read", "write", "nope", "READ", "a:b", "x/y", "!#[]~", 'a"b', "a\\b", "é", "read\t", "\u0000",
      "read write", "read read", "write read", "read  write", " read", "read ", "read nope", "nope read",
    ];
    const alphabet = ["r", "e", "a", "d", " ", '"', "\\", "!", "~", "\u007f", "é", "w"];
    for (let i = 0; i < 2000; i++) {
      let s = "";
      for (let n = i % 7; n > 0; n--) s += alphabet[Math.floor(Math.random() * alphabet.length)];
      requests.push(s, `${s}read`.slice(0, 4));
    }
    for (const r of requests) {
      assert.deepEqual(outcome(() => grantScope(r, registered, "read")), outcome(() => reference(r, registered, "read")), JSON.stringify(r));
    }
  });
});
