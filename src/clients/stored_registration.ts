/**
 * Client registrations kept in a database: checked before they are written, and read back as
 * the same object for as long as the stored copy is unchanged.
 *
 * @module
 */

import { ConfigurationError } from "../errors.ts";
import { type ClientRegistration, validateRegistration } from "./registration.ts";

/**
 * Checks a registration before a store writes it: it must be valid, and it must not carry a
 * plaintext `client_secret` (a database is a secret at rest; store `client_secret_hash`).
 */
export function checkStorableRegistration(registration: ClientRegistration): void {
  validateRegistration(registration);
  if (registration.client_secret !== undefined) {
    throw new ConfigurationError(
      `client ${JSON.stringify(registration.client_id)}: a store keeps client_secret_hash, never a plaintext ` +
        "client_secret (use hashClientSecret)",
      "client_secret",
    );
  }
}

/**
 * Remembers the registration last read for each client with a version of its stored form
 * (the JSON text, or a versionstamp). While the version is unchanged it hands back the same
 * object, so the server's per-object preparation (validation, parsed hashes) is done once.
 * Holds only clients that were found, at most one object each.
 */
export class RegistrationCache {
  readonly #byId = new Map<string, { version: string; registration: ClientRegistration }>();

  /** The registration of `client_id` stored as `version`; `parse` runs only for a new version. */
  get(client_id: string, version: string, parse: () => ClientRegistration): ClientRegistration {
    const cached = this.#byId.get(client_id);
    if (cached !== undefined && cached.version === version) return cached.registration;
    const registration = parse();
    this.#byId.set(client_id, { version, registration });
    return registration;
  }

  /** Forgets `client_id` (it is no longer stored). */
  delete(client_id: string): void {
    this.#byId.delete(client_id);
  }
}
