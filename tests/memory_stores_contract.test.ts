// The in-memory stores (the reference implementations) keep the store contract. One process
// holds them, so there is one instance.
import { describe } from "node:test";
import { type ClientRegistration, MemoryReplayStore, MemoryRevocationStore, MemoryTokenStore } from "../mod.ts";
import { type ClientRegistry, storeContract } from "./store_contract.ts";
import { checkStorableRegistration } from "../src/clients/stored_registration.ts";

/** A writable client store in memory, holding a copy of each registration. */
function memoryClientRegistry(): ClientRegistry {
  const byId = new Map<string, ClientRegistration>();
  return {
    getClient: (client_id) => Promise.resolve(byId.get(client_id)),
    saveClient(registration) {
      try {
        checkStorableRegistration(registration);
      } catch (e) {
        return Promise.reject(e);
      }
      byId.set(registration.client_id, structuredClone(registration));
      return Promise.resolve();
    },
    deleteClient: (client_id) => Promise.resolve(byId.delete(client_id)),
  };
}

describe("in-memory stores: the store contract", () => {
  // Real time, except that the expiry test jumps ahead instead of waiting.
  let offset = 0;
  const clock = () => Date.now() + offset;
  const set = {
    name: "memory",
    tokens: new MemoryTokenStore({ clock }),
    replay: new MemoryReplayStore({ clock }),
    revocation: new MemoryRevocationStore({ clock }),
    clients: memoryClientRegistry(),
  };
  storeContract(() => [set], {
    waitUntil: (epochMs) => Promise.resolve(void (offset = Math.max(offset, epochMs - Date.now()))),
  });
});
