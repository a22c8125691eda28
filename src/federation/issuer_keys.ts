/**
 * Where a trusted issuer's verification keys come from, and their cache: a static JWK Set
 * from the configuration, a JWK Set at a `jwksUri` (or a SPIFFE bundle endpoint), or by
 * default the issuer's OpenID Connect discovery document (OpenID Connect Discovery 1.0
 * s4), whose `jwks_uri` names the set.
 *
 * Every fetch has the deadline, the size cap and the refresh cooldown of a client's
 * `jwks_uri` (the `clientAssertion` option): one cache per issuer, shared by every
 * registration that names it, so a flood of tokens with made-up `kid`s costs one fetch per
 * cooldown whoever sends them. The discovery document is read with the same limits, and one
 * whose `issuer` is not exactly the configured issuer is refused (OpenID Connect Discovery
 * s4.3: it MUST be identical): a document that answers for another issuer is not this
 * issuer's, whatever keys it names.
 *
 * @module
 */

import type { AssertionSettings } from "../client_auth/assertion_options.ts";
import type { FetchLike } from "../http/fetch.ts";
import { fetchJsonObject } from "../http/json_fetch.ts";
import { isHttpsOrLoopback } from "../http/loopback.ts";
import type { JwsAlgorithm } from "../jose/algorithms.ts";
import type { Jwk } from "../jose/jwk.ts";
import { KeyIndex } from "../jose/key_index.ts";
import { KeysUnavailableError, RemoteJwks } from "../jose/remote_jwks.ts";

/** Where the keys come from. */
export type IssuerKeySource =
  | { readonly jwks: readonly Jwk[] }
  | { readonly jwksUri: string }
  | { readonly discovery: string };

/** What fetching needs. */
export interface IssuerKeysOptions {
  readonly fetch: FetchLike;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
  /** Deadline, size cap and cooldown: those of `clientAssertion`. */
  readonly settings: AssertionSettings;
  /** The key `use` accepted besides none; default `sig` (`jwt-svid` for a SPIFFE bundle). */
  readonly keyUse?: string;
}

/** How long a JWK Set is used when its response names no `max-age`. */
const DEFAULT_MAX_AGE_MS = 300_000;
/** The longest a JWK Set is used, whatever `max-age` says: rotation stays prompt. */
const MAX_AGE_CAP_MS = 3_600_000;
/** The discovery document changes rarely: used for an hour by default, a day at most. */
const DISCOVERY_MAX_AGE_MS = 3_600_000;
const DISCOVERY_MAX_AGE_CAP_MS = 86_400_000;

/**
 * The URL of the OpenID Connect discovery document of `issuer` (OpenID Connect Discovery
 * s4): `/.well-known/openid-configuration` appended to the issuer, any trailing `/`
 * removed first.
 *
 * @example
 * ```ts
 * import { discoveryUrl } from "./issuer_keys.ts";
 * discoveryUrl("https://token.actions.githubusercontent.com");
 * // "https://token.actions.githubusercontent.com/.well-known/openid-configuration"
 * ```
 */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
}

/** Why a discovery document was refused. */
function discoveredJwksUri(body: Record<string, unknown>, issuer: string): string {
  // OpenID Connect Discovery s4.3: the issuer in the document MUST be identical to the one
  // its URL was made from; otherwise the document speaks for someone else.
  if (body.issuer !== issuer) throw new Error(`the discovery document names the issuer ${JSON.stringify(body.issuer)}, not ${issuer}`);
  const uri = body.jwks_uri;
  if (typeof uri !== "string") throw new Error("the discovery document has no jwks_uri");
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new Error("the discovery document's jwks_uri is not a URL");
  }
  if (!isHttpsOrLoopback(url) || uri.includes("#")) throw new Error("the discovery document's jwks_uri is not an https URL");
  return uri;
}

