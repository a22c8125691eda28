// Events: the onEvent hook (token issued/refused, client authentication failed,
// introspection, revocation), no secret or token in any payload (RFC_CHECKLIST S-3), and a hook
// that fails never breaks a request.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { encodeBasicCredentials, type ServerEvent, tokenKey, webCrypto } from "../mod.ts";
import {
  authServer,
  BASIC_CLIENT,
  basicRequest,
  fakeClock,
  formPost,
  INTROSPECT_URL,
  issueToken,
  POST_CLIENT,
  REVOKE_URL,
  RS_CLIENT,
  SECRET,
  TOKEN_URL,
  tokenRequest,
} from "./helpers.ts";
import { testServer } from "./support/fixtures.ts";

const OWNER: [string, string] = [BASIC_CLIENT.client_id, SECRET];

function recorder() {
  const events: ServerEvent[] = [];
  return { events, onEvent: (e: ServerEvent) => void events.push(e) };
}

describe("events", () => {
  test("event members come in a fixed order, time last (a log line's bytes do not change)", async () => {
    const clock = fakeClock();
    const { events, onEvent } = recorder();
    const { fetch } = authServer({ onEvent, clock: clock.now });
    await issueToken(fetch, OWNER, "write");
    await fetch(basicRequest({ grant_type: "client_credentials", scope: "nope" }));
    await fetch(tokenRequest({ basic: [BASIC_CLIENT.client_id, "wrong"] }));
    assert.deepEqual(events.map((e) => Object.keys(e)), [
      ["type", "endpoint", "grant_type", "client_id", "scope", "expires_in", "token_type", "time"],
      ["type", "endpoint", "client_id", "error", "status", "time"],
      ["type", "endpoint", "method", "client_id", "time"],
      ["type", "endpoint", "error", "status", "time"],
    ]);
  });

  test("token endpoint: token_issued with grant type, client, scope and lifetime; token_refused with the error code", async () => {
    const clock = fakeClock();
    const { events, onEvent } = recorder();
    const { fetch } = authServer({ onEvent, clock: clock.now });
    await issueToken(fetch, OWNER, "write");
    await fetch(basicRequest({ grant_type: "client_credentials", scope: "nope" }));
    await fetch(basicRequest({ grant_type: "password" }));
    assert.deepEqual(events, [
      {
        type: "token_issued",
        endpoint: "token",
        grant_type: "client_credentials",
        client_id: BASIC_CLIENT.client_id,
        scope: "write",
        expires_in: 600,
        token_type: "Bearer",
        time: clock.now(),
      },
      { type: "token_refused", endpoint: "token", client_id: BASIC_CLIENT.client_id, error: "invalid_scope", status: 400, time: clock.now() },
      {
        type: "token_refused",
        endpoint: "token",
        client_id: BASIC_CLIENT.client_id,
        error: "unsupported_grant_type",
        status: 400,
        time: clock.now(),
      },
    ]);
  });

  test("client authentication failures name the client id and method presented, at every endpoint", async () => {
    const { events, onEvent } = recorder();
    const { fetch } = authServer({ onEvent });
    await fetch(tokenRequest({ basic: [BASIC_CLIENT.client_id, "wrong"] }));
    await fetch(tokenRequest({ body: { grant_type: "client_credentials", client_id: POST_CLIENT.client_id, client_secret: "wrong" } }));
    await fetch(tokenRequest({ body: { grant_type: "client_credentials" } }));
    await fetch(tokenRequest({ headers: { authorization: "Basic !!!" } }));
    await fetch(formPost(INTROSPECT_URL, { token: "x" }, ["nobody", SECRET]));
    await fetch(formPost(REVOKE_URL, { token: "x" }, [RS_CLIENT.client_id, "wrong"]));
    const failures = events.filter((e) => e.type === "client_authentication_failed").map(({ time: _, ...e }) => e);
    assert.deepEqual(failures, [
      { type: "client_authentication_failed", endpoint: "token", client_id: BASIC_CLIENT.client_id, method: "client_secret_basic" },
      { type: "client_authentication_failed", endpoint: "token", client_id: POST_CLIENT.client_id, method: "client_secret_post" },
      { type: "client_authentication_failed", endpoint: "token" },
      { type: "client_authentication_failed", endpoint: "token", method: "client_secret_basic" },
      { type: "client_authentication_failed", endpoint: "introspection", client_id: "nobody", method: "client_secret_basic" },
      { type: "client_authentication_failed", endpoint: "revocation", client_id: RS_CLIENT.client_id, method: "client_secret_basic" },
    ]);
    // Each refusal is also reported by its endpoint, with the error code.
    const refused = events.filter((e) => e.type !== "client_authentication_failed").map((e) => [e.type, "error" in e ? e.error : undefined]);
    assert.deepEqual(refused, [
      ["token_refused", "invalid_client"],
      ["token_refused", "invalid_client"],
      ["token_refused", "invalid_client"],
      ["token_refused", "invalid_client"],
      ["introspection", "invalid_client"],
      ["revocation", "invalid_client"],
    ]);
  });

  test("introspection: active, inactive (unknown or not visible) and refused", async () => {
    const { events, onEvent } = recorder();
    const { fetch } = authServer({ onEvent, introspectionPolicy: { allowCaller: (c) => c.client_id !== POST_CLIENT.client_id } });
    const token = await issueToken(fetch);
    events.length = 0;
    await fetch(formPost(INTROSPECT_URL, { token }, OWNER));
    await fetch(formPost(INTROSPECT_URL, { token: "unknown" }, OWNER));
    await fetch(formPost(INTROSPECT_URL, { token }, [RS_CLIENT.client_id, SECRET]));
    await fetch(tokenRequest({ url: INTROSPECT_URL, body: { token, client_id: POST_CLIENT.client_id, client_secret: SECRET } }));
    assert.deepEqual(events.map(({ time: _, ...e }) => e), [
      { type: "introspection", endpoint: "introspection", client_id: BASIC_CLIENT.client_id, status: 200, result: "active", token_client_id: BASIC_CLIENT.client_id },
      { type: "introspection", endpoint: "introspection", client_id: BASIC_CLIENT.client_id, status: 200, result: "inactive", reason: "unknown" },
      { type: "introspection", endpoint: "introspection", client_id: RS_CLIENT.client_id, status: 200, result: "inactive", reason: "not_visible" },
      { type: "introspection", endpoint: "introspection", client_id: POST_CLIENT.client_id, status: 403, result: "refused", error: "unauthorized_client" },
    ]);
  });

  test("revocation: revoked, unknown, ignored (silent) and refused", async () => {
    const { events, onEvent } = recorder();
    const strict = authServer({ onEvent });
    const a = await issueToken(strict.fetch);
    await strict.fetch(formPost(REVOKE_URL, { token: a }, [RS_CLIENT.client_id, SECRET]));
    await strict.fetch(formPost(REVOKE_URL, { token: a }, OWNER));
    await strict.fetch(formPost(REVOKE_URL, { token: a }, OWNER));
    const silent = authServer({ onEvent, foreignTokenRevocation: "silent" });
    const b = await issueToken(silent.fetch);
    await silent.fetch(formPost(REVOKE_URL, { token: b }, [RS_CLIENT.client_id, SECRET]));
    const revocations = events.filter((e) => e.type === "revocation").map(({ time: _, ...e }) => e);
    assert.deepEqual(revocations, [
      { type: "revocation", endpoint: "revocation", client_id: RS_CLIENT.client_id, result: "refused", error: "invalid_grant", status: 400 },
      { type: "revocation", endpoint: "revocation", client_id: BASIC_CLIENT.client_id, status: 200, result: "revoked" },
      { type: "revocation", endpoint: "revocation", client_id: BASIC_CLIENT.client_id, status: 200, result: "unknown" },
      { type: "revocation", endpoint: "revocation", client_id: RS_CLIENT.client_id, status: 200, result: "ignored" },
    ]);
  });

  test("handleTokenRequest emits the token events too", async () => {
    const { events, onEvent } = recorder();
    const { fetch } = testServer({ onEvent }, [BASIC_CLIENT]);
    await fetch(basicRequest());
    assert.deepEqual(events.map((e) => e.type), ["token_issued"]);
  });

  test("no payload holds a secret, a token, a token's hash or the Basic credentials (RFC_CHECKLIST S-3)", async () => {
    const { events, onEvent } = recorder();
    const { fetch } = authServer({ onEvent });
    const tokens = [await issueToken(fetch), await issueToken(fetch, OWNER, "admin")];
    const post = (body: Record<string, string>) => fetch(tokenRequest({ url: TOKEN_URL, body }));
    await post({ grant_type: "client_credentials", client_id: POST_CLIENT.client_id, client_secret: SECRET });
    await post({ grant_type: "client_credentials", client_id: POST_CLIENT.client_id, client_secret: `${SECRET}-wrong` });
    await fetch(tokenRequest({ basic: [BASIC_CLIENT.client_id, `${SECRET}-wrong`] }));
    for (const token of tokens) {
      await fetch(formPost(INTROSPECT_URL, { token }, OWNER));
      await fetch(formPost(INTROSPECT_URL, { token }, [RS_CLIENT.client_id, SECRET]));
      await fetch(formPost(INTROSPECT_URL, { token }, [RS_CLIENT.client_id, `${SECRET}-wrong`]));
      await fetch(formPost(REVOKE_URL, { token }, [RS_CLIENT.client_id, SECRET]));
      await fetch(formPost(REVOKE_URL, { token }, OWNER));
    }
    const types = new Set(events.map((e) => e.type));
    assert.deepEqual([...types].sort(), ["client_authentication_failed", "introspection", "revocation", "token_issued", "token_refused"]);
    const log = JSON.stringify(events);
    const secrets = [
      SECRET,
      encodeBasicCredentials(BASIC_CLIENT.client_id, SECRET),
      encodeBasicCredentials(BASIC_CLIENT.client_id, `${SECRET}-wrong`),
      ...tokens,
      ...(await Promise.all(tokens.map((t) => tokenKey(t, webCrypto)))),
    ];
    for (const s of secrets) assert.ok(!log.includes(s), `an event payload contains ${s.slice(0, 6)}...`);
  });

  test("a hook that throws, or rejects, never breaks a request", async () => {
    const throwing = authServer({
      onEvent: () => {
        throw new Error("log sink down");
      },
    });
    const token = await issueToken(throwing.fetch);
    const res = await throwing.fetch(formPost(INTROSPECT_URL, { token }, OWNER));
    assert.equal(((await res.json()) as { active: boolean }).active, true);
    assert.equal((await throwing.fetch(tokenRequest({ basic: [BASIC_CLIENT.client_id, "wrong"] }))).status, 401);

    let calls = 0;
    const rejecting = authServer({
      onEvent: () => {
        calls++;
        return Promise.reject(new Error("async sink down"));
      },
    });
    const t2 = await issueToken(rejecting.fetch);
    assert.equal((await rejecting.fetch(formPost(REVOKE_URL, { token: t2 }, OWNER))).status, 200);
    assert.equal(calls, 2);
    // Give an unhandled rejection the chance to surface (it would fail the run).
    await new Promise((resolve) => setTimeout(resolve, 10));
  });
});
