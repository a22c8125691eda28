// Several instances act as one server: two authorization server processes
// (tests/fixtures/instance.ts) behind one real Redis, and again behind one real PostgreSQL,
// sharing the token store, revocation store, replay store and attempt store and the signing
// key. What one instance does, the other sees: tokens, revocations, counted failures and
// single use.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { SignJWT } from "jose";
import { encodeBasicCredentials, exportJwk, generateSigningKey, type Jwk } from "../mod.ts";
import { serverSkip, startPostgres, startRedis, type TestDatabase } from "./servers.ts";
import { GUARDED_CLIENT, INSTANCE_ISSUER, INSTANCE_SECRET, JWT_CLIENT, OPAQUE_CLIENT } from "./fixtures/instance_clients.ts";

/** The assertion client's key pair (the instances get its public JWK) and a DPoP key. */
const clientKey = await generateSigningKey("ES256", { kid: "client-1" });
const dpopKey = await generateSigningKey("ES256", { extractable: true });
const dpopPrivate = await exportJwk(dpopKey.privateKey);

/** A private_key_jwt assertion for the instances' issuer, with a fresh jti. */
async function clientAssertion(): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: "assertion-client", sub: "assertion-client", aud: INSTANCE_ISSUER, iat: now, exp: now + 60, jti: crypto.randomUUID() };
  const b64 = (o: unknown) => btoa(JSON.stringify(o)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const input = `${b64({ alg: "ES256", kid: "client-1" })}.${b64(claims)}`;
  const signature = await clientKey.signer.sign(new TextEncoder().encode(input));
  return `${input}.${btoa(String.fromCharCode(...signature)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
}

/** A DPoP proof (RFC 9449 s4.2) for `htm` `htu`, signed with the DPoP key. */
function dpopProof(htm: string, htu: string): Promise<string> {
  const { d: _, ...jwk } = dpopPrivate as Jwk & { d?: string };
  return new SignJWT({ htm, htu, jti: crypto.randomUUID(), iat: Math.floor(Date.now() / 1000) })
    .setProtectedHeader({ alg: "ES256", typ: "dpop+jwt", jwk: jwk as never })
    .sign(dpopKey.privateKey);
}

const runtime = "Deno" in globalThis ? "Deno" : "Bun" in globalThis ? "Bun" : undefined;
const runtimeSkip = runtime === undefined
  ? false
  : `the instances are Node processes (node --import tsx); npm run test:node runs this file, not ${runtime}`;
if (runtimeSkip) console.warn(`SKIPPED: ${runtimeSkip}`);

const FIXTURE = fileURLToPath(new URL("./fixtures/instance.ts", import.meta.url));

interface Instance {
  name: string;
  base: string;
  child: ChildProcess;
}

/** Starts one instance and resolves once it prints its port. */
function startInstance(name: string, env: Record<string, string>): Promise<Instance> {
  const child = spawn(process.execPath, ["--import", "tsx", FIXTURE], {
    env: { ...process.env, ...env, PORT: "0" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => (child.kill("SIGKILL"), reject(new Error(`${name} did not start in 30 s`))), 30_000);
    child.once("exit", (code) => (clearTimeout(timer), reject(new Error(`${name} exited with ${code} before listening`))));
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => {
      out += chunk;
      const line = out.split("\n")[0]!;
      if (!out.includes("\n")) return;
      clearTimeout(timer);
      child.removeAllListeners("exit");
      const { port } = JSON.parse(line) as { port: number };
      resolve({ name, base: `http://127.0.0.1:${port}`, child });
    });
  });
}

