// Issue 20: rules between fields follow from the descriptions (src/config/describe.ts):
// `requires`, `conflictsWith`, `onlyWhen`, and `oneOrMany` for a value or a list of them.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ConfigurationError } from "../mod.ts";
import { boolean, checkObject, checkRelations, oneOf, oneOrMany, resolvedLater, string, url } from "../src/config/describe.ts";

function refused(f: () => unknown, path: string, message: RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof ConfigurationError, String(e));
    assert.equal(e.path, path);
    assert.match(e.message, message);
    assert.ok(e.message.includes(path), `${e.message} names ${path}`);
    return true;
  });
}

const description = {
  method: oneOf("How.", ["a", "b", "c"], { default: "a" }),
  jwks: resolvedLater<object>("JWK Set", "Keys."),
  jwksUri: url("Where the keys are.", { conflictsWith: "jwks" }),
  policy: resolvedLater<() => void>("function", "A policy.", undefined, { requires: "issuers" }),
  issuers: resolvedLater<readonly string[]>("array", "Issuers."),
  bound: boolean("Bound.", { requires: { field: "source", message: "needs the source option" } }),
  source: string("A source."),
  alg: string("An algorithm.", { onlyWhen: { field: "method", values: ["b", "c"] } }),
};

describe("relations between fields", () => {
  test("conflictsWith: both given is refused at the second field's path", () => {
    refused(() => checkObject(description, { jwks: {}, jwksUri: "https://as.example.com/jwks" }, "x"), "x.jwksUri", /^x\.jwksUri must not be given with jwks: give jwks or jwksUri, not both$/);
    checkObject(description, { jwksUri: "https://as.example.com/jwks" }, "x");
    checkObject(description, { jwks: {} }, "x");
  });

  test("requires: a present field needs the other one present (not [] and not false)", () => {
    refused(() => checkObject(description, { policy: () => {} }, ""), "policy", /^policy needs issuers$/);
    refused(() => checkObject(description, { policy: () => {}, issuers: [] }, ""), "policy", /needs issuers/);
    checkObject(description, { policy: () => {}, issuers: ["i"] }, "");
    refused(() => checkObject(description, { bound: true }, "o"), "o.bound", /^o\.bound needs the source option$/);
    checkObject(description, { bound: false }, "o");
  });

  test("onlyWhen: the other field's value, its default included, must be one of the list", () => {
    refused(() => checkObject(description, { alg: "ES256" }, ""), "alg", /^alg applies to b and c only$/);
    checkObject(description, { alg: "ES256", method: "c" }, "");
  });

  test("a rule that names no field of its description is a TypeError, whatever the options", () => {
    const broken = { a: string("A.", { requires: "b" }) };
    assert.throws(() => checkObject(broken, {}, ""), TypeError);
  });

  test("checkRelations runs the same rules on values a resolver checked itself", () => {
    refused(() => checkRelations(description, { jwks: {}, jwksUri: "https://a.example" }, ""), "jwksUri", /not both/);
  });
});

describe("oneOrMany", () => {
  const audience = oneOrMany(string("an audience", { nonEmpty: true }), "Audiences.", { nonEmpty: true });
  test("a value or a non-empty list of them; an element is refused at its index", () => {
    assert.equal(audience.check("a", "aud"), "a");
    assert.deepEqual(audience.check(["a", "b"], "aud"), ["a", "b"]);
    refused(() => audience.check([], "aud"), "aud", /aud must not be empty/);
    refused(() => audience.check(["a", ""], "aud"), "aud[1]", /aud\[1\] must be a non-empty string/);
    refused(() => audience.check(1, "aud"), "aud", /^aud must be a non-empty string$/);
    assert.equal(audience.kind, "string or array of strings");
  });
});
