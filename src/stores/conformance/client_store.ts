/**
 * The conformance suite for {@link WritableClientStore} implementations.
 *
 * @module
 */

import { encodeBasicCredentials } from "../../client_auth/basic.ts";
import { MAX_CLIENT_ID_BYTES } from "../../clients/client_id.ts";
import type { WritableClientStore } from "../../clients/client_store.ts";
import type { ClientRegistration } from "../../clients/registration.ts";
import { hashClientSecret } from "../../clients/secrets.ts";
import { ConfigurationError } from "../../errors.ts";
import { handleTokenRequest } from "../../token_endpoint.ts";
import {
  check,
  type ConformanceOptions,
  makeStores,
  randomKey,
  register,
  sameData,
  type StoreFactory,
  type TestRegistrar,
} from "./kit.ts";

/**
 * Options of {@link testClientStore}.
 *
 * @example
 * ```ts
 * import type { ClientStoreConformanceOptions } from "./client_store.ts";
 * const options: ClientStoreConformanceOptions = { instances: 2, sameObjectWhileUnchanged: true };
 * ```
 */
export interface ClientStoreConformanceOptions extends ConformanceOptions {
  /**
   * Also check that `getClient` returns the same object while a registration is unchanged
   * (the library's stores do, so the server prepares each registration once). Not required
   * of a store; default false.
   */
  sameObjectWhileUnchanged?: boolean;
}

/**
 * Registers tests proving that a {@link WritableClientStore} keeps the contract the server
 * and its operators rely on:
 *
 * - a saved registration reads back exactly (every member, non-ASCII included) on every
 *   instance; an unknown client_id reads as `undefined`;
 * - updates and deletes are seen by every instance, and `deleteClient` answers whether there
 *   was a registration;
 * - a plaintext `client_secret` or an invalid registration is refused with a
 *   `ConfigurationError` before anything is written;
 * - a client_id as long as the library allows (512 bytes of UTF-8) is held; one that no
 *   store could hold (a NUL, over 512 bytes, a lone surrogate) reads as unknown and deletes
 *   as `false`, never an error, and is refused by `saveClient`;
 * - through the token endpoint, a saved client gets tokens (also when its registration is
 *   read again) and a deleted one does not.
 *
 * @example node:test (Deno.test and bun:test's test work the same way)
 * ```ts
 * import { test } from "node:test";
 * import { createClient } from "redis";
 * import { RedisClientStore } from "../redis/mod.ts";
 * import { testClientStore } from "../../testing/mod.ts";
 *
 * const redis = await createClient().connect();
 * testClientStore(() => new RedisClientStore(redis, { prefix: "test:" }), test, { instances: 2 });
 * ```
 */
