// Secret-based client authentication answers without a promise when every step is
// synchronous (issue 15), and carries the rest of the check on in a promise from the first
// step that returns one. These tests replay a recorded set of attempts (right, wrong, unknown,
// wrong method, expired, guard refusal, failing stores) through every mix of synchronous and
// asynchronous steps (guard admission, client lookup, secret verification, the guard's
// record of the outcome) and compare what each mix answers with the all-asynchronous one,
// which is how the check ran before: the same client or the same error (code, status,
// description, headers, cause), the same event, the guard's steps in the same order, and
// `end()` exactly once, after the outcome was recorded.
import { test } from "node:test";
import assert from "node:assert/strict";
import { authenticateClient } from "../src/client_auth/authenticate.ts";
import type { BruteForceGuard, GuardedAttempt } from "../src/client_auth/brute_force.ts";
import type { Client } from "../src/clients/registration.ts";
import { resolveServerConfig, type ServerConfig } from "../src/config/server_config.ts";
import { webCrypto } from "../src/crypto/provider.ts";
import { OAuthError } from "../src/errors.ts";
import { parseForm } from "../src/http/form.ts";
import type { ServerEvent } from "../mod.ts";
import { BASIC_CLIENT, ISSUER, POST_CLIENT, SECRET } from "./helpers.ts";

const b64 = (s: string) => btoa(s);
const EXPIRED = { ...BASIC_CLIENT, client_id: "expired-client", client_secret_expires_at: 1 };

interface Attempt {
  name: string;
  authorization?: string;
  body: string;
  /** The guard refuses to admit (its 429), fails to count a failure, or fails to record a success. */
  guard?: "refuses" | "count-fails" | "record-fails";
  /** The client lookup throws. */
  lookupFails?: boolean;
}

const ATTEMPTS: Attempt[] = [
  { name: "right Basic", authorization: `Basic ${b64(`${BASIC_CLIENT.client_id}:${SECRET}`)}`, body: "grant_type=client_credentials" },
  { name: "wrong secret", authorization: `Basic ${b64(`${BASIC_CLIENT.client_id}:nope`)}`, body: "grant_type=client_credentials" },
  { name: "unknown client", authorization: `Basic ${b64(`nobody:${SECRET}`)}`, body: "grant_type=client_credentials" },
  { name: "Basic for a post client", authorization: `Basic ${b64(`${POST_CLIENT.client_id}:${SECRET}`)}`, body: "grant_type=client_credentials" },
  { name: "expired secret", authorization: `Basic ${b64(`${EXPIRED.client_id}:${SECRET}`)}`, body: "grant_type=client_credentials" },
  { name: "right post", body: `grant_type=client_credentials&client_id=${POST_CLIENT.client_id}&client_secret=${SECRET}` },
  { name: "wrong post", body: `grant_type=client_credentials&client_id=${POST_CLIENT.client_id}&client_secret=nope` },
  { name: "guard refuses", authorization: `Basic ${b64(`${BASIC_CLIENT.client_id}:${SECRET}`)}`, body: "grant_type=client_credentials", guard: "refuses" },
  { name: "guard cannot count a failure", authorization: `Basic ${b64(`${BASIC_CLIENT.client_id}:nope`)}`, body: "grant_type=client_credentials", guard: "count-fails" },
  { name: "guard cannot record a success", authorization: `Basic ${b64(`${BASIC_CLIENT.client_id}:${SECRET}`)}`, body: "grant_type=client_credentials", guard: "record-fails" },
  { name: "client lookup fails", authorization: `Basic ${b64(`${BASIC_CLIENT.client_id}:${SECRET}`)}`, body: "grant_type=client_credentials", lookupFails: true },
];

/** Which steps answer with a promise. */
interface Mix {
  admit: boolean;
  lookup: boolean;
  verify: boolean;
  record: boolean;
}

const MIXES: Mix[] = [];
for (let bits = 0; bits < 16; bits++) {
  MIXES.push({ admit: (bits & 1) !== 0, lookup: (bits & 2) !== 0, verify: (bits & 4) !== 0, record: (bits & 8) !== 0 });
}
const ALL_ASYNC = MIXES[15]!;

const later = <T>(value: T, async: boolean): T | Promise<T> => async ? new Promise<T>((resolve) => setTimeout(() => resolve(value), 0)) : value;

/** A guard that logs its steps and answers with or without promises as the mix says. */
function recordingGuard(attempt: Attempt, mix: Mix, log: string[]): BruteForceGuard {
  return {
    begin(client_id) {
      log.push(`begin ${client_id}`);
      if (attempt.guard === "refuses") {
        const refused = new OAuthError("invalid_client", "too many failed attempts", { status: 429, headers: { "retry-after": "60" } });
        if (mix.admit) return Promise.reject(refused);
        throw refused;
      }
      const guarded: GuardedAttempt = {
        failed(clientExists) {
          log.push(`failed ${clientExists}`);
          // failed() is always a promise (the interface's type); late, or at once.
          const fails = attempt.guard === "count-fails";
          return new Promise<void>((resolve, reject) => {
            const settle = () => fails ? reject(new Error("attempt store down")) : resolve();
            if (mix.record) setTimeout(settle, 0);
            else settle();
          });
        },
        succeeded() {
          log.push("succeeded");
          if (attempt.guard === "record-fails") return Promise.reject(new Error("attempt store down"));
          return mix.record ? new Promise<void>((resolve) => setTimeout(resolve, 0)) : undefined;
        },
        end() {
          log.push("end");
        },
      };
      return later(guarded, mix.admit);
    },
  };
}

