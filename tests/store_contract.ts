// The contract every store must keep, run the same way against the in-memory stores and each
// engine store. It takes several store sets over one backend, one per simulated server
// instance (and, for the engines, one per client library), so every check also crosses
// instances: written by one, read by the others.
//
// (An exported conformance kit is being written under issue 4; this simple helper stays in
// tests/ until it replaces it.)
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type ClientRegistration,
  type ClientStore,
  ConfigurationError,
  encodeBasicCredentials,
  handleTokenRequest,
  hashClientSecret,
  type ReplayStore,
  type RevocationStore,
  tokenKey,
  type TokenRecord,
  type TokenStore,
  webCrypto,
} from "../mod.ts";

/** A client store that can also be written to, as the engine client stores can. */
export interface ClientRegistry extends ClientStore {
  saveClient(registration: ClientRegistration): Promise<void>;
  deleteClient(client_id: string): Promise<boolean>;
}

/** The stores of one server instance. */
export interface StoreSet {
  /** Names the instance in failure messages ("node-redis", "ioredis", ...). */
  name: string;
  tokens: TokenStore;
  replay: ReplayStore;
  revocation: RevocationStore;
  clients: ClientRegistry;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nowSeconds = () => Date.now() / 1000;
const uniqueKey = (label: string) => `${label}-${crypto.randomUUID()}`;

/** Records with every TokenRecord field, in the shapes the server writes them. */
function records(): TokenRecord[] {
  const iat = Math.floor(nowSeconds());
  return [
    { client_id: "minimal", scope: "", iat, exp: iat + 600 },
    {
      client_id: "full-ç-客户",
      scope: "read write",
      iat,
      exp: iat + 3600,
      sub: "service-account-7",
      aud: ["https://api.example.com", "https://billing.example.com"],
      jti: crypto.randomUUID(),
      cnf: { jkt: "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I" },
    },
    { client_id: "one-audience", scope: "read", iat, exp: iat + 60, aud: "https://api.example.com" },
  ];
}

export interface ContractOptions {
  /**
   * Resolves once the stores' clock reads at least `epochMs`. Default: really wait, which is
   * what the engine stores get (their expiry is the engine's own). Stores with an injected
   * clock may jump it instead.
   */
  waitUntil?: (epochMs: number) => Promise<void>;
}

/**
 * Registers the contract's tests in the current `describe`. `sets` is called when the tests
 * run (after the suite's `before` hooks), and must give at least one store set; all of them
 * must share one backend.
 */
export function storeContract(sets: () => StoreSet[], options: ContractOptions = {}): void {
  const waitUntil = options.waitUntil ?? ((epochMs: number) => sleep(epochMs - Date.now()));

  test("tokens: a record saved on one instance is found, field for field, on every instance", async () => {
    for (const writer of sets()) {
      for (const record of records()) {
        const key = uniqueKey("t");
        await writer.tokens.save(key, record);
        for (const reader of sets()) {
          assert.deepStrictEqual(await reader.tokens.find(key), record, `${writer.name} -> ${reader.name}`);
        }
      }
    }
    for (const reader of sets()) assert.equal(await reader.tokens.find(uniqueKey("unknown")), undefined, reader.name);
  });

  test("tokens: save overwrites; revoke answers whether a live record was there, for every instance", async () => {
    const all = sets();
    const first = all[0]!;
    const last = all[all.length - 1]!;
    const [a, b] = records();
    const key = uniqueKey("t");
    await first.tokens.save(key, a!);
    await last.tokens.save(key, b!);
    assert.deepStrictEqual(await first.tokens.find(key), b);
    assert.equal(await last.tokens.revoke(key), true);
    for (const s of all) assert.equal(await s.tokens.find(key), undefined, `${s.name} after revoke`);
    assert.equal(await first.tokens.revoke(key), false, "a second revoke finds nothing");
    assert.equal(await first.tokens.revoke(uniqueKey("unknown")), false);
  });

  test("tokens: a record whose exp has passed is never returned, nor counted by revoke", async () => {
    const now = Math.floor(nowSeconds());
    for (const s of sets()) {
      const key = uniqueKey("t");
      await s.tokens.save(key, { client_id: "c", scope: "", iat: now - 60, exp: now - 1 });
      for (const reader of sets()) {
        assert.equal(await reader.tokens.find(key), undefined, `${s.name} -> ${reader.name}`);
      }
      assert.equal(await s.tokens.revoke(key), false, s.name);
    }
  });

  test("replay: first use is true, every later use on any instance is false; keys are independent", async () => {
    const exp = Math.floor(nowSeconds()) + 60;
    for (const s of sets()) {
      const key = uniqueKey("r");
      assert.equal(await s.replay.remember(key, exp), true, `${s.name}: first use`);
      for (const other of sets()) assert.equal(await other.replay.remember(key, exp), false, `${other.name}: replay`);
      assert.equal(await s.replay.remember(uniqueKey("r"), exp), true, `${s.name}: another key`);
    }
  });

  test("replay: hundreds of concurrent remembers of one key across instances -> exactly one true", async () => {
    const all = sets();
    const exp = Math.floor(nowSeconds()) + 60;
    const keys = [uniqueKey("race"), uniqueKey("race"), uniqueKey("race")];
    const results = await Promise.all(
      keys.map((key) =>
        Promise.all(Array.from({ length: 150 }, (_, i) => all[i % all.length]!.replay.remember(key, exp)))
      ),
    );
    for (const r of results) assert.equal(r.filter(Boolean).length, 1, `wins: ${r.filter(Boolean).length}`);
  });

  test("revocation: an id revoked on one instance is revoked on every instance; others are not", async () => {
    const exp = Math.floor(nowSeconds()) + 600;
    for (const s of sets()) {
      const jti = uniqueKey("j");
      for (const reader of sets()) assert.equal(await reader.revocation.isRevoked(jti), false, reader.name);
      await s.revocation.revoke(jti, exp);
      await s.revocation.revoke(jti, exp); // revoking twice is harmless
      for (const reader of sets()) {
        assert.equal(await reader.revocation.isRevoked(jti), true, `${s.name} -> ${reader.name}`);
      }
      assert.equal(await s.revocation.isRevoked(uniqueKey("j")), false);
    }
  });

  test("clients: registrations round-trip exactly; updates and deletes are seen by every instance", async () => {
    const all = sets();
    const first = all[0]!;
    const last = all[all.length - 1]!;
    const registration: ClientRegistration = {
      client_id: uniqueKey("client"),
      client_secret_hash: [await hashClientSecret("a".repeat(43)), await hashClientSecret("b".repeat(43))],
      token_endpoint_auth_method: "client_secret_post",
      grant_types: ["client_credentials"],
      scope: "invoices:read invoices:write",
      default_scope: "invoices:read",
      client_secret_expires_at: 2_000_000_000,
      client_name: "Zoë's billing service",
    };
    await first.clients.saveClient(registration);
    for (const s of all) {
      const found = await s.clients.getClient(registration.client_id);
      assert.deepStrictEqual(found, registration, s.name);
      assert.equal(
        await s.clients.getClient(registration.client_id),
        found,
        `${s.name}: the same object while unchanged`,
      );
      assert.equal(await s.clients.getClient(uniqueKey("unknown")), undefined, s.name);
    }
    const updated = { ...registration, scope: "invoices:read" };
    await last.clients.saveClient(updated);
    for (const s of all) {
      assert.deepStrictEqual(await s.clients.getClient(registration.client_id), updated, `${s.name} sees the update`);
    }
    assert.equal(await first.clients.deleteClient(registration.client_id), true);
    for (const s of all) {
      assert.equal(await s.clients.getClient(registration.client_id), undefined, `${s.name} sees the delete`);
    }
    assert.equal(await last.clients.deleteClient(registration.client_id), false);
  });

  test("clients: a plaintext client_secret or an invalid registration is refused before anything is written", async () => {
    const s = sets()[0]!;
    const client_id = uniqueKey("client");
    await assert.rejects(
      s.clients.saveClient({ client_id, client_secret: "x".repeat(43), grant_types: ["client_credentials"] }),
      ConfigurationError,
    );
    await assert.rejects(
      s.clients.saveClient({ client_id, token_endpoint_auth_method: "client_secret_basic" }),
      ConfigurationError,
    );
    assert.equal(await s.clients.getClient(client_id), undefined);
  });

  test("the token endpoint issues through one instance's stores; another finds the token by its hash", async () => {
    const all = sets();
    const issuer = all[0]!;
    const secret = "s".repeat(43);
    const client_id = uniqueKey("client");
    await issuer.clients.saveClient({
      client_id,
      client_secret_hash: await hashClientSecret(secret),
      grant_types: ["client_credentials"],
      scope: "read",
    });
    const options = { issuer: "https://as.example.com", clients: issuer.clients, tokenStore: issuer.tokens };
    for (let i = 0; i < 2; i++) { // the second request reads the cached registration
      const response = await handleTokenRequest(
        new Request("https://as.example.com/token", {
          method: "POST",
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            authorization: `Basic ${encodeBasicCredentials(client_id, secret)}`,
          },
          body: "grant_type=client_credentials",
        }),
        options,
      );
      const body = await response.json() as { access_token: string; expires_in: number };
      assert.equal(response.status, 200, JSON.stringify(body));
      const key = await tokenKey(body.access_token, webCrypto);
      for (const s of all) {
        const record = await s.tokens.find(key);
        assert.equal(record?.client_id, client_id, s.name);
        assert.equal(record.scope, "read");
        assert.equal(record.exp - record.iat, body.expires_in);
        assert.equal(await s.tokens.find(body.access_token), undefined, "stored under the hash, not the token");
      }
    }
  });

