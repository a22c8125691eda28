/**
 * A deadline on calls into pluggable backends (client store, token store, revocation store,
 * replay store, attempt store, a custom crypto provider): a store that hangs must not hold
 * a request, or its connection, forever. This is the one place the `storeTimeoutMs` option
 * is applied.
 *
 * @module
 */

import { deadlines } from "../deadline_scheduler.ts";
import type { OAuthError } from "../errors.ts";
import { storeUnavailable } from "./store_unavailable.ts";
import type { ReplayStore } from "./replay_store.ts";
import type { RevocationStore } from "./revocation_store.ts";
import type { TokenStore } from "./token_store.ts";

/** Whether `value` is a promise or another thenable. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null &&
    typeof (value as { then?: unknown }).then === "function";
}

/**
 * Calls `call` and settles with its result, or rejects with a 503 `temporarily_unavailable`
 * {@link OAuthError} once `ms` milliseconds pass without an answer. A synchronous answer (or
 * throw) is passed through without starting a timer. When a late answer arrives after the
 * deadline, `onLate` receives it (to undo a write nobody will use).
 *
 * @example
 * ```ts
 * import { withDeadline } from "./deadline.ts";
 * declare const db: { lookup(id: string): Promise<string | undefined> };
 * const row = await withDeadline("client store", 5_000, () => db.lookup("billing"));
 * ```
 */
export function withDeadline<T>(
  what: string,
  ms: number,
  call: () => T | PromiseLike<T>,
  onLate?: (value: T) => void,
): Promise<T> {
  const answer = withDeadlineIfPending(what, ms, call, onLate);
  return answer instanceof Promise ? answer : Promise.resolve(answer);
}

/**
 * {@link withDeadline}, with a synchronous answer returned as it is rather than in a promise
 * (a throw is still a rejected promise): for the request path, where each promise is an
 * allocation and a turn of the microtask queue on every request.
 *
 * @example
 * ```ts
 * import { withDeadlineIfPending } from "./deadline.ts";
 * const clients = new Map([["billing", { client_id: "billing" }]]);
 * withDeadlineIfPending("client store", 5_000, () => clients.get("billing")); // { client_id: "billing" }, no promise
 * ```
 */
export function withDeadlineIfPending<T>(
  what: string,
  ms: number,
  call: () => T | PromiseLike<T>,
  onLate?: (value: T) => void,
): T | Promise<T> {
  let result: T | PromiseLike<T>;
  try {
    result = call();
    if (!isThenable(result)) return result;
  } catch (e) {
    return Promise.reject(e);
  }
  const pending = result;
  return new Promise<T>((resolve, reject) => {
    let late = false;
    // One entry in the shared scheduler, not a timer per call.
    const deadline = deadlines.schedule(ms, () => {
      late = true;
      reject(
        storeUnavailable("the server could not complete the request in time", undefined, new Error(`${what} did not answer within ${ms} ms`)),
      );
    });
    Promise.resolve(pending).then(
      (value) => {
        if (late) {
          try {
            onLate?.(value);
          } catch {
            // Clean-up is best effort; the caller has already had its answer.
          }
          return;
        }
        deadline.cancel();
        resolve(value);
      },
      (error) => {
        if (late) return;
        deadline.cancel();
        reject(error);
      },
    );
  });
}

/**
 * A token store whose calls end by the deadline. A `save` that completes after its deadline
 * is revoked at once: its token was never handed out, so its record must not linger.
 *
 * @example
 * ```ts
 * import { deadlineTokenStore } from "./deadline.ts";
 * import { MemoryTokenStore } from "./memory_token_store.ts";
 * const tokens = deadlineTokenStore(new MemoryTokenStore(), 5_000);
 * ```
 */
export function deadlineTokenStore(store: TokenStore, ms: number): TokenStore {
  return {
    save: (key, record) =>
      withDeadline("token store save", ms, () => store.save(key, record), () => {
        withDeadline("token store revoke", ms, () => store.revoke(key)).catch(() => {});
      }),
    find: (key) => withDeadline("token store find", ms, () => store.find(key)),
    revoke: (key) => withDeadline("token store revoke", ms, () => store.revoke(key)),
  };
}

/**
 * A revocation store whose calls end by the deadline. A `revoke` that completes late is
 * kept: the token is then revoked, as its owner asked (the 503 it got tells it to retry,
 * which is harmless); undoing it would let a token the owner gave up work again.
 *
 * @example
 * ```ts
 * import { deadlineRevocationStore } from "./deadline.ts";
 * import { MemoryRevocationStore } from "./revocation_store.ts";
 * const revoked = deadlineRevocationStore(new MemoryRevocationStore(), 5_000);
 * ```
 */
export function deadlineRevocationStore(store: RevocationStore, ms: number): RevocationStore {
  return {
    revoke: (jti, expiresAt) => withDeadline("revocation store revoke", ms, () => store.revoke(jti, expiresAt)),
    isRevoked: (jti) => withDeadline("revocation store isRevoked", ms, () => store.isRevoked(jti)),
  };
}

/**
 * A replay store whose calls end by the deadline. A `remember` that completes late is kept:
 * the request it served was refused (503), and the key stays used, so the same assertion or
 * proof cannot be replayed later; forgetting it would reopen exactly that window.
 *
 * @example
 * ```ts
 * import { deadlineReplayStore } from "./deadline.ts";
 * import { MemoryReplayStore } from "./replay_store.ts";
 * const replay = deadlineReplayStore(new MemoryReplayStore(), 5_000);
 * ```
 */
export function deadlineReplayStore(store: ReplayStore, ms: number): ReplayStore {
  return {
    remember: (key, expiresAt) => withDeadline("replay store remember", ms, () => store.remember(key, expiresAt)),
  };
}