/**
 * The keys of one trusted issuer.
 *
 * @example
 * ```ts
 * import { IssuerKeys } from "./issuer_keys.ts";
 * import { resolveAssertionSettings } from "../client_auth/assertion_options.ts";
 * const keys = new IssuerKeys({ discovery: "https://token.actions.githubusercontent.com" }, {
 *   fetch: globalThis.fetch,
 *   clock: Date.now,
 *   settings: resolveAssertionSettings(undefined),
 * });
 * // const key = await keys.find("kid-from-the-token", "RS256");
 * ```
 */
export class IssuerKeys {
  readonly #source: IssuerKeySource;
  readonly #options: IssuerKeysOptions;
  readonly #static: KeyIndex | undefined;
  #remote: RemoteJwks | undefined;
  #remoteUri: string | undefined;
  #discoveredUntil = 0;
  #lastDiscovery = -Infinity;
  #pending: Promise<void> | undefined;
  #lastError: unknown;

  constructor(source: IssuerKeySource, options: IssuerKeysOptions) {
    this.#source = source;
    this.#options = options;
    if ("jwks" in source) this.#static = new KeyIndex(source.jwks, false, options.keyUse);
    if ("jwksUri" in source) this.#remote = this.#jwksAt(source.jwksUri);
  }

  /**
   * The key for `kid` that verifies `alg` (the algorithm fixed by the key, RFC 8725 s2.1),
   * or `undefined`. Throws `KeysUnavailableError` when no JWK Set could be obtained (the
   * discovery document or the set unreachable, too slow, too large, not JSON, or a
   * discovery document that names another issuer).
   */
  async find(kid: string | undefined, alg: JwsAlgorithm): Promise<CryptoKey | undefined> {
    if (this.#static !== undefined) return this.#static.find(kid, alg);
    return (await this.#remoteJwks()).find(kid, alg);
  }

  #jwksAt(uri: string): RemoteJwks {
    const { fetch, clock, settings, keyUse } = this.#options;
    return new RemoteJwks(uri, {
      fetch,
      clock,
      cooldownMs: settings.jwksCooldownMs,
      defaultMaxAgeMs: DEFAULT_MAX_AGE_MS,
      maxAgeCapMs: MAX_AGE_CAP_MS,
      timeoutMs: settings.jwksTimeoutMs,
      maxBytes: settings.jwksMaxBytes,
      keyUse,
    });
  }

  async #remoteJwks(): Promise<RemoteJwks> {
    if ("discovery" in this.#source) {
      const now = this.#options.clock();
      const stale = this.#remote === undefined || now >= this.#discoveredUntil;
      if (stale && (this.#pending !== undefined || now - this.#lastDiscovery >= this.#options.settings.jwksCooldownMs)) {
        // Concurrent requests share one fetch.
        this.#pending ??= this.#discover().finally(() => (this.#pending = undefined));
        await this.#pending;
      }
    }
    if (this.#remote === undefined) {
      throw new KeysUnavailableError("the issuer's discovery document could not be used", { cause: this.#lastError });
    }
    return this.#remote;
  }

  async #discover(): Promise<void> {
    const issuer = (this.#source as { discovery: string }).discovery;
    const { fetch, clock, settings } = this.#options;
    this.#lastDiscovery = clock();
    try {
      const { body, freshForMs } = await fetchJsonObject(discoveryUrl(issuer), {
        fetch,
        timeoutMs: settings.jwksTimeoutMs,
        maxBytes: settings.jwksMaxBytes,
        accept: "application/json",
        defaultMaxAgeMs: DISCOVERY_MAX_AGE_MS,
        maxAgeCapMs: DISCOVERY_MAX_AGE_CAP_MS,
      });
      const uri = discoveredJwksUri(body, issuer);
      // The same jwks_uri keeps its cache; a new one starts afresh.
      if (uri !== this.#remoteUri) {
        this.#remote = this.#jwksAt(uri);
        this.#remoteUri = uri;
      }
      // Even a no-store document is used until the next cooldown, rather than refetched
      // on every token.
      this.#discoveredUntil = clock() + Math.max(freshForMs, settings.jwksCooldownMs);
    } catch (e) {
      // A failed refresh keeps the jwks_uri already known; the cooldown keeps a dead
      // issuer from being asked on every request.
      this.#lastError = e;
    }
  }
}
