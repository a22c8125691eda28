/**
 * The stores on Deno KV, so every isolate of a Deno Deploy app (or several Deno processes on
 * one KV database) acts as one authorization server: issued tokens, replay records (client
 * assertions, DPoP proofs), revocations, clients and the brute-force guard's attempt counters.
 * The library does not touch `Deno.*` itself: pass it the `Deno.Kv` you opened, which
 * satisfies {@link DenoKvLike}. Import it from `m2m-oauth/stores/deno-kv` (npm) or
 * `@m2m/oauth/stores/deno-kv` (JSR).
 *
 * @example Every store of one server on one KV database, run with deno run --unstable-kv
 * ```ts
 * import { createAuthorizationServer } from "../../../mod.ts";
 * import { DenoKvAttemptStore, DenoKvClientStore, DenoKvReplayStore, DenoKvTokenStore } from "./mod.ts";
 *
 * const kv = await Deno.openKv();
 * const server = createAuthorizationServer({
 *   issuer: "https://auth.example.com",
 *   clients: new DenoKvClientStore(kv),
 *   tokenStore: new DenoKvTokenStore(kv),
 *   replayStore: new DenoKvReplayStore(kv),
 *   bruteForce: { store: new DenoKvAttemptStore(kv) },
 * });
 * Deno.serve(server.fetch);
 * ```
 *
 * @module
 */

export type {
  DenoKvLike,
  DenoKvStoreOptions,
  KvAtomicLike,
  KvEntryLike,
  KvKey,
  KvKeyPart,
  KvSetOptions,
} from "./kv_like.ts";
export { DenoKvTokenStore } from "./token_store.ts";
export { DenoKvReplayStore } from "./replay_store.ts";
export { DenoKvRevocationStore } from "./revocation_store.ts";
export { DenoKvClientStore } from "./client_store.ts";
export { DenoKvAttemptStore } from "./attempt_store.ts";
