/**
 * The stores on Redis (6.2 or later), so several instances of the authorization server act
 * as one: issued tokens, replay records (client assertions, DPoP proofs), revocations,
 * clients and the brute-force guard's attempt counters. The library depends on no Redis
 * package: any client that can send one command satisfies {@link RedisLike} (node-redis as it
 * is; ioredis and Bun's RedisClient with a two-line wrapper). Import it from
 * `m2m-oauth/stores/redis` (npm) or `@m2m/oauth/stores/redis` (JSR).
 *
 * @example Every store of one server on one Redis
 * ```ts
 * import { createClient } from "redis";
 * import { createAuthorizationServer } from "../../../mod.ts";
 * import { RedisAttemptStore, RedisClientStore, RedisReplayStore, RedisTokenStore } from "./mod.ts";
 *
 * const redis = await createClient({ url: "redis://127.0.0.1:6379" }).connect();
 * const server = createAuthorizationServer({
 *   issuer: "https://auth.example.com",
 *   clients: new RedisClientStore(redis),
 *   tokenStore: new RedisTokenStore(redis),
 *   replayStore: new RedisReplayStore(redis),
 *   bruteForce: { store: new RedisAttemptStore(redis) },
 * });
 * // Deno.serve(server.fetch);
 * ```
 *
 * @module
 */

export type { RedisLike, RedisStoreOptions } from "./redis_like.ts";
export { RedisTokenStore } from "./token_store.ts";
export { RedisReplayStore } from "./replay_store.ts";
export { RedisRevocationStore } from "./revocation_store.ts";
export { RedisClientStore } from "./client_store.ts";
export { RedisAttemptStore } from "./attempt_store.ts";