async function stopInstance(instance: Instance): Promise<void> {
  if (instance.child.exitCode !== null) return;
  const exited = new Promise((resolve) => instance.child.once("exit", resolve));
  instance.child.kill("SIGTERM");
  const timer = setTimeout(() => instance.child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

const basic = (client_id: string, secret = INSTANCE_SECRET) => `Basic ${encodeBasicCredentials(client_id, secret)}`;

function post(instance: Instance, path: string, body: Record<string, string>, authorization?: string): Promise<Response> {
  return fetch(`${instance.base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...(authorization ? { authorization } : {}) },
    body: new URLSearchParams(body).toString(),
  });
}

async function issue(instance: Instance, client_id: string): Promise<string> {
  const res = await post(instance, "/token", { grant_type: "client_credentials" }, basic(client_id));
  const body = await res.json() as { access_token?: string };
  assert.equal(res.status, 200, `${instance.name}: ${JSON.stringify(body)}`);
  return body.access_token!;
}

async function introspect(instance: Instance, token: string, owner: string): Promise<{ active: boolean; client_id?: string }> {
  const res = await post(instance, "/introspect", { token }, basic(owner));
  assert.equal(res.status, 200);
  return await res.json() as { active: boolean; client_id?: string };
}

const api = (instance: Instance, token: string) =>
  fetch(`${instance.base}/api`, { headers: { authorization: `Bearer ${token}` } });

/** The tests for instances over one engine; `instances()` is called as the tests run. */
function behindOneStore(instances: () => Instance[]): void {
  test("an opaque token issued by A introspects active on B and verifies at B's resource (shared token store)", async () => {
    const [a, b] = instances();
    const token = await issue(a!, OPAQUE_CLIENT.client_id);
    const seen = await introspect(b!, token, OPAQUE_CLIENT.client_id);
    assert.equal(seen.active, true);
    assert.equal(seen.client_id, OPAQUE_CLIENT.client_id);
    const res = await api(b!, token);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { client_id: OPAQUE_CLIENT.client_id });
  });

  test("a JWT issued by A verifies on B (the same signing key) and introspects active there", async () => {
    const [a, b] = instances();
    const token = await issue(a!, JWT_CLIENT.client_id);
    assert.equal(token.split(".").length, 3, "a JWT");
    assert.equal((await api(b!, token)).status, 200);
    assert.equal((await introspect(b!, token, JWT_CLIENT.client_id)).active, true);
  });

  test("revoked on A -> inactive on B, and refused by B's resource: opaque tokens and JWTs alike", async () => {
    const [a, b] = instances();
    for (const client of [OPAQUE_CLIENT, JWT_CLIENT]) {
      const token = await issue(b!, client.client_id);
      assert.equal((await api(a!, token)).status, 200, `${client.client_id}: works before`);
      const revoked = await post(a!, "/revoke", { token }, basic(client.client_id));
      assert.equal(revoked.status, 200);
      assert.equal((await introspect(b!, token, client.client_id)).active, false, client.client_id);
      const res = await api(b!, token);
      assert.equal(res.status, 401, client.client_id);
      assert.match(res.headers.get("www-authenticate") ?? "", /invalid_token/);
    }
  });

  test("failed attempts are counted across instances: 6 at A + 4 at B with maxAttempts 10 -> the 11th is 429 on either", async () => {
    const [a, b] = instances();
    const wrong = basic(GUARDED_CLIENT.client_id, "wrong-secret");
    for (const [instance, n] of [[a!, 6], [b!, 4]] as const) {
      for (let i = 0; i < n; i++) {
        const res = await post(instance, "/token", { grant_type: "client_credentials" }, wrong);
        assert.equal(res.status, 401, `${instance.name}: failure ${i + 1}`);
      }
    }
    for (const instance of [b!, a!]) {
      // Even the right secret: the guard refuses before it verifies anything.
      const res = await post(instance, "/token", { grant_type: "client_credentials" }, basic(GUARDED_CLIENT.client_id));
      assert.equal(res.status, 429, instance.name);
      assert.ok(Number(res.headers.get("retry-after")) > 0);
    }
    assert.equal((await post(b!, "/token", { grant_type: "client_credentials" }, basic(OPAQUE_CLIENT.client_id))).status, 200,
      "another client from the same caller is not locked out");
  });

  test("the shared replay store: concurrent first uses of one key at A and at B -> exactly one true", async () => {
    const [a, b] = instances();
    const exp = Math.floor(Date.now() / 1000) + 60;
    for (let round = 0; round < 3; round++) {
      const key = `assertion-jti-${crypto.randomUUID()}`;
      const answers = await Promise.all(Array.from({ length: 60 }, async (_, i) => {
        const res = await fetch(`${(i % 2 === 0 ? a! : b!).base}/_test/remember?key=${key}&exp=${exp}`, { method: "POST" });
        return (await res.json() as { first: boolean }).first;
      }));
      assert.equal(answers.filter((x) => x === true).length, 1, `round ${round}: ${answers.filter(Boolean).length} first uses`);
    }
  });

  test("one client assertion (private_key_jwt) sent to A and B at once is accepted once (shared replay store)", async () => {
    const [a, b] = instances();
    // One round of 8: replays count as failed authentications, and the brute-force guard
    // (10 per client and caller, shared too) would refuse a longer run with 429.
    const assertion = await clientAssertion();
    const body = {
      grant_type: "client_credentials",
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
      client_assertion: assertion,
    };
    const statuses = await Promise.all(Array.from({ length: 8 }, (_, i) => post(i % 2 === 0 ? a! : b!, "/token", body).then(async (r) => {
      await r.body?.cancel();
      return r.status;
    })));
    assert.equal(statuses.filter((s) => s === 200).length, 1, statuses.join(" "));
    assert.ok(statuses.every((s) => s === 200 || s === 400), statuses.join(" "));
  });

  test("one DPoP proof sent to A and B at once is accepted once (shared replay store)", async () => {
    const [a, b] = instances();
    const proof = await dpopProof("POST", `${INSTANCE_ISSUER}/token`);
    const statuses = await Promise.all(Array.from({ length: 20 }, async (_, i) => {
      const res = await fetch(`${(i % 2 === 0 ? a! : b!).base}/token`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          authorization: basic(OPAQUE_CLIENT.client_id),
          dpop: proof,
        },
        body: "grant_type=client_credentials",
      });
      const json = await res.json() as { token_type?: string };
      if (res.status === 200) assert.equal(json.token_type, "DPoP");
      return res.status;
    }));
    assert.equal(statuses.filter((s) => s === 200).length, 1, statuses.join(" "));
  });
}

for (const engine of ["redis", "postgres"] as const) {
  const skip = runtimeSkip || serverSkip(engine);
  describe(`two instances in separate processes behind one ${engine === "redis" ? "Redis" : "PostgreSQL"}`, { skip }, () => {
    let database: TestDatabase | undefined;
    let instances: Instance[] = [];

    before(async () => {
      database = engine === "redis" ? await startRedis() : await startPostgres();
      const key = await generateSigningKey("ES256", { extractable: true });
      const env = {
        STORE: engine,
        STORE_URL: database.url,
        SIGNING_JWK: JSON.stringify(await exportJwk(key.privateKey)),
        CLIENT_JWK: JSON.stringify(clientKey.publicJwk),
      };
      const started = await Promise.allSettled([startInstance("A", env), startInstance("B", env)]);
      instances = started.flatMap((s) => s.status === "fulfilled" ? [s.value] : []);
      const failed = started.find((s) => s.status === "rejected");
      if (failed) throw (failed as PromiseRejectedResult).reason;
    });
    after(async () => {
      await Promise.allSettled(instances.map(stopInstance));
      await database?.stop();
    });

    behindOneStore(() => instances);
  });
}