  test("expiry, in real time: records, revocations and replay keys lapse at their expiry on every instance", async () => {
    const all = sets();
    const exp = Math.ceil(nowSeconds() + 0.3); // 0.3 to 1.3 s away
    const record: TokenRecord = { client_id: "c", scope: "read", iat: exp - 1, exp };
    const key = uniqueKey("t");
    const replayKey = uniqueKey("r");
    const jti = uniqueKey("j");
    await all[0]!.tokens.save(key, record);
    assert.equal(await all[0]!.replay.remember(replayKey, exp), true);
    await all[0]!.revocation.revoke(jti, exp);
    for (const s of all) {
      assert.deepStrictEqual(await s.tokens.find(key), record, `${s.name} before exp`);
      assert.equal(await s.replay.remember(replayKey, exp + 60), false, `${s.name} before exp`);
      assert.equal(await s.revocation.isRevoked(jti), true, `${s.name} before exp`);
    }
    await waitUntil(exp * 1000 + 50);
    for (const s of all) {
      assert.equal(await s.tokens.find(key), undefined, `${s.name} after exp`);
      assert.equal(await s.revocation.isRevoked(jti), false, `${s.name} after exp`);
    }
    // The expired replay key can be taken again, by exactly one of many concurrent callers.
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => all[i % all.length]!.replay.remember(replayKey, exp + 60)),
    );
    assert.equal(results.filter(Boolean).length, 1);
    assert.equal(await all[0]!.tokens.revoke(key), false, "an expired record is not counted by revoke");
  });
}
