// jsonResponse builds its Response in one of two shapes (headers in the init, or set after
// construction), chosen per runtime for cost only: both must give the same answer.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { buildJsonResponse, errorResponse, jsonResponse } from "../src/http/response.ts";
import { OAuthError } from "../mod.ts";

async function answer(response: Response) {
  return {
    status: response.status,
    statusText: response.statusText,
    headers: [...response.headers],
    body: await response.text(),
  };
}

const CASES: Array<[number, unknown, Record<string, string> | undefined]> = [
  [200, { access_token: "2YotnFZFEjr1zCsicMWpAA", token_type: "Bearer", expires_in: 600, scope: "read" }, undefined],
  [200, {}, undefined],
  [200, { active: false }, undefined],
  [200, { access_token: "a", token_type: "DPoP", expires_in: 60 }, { "dpop-nonce": "n-1" }],
  [400, { error: "invalid_request", error_description: "the request body is not valid UTF-8" }, undefined],
  [401, { error: "invalid_client" }, { "www-authenticate": 'Basic realm="as.example"' }],
  [405, { error: "invalid_request" }, { allow: "POST" }],
  [503, { error: "temporarily_unavailable" }, { "retry-after": "3" }],
  [500, { error: "server_error" }, { "WWW-Authenticate": "x", "www-authenticate": "y", "cache-control": "private" }],
];

describe("jsonResponse: both shapes give the same answer", () => {
  test("headers in the init and headers set after construction: same status, header list and body", async () => {
    for (const [status, body, headers] of CASES) {
      const text = JSON.stringify(body);
      const init = await answer(buildJsonResponse(text, status, headers, false));
      const set = await answer(buildJsonResponse(text, status, headers, true));
      assert.deepEqual(set, init, text);
      assert.deepEqual(await answer(jsonResponse(status, body, headers)), init, text);
    }
  });

  test("the three no-store headers, application/json, and not text/plain (RFC 6749 s5.1)", async () => {
    for (const setAfter of [false, true]) {
      const res = buildJsonResponse('{"a":1}', 200, undefined, setAfter);
      assert.deepEqual([...res.headers], [["cache-control", "no-store"], ["content-type", "application/json"], ["pragma", "no-cache"]]);
      // A Response used as the init of another (metadata's HEAD answer) keeps them.
      assert.deepEqual([...new Response(null, res).headers], [...res.headers]);
    }
  });

  test("errorResponse: the same answer as the init shape for every error", async () => {
    for (const e of [new OAuthError("invalid_client", "no", { status: 401, headers: { "www-authenticate": "Basic" } }), new OAuthError("invalid_scope"), new Error("fault")]) {
      const res = errorResponse(e);
      const text = await res.clone().text();
      assert.deepEqual(await answer(res), await answer(buildJsonResponse(text, res.status, e instanceof OAuthError ? e.headers : undefined, false)));
    }
  });
});
