/**
 * The per-request client lookup: from a `client_id` the request names to the prepared
 * {@link Client}, through the configured clients (a fixed list or a user's
 * {@link ClientStore}), under the stores' deadline.
 *
 * @module
 */

import { ConfigurationError } from "../errors.ts";
import type { CryptoProvider } from "../crypto/provider.ts";
import { withDeadlineIfPending } from "../stores/deadline.ts";
import { clientIdProblem } from "./client_id.ts";
import { type ClientStore, clientStoreFromArray } from "./client_store.ts";
import { type Client, type ClientRegistration, preparedClient } from "./registration.ts";

/**
 * Finds the client a request names; `undefined` for one that is not registered. The answer
 * comes without a promise when the store answered synchronously and the registration was
 * prepared before (a fixed list, after a client's first request): each promise and await
 * is an allocation and a turn of the microtask queue on every request. Callers that await
 * it see no difference.
 */
export type FindClient = (client_id: string) => Client | undefined | Promise<Client | undefined>;

/**
 * The lookup for the `clients` option: an array of registrations (checked now, each one's
 * errors naming `clients[i]`) or a {@link ClientStore}, asked under `timeoutMs`.
 *
 * @example
 * ```ts
 * import { clientLookup } from "./client_lookup.ts";
 * import { webCrypto } from "../crypto/provider.ts";
 *
 * const findClient = clientLookup([{ client_id: "billing", client_secret_hash: "$sha256$Z2yN1q0o0mRlJ1uWjQk0t8eN7w5h5u4Qm6kH9rVb1aY", scope: "invoices:read" }], webCrypto, 5000);
 * const client = await findClient("billing");
 * ```
 */
export function clientLookup(clients: readonly ClientRegistration[] | ClientStore, crypto: CryptoProvider, timeoutMs: number): FindClient {
  let store: ClientStore;
  if (Array.isArray(clients)) store = clientStoreFromArray(clients);
  else if (typeof (clients as ClientStore | undefined)?.getClient === "function") store = clients as ClientStore;
  else throw new ConfigurationError("clients must be an array of registrations or a ClientStore", "clients");
  const prepared = (registration: ClientRegistration | undefined | null, client_id: string): Client | undefined | Promise<Client> => {
    // A store that answers for another id is a store bug; never authenticate as someone else.
    if (registration === undefined || registration === null || registration.client_id !== client_id) return undefined;
    return preparedClient(registration, crypto);
  };
  return (client_id) => {
    // An id no registration can have (too long, a NUL...) is unknown; no store is asked.
    if (clientIdProblem(client_id) !== undefined) return undefined;
    // A store that answers later gets the deadline; one that answered already needs none.
    const answer = withDeadlineIfPending("client store", timeoutMs, () => store.getClient(client_id));
    return answer instanceof Promise ? answer.then((registration) => prepared(registration, client_id)) : prepared(answer, client_id);
  };
}
