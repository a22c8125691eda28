/**
 * The keys a client's assertions are verified with (RFC 7523 s3; RFC 7591 s2): its
 * registered `jwks`, a JWK Set fetched from its `jwks_uri`, or, for `client_secret_jwt`,
 * an HMAC key made from its secret.
 *
 * @module
 */

import type { FetchLike } from "../http/fetch.ts";
import type { Client } from "../clients/registration.ts";
import type { JwsAlgorithm } from "../jose/algorithms.ts";
import { type Jwk, samePublicKey } from "../jose/jwk.ts";
import { RemoteJwks } from "../jose/remote_jwks.ts";
import type { AssertionSettings } from "./assertion_options.ts";

/** What fetching a client's `jwks_uri` needs. */
export interface ClientKeysOptions {
  readonly fetch: FetchLike;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
  readonly settings: AssertionSettings;
  /** The most `jwks_uri` caches kept at once; default 1,000. */
  readonly maxUris?: number;
}

/** How long a client's JWK Set is used when its response names no `max-age`. */
const DEFAULT_MAX_AGE_MS = 300_000;
/** The longest a client's JWK Set is used, whatever its `max-age` says: rotation stays prompt. */
const MAX_AGE_CAP_MS = 3_600_000;

/**
 * Finds verification keys for clients. One cache (with its cooldown) per `jwks_uri`, shared
 * by every client that names that URL, so refreshes on unknown `kid`s are rate-limited per
 * URL however many clients or requests ask.
 */
export class ClientKeys {
  readonly #options: ClientKeysOptions;
  readonly #remote = new Map<string, RemoteJwks>();
  readonly #secrets = new WeakMap<Client, Promise<CryptoKey>>();

  constructor(options: ClientKeysOptions) {
    this.#options = options;
  }

  /**
   * The key for `kid` that verifies `alg` for this client, or `undefined`. The algorithm
   * was already narrowed to the client's method: an asymmetric one for `private_key_jwt`,
   * HS256 for `client_secret_jwt`. Throws `KeysUnavailableError` when the client's
   * `jwks_uri` has never answered with a JWK Set.
   */
  find(client: Client, kid: string | undefined, alg: JwsAlgorithm): Promise<CryptoKey | undefined> {
    if (client.token_endpoint_auth_method === "client_secret_jwt") {
      return alg === "HS256" ? this.#secretKey(client) : Promise.resolve(undefined);
    }
    if (alg === "HS256") return Promise.resolve(undefined);
    if (client.jwks !== undefined) return client.jwks.find(kid, alg);
    if (client.jwks_uri !== undefined) return this.#remoteFor(client.jwks_uri).find(kid, alg);
    return Promise.resolve(undefined);
  }

  /**
   * The registered key equal to a certificate's public key (`self_signed_tls_client_auth`,
   * RFC 8705 s2.2), from `jwks` or the client's `jwks_uri` (refetched on a miss, within
   * the cooldown), or `undefined`. Throws `KeysUnavailableError` when the `jwks_uri` has
   * never answered with a JWK Set.
   */
  findCertificateKey(client: Client, key: Jwk): Promise<Jwk | undefined> {
    const matches = (k: Jwk) => samePublicKey(key, k);
    const keys = client.registration.jwks?.keys;
    if (keys !== undefined) return Promise.resolve(keys.find((k) => (k.use === undefined || k.use === "sig") && matches(k)));
    if (client.jwks_uri !== undefined) return this.#remoteFor(client.jwks_uri).findJwk(matches);
    return Promise.resolve(undefined);
  }

  #secretKey(client: Client): Promise<CryptoKey> {
    let key = this.#secrets.get(client);
    if (key === undefined) {
      // RFC 7518 s3.2 with RFC 7523 s3: the MAC key is the octets of the client secret
      // (UTF-8), as OpenID Connect Core s9 and oauth4webapi's ClientSecretJwt use it.
      const secret = new TextEncoder().encode(client.registration.client_secret ?? "");
      key = crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
      this.#secrets.set(client, key);
    }
    return key;
  }

  #remoteFor(url: string): RemoteJwks {
    let remote = this.#remote.get(url);
    if (remote !== undefined) {
      // Most recently used last, so the eviction below drops the least recently used.
      this.#remote.delete(url);
      this.#remote.set(url, remote);
      return remote;
    }
    const { fetch, clock, settings } = this.#options;
    remote = new RemoteJwks(url, {
      fetch,
      clock,
      cooldownMs: settings.jwksCooldownMs,
      defaultMaxAgeMs: DEFAULT_MAX_AGE_MS,
      maxAgeCapMs: MAX_AGE_CAP_MS,
      timeoutMs: settings.jwksTimeoutMs,
      maxBytes: settings.jwksMaxBytes,
    });
    this.#remote.set(url, remote);
    if (this.#remote.size > (this.#options.maxUris ?? 1_000)) this.#remote.delete(this.#remote.keys().next().value!);
    return remote;
  }
}
