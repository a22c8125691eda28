/**
 * The server's federation configuration as client authentication reads it: the trusted
 * issuers, and (when clients are a fixed list) which clients each issuer's tokens may
 * authenticate, so a request may leave out `client_id`.
 *
 * Checked at start-up for a list of clients: every federated credential names a trusted
 * issuer of the right kind, no client_id is a trusted issuer's identifier (its assertions
 * would be ambiguous), and no two clients accept the same token: two registrations whose
 * rules on one issuer could both hold for one token are a `ConfigurationError` naming both,
 * since a request without `client_id` could not tell which client it is. A client store's
 * registrations cannot be listed, so with one the request must name its `client_id`.
 *
 * @module
 */

import type { ClientRegistration } from "../clients/registration.ts";
import { ConfigurationError } from "../errors.ts";
import { claimRulesOverlap } from "./claim_rules.ts";
import { type PreparedFederatedCredential, prepareFederatedCredentials } from "./federated_credential.ts";
import type { TrustedIssuerSet } from "./trusted_issuer.ts";

/** Federation as client authentication needs it (`ClientAuthContext.federation`). */
export interface FederationContext {
  readonly issuers: TrustedIssuerSet;
  /**
   * The clients with a federated credential, by trusted issuer, when the clients are a
   * fixed list; `undefined` for a client store (a request must then name its `client_id`).
   */
  readonly clientsByIssuer: ReadonlyMap<string, readonly string[]> | undefined;
}

interface Entry {
  readonly client_id: string;
  readonly credential: PreparedFederatedCredential;
  /** The credential's option path: `clients[2].federated_credentials[0]`. */
  readonly path: string;
}

/** `federated_credentials[0]` of `clients[2].federated_credentials[0]`: the old words of the overlap message. */
function last(path: string): string {
  return path.slice(path.lastIndexOf(".") + 1);
}

/**
 * Checks a fixed list of registrations (the `clients` option: errors name
 * `clients[i]...`) against the trusted issuers and indexes them by issuer. Throws a
 * {@link ConfigurationError} as described in the module documentation.
 *
 * @example
 * ```ts
 * import { federationContext } from "./federated_clients.ts";
 * import type { TrustedIssuerSet } from "./trusted_issuer.ts";
 * declare const issuers: TrustedIssuerSet;
 * const federation = federationContext(issuers, [{
 *   client_id: "deploy",
 *   token_endpoint_auth_method: "private_key_jwt",
 *   federated_credentials: [{ issuer: "https://token.actions.githubusercontent.com", claims: { repository: "octo-org/app" } }],
 *   grant_types: ["client_credentials"],
 * }]);
 * federation.clientsByIssuer?.get("https://token.actions.githubusercontent.com"); // ["deploy"]
 * ```
 */
export function federationContext(issuers: TrustedIssuerSet, registrations: readonly ClientRegistration[] | undefined): FederationContext {
  if (registrations === undefined) return { issuers, clientsByIssuer: undefined };
  const byIssuer = new Map<string, Entry[]>();
  for (const [i, r] of registrations.entries()) {
    const id = JSON.stringify(r.client_id);
    if (issuers.get(r.client_id) !== undefined) {
      throw new ConfigurationError(
        `client ${id}: clients[${i}].client_id may not be a trusted issuer's identifier (its assertions would read as the issuer's tokens)`,
        `clients[${i}].client_id`,
      );
    }
    if (r.federated_credentials === undefined) continue;
    const at = `clients[${i}].federated_credentials`;
    prepareFederatedCredentials(r.client_id, r.federated_credentials, at).forEach((credential, index) => {
      const path = `${at}[${index}]`;
      if (issuers.get(credential.issuer) === undefined) {
        throw new ConfigurationError(
          `client ${id}: ${path}.issuer names ${credential.issuer}, which is not in trustedIssuers`,
          `${path}.issuer`,
        );
      }
      const list = byIssuer.get(credential.issuer) ?? [];
      list.push({ client_id: r.client_id, credential, path });
      byIssuer.set(credential.issuer, list);
    });
  }
  for (const [issuer, entries] of byIssuer) {
    for (let i = 0; i < entries.length; i++) {
      for (let j = i + 1; j < entries.length; j++) {
        const a = entries[i]!;
        const b = entries[j]!;
        if (a.client_id === b.client_id || !claimRulesOverlap(a.credential.rules, b.credential.rules)) continue;
        // The later credential is the one reported: the first was fine until it came.
        throw new ConfigurationError(
          `clients ${JSON.stringify(a.client_id)} (${last(a.path)}) and ${JSON.stringify(b.client_id)} ` +
            `(${last(b.path)}) could both accept one token of ${issuer}: add a rule (on the same claim) that ` +
            `tells them apart, so that a token names one client (${a.path}.claims and ${b.path}.claims)`,
          `${b.path}.claims`,
        );
      }
    }
  }
  const clientsByIssuer = new Map<string, readonly string[]>();
  for (const [issuer, entries] of byIssuer) clientsByIssuer.set(issuer, [...new Set(entries.map((e) => e.client_id))]);
  return { issuers, clientsByIssuer };
}