async function contextFor(attempt: Attempt, mix: Mix, log: string[], events: ServerEvent[]): Promise<ServerConfig> {
  const base = resolveServerConfig({
    issuer: ISSUER,
    clients: [BASIC_CLIENT, POST_CLIENT, EXPIRED],
    onEvent: (e) => {
      events.push(e);
    },
  });
  // Prepare every registration once, so the fixed list answers synchronously from now on.
  for (const c of [BASIC_CLIENT, POST_CLIENT, EXPIRED]) await base.findClient(c.client_id);
  const lookup = (client_id: string): Client | undefined | Promise<Client | undefined> => {
    log.push(`lookup ${client_id}`);
    if (attempt.lookupFails) {
      const failure = new Error("client store down");
      if (mix.lookup) return Promise.reject(failure);
      throw failure;
    }
    const found = base.findClient(client_id);
    assert.ok(!(found instanceof Promise));
    return later(found, mix.lookup);
  };
  // A provider other than the default makes verification asynchronous (verifySecret's verifyRest).
  const crypto = mix.verify ? { ...webCrypto } : webCrypto;
  return { ...base, findClient: lookup, crypto, bruteForce: recordingGuard(attempt, mix, log) } as ServerConfig;
}

function describeOutcome(outcome: unknown): unknown {
  if (outcome instanceof OAuthError) {
    return { error: outcome.error, status: outcome.status, description: outcome.error_description, headers: outcome.headers, cause: (outcome.cause as Error | undefined)?.message };
  }
  if (outcome instanceof Error) return { fault: outcome.message };
  const { client, method } = outcome as { client: Client; method: string };
  return { client_id: client.client_id, method };
}

async function run(attempt: Attempt, mix: Mix): Promise<{ outcome: unknown; log: string[]; events: unknown[]; sync: boolean }> {
  const log: string[] = [];
  const events: ServerEvent[] = [];
  const ctx = await contextFor(attempt, mix, log, events);
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (attempt.authorization !== undefined) headers.authorization = attempt.authorization;
  const request = new Request("https://as.example/token", { method: "POST", headers, body: attempt.body });
  const form = parseForm(attempt.body);
  let outcome: unknown;
  let sync = false;
  try {
    const answered = authenticateClient(request, form, ctx, "token");
    sync = !(answered instanceof Promise);
    outcome = await answered;
  } catch (e) {
    outcome = e;
  }
  return { outcome: describeOutcome(outcome), log, events: events.map(({ time: _time, ...e }) => e), sync };
}

test("every mix of synchronous and asynchronous steps answers as the all-asynchronous check does", async () => {
  for (const attempt of ATTEMPTS) {
    const reference = await run(attempt, ALL_ASYNC);
    assert.equal(reference.sync, false);
    for (const mix of MIXES) {
      const got = await run(attempt, mix);
      const label = `${attempt.name}, ${JSON.stringify(mix)}`;
      assert.deepEqual(got.outcome, reference.outcome, `${label}: the outcome`);
      assert.deepEqual(got.events, reference.events, `${label}: the events`);
      assert.deepEqual(got.log, reference.log, `${label}: the guard's steps and the lookup`);
      if (attempt.guard !== "refuses") assert.equal(got.log.filter((s) => s === "end").length, 1, `${label}: end() once`);
      assert.equal(got.log.at(-1), attempt.guard === "refuses" ? `begin ${BASIC_CLIENT.client_id}` : "end", `${label}: end() comes last`);
    }
  }
});

test("a check whose every step is synchronous answers without a promise; an accepted one only", async () => {
  const sync: Mix = { admit: false, lookup: false, verify: false, record: false };
  const accepted = await run(ATTEMPTS[0]!, sync);
  assert.equal(accepted.sync, true, "right Basic credentials, every step synchronous: no promise");
  assert.deepEqual(accepted.outcome, { client_id: BASIC_CLIENT.client_id, method: "client_secret_basic" });
  assert.equal((await run(ATTEMPTS[5]!, sync)).sync, true, "right post credentials: no promise");
  // A failure is counted by the guard, whose failed() is a promise: the refusal is a rejection.
  assert.equal((await run(ATTEMPTS[1]!, sync)).sync, false);
  for (const step of ["admit", "lookup", "verify", "record"] as const) {
    assert.equal((await run(ATTEMPTS[0]!, { ...sync, [step]: true })).sync, false, `an asynchronous ${step}: a promise`);
  }
});