export function testClientStore(
  factory: StoreFactory<WritableClientStore>,
  test: TestRegistrar,
  options: ClientStoreConformanceOptions = {},
): void {
  const setup = async () => {
    const { stores } = await makeStores(
      factory,
      options,
      (s) =>
        typeof s?.getClient === "function" && typeof s.saveClient === "function" &&
        typeof s.deleteClient === "function",
      "WritableClientStore (getClient, saveClient, deleteClient)",
    );
    return { stores, store: stores[0]!, reader: stores[stores.length - 1]! };
  };
  const full = async (): Promise<ClientRegistration> => ({
    client_id: `kit-${randomKey()}`,
    client_secret_hash: [await hashClientSecret("a".repeat(43)), await hashClientSecret("b".repeat(43))],
    token_endpoint_auth_method: "client_secret_post",
    grant_types: ["client_credentials"],
    scope: "invoices:read invoices:write",
    default_scope: "invoices:read",
    client_secret_expires_at: 2_000_000_000,
    client_name: "Zoë's billing service ✓",
  });

  const tests: Record<string, () => Promise<void>> = {
    "a saved registration reads back exactly on every instance; an unknown client_id is undefined": async () => {
      const { stores, store } = await setup();
      const registration = await full();
      const minimal: ClientRegistration = {
        client_id: `kit-${randomKey()}`,
        client_secret_hash: await hashClientSecret("m".repeat(43)),
      };
      await store.saveClient(registration);
      await store.saveClient(minimal);
      for (const s of stores) {
        for (const r of [registration, minimal]) {
          const found = await s.getClient(r.client_id);
          check(sameData(found, r), `getClient returned ${JSON.stringify(found)} for ${JSON.stringify(r)}`);
        }
        const unknown = await s.getClient(`kit-${randomKey()}`);
        check(unknown == null, `getClient of an unknown client_id returned ${JSON.stringify(unknown)}`);
      }
    },

    "updates and deletes are seen by every instance; deleteClient answers whether there was one": async () => {
      const { stores, store, reader } = await setup();
      const registration = await full();
      await store.saveClient(registration);
      for (const s of stores) await s.getClient(registration.client_id); // a reader that caches must still see changes
      const updated = { ...registration, scope: "invoices:read" };
      await reader.saveClient(updated);
      for (const s of stores) {
        check(sameData(await s.getClient(registration.client_id), updated), "an update was not seen by every instance");
      }
      check((await store.deleteClient(registration.client_id)) === true, "deleteClient of a saved client did not answer true");
      for (const s of stores) {
        check((await s.getClient(registration.client_id)) == null, "a deleted client is still found");
      }
      check((await reader.deleteClient(registration.client_id)) === false, "a second deleteClient did not answer false");
    },

    "a plaintext client_secret or an invalid registration is refused with a ConfigurationError, and nothing is written":
      async () => {
        const { store, reader } = await setup();
        const client_id = `kit-${randomKey()}`;
        const refused = async (registration: ClientRegistration, what: string) => {
          let error: unknown;
          try {
            await store.saveClient(registration);
          } catch (e) {
            error = e;
          }
          check(error instanceof ConfigurationError, `saveClient of ${what} did not reject with a ConfigurationError`);
        };
        await refused({ client_id, client_secret: "x".repeat(43), grant_types: ["client_credentials"] }, "a plaintext secret");
        await refused({ client_id, token_endpoint_auth_method: "client_secret_basic" }, "a secret client without a secret");
        check((await reader.getClient(client_id)) == null, "a refused registration was written");
      },

    "the longest client_id is held; one no store can hold (NUL, over-long, a lone surrogate) is unknown, never an error":
      async () => {
        const { stores, store } = await setup();
        const suffix = randomKey().slice(0, 8);
        for (const client_id of ["x".repeat(MAX_CLIENT_ID_BYTES - 8) + suffix, "é".repeat(MAX_CLIENT_ID_BYTES / 2 - 4) + suffix]) {
          const registration = { client_id, client_secret_hash: await hashClientSecret("l".repeat(43)) };
          await store.saveClient(registration);
          for (const s of stores) {
            check(sameData(await s.getClient(client_id), registration), `a client_id of ${MAX_CLIENT_ID_BYTES} bytes did not read back`);
          }
          check((await store.deleteClient(client_id)) === true, "deleteClient of the longest client_id did not answer true");
        }
        const unholdable = [`kit\u0000${suffix}`, "x".repeat(3000), "é".repeat(MAX_CLIENT_ID_BYTES / 2 + 1), `kit\uD800${suffix}`, `kit\uDC00${suffix}`];
        for (const client_id of unholdable) {
          const what = `a client_id ${JSON.stringify(client_id.slice(0, 12))} of ${client_id.length} characters`;
          for (const s of stores) {
            let found: unknown;
            try {
              found = await s.getClient(client_id);
            } catch (e) {
              check(false, `getClient of ${what} threw ${String(e)}`);
            }
            check(found == null, `getClient of ${what} returned ${JSON.stringify(found)}`);
          }
          let deleted: unknown;
          try {
            deleted = await store.deleteClient(client_id);
          } catch (e) {
            check(false, `deleteClient of ${what} threw ${String(e)}`);
          }
          check(deleted === false, `deleteClient of ${what} answered ${String(deleted)}`);
          let error: unknown;
          try {
            await store.saveClient({ client_id, client_secret_hash: await hashClientSecret("l".repeat(43)) });
          } catch (e) {
            error = e;
          }
          check(error instanceof ConfigurationError, `saveClient of ${what} did not reject with a ConfigurationError`);
        }
      },

    "through the token endpoint: a saved client gets tokens, again when read again, and a deleted one does not":
      async () => {
        const { stores, store } = await setup();
        const secret = "s".repeat(43);
        const client_id = `kit-${randomKey()}`;
        await store.saveClient({
          client_id,
          client_secret_hash: await hashClientSecret(secret),
          grant_types: ["client_credentials"],
          scope: "read",
        });
        const token = (clients: WritableClientStore) =>
          handleTokenRequest(
            new Request("https://conformance.example/token", {
              method: "POST",
              headers: {
                "content-type": "application/x-www-form-urlencoded",
                authorization: `Basic ${encodeBasicCredentials(client_id, secret)}`,
              },
              body: "grant_type=client_credentials",
            }),
            { issuer: "https://conformance.example", clients, bruteForce: false },
          );
        for (const s of [...stores, ...stores]) {
          const res = await token(s);
          const body = await res.json() as { scope?: string };
          check(res.status === 200 && body.scope === "read", `a saved client got ${res.status} ${JSON.stringify(body)}`);
        }
        await store.deleteClient(client_id);
        for (const s of stores) {
          const res = await token(s);
          check(res.status === 401, `a deleted client got ${res.status}, not 401`);
        }
      },
  };
  if (options.sameObjectWhileUnchanged) {
    tests["while a registration is unchanged, getClient returns the same object"] = async () => {
      const { stores, store } = await setup();
      const registration = await full();
      await store.saveClient(registration);
      for (const s of stores) {
        const first = await s.getClient(registration.client_id);
        check(first != null && (await s.getClient(registration.client_id)) === first,
          "getClient returned a new object for an unchanged registration");
      }
    };
  }
  register(test, options.name ?? "WritableClientStore", tests);
}
